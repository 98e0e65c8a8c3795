package promo

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want part of the golden baskets")

// golden is one file under testdata/golden: the input, the totals worked out by hand (expect), and
// the engine's full answer (want, rewritten by -update; expect never is).
type golden struct {
	Name       string      `json:"name"`
	Note       string      `json:"note,omitempty"` // why the expected totals are what they are, when not obvious
	Basket     Basket      `json:"basket"`
	Promotions []Promotion `json:"promotions"`
	Expect     struct {
		TotalMinor  int64 `json:"total_minor"`
		SavingMinor int64 `json:"saving_minor"`
	} `json:"expect"`
	Want *Result `json:"want,omitempty"`
}

func TestPrice_Golden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("%d golden baskets, want at least 40", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&g); err != nil {
				t.Fatal(err)
			}
			got, err := Price(g.Basket, g.Promotions)
			if err != nil {
				t.Fatal(err)
			}
			if got.TotalMinor != g.Expect.TotalMinor || got.SavingMinor != g.Expect.SavingMinor {
				t.Errorf("total %d saving %d, want (by hand) %d and %d", got.TotalMinor, got.SavingMinor, g.Expect.TotalMinor, g.Expect.SavingMinor)
			}
			checkInvariants(t, g.Basket, got)
			if *update {
				g.Want = &got
				out, err := json.MarshalIndent(g, "", " ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, append(out, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if g.Want == nil {
				t.Fatal("no want: run go test -run Golden -update")
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(g.Want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("result differs from want\n got: %s\nwant: %s", gotJSON, wantJSON)
			}
		})
	}
}

// checkInvariants holds for every priced basket: lines in order and never below zero, each line's
// discounts adding up, totals and VAT per rate adding up from the lines.
func checkInvariants(t *testing.T, b Basket, r Result) {
	t.Helper()
	if len(r.Lines) != len(b.Lines) {
		t.Fatalf("%d result lines for %d basket lines", len(r.Lines), len(b.Lines))
	}
	var gross, saving, total int64
	rates := map[int64]int64{}
	for i, l := range r.Lines {
		if l.SKU != b.Lines[i].SKU || l.GrossMinor != b.Lines[i].AmountMinor {
			t.Errorf("line %d is %s %d, basket has %s %d", i, l.SKU, l.GrossMinor, b.Lines[i].SKU, b.Lines[i].AmountMinor)
		}
		if l.AmountMinor < 0 || l.DiscountMinor < 0 {
			t.Errorf("line %d: amount %d discount %d below zero", i, l.AmountMinor, l.DiscountMinor)
		}
		var d int64
		for _, x := range l.Discounts {
			if x.AmountMinor <= 0 {
				t.Errorf("line %d: discount %s of %d", i, x.PromotionID, x.AmountMinor)
			}
			d += x.AmountMinor
		}
		if d != l.DiscountMinor || l.GrossMinor-d != l.AmountMinor {
			t.Errorf("line %d: discounts %d, discount %d, gross %d, amount %d do not add up", i, d, l.DiscountMinor, l.GrossMinor, l.AmountMinor)
		}
		gross += l.GrossMinor
		saving += l.DiscountMinor
		total += l.AmountMinor
		rates[b.Lines[i].TaxRateBP] += l.AmountMinor
	}
	if gross != r.GrossMinor || saving != r.SavingMinor || total != r.TotalMinor || gross-saving != total {
		t.Errorf("totals %d-%d=%d, lines say %d-%d=%d", r.GrossMinor, r.SavingMinor, r.TotalMinor, gross, saving, total)
	}
	var tax, applied int64
	for _, x := range r.Taxes {
		if rates[x.TaxRateBP] != x.GrossMinor || x.TaxMinor != taxOf(x.GrossMinor, x.TaxRateBP) {
			t.Errorf("VAT %d: gross %d tax %d, lines say %d", x.TaxRateBP, x.GrossMinor, x.TaxMinor, rates[x.TaxRateBP])
		}
		tax += x.TaxMinor
	}
	if tax != r.TaxMinor || len(r.Taxes) != len(rates) {
		t.Errorf("tax %d over %d rates, want %d over %d", r.TaxMinor, len(r.Taxes), tax, len(rates))
	}
	for _, a := range r.Applied {
		applied += a.AmountMinor
	}
	if applied != saving {
		t.Errorf("applied promotions add up to %d, saving is %d", applied, saving)
	}
}
