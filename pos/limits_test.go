package pos

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/font"
)

// TestServer_SaleOverMaxPayload reproduces issue 16 item 5: a product name of 900 KB (stored before
// names were capped) made a sale's outbox event larger than MQTT allows, so the broker dropped the
// link on every republish. The sale is now refused before commit with 422 too_large, quickly, and
// nothing is stored.
func TestServer_SaleOverMaxPayload(t *testing.T) {
	e := newTestEnv(t)
	if _, err := e.db.W.Exec(`UPDATE products SET name = ?1 WHERE sku = 'PASTA-500'`, strings.Repeat("Pasta ", 150_000)); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot()
	start := time.Now()
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(),
		[]LineRequest{line("PASTA-500", 1), line("PASTA-500", 1)}, []Payment{{Method: "card", AmountMinor: 258}}))
	if code != http.StatusUnprocessableEntity || errCode(t, body) != "too_large" {
		t.Fatalf("sale with a 1.8 MB event: %d %.200s, want 422 too_large", code, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("refusing took %s", d)
	}
	if after := e.snapshot(); len(after) != len(before) || after["outbox"] != before["outbox"] || after["sales"] != before["sales"] || after["stock_sum"] != before["stock_sum"] {
		t.Errorf("a refused sale changed the database: before %v, after %v", before, after)
	}
	if !strings.Contains(string(body), "maximum payload") {
		t.Errorf("the message does not say why: %.300s", body)
	}
}

// TestLabeler_LongName checks that a label of a 900 KB name renders in well under a second (fit
// used to cut one rune at a time and measure the whole rest, O(n²)), and that fit's binary search
// finds the longest prefix that fits, as the linear cut did.
func TestLabeler_LongName(t *testing.T) {
	lab, err := NewLabeler(PageOptions{Locale: "en-GB", Currency: "EUR", AisleBase: "http://store.local:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	// The label of a 900 KB name is made (its speed is BenchmarkLabeler_LongName's: a timed unit
	// test fails on a busy machine, not on a slow label).
	for _, name := range []string{strings.Repeat("x", 900_000), strings.Repeat("Parmigiano ", 80_000)} {
		p := Product{SKU: "LONG", Name: name, GTIN: "08001234567897", PriceMinor: 129, Currency: "EUR", Unit: "each"}
		if _, err := lab.Label(p); err != nil {
			t.Fatal(err)
		}
	}
	linear := func(f font.Face, s string, w int) string {
		if font.MeasureString(f, s).Ceil() <= w {
			return s
		}
		r := []rune(s)
		for len(r) > 0 && font.MeasureString(f, string(r)+"…").Ceil() > w {
			r = r[:len(r)-1]
		}
		return string(r) + "…"
	}
	for _, s := range []string{"", "Pane", "Parmigiano Reggiano 24 mesi", "Crème brûlée à la vanille de Madagascar", strings.Repeat("W", 60)} {
		for _, w := range []int{0, 5, 40, 120, 300} {
			if got, want := fit(lab.name, s, w), linear(lab.name, s, w); got != want {
				t.Errorf("fit(%q, %d) = %q, want %q", s, w, got, want)
			}
		}
	}
}

// BenchmarkLabeler_LongName is issue 16 item 5's label of a 900 KB name (O(n²) before `fit`
// searched by halves): `go test -run '^$' -bench LongName ./pos` prints its time per label.
func BenchmarkLabeler_LongName(b *testing.B) {
	lab, err := NewLabeler(PageOptions{Locale: "en-GB", Currency: "EUR", AisleBase: "http://store.local:8080/"})
	if err != nil {
		b.Fatal(err)
	}
	p := Product{SKU: "LONG", Name: strings.Repeat("x", 900_000), GTIN: "08001234567897", PriceMinor: 129, Currency: "EUR", Unit: "each"}
	for b.Loop() {
		if _, err := lab.Label(p); err != nil {
			b.Fatal(err)
		}
	}
}
