package promo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var propAt = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// randomCase builds a basket over a few SKUs and categories and promotions of every kind on them.
func randomCase(r *rand.Rand) (Basket, []Promotion) {
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
	for range 1 + r.IntN(8) {
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
	for i := range r.IntN(7) {
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

// TestPrice_AddingAnItemNeverRaisesTheOthers checks the property where it is guaranteed: every
// promotion in a priority of its own and none exclusive (see docs/promotions.md, "Limits").
func TestPrice_AddingAnItemNeverRaisesTheOthers(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 18))
	for n := range 3000 {
		b, ps := randomCase(r)
		for i := range ps {
			ps[i].Priority, ps[i].Exclusive = int64(i), false
		}
		before := mustPrice(t, b, ps)
		more, _ := randomCase(r)
		x := more.Lines[0]
		b2 := b
		b2.Lines = append(append([]Line(nil), b.Lines...), x)
		after := mustPrice(t, b2, ps)
		if others := after.TotalMinor - after.Lines[len(b.Lines)].AmountMinor; after.TotalMinor > before.TotalMinor+x.AmountMinor {
			t.Fatalf("case %d: adding %s (%d) took the total from %d to %d (others now %d)\n%s", n, x.SKU, x.AmountMinor, before.TotalMinor, after.TotalMinor, others, dump(b2, ps))
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
