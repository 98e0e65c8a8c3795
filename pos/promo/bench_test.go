package promo

import (
	"fmt"
	"os"
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
// prices in under 5 ms at the 99th percentile. It is a timing test, so it runs only with
// STOREAGENT_TIMING=1 on a machine that is not busy with other tests (storebench -only promotions
// measures the same through the whole quote); without it, it still checks the bench case prices.
func TestPriceIndexed_P99(t *testing.T) {
	if os.Getenv("STOREAGENT_TIMING") == "" {
		basket, ix := benchCase()
		if r, err := PriceIndexed(basket, ix); err != nil || r.SavingMinor == 0 || ix.Len() != 5000 {
			t.Fatalf("bench case: saving %d, %d promotions, %v", r.SavingMinor, ix.Len(), err)
		}
		t.Skip("timing: set STOREAGENT_TIMING=1")
	}
	basket, ix := benchCase()
	if ix.Len() != 5000 {
		t.Fatalf("%d promotions indexed, want 5000: %v", ix.Len(), ix.Invalid)
	}
	// The best of three rounds of 500: a round that shares the cores with other test binaries
	// measures them, not the engine.
	p99 := time.Hour
	for range 3 {
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
		t.Logf("p50 %v p99 %v", d[len(d)/2], d[len(d)*99/100])
		p99 = min(p99, d[len(d)*99/100])
	}
	if p99 > 5*time.Millisecond {
		t.Errorf("p99 %v, budget 5ms", p99)
	}
}

// BenchmarkPrice_EnvelopeWorstCase is the envelope's worst shape: maxEnvelope lines all linked by store-wide
// promotions (every part of the basket is priced), 4 of them exclusive.
func BenchmarkPrice_EnvelopeWorstCase(b *testing.B) {
	ps := storeWide(24, "W")
	basket := Basket{At: propAt}
	for i := range maxEnvelope {
		basket.Lines = append(basket.Lines, Line{SKU: fmt.Sprintf("S%d", i), Qty: 1 + int64(i%3), UnitPriceMinor: 300 + 70*int64(i), AmountMinor: (300 + 70*int64(i)) * (1 + int64(i%3)), TaxRateBP: 1000})
	}
	ix := NewIndex(ps)
	for b.Loop() {
		if _, err := PriceIndexed(basket, ix); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrice_LargeCluster is a layered envelope's shape: 50 lines all linked by 12 store-wide
// promotions (the most that still get the layer of the 50 parts without one line), 2 exclusive.
func BenchmarkPrice_LargeCluster(b *testing.B) {
	ps := storeWide(12, "L")
	basket := Basket{At: propAt}
	for i := range 50 {
		basket.Lines = append(basket.Lines, Line{SKU: fmt.Sprintf("S%02d", i), Qty: 1 + int64(i%3), UnitPriceMinor: 300 + 7*int64(i), AmountMinor: (300 + 7*int64(i)) * (1 + int64(i%3)), TaxRateBP: 1000})
	}
	ix := NewIndex(ps)
	if d := envelopeDepth(50, ix.Len()); d != 1 {
		b.Fatalf("depth %d, want 1", d)
	}
	for b.Loop() {
		if _, err := PriceIndexed(basket, ix); err != nil {
			b.Fatal(err)
		}
	}
}

// storeWide is n store-wide promotions named prefix: percent, 3 for 2, amount off and a spend
// threshold in turn, four priorities, every sixth exclusive.
func storeWide(n int, prefix string) []Promotion {
	var ps []Promotion
	for i := range n {
		p := Promotion{ID: fmt.Sprintf("%s%02d", prefix, i), Version: 1, Active: true, Name: map[string]string{"en": prefix}, Priority: int64(i % 4), Exclusive: i%6 == 0}
		switch i % 4 {
		case 0:
			p.Kind, p.Params.PercentBP = Percent, 500+int64(i)*10
		case 1:
			p.Kind, p.Params.Buy, p.Params.Pay = Multibuy, 3, 2
		case 2:
			p.Kind, p.Params.AmountMinor = AmountOff, 20+int64(i)
		default:
			p.Kind, p.Params.ThresholdMinor, p.Params.AmountMinor = Threshold, 2000, 150
		}
		ps = append(ps, p)
	}
	return ps
}
