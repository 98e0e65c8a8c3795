package promo

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// benchCase is a 50-line basket against 5,000 live promotions of every kind over 2,000 SKUs.
func benchCase() (Basket, *Index) {
	var ps []Promotion
	for i := range 5000 {
		sku := fmt.Sprintf("S%04d", i%2000)
		p := Promotion{ID: fmt.Sprintf("P%05d", i), Version: 1, Active: true, Name: map[string]string{"en": "P"},
			SKUs: []string{sku}, Priority: int64(i % 3)}
		switch i % 6 {
		case 0:
			p.Kind, p.Params.PercentBP = Percent, 1000
		case 1:
			p.Kind, p.Params.AmountMinor = AmountOff, 50
		case 2:
			p.Kind, p.Params.PriceMinor = FixedPrice, 150
		case 3:
			p.Kind, p.Params.Buy, p.Params.Pay = Multibuy, 3, 2
		case 4:
			p.Kind, p.SKUs = MixMatch, nil
			p.Params.Groups = []Group{{SKUs: []string{sku}, Qty: 1}, {SKUs: []string{fmt.Sprintf("S%04d", (i+1)%2000)}, Qty: 1}}
			p.Params.PriceMinor = 300
		default:
			p.Kind, p.SKUs, p.Categories = Threshold, nil, []string{fmt.Sprintf("c%d", i%40)}
			p.Params.ThresholdMinor, p.Params.AmountMinor = 1000, 100
		}
		ps = append(ps, p)
	}
	b := Basket{At: propAt}
	for i := range 50 {
		b.Lines = append(b.Lines, Line{SKU: fmt.Sprintf("S%04d", i*37%2000), Category: fmt.Sprintf("c%d", i%40), Qty: 1 + int64(i%4), UnitPriceMinor: 199 + int64(i), AmountMinor: (199 + int64(i)) * (1 + int64(i%4)), TaxRateBP: 2200})
	}
	return b, NewIndex(ps)
}

func BenchmarkPriceIndexed_50Lines5000Promotions(b *testing.B) {
	basket, ix := benchCase()
	for b.Loop() {
		if _, err := PriceIndexed(basket, ix); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPriceIndexed_P99 is the budget: a 50-line basket against 5,000 active promotions
// prices in under 5 ms at the 99th percentile (run with -short to skip on a loaded machine).
func TestPriceIndexed_P99(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	basket, ix := benchCase()
	if ix.Len() != 5000 {
		t.Fatalf("%d promotions indexed, want 5000: %v", ix.Len(), ix.Invalid)
	}
	var d []time.Duration
	for range 500 {
		start := time.Now()
		r, err := PriceIndexed(basket, ix)
		if err != nil {
			t.Fatal(err)
		}
		d = append(d, time.Since(start))
		if r.SavingMinor == 0 {
			t.Fatal("the bench basket saves nothing: it does not exercise the engine")
		}
	}
	slices.Sort(d)
	p99 := d[len(d)*99/100]
	t.Logf("p50 %v p99 %v", d[len(d)/2], p99)
	if p99 > 5*time.Millisecond {
		t.Errorf("p99 %v, budget 5ms", p99)
	}
}
