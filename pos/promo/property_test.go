package promo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var propAt = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// randomCase builds a basket of 1 to 8 lines over a few SKUs and categories and up to 6
// promotions of every kind on them.
func randomCase(r *rand.Rand) (Basket, []Promotion) {
	return randomCaseN(r, 8, 7)
}

// randomCaseN builds a basket of 1 to maxLines lines and up to maxPromos−1 promotions.
func randomCaseN(r *rand.Rand, maxLines, maxPromos int) (Basket, []Promotion) {
	skus := []string{"A", "B", "C", "D", "E"}
	cats := []string{"x", "y", "z"}
	rates := []int64{0, 400, 1000, 2200}
	pick := func(xs []string) []string {
		var out []string
		for _, x := range xs {
			if r.IntN(3) == 0 {
				out = append(out, x)
			}
		}
		return out
	}
	b := Basket{At: propAt, Lines: []Line{}}
	if r.IntN(2) == 0 {
		b.CustomerTier = "gold"
	}
	for range 1 + r.IntN(maxLines) {
		k := r.IntN(len(skus))
		l := Line{SKU: skus[k], Category: cats[k%len(cats)], Qty: 1 + int64(r.IntN(5)), UnitPriceMinor: int64(r.IntN(2000)), TaxRateBP: rates[k%len(rates)]}
		if r.IntN(6) == 0 {
			l.Qty, l.WeightG = 1, 1+int64(r.IntN(3000))
			l.AmountMinor = roundDiv(l.UnitPriceMinor*l.WeightG, 1000)
		} else {
			l.AmountMinor = l.UnitPriceMinor * l.Qty
		}
		b.Lines = append(b.Lines, l)
	}
	var ps []Promotion
	for i := range r.IntN(maxPromos) {
		p := Promotion{ID: fmt.Sprintf("p%d", i), Version: 1, Active: true, Name: map[string]string{"en": "P"},
			SKUs: pick(skus), Categories: pick(cats), Priority: int64(r.IntN(3)), Exclusive: r.IntN(5) == 0}
		if r.IntN(6) == 0 {
			p.CustomerTiers = []string{"gold"}
		}
		switch r.IntN(6) {
		case 0:
			p.Kind, p.Params.PercentBP = Percent, 1+int64(r.IntN(10000))
		case 1:
			p.Kind, p.Params.AmountMinor = AmountOff, 1+int64(r.IntN(500))
		case 2:
			p.Kind, p.Params.PriceMinor = FixedPrice, int64(r.IntN(1500))
		case 3:
			p.Kind, p.Params.Buy = Multibuy, 2+int64(r.IntN(3))
			if r.IntN(2) == 0 {
				p.Params.Pay = 1 + int64(r.IntN(int(p.Params.Buy-1)))
			} else {
				p.Params.PriceMinor = 1 + int64(r.IntN(3000))
			}
		case 4:
			p.Kind, p.SKUs, p.Categories = MixMatch, nil, nil
			for range 1 + r.IntN(2) {
				p.Params.Groups = append(p.Params.Groups, Group{SKUs: []string{skus[r.IntN(len(skus))]}, Qty: 1 + int64(r.IntN(2))})
			}
			switch r.IntN(3) {
			case 0:
				p.Params.PriceMinor = 1 + int64(r.IntN(3000))
			case 1:
				p.Params.PercentBP = 1 + int64(r.IntN(10000))
			default:
				p.Params.AmountMinor = 1 + int64(r.IntN(1000))
			}
		default:
			p.Kind, p.Params.ThresholdMinor = Threshold, 1+int64(r.IntN(5000))
			if r.IntN(2) == 0 {
				p.Params.AmountMinor = 1 + int64(r.IntN(1000))
			} else {
				p.Params.PercentBP = 1 + int64(r.IntN(5000))
			}
		}
		ps = append(ps, p)
	}
	return b, ps
}

func mustPrice(t *testing.T, b Basket, ps []Promotion) Result {
	t.Helper()
	r, err := Price(b, ps)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, b, r)
	return r
}

func dump(b Basket, ps []Promotion) string {
	out, _ := json.Marshal(struct {
		Basket     Basket      `json:"basket"`
		Promotions []Promotion `json:"promotions"`
	}{b, ps})
	return string(out)
}

func TestPrice_LineOrderNeverChangesTotals(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 18))
	for n := range 3000 {
		b, ps := randomCase(r)
		want := mustPrice(t, b, ps)
		shuffled := b
		shuffled.Lines = append([]Line(nil), b.Lines...)
		r.Shuffle(len(shuffled.Lines), func(i, j int) { shuffled.Lines[i], shuffled.Lines[j] = shuffled.Lines[j], shuffled.Lines[i] })
		r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		got := mustPrice(t, shuffled, ps)
		gj, _ := json.Marshal(got.Taxes)
		wj, _ := json.Marshal(want.Taxes)
		if got.TotalMinor != want.TotalMinor || got.SavingMinor != want.SavingMinor || string(gj) != string(wj) {
			t.Fatalf("case %d: shuffled total %d taxes %s, in order %d taxes %s\n%s", n, got.TotalMinor, gj, want.TotalMinor, wj, dump(b, ps))
		}
	}
}

