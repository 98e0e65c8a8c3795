package receipt

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos/document"
)

// fiscalSums checks that f adds up: its items less their discounts plus the adjustments are
// TotalMinor, and so are the payments less change.
func fiscalSums(t *testing.T, f *document.Fiscal, change int64) {
	t.Helper()
	var sum, paid int64
	for _, it := range f.Items {
		sum += it.AmountMinor
		for _, d := range it.Discounts {
			if d.AmountMinor <= 0 {
				t.Errorf("item %q: discount %d, want > 0", it.Description, d.AmountMinor)
			}
			sum -= d.AmountMinor
		}
	}
	for _, a := range f.Adjustments {
		sum += a.AmountMinor
	}
	for _, p := range f.Payments {
		paid += p.AmountMinor
	}
	if sum != f.TotalMinor || paid-change != f.TotalMinor {
		t.Errorf("items+adjustments = %d, payments-change = %d, TotalMinor = %d: want all equal", sum, paid-change, f.TotalMinor)
	}
}

func TestBuildFiscal(t *testing.T) {
	r := sample(t, "it-IT")
	r.Lines[0].AmountMinor -= 150
	r.Lines[0].Discounts = []Discount{{Name: "3x2", AmountMinor: 100}, {Name: "Tessera", AmountMinor: 50}}
	r.TotalMinor -= 150
	r.ChangeMinor += 150
	f, err := BuildFiscal(r)
	if err != nil {
		t.Fatal(err)
	}
	fiscalSums(t, f, r.ChangeMinor)
	if f.Kind != "sale" || f.Operator != "1" || f.TotalMinor != 2393-150+2 {
		t.Errorf("kind %q operator %q total %d, want sale, 1, %d", f.Kind, f.Operator, f.TotalMinor, 2393-150+2)
	}
	want := []document.FiscalItem{
		{Description: "Caffè espresso macinato 250 g", QtyMilli: 2000, UnitPriceMinor: 249, AmountMinor: 498, TaxRateBP: 2200,
			Discounts: []document.FiscalDiscount{{Description: "3x2", AmountMinor: 100}, {Description: "Tessera", AmountMinor: 50}}},
		{Description: "Pâté de campagne", QtyMilli: 1000, UnitPriceMinor: 1250, AmountMinor: 1250, TaxRateBP: 1000},
		// A weighed line: its weight in grams, priced per kg.
		{Description: "Mele Golden", QtyMilli: 1234, UnitPriceMinor: 199, AmountMinor: 246, TaxRateBP: 1000},
	}
	for i, w := range want {
		got := f.Items[i]
		if got.Description != w.Description || got.QtyMilli != w.QtyMilli || got.UnitPriceMinor != w.UnitPriceMinor ||
			got.AmountMinor != w.AmountMinor || got.TaxRateBP != w.TaxRateBP || len(got.Discounts) != len(w.Discounts) {
			t.Errorf("item %d = %+v, want %+v", i, got, w)
			continue
		}
		for j := range w.Discounts {
			if got.Discounts[j] != w.Discounts[j] {
				t.Errorf("item %d discount %d = %+v, want %+v", i, j, got.Discounts[j], w.Discounts[j])
			}
		}
	}
	if len(f.Adjustments) != 1 || f.Adjustments[0] != (document.FiscalAdjustment{Description: "Arrotondamento", AmountMinor: 2}) {
		t.Errorf("adjustments = %+v, want the +2 cash rounding", f.Adjustments)
	}
	if len(f.Payments) != 1 || f.Payments[0].Method != "cash" || f.Payments[0].AmountMinor != 3000 || f.Payments[0].Description == "" {
		t.Errorf("payments = %+v", f.Payments)
	}

	t.Run("random sales add up", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(15, 1))
		for range 300 {
			r := Receipt{SaleID: "s", Locale: "fr-FR", Currency: "EUR"}
			for range 1 + rng.IntN(12) {
				ln := Line{Name: "x", Qty: 1 + rng.Int64N(5), UnitPriceMinor: 1 + rng.Int64N(5000), TaxRateBP: 550}
				ln.AmountMinor = ln.Qty * ln.UnitPriceMinor
				if rng.IntN(3) == 0 {
					g := 1 + rng.Int64N(3000)
					ln.Qty, ln.WeightG = 1, &g
					ln.AmountMinor = (g*ln.UnitPriceMinor + 500) / 1000
				}
				if ln.AmountMinor > 1 && rng.IntN(3) == 0 {
					d := 1 + rng.Int64N(ln.AmountMinor-1)
					ln.Discounts = []Discount{{Name: "promo", AmountMinor: d}}
					ln.AmountMinor -= d
				}
				r.Lines = append(r.Lines, ln)
				r.TotalMinor += ln.AmountMinor
			}
			r.RoundingMinor = rng.Int64N(5) - 2
			due := r.TotalMinor + r.RoundingMinor
			card := rng.Int64N(max(due, 1))
			r.Payments = []Payment{{Method: "card", AmountMinor: card}, {Method: "cash", AmountMinor: due - card + rng.Int64N(1000)}}
			if r.Payments[0].AmountMinor == 0 {
				r.Payments = r.Payments[1:]
			}
			r.ChangeMinor = r.Payments[len(r.Payments)-1].AmountMinor - (due - card)
			if len(r.Payments) == 1 {
				r.ChangeMinor = r.Payments[0].AmountMinor - due
			}
			f, err := BuildFiscal(r)
			if err != nil {
				t.Fatalf("%+v: %v", r, err)
			}
			fiscalSums(t, f, r.ChangeMinor)
			if f.TotalMinor != due {
				t.Fatalf("TotalMinor %d, want %d", f.TotalMinor, due)
			}
			for i, ln := range r.Lines {
				if ln.WeightG != nil && f.Items[i].QtyMilli != *ln.WeightG {
					t.Fatalf("weighed line: qty %d thousandths, want its %d g", f.Items[i].QtyMilli, *ln.WeightG)
				}
			}
		}
	})

	t.Run("refuses what does not add up", func(t *testing.T) {
		for name, bad := range map[string]func(r *Receipt){
			"lines off the total":   func(r *Receipt) { r.TotalMinor++ },
			"payments off the sale": func(r *Receipt) { r.ChangeMinor-- },
			"negative discount":     func(r *Receipt) { r.Lines[1].Discounts = []Discount{{Name: "x", AmountMinor: -5}} },
			"zero quantity":         func(r *Receipt) { r.Lines[1].Qty = 0 },
			"zero payment":          func(r *Receipt) { r.Payments = append(r.Payments, Payment{Method: "card"}) },
			"bad currency":          func(r *Receipt) { r.Currency = "EURO" },
		} {
			r := sample(t, "it-IT")
			bad(&r)
			if _, err := BuildFiscal(r); err == nil || !strings.Contains(err.Error(), r.SaleID) {
				t.Errorf("%s: err = %v, want an error naming the sale", name, err)
			}
		}
	})
}
