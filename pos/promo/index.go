package promo

import (
	"cmp"
	"slices"
	"sort"
)

// rule is a validated promotion with its lists as sets.
type rule struct {
	*Promotion
	n                int // position in the index
	skus, cats       set
	skuList, catList []string // the lists, deduplicated, for iterating in a fixed order
	groups           []groupSet
}

type set map[string]struct{}

type groupSet struct {
	skus, cats       set
	skuList, catList []string // the same, deduplicated, for iterating in a fixed order
	qty              int64
}

func toSet(xs []string) set {
	s := make(set, len(xs))
	for _, x := range xs {
		s[x] = struct{}{}
	}
	return s
}

// dedupe is xs without repeats, in first-seen order.
func dedupe(xs []string) []string {
	seen := make(set, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen.has(x) {
			seen[x] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

func (s set) has(x string) bool { _, ok := s[x]; return ok }

// eligible reports whether a unit of sku in cat falls under the lists (both empty: everything).
func eligible(skus, cats set, u *unit) bool {
	if len(skus) == 0 && len(cats) == 0 {
		return true
	}
	return skus.has(u.sku) || (u.cat != "" && cats.has(u.cat))
}

// Index holds promotions ready to price many baskets: validated, and found by SKU and category.
// It is read-only once built, so baskets may be priced against it concurrently.
type Index struct {
	rules   []*rule
	bySKU   map[string][]int
	byCat   map[string][]int
	always  []int   // ranks of the promotions with no lists
	ranked  []*rule // the rules in engine order; bySKU, byCat and always hold ranks into it
	Invalid []error // the promotions left out, with why
}

// NewIndex validates promotions and indexes the valid ones; a later version of an id replaces an
// earlier one.
func NewIndex(promotions []Promotion) *Index {
	ix := &Index{bySKU: map[string][]int{}, byCat: map[string][]int{}}
	latest := map[string]int{}
	var keep []Promotion
	for _, p := range promotions {
		if err := p.Validate(); err != nil {
			ix.Invalid = append(ix.Invalid, err)
			continue
		}
		if i, ok := latest[p.ID]; ok {
			if p.Version > keep[i].Version {
				keep[i] = p
			}
			continue
		}
		latest[p.ID] = len(keep)
		keep = append(keep, p)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].ID < keep[j].ID })
	for i := range keep {
		p := &keep[i]
		r := &rule{Promotion: p, n: i, skus: toSet(p.SKUs), cats: toSet(p.Categories), skuList: dedupe(p.SKUs), catList: dedupe(p.Categories)}
		skus, cats := p.SKUs, p.Categories
		if p.Kind == MixMatch {
			r.skus, r.cats, skus, cats = nil, nil, nil, nil
			for _, g := range p.Params.Groups {
				r.groups = append(r.groups, groupSet{skus: toSet(g.SKUs), cats: toSet(g.Categories), skuList: dedupe(g.SKUs), catList: dedupe(g.Categories), qty: g.Qty})
				skus = append(skus, g.SKUs...)
				cats = append(cats, g.Categories...)
			}
		}
		k := len(ix.rules)
		ix.rules = append(ix.rules, r)
		if len(skus) == 0 && len(cats) == 0 {
			ix.always = append(ix.always, k)
			continue
		}
		for _, s := range skus {
			ix.bySKU[s] = appendOnce(ix.bySKU[s], k)
		}
		for _, c := range cats {
			ix.byCat[c] = appendOnce(ix.byCat[c], k)
		}
	}
	ix.ranked = slices.Clone(ix.rules)
	slices.SortFunc(ix.ranked, engineOrder)
	rank := make([]int, len(ix.rules))
	for i, r := range ix.ranked {
		rank[r.n] = i
	}
	remap := func(ks []int) {
		for i, k := range ks {
			ks[i] = rank[k]
		}
	}
	remap(ix.always)
	for _, ks := range ix.bySKU {
		remap(ks)
	}
	for _, ks := range ix.byCat {
		remap(ks)
	}
	return ix
}

// Len is the number of valid promotions indexed.
func (ix *Index) Len() int { return len(ix.rules) }

func appendOnce(xs []int, k int) []int {
	if n := len(xs); n > 0 && xs[n-1] == k {
		return xs
	}
	return append(xs, k)
}

// candidates returns the live promotions that may touch the basket, in the order the engine runs
// them: non-threshold before threshold, exclusive first, priority descending, then promotion_id.
// The index keeps its rules in that order, so the candidates come out of it sorted.
func (ix *Index) candidates(b Basket, units []unit) []*rule {
	seen := make([]bool, len(ix.ranked))
	lo, hi := len(ix.ranked), -1
	add := func(k int) {
		seen[k] = true
		lo, hi = min(lo, k), max(hi, k)
	}
	for _, k := range ix.always {
		add(k)
	}
	for i := range units {
		if i > 0 && units[i].sku == units[i-1].sku && units[i].cat == units[i-1].cat {
			continue
		}
		for _, k := range ix.bySKU[units[i].sku] {
			add(k)
		}
		if units[i].cat != "" {
			for _, k := range ix.byCat[units[i].cat] {
				add(k)
			}
		}
	}
	var out []*rule
	for k := lo; k <= hi; k++ {
		if r := ix.ranked[k]; seen[k] && r.Live(b.At, b.CustomerTier) {
			out = append(out, r)
		}
	}
	return out
}

// engineOrder is the order the engine runs promotions in: non-threshold before threshold,
// exclusive first, priority descending, then promotion_id.
func engineOrder(a, b *rule) int {
	if ta, tb := a.Kind == Threshold, b.Kind == Threshold; ta != tb {
		if ta {
			return 1
		}
		return -1
	}
	if a.Exclusive != b.Exclusive {
		if a.Exclusive {
			return -1
		}
		return 1
	}
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	return cmp.Compare(a.n, b.n) // n is the promotion_id order
}