// TestPrice_AddingAnItemNeverRaisesTheOthers: a basket with one more item costs at most the basket
// without it plus the item's own price, so the item never takes a saving away from the others. It
// holds by construction for every cluster of up to maxEnvelope lines (docs/promotions.md, "Adding
// an item"), so the baskets here reach that size with the new item: exclusive promotions, equal
// priorities, and up to 16 promotions competing in one priority, over 8 seeds of propCases baskets each; each case also checks that line order does not change the totals.
func TestPrice_AddingAnItemNeverRaisesTheOthers(t *testing.T) {
	variants := []struct {
		name   string
		promos int
		shape  func(r *rand.Rand, ps []Promotion)
	}{
		{"as generated", 7, func(*rand.Rand, []Promotion) {}},
		{"distinct priorities, none exclusive", 7, func(_ *rand.Rand, ps []Promotion) {
			for i := range ps {
				ps[i].Priority, ps[i].Exclusive = int64(i), false
			}
		}},
		{"one priority, none exclusive", 7, func(_ *rand.Rand, ps []Promotion) {
			for i := range ps {
				ps[i].Priority, ps[i].Exclusive = 0, false
			}
		}},
		{"up to 16 competing in one priority", 17, func(_ *rand.Rand, ps []Promotion) {
			for i := range ps {
				ps[i].Priority, ps[i].Exclusive = 0, false
			}
		}},
		{"half exclusive, distinct priorities", 7, func(r *rand.Rand, ps []Promotion) {
			for i := range ps {
				ps[i].Priority, ps[i].Exclusive = int64(i), r.IntN(2) == 0
			}
		}},
		{"every one exclusive, two priorities", 7, func(r *rand.Rand, ps []Promotion) {
			for i := range ps {
				ps[i].Priority, ps[i].Exclusive = int64(r.IntN(2)), true
			}
		}},
	}
	for vi, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 8; seed++ {
				r := rand.New(rand.NewPCG(seed, 18+uint64(vi)))
				for n := range propCases {
					b, ps := randomCaseN(r, maxEnvelope-1, v.promos)
					v.shape(r, ps)
					before := mustPrice(t, b, ps)
					more, _ := randomCase(r)
					x := more.Lines[0]
					for _, at := range []int{0, len(b.Lines)} { // the new item first or last
						b2 := b
						b2.Lines = append([]Line(nil), b.Lines...)
						b2.Lines = slices.Insert(b2.Lines, at, x)
						after := mustPrice(t, b2, ps)
						if after.TotalMinor > before.TotalMinor+x.AmountMinor {
							t.Fatalf("seed %d, case %d: adding %s (%d) took the total from %d to %d\n%s", seed, n, x.SKU, x.AmountMinor, before.TotalMinor, after.TotalMinor, dump(b2, ps))
						}
						// The envelope keeps the other properties: line order never changes the
						// totals or the VAT per rate (checkInvariants: nothing below zero).
						shuffled := b2
						shuffled.Lines = slices.Clone(b2.Lines)
						r.Shuffle(len(shuffled.Lines), func(i, j int) { shuffled.Lines[i], shuffled.Lines[j] = shuffled.Lines[j], shuffled.Lines[i] })
						got := mustPrice(t, shuffled, ps)
						gj, _ := json.Marshal(got.Taxes)
						wj, _ := json.Marshal(after.Taxes)
						if got.TotalMinor != after.TotalMinor || got.SavingMinor != after.SavingMinor || string(gj) != string(wj) {
							t.Fatalf("seed %d, case %d: shuffled total %d taxes %s, in order %d taxes %s\n%s", seed, n, got.TotalMinor, gj, after.TotalMinor, wj, dump(b2, ps))
						}
					}
				}
			}
		})
	}
}

// TestPriceIndexed_AddingToTheBenchBasket: the property on the 50-line basket against 5,000
// promotions, adding each of 40 items (its clusters stay small, so the guarantee covers it).
func TestPriceIndexed_AddingToTheBenchBasket(t *testing.T) {
	basket, ix := benchCase()
	before, err := PriceIndexed(basket, ix)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		x := Line{SKU: fmt.Sprintf("S%04d", i*53%2000), Category: fmt.Sprintf("c%d", i%40), Qty: 1 + int64(i%3), UnitPriceMinor: 150 + int64(i), TaxRateBP: 1000}
		x.AmountMinor = x.UnitPriceMinor * x.Qty
		b2 := basket
		b2.Lines = append(append([]Line(nil), basket.Lines...), x)
		after, err := PriceIndexed(b2, ix)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, b2, after)
		if after.TotalMinor > before.TotalMinor+x.AmountMinor {
			t.Errorf("adding %s (%d) took the total from %d to %d", x.SKU, x.AmountMinor, before.TotalMinor, after.TotalMinor)
		}
	}
}

func TestPrice_NeverBelowZero(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 18))
	for range 3000 {
		b, ps := randomCase(r)
		res := mustPrice(t, b, ps)
		if res.TotalMinor < 0 || res.SavingMinor > res.GrossMinor {
			t.Fatalf("total %d saving %d gross %d\n%s", res.TotalMinor, res.SavingMinor, res.GrossMinor, dump(b, ps))
		}
	}
}
