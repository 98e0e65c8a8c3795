package promo

import (
	"slices"
	"sort"
)

// The envelope is what makes adding an item never take a saving away from the others.
//
// Write raw(T) for what the engine's rules (groups, priorities, exclusive runs) charge for the
// lines T, and full(T) for their price without promotions. Any pricing of a part T of a basket S,
// with the rest at full price, is a price the customer could have had by buying T alone first:
//
//	P*(S) = min over T ⊆ S of raw(T) + full(S \ T)
//
// P* has the property by construction: the best part T of S is also a part of S + x, so
// P*(S + x) ≤ raw(T) + full(S \ T) + full(x) = P*(S) + full(x). It is also the only engine with
// it that never charges more than its rules (F(S) ≤ raw(S)) and always answers with the rules
// applied to some part of the basket (F(S) = raw(T) + full(S \ T)): from F(S) ≤ F(S − y) +
// full(y) for every line y, F(S) ≤ F(T) + full(S \ T) ≤ raw(T) + full(S \ T) for every part T,
// so F ≤ P*, and the second condition gives F ≥ P*. The rules are not monotone themselves (a
// threshold reached before a new item's bundle discounts a line below it; a new item that makes
// another of more than five competing promotions the greedy choice; an exclusive one switched
// on), so a guarantee for every basket is exactly the price of every part, 2^n − 1 runs of the
// rules for a cluster of n lines: no polynomial rule can give it without changing the rules.
//
// So the engine prices parts in layers: layer j is every part that leaves out j lines. A cluster
// whose every layer fits the work bound gets P* exactly (every cluster of up to maxEnvelope lines
// under maxEnvelopeWork). A larger cluster gets the first d layers that fit maxLayerWork,
//
//	F_d(S) = min over T ⊆ S, |S \ T| ≤ d of raw(T) + full(S \ T),
//
// and the property holds for S and S + x whenever the part chosen for S leaves out fewer lines
// than the depth of S + x's cluster: that part, with x also left out, is in a layer of S + x
// (when x joins clusters of S, the parts chosen for each of them, together). In particular it
// holds whenever S is priced by its rules alone (the part is S itself) and S + x's cluster has a
// depth of at least 1, and whenever both clusters are priced exactly.
//
// maxEnvelope is the largest cluster whose every part is priced (2^6 − 1 runs), and
// maxEnvelopeWork bounds that work: the cluster's promotions × its parts (so 6 lines under at
// most 317 promotions, 2 lines under 6,666). maxLayerWork bounds the layers of a larger cluster:
// lines × promotions summed over the parts priced (a 50-line cluster under 12 promotions gets
// the 50 parts without one line).
const (
	maxEnvelope     = 6
	maxEnvelopeWork = 20_000
	maxLayerWork    = 30_000
	maxLayers       = 1
)

// envelopeDepth is how many layers of parts a cluster of n lines under promos promotions gets:
// n − 1 (every proper part) when they fit maxEnvelopeWork, else as many as fit maxLayerWork.
func envelopeDepth(n, promos int) int {
	if n < 2 {
		return 0
	}
	if n <= maxEnvelope && promos*(1<<n-1) <= maxEnvelopeWork {
		return n - 1
	}
	work, parts := 0, 1 // parts is C(n, d)
	for d := 1; d < n; d++ {
		parts = parts * (n - d + 1) / d
		work += parts * (n - d) * max(promos, 1)
		if work > maxLayerWork || d > maxLayers {
			return d - 1
		}
	}
	return n - 1
}

// envelope makes sure adding an item never makes the others dearer: cluster c costs no more than
// any part of it that leaves out at most depth lines, priced alone, plus the rest at full price.
// Parts are tried layer by layer, each layer in a fixed order of the cluster's lines sorted
// canonically, and the cheapest kept (ties: the part with more lines, then the first tried), so
// the choice does not depend on the order of lines; the lines left out carry no discount. out
// holds the cluster's raw prices and is updated in place. It returns how many lines the chosen
// part leaves out.
func envelope(basket Basket, ix *Index, out []LineResult, c []int, depth int) int {
	m, left := len(c), 0
	var bestTotal int64
	for _, i := range c {
		bestTotal += out[i].AmountMinor
	}
	order := slices.Clone(c)
	sort.SliceStable(order, func(i, j int) bool { return lineLess(basket.Lines[order[i]], basket.Lines[order[j]]) })
	for removed := 1; removed <= depth && removed < m; removed++ {
		// pos are the left-out lines as bit positions (position b is order[m-1-b]), in colex
		// order: the order of the masks 1..2^m−1 with removed bits set.
		pos := make([]int, removed)
		for k := range pos {
			pos[k] = k
		}
		for {
			var rest int64
			out1 := make([]bool, m)
			for _, b := range pos {
				out1[m-1-b] = true
				rest += basket.Lines[order[m-1-b]].AmountMinor
			}
			if rest < bestTotal {
				keep := make([]int, 0, m-removed)
				for k, i := range order {
					if !out1[k] {
						keep = append(keep, i)
					}
				}
				slices.Sort(keep)
				lines := make([]Line, len(keep))
				for k, i := range keep {
					lines[k] = basket.Lines[i]
				}
				part, _, _ := raw(basket, ix, lines)
				if t := rest + part.total(); t < bestTotal {
					bestTotal, left = t, removed
					for _, i := range c {
						l := basket.Lines[i]
						out[i] = LineResult{SKU: l.SKU, GrossMinor: l.AmountMinor, AmountMinor: l.AmountMinor, Discounts: []Discount{}}
					}
					for k, i := range keep {
						out[i] = part.lines[k]
					}
				}
			}
			if !nextCombination(pos, m) {
				break
			}
		}
	}
	return left
}

// nextCombination moves pos (increasing positions below m) to the next combination in colex
// order and reports false after the last one.
func nextCombination(pos []int, m int) bool {
	for i := range pos {
		limit := m
		if i+1 < len(pos) {
			limit = pos[i+1]
		}
		if pos[i]+1 < limit {
			pos[i]++
			for k := 0; k < i; k++ {
				pos[k] = k
			}
			return true
		}
	}
	return false
}
