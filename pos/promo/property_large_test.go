package promo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
)

// randomLargeCase builds a basket of minL to maxL lines over the five SKUs of randomCase (so lines
// repeat SKUs and clusters are large) and nPromos promotions, a third of them store-wide.
func randomLargeCase(r *rand.Rand, minL, maxL, nPromos int) (Basket, []Promotion) {
	b, ps := randomCaseN(r, 1, nPromos+1)
	for len(ps) < nPromos {
		_, more := randomCaseN(r, 1, nPromos+1)
		ps = append(ps, more...)
	}
	ps = ps[:nPromos]
	for i := range ps {
		ps[i].ID = fmt.Sprintf("q%02d", i)
		if r.IntN(3) == 0 && ps[i].Kind != MixMatch {
			ps[i].SKUs, ps[i].Categories = nil, nil
		}
	}
	b.Lines = nil
	n := minL + r.IntN(maxL-minL+1)
	for len(b.Lines) < n {
		more, _ := randomCaseN(r, 8, 1)
		b.Lines = append(b.Lines, more.Lines...)
	}
	b.Lines = b.Lines[:n]
	return b, ps
}

// largeShapes are the promotion shapes of the large-cluster property test.
var largeShapes = []struct {
	name  string
	shape func(r *rand.Rand, ps []Promotion)
}{
	{"as generated", func(*rand.Rand, []Promotion) {}},
	{"distinct priorities, none exclusive", func(_ *rand.Rand, ps []Promotion) {
		for i := range ps {
			ps[i].Priority, ps[i].Exclusive = int64(i), false
		}
	}},
	{"one priority, more than five competing", func(_ *rand.Rand, ps []Promotion) {
		for i := range ps {
			ps[i].Priority, ps[i].Exclusive = 0, false
		}
	}},
	{"half exclusive, distinct priorities", func(r *rand.Rand, ps []Promotion) {
		for i := range ps {
			ps[i].Priority, ps[i].Exclusive = int64(i), r.IntN(2) == 0
		}
	}},
}

// guaranteed tells whether the envelope proves price(S + x) ≤ price(S) + full(x), x being line at
// of S + x: the parts chosen for the clusters of S that x joins, with x also left out, leave out
// no more lines than the layers tried for x's cluster (envelope.go).
func guaranteed(before, after []cover, at int) bool {
	var joined *cover
	for k := range after {
		if slices.Contains(after[k].lines, at) {
			joined = &after[k]
		}
	}
	if joined == nil || len(joined.lines) == 1 {
		return true // x is priced alone: the others keep their clusters and prices
	}
	left := 1
	for _, c := range before {
		if l := c.lines[0]; slices.Contains(joined.lines, l+btoi(l >= at)) {
			left += c.left
		}
	}
	return left <= joined.depth
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestPrice_AddingAnItemToALargeCluster: clusters of 7 to 50 lines (store-wide promotions, one
// priority with more than five competing, exclusive ones). Wherever the envelope proves the
// guarantee (guaranteed), adding an item never raises the total by more than the item's price;
// the cases it does not prove are counted and logged. STOREAGENT_PROPERTY=n prices n baskets per
// shape instead of 40 (the measurement in docs/promotions.md).
func TestPrice_AddingAnItemToALargeCluster(t *testing.T) {
	n := 40
	if v, err := strconv.Atoi(os.Getenv("STOREAGENT_PROPERTY")); err == nil && v > 0 {
		n = v
	}
	for si, s := range largeShapes {
		t.Run(s.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(si), 99))
			proved, unproved, failed := 0, 0, 0
			for c := range n {
				b, ps := randomLargeCase(r, 7, 50, 14)
				s.shape(r, ps)
				ix := NewIndex(ps)
				before, bc, err := price(b, ix)
				if err != nil {
					t.Fatal(err)
				}
				more, _ := randomCase(r)
				x := more.Lines[0]
				at := r.IntN(len(b.Lines) + 1)
				b2 := b
				b2.Lines = slices.Insert(slices.Clone(b.Lines), at, x)
				after, ac, err := price(b2, ix)
				if err != nil {
					t.Fatal(err)
				}
				checkInvariants(t, b2, after)
				bad := after.TotalMinor > before.TotalMinor+x.AmountMinor
				if guaranteed(bc, ac, at) {
					proved++
					if bad {
						t.Fatalf("case %d: adding %s (%d) took the total from %d to %d\n%s", c, x.SKU, x.AmountMinor, before.TotalMinor, after.TotalMinor, dump(b2, ps))
					}
					continue
				}
				unproved++
				if bad {
					failed++
				}
			}
			t.Logf("%d baskets: %d proved, %d not proved, of which %d raised the others", n, proved, unproved, failed)
		})
	}
}
