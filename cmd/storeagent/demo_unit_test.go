package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/agent"
)

// TestDemoStores checks that each demo country sells at its own country's VAT rates only, as in
// force in 2026. Finland: standard 25.5 % since 1 September 2024; the reduced rate for food (and
// restaurants, books, medicines, transport) 13.5 % since 1 January 2026, down from 14 % (2026
// State Budget, VAT Act 1501/1993 section 85); 10 % for newspapers. 14 % is no longer a rate.
func TestDemoStores(t *testing.T) {
	real := map[string]map[int64]bool{
		"it": {2200: true, 1000: true, 500: true, 400: true},
		"fr": {2000: true, 1000: true, 550: true, 210: true},
		"fi": {2550: true, 1350: true, 1000: true},
	}
	if got := strings.Join(agent.DemoCountries(), ","); got != "fi,fr,it" {
		t.Fatalf("DemoCountries() = %s; want fi,fr,it", got)
	}
	for country, rates := range real {
		t.Run(country, func(t *testing.T) {
			s, err := agent.DemoStoreFor(country)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(strings.ToLower(s.Locale), country+"-") {
				t.Errorf("locale %s; want the %s language", s.Locale, country)
			}
			used := map[int64]bool{}
			for _, it := range s.Items {
				used[it.TaxRateBP] = true
				if !rates[it.TaxRateBP] {
					t.Errorf("%s %s: tax_rate_bp %d is not a VAT rate of %s", it.SKU, it.Name, it.TaxRateBP, country)
				}
				if _, ok := s.Stock[it.SKU]; !ok {
					t.Errorf("%s: no starting stock", it.SKU)
				}
			}
			if country == "it" && len(used) != 4 {
				t.Errorf("the Italian store uses rates %v; want all four of 22, 10, 5, 4 %%", used)
			}
			if country == "fi" {
				for _, it := range s.Items {
					// food at the reduced rate, alcoholic drinks and non-food at the standard one
					food := it.Category != "muut" && it.Category != "juomat"
					if want := map[bool]int64{true: 1350, false: 2550}[food]; it.TaxRateBP != want {
						t.Errorf("fi %s %s (%s): tax_rate_bp %d, want %d", it.SKU, it.Name, it.Category, it.TaxRateBP, want)
					}
				}
			}
			if _, ok := s.Item(s.Weighed.SKU); !ok {
				t.Errorf("weighed sample %s is not in the catalogue", s.Weighed.SKU)
			}
			if _, err := agent.DemoConfig(s, t.TempDir(), "127.0.0.1:8080", "", "tcp://127.0.0.1:1883"); err != nil {
				t.Errorf("DemoConfig: %v", err)
			}
		})
	}
	if _, err := agent.DemoStoreFor("xx"); err == nil {
		t.Error("DemoStoreFor(xx): want an error")
	}
}

// TestPrintDemoBanner checks that the banner names every product code, every loyalty id and the
// printed receipts page.
func TestPrintDemoBanner(t *testing.T) {
	s, err := agent.DemoStoreFor("it")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := agent.DemoConfig(s, t.TempDir(), "127.0.0.1:8080", "", "tcp://127.0.0.1:1883")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	printDemoBanner(&b, cfg, "http://127.0.0.1:8080", "tcp://127.0.0.1:1883", s)
	out := b.String()
	for _, it := range s.Items {
		if !strings.Contains(out, it.GTINs[0]) || !strings.Contains(out, it.Name) {
			t.Errorf("banner lacks %s %s", it.GTINs[0], it.Name)
		}
	}
	for _, c := range s.Customers {
		if !strings.Contains(out, c.CustomerID) {
			t.Errorf("banner lacks loyalty id %s", c.CustomerID)
		}
	}
	if !strings.Contains(out, "http://127.0.0.1:8080/demo/receipts") {
		t.Errorf("banner lacks the receipts page:\n%s", out)
	}
}

// TestDemoDataDir checks that -data DIR is created when missing and kept, and that the temporary
// directory is removed on stop with a line saying so.
func TestDemoDataDir(t *testing.T) {
	want := filepath.Join(t.TempDir(), "a", "b")
	var out bytes.Buffer
	got, cleanup, err := demoDataDir(want, &out)
	if err != nil || got != want {
		t.Fatalf("demoDataDir(%s) = %s, %v", want, got, err)
	}
	if fi, err := os.Stat(want); err != nil || !fi.IsDir() {
		t.Fatalf("-data dir not created: %v", err)
	}
	cleanup()
	if _, err := os.Stat(want); err != nil {
		t.Errorf("-data dir removed on stop: %v", err)
	}
	t.Setenv("TMPDIR", t.TempDir())
	out.Reset()
	tmp, cleanup, err := demoDataDir("", &out)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "central.db"), []byte("x"), 0o600)
	cleanup()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary dir %s still there after stop: %v", tmp, err)
	}
	if !strings.Contains(out.String(), "removed the temporary data dir "+tmp) {
		t.Errorf("stop line %q; want it to say the temporary dir was removed", out.String())
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 terminals", 1: "1 terminal", 2: "2 terminals"} {
		if got := plural(n, "terminal", "terminals"); got != want {
			t.Errorf("plural(%d) = %q; want %q", n, got, want)
		}
	}
}
