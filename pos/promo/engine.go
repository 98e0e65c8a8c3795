package promo

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// unit is one piece of a line (or a whole weighed line) while the engine runs.
type unit struct {
	line    int
	sku     string
	cat     string
	rate    int64
	weightG int64
	orig    int64
	cur     int64 // amount after the discounts so far
	locked  bool  // an exclusive promotion took it
	touched bool  // some promotion discounted it
	group   int   // the last group that used it
}

// share is part of an application: so much off one unit.
type share struct {
	unit   int
	amount int64
}

// application is what one promotion would do on the units still free.
type application struct {
	shares []share
	used   []int // units the promotion uses, discounted or not (the paid units of a 3 for 2)
	saving int64
}

// engine holds one pricing run.
type engine struct {
	units []unit
	group int
	lines []LineResult
	lang  string
	elig  map[[2]int][]int
	// runs are the basket's units grouped by (sku, category): runs of equal units, found by SKU
	// and by category, so a promotion's eligible units come from its lists, not from a scan.
	runsBySKU, runsByCat map[string][]span
}

// span is units[start:end], all of one SKU and category.
type span struct{ start, end int }

// Price prices basket against promotions. It returns an error for an invalid line or a basket with
// more than MaxUnits units; invalid, inactive, out-of-window and other-tier promotions are ignored.
func Price(basket Basket, promotions []Promotion) (Result, error) {
	return PriceIndexed(basket, NewIndex(promotions))
}

// PriceIndexed is Price against an index built once for many baskets.
func PriceIndexed(basket Basket, ix *Index) (Result, error) {
	r, _, err := price(basket, ix)
	return r, err
}

// cover is how one cluster was priced: its lines (in basket order), how many layers of its parts
// the envelope tried (len(lines) − 1: all of them) and how many lines the chosen part left out.
type cover struct {
	lines       []int
	depth, left int
}

// price is PriceIndexed, also telling how each cluster was priced (what the tests of the
// guarantee check against).
func price(basket Basket, ix *Index) (Result, []cover, error) {
	if len(basket.Lines) > MaxLines {
		return Result{}, nil, fmt.Errorf("promo: %d lines, at most %d", len(basket.Lines), MaxLines)
	}
	n := 0
	for i, l := range basket.Lines {
		if err := validLine(i, l); err != nil {
			return Result{}, nil, fmt.Errorf("promo: %w", err)
		}
		n += int(l.Qty)
	}
	if n > MaxUnits {
		return Result{}, nil, ErrTooManyUnits
	}
	full, clusters, rules := raw(basket, ix, basket.Lines)
	covers := make([]cover, len(clusters))
	for k, c := range clusters {
		covers[k] = cover{lines: c, depth: envelopeDepth(len(c), len(rules[k]))}
		if covers[k].depth > 0 {
			covers[k].left = envelope(basket, ix, full.lines, c, covers[k].depth)
		}
	}
	return result(basket.Lines, full.lines), covers, nil
}

// raw prices lines (of basket) cluster by cluster, without the envelope, and returns the run, its
// clusters and their promotions.
func raw(basket Basket, ix *Index, lines []Line) (*engine, [][]int, [][]*rule) {
	sub := basket
	sub.Lines = lines
	e := newEngine(basket.Lang, lines)
	all := ix.candidates(sub, e.units)
	e.elig = make(map[[2]int][]int, len(all)+len(all)/4)
	clusters, cands := e.clusters(all)
	for k := range clusters {
		e.runCluster(cands[k], clusters[k])
	}
	return e, clusters, cands
}

// clusters lists the groups of lines linked by promotions that may touch them (two lines are
// linked when one promotion reaches both), each in basket order, with their promotions in the
// order given; a line no promotion reaches is in none. Lines of different clusters cannot change
// each other's prices.
func (e *engine) clusters(cands []*rule) ([][]int, [][]*rule) {
	parent := make([]int, len(e.lines))
	for i := range parent {
		parent[i] = -1 // not reached
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	firsts := make([]int, len(cands))
	for k, p := range cands {
		first := -1
		for _, u := range e.reach(p) {
			l := e.units[u].line
			if parent[l] < 0 {
				parent[l] = l
			}
			if first < 0 {
				first = l
			} else if a, b := find(first), find(l); a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
		firsts[k] = first
	}
	byRoot := map[int]int{}
	var lines [][]int
	for l := range parent {
		if parent[l] < 0 {
			continue
		}
		r := find(l)
		k, ok := byRoot[r]
		if !ok {
			k = len(lines)
			byRoot[r] = k
			lines = append(lines, nil)
		}
		lines[k] = append(lines[k], l)
	}
	rules := make([][]*rule, len(lines))
	for k, p := range cands {
		if firsts[k] >= 0 {
			c := byRoot[find(firsts[k])]
			rules[c] = append(rules[c], p)
		}
	}
	return lines, rules
}

// runCluster applies one cluster's promotions. An exclusive promotion is used only when the
// cluster is cheaper with it: starting from every promotion on, each exclusive promotion that a run
// used is switched off in a further run (breadth first, at most maxExclusiveRuns runs), and the
// cheapest run is kept (ties: the earlier run, with fewer switched off). So a new item that
// triggers an exclusive promotion cannot lock the others out of a larger compounded discount.
func (e *engine) runCluster(cands []*rule, lines []int) {
	var excl []int // the first 64 exclusive promotions, by position in cands
	for k, c := range cands {
		if c.Exclusive && len(excl) < 64 {
			excl = append(excl, k)
		}
	}
	if len(excl) == 0 {
		e.run(cands)
		return
	}
	var best *engine
	var bestTotal int64
	queue, seen := []uint64{0}, map[uint64]bool{0: true}
	for runs := 0; len(queue) > 0 && runs < maxExclusiveRuns; runs++ {
		mask := queue[0]
		queue = queue[1:]
		use := make([]*rule, 0, len(cands))
		off := 0
		for j, c := range cands {
			if off < len(excl) && excl[off] == j {
				off++
				if mask&(1<<(off-1)) != 0 {
					continue
				}
			}
			use = append(use, c)
		}
		f := e.fork()
		f.run(use)
		var t int64
		used := map[string]bool{}
		for _, l := range lines {
			t += f.lines[l].AmountMinor
			for _, d := range f.lines[l].Discounts {
				used[d.PromotionID] = true
			}
		}
		if best == nil || t < bestTotal {
			best, bestTotal = f, t
		}
		for b, j := range excl {
			if next := mask | 1<<b; used[cands[j].ID] && !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	*e = *best
}

// maxExclusiveRuns bounds the runs of one cluster with exclusive promotions switched off.
const maxExclusiveRuns = 32

// lineLess is the canonical order of lines: by content, so equal lines are interchangeable.
func lineLess(a, b Line) bool {
	switch {
	case a.AmountMinor != b.AmountMinor:
		return a.AmountMinor > b.AmountMinor
	case a.SKU != b.SKU:
		return a.SKU < b.SKU
	case a.Category != b.Category:
		return a.Category < b.Category
	case a.TaxRateBP != b.TaxRateBP:
		return a.TaxRateBP < b.TaxRateBP
	case a.WeightG != b.WeightG:
		return a.WeightG < b.WeightG
	case a.Qty != b.Qty:
		return a.Qty < b.Qty
	}
	return a.UnitPriceMinor < b.UnitPriceMinor
}

// newEngine expands lines into units, ready for runs.
func newEngine(lang string, lines []Line) *engine {
	e := &engine{lang: lang, group: -1, elig: map[[2]int][]int{}}
	e.expand(lines)
	e.buildRuns()
	return e
}

// fork is a copy of the run so far (units and lines); the eligibility caches are shared.
func (e *engine) fork() *engine {
	f := *e
	f.units = slices.Clone(e.units)
	f.lines = slices.Clone(e.lines)
	for i := range f.lines {
		f.lines[i].Discounts = slices.Clone(e.lines[i].Discounts)
	}
	return &f
}

// run applies the candidates, group by group, in their order.
func (e *engine) run(cands []*rule) {
	for start := 0; start < len(cands); {
		end := start + 1
		for end < len(cands) && sameGroup(cands[start], cands[end]) {
			end++
		}
		e.group++
		e.runGroup(cands[start:end])
		start = end
	}
}

// total is what the lines cost so far.
func (e *engine) total() int64 {
	var t int64
	for _, l := range e.lines {
		t += l.AmountMinor
	}
	return t
}

// expand turns lines into units in the canonical order: amount descending, then SKU, category, VAT
// rate, weight and line index. A piece line's amount is spread over its units, the first ones taking
// the odd cents.
func (e *engine) expand(lines []Line) {
	e.lines = make([]LineResult, len(lines))
	for i, l := range lines {
		e.lines[i] = LineResult{SKU: l.SKU, GrossMinor: l.AmountMinor, AmountMinor: l.AmountMinor, Discounts: []Discount{}}
		base, odd := l.AmountMinor/l.Qty, l.AmountMinor%l.Qty
		for k := int64(0); k < l.Qty; k++ {
			a := base
			if k < odd {
				a++
			}
			e.units = append(e.units, unit{line: i, sku: l.SKU, cat: l.Category, rate: l.TaxRateBP, weightG: l.WeightG, orig: a, cur: a, group: -1})
		}
	}
	slices.SortStableFunc(e.units, func(a, b unit) int {
		switch {
		case a.orig != b.orig:
			return cmp.Compare(b.orig, a.orig)
		case a.sku != b.sku:
			return strings.Compare(a.sku, b.sku)
		case a.cat != b.cat:
			return strings.Compare(a.cat, b.cat)
		case a.rate != b.rate:
			return cmp.Compare(a.rate, b.rate)
		case a.weightG != b.weightG:
			return cmp.Compare(a.weightG, b.weightG)
		}
		return cmp.Compare(a.line, b.line)
	})
}

// sameGroup tells whether two sorted candidates compete in one group.
func sameGroup(a, b *rule) bool {
	return (a.Kind == Threshold) == (b.Kind == Threshold) && a.Exclusive == b.Exclusive && a.Priority == b.Priority
}

// runGroup applies the group's promotions. With a few of them (up to maxSearch) it tries every
// order of application and keeps the one that saves the customer most (ties: the first order by
// promotion_id); with more it is greedy: the promotion saving most on the free units goes first.
//
// Promotions that can share no unit do not compete: the group is split into components of
// promotions linked by shared units, and each component is searched on its own.
func (e *engine) runGroup(ps []*rule) {
	if len(ps) < 2 {
		e.runComponent(ps)
		return
	}
	parent := make([]int, len(ps))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[int]int{}
	for k, p := range ps {
		for _, u := range e.reach(p) {
			if o, ok := owner[u]; ok {
				if a, b := find(o), find(k); a != b {
					parent[max(a, b)] = min(a, b)
				}
			} else {
				owner[u] = k
			}
		}
	}
	comps := map[int][]*rule{}
	var roots []int
	for k, p := range ps {
		r := find(k)
		if _, ok := comps[r]; !ok {
			roots = append(roots, r)
		}
		comps[r] = append(comps[r], p)
	}
	for _, r := range roots {
		e.runComponent(comps[r])
	}
}

// runComponent applies promotions that compete for the same units.
func (e *engine) runComponent(ps []*rule) {
	if len(ps) >= 2 && len(ps) <= maxSearch {
		best, bestSaving := []int(nil), int64(-1)
		// Only the units the component can reach change: save and restore those.
		var idx []int
		for _, p := range ps {
			idx = append(idx, e.reach(p)...)
		}
		slices.Sort(idx)
		idx = slices.Compact(idx)
		saved := make([]unit, len(idx))
		for k, i := range idx {
			saved[k] = e.units[i]
		}
		permute(len(ps), func(order []int) {
			var s int64
			for _, k := range order {
				if a := e.evaluate(ps[k]); a.saving > 0 {
					e.applyUnits(ps[k], a)
					s += a.saving
				}
			}
			for k, i := range idx {
				e.units[i] = saved[k]
			}
			if s > bestSaving {
				best, bestSaving = slices.Clone(order), s
			}
		})
		for _, k := range best {
			if a := e.evaluate(ps[k]); a.saving > 0 {
				e.apply(ps[k], a)
			}
		}
		return
	}
	// Lazy greedy: a promotion saves no more once others took units, so a stale saving is an upper
	// bound; the top of the heap is re-evaluated and applied when it still beats the next bound.
	h := &boundHeap{}
	for i, p := range ps {
		if a := e.evaluate(p); a.saving > 0 {
			h.items = append(h.items, bound{saving: a.saving, idx: i})
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		top := heap.Pop(h).(bound)
		a := e.evaluate(ps[top.idx])
		if a.saving <= 0 {
			continue
		}
		if h.Len() > 0 && (bound{saving: a.saving, idx: top.idx}).less(h.items[0]) == false {
			heap.Push(h, bound{saving: a.saving, idx: top.idx})
			continue
		}
		e.apply(ps[top.idx], a)
	}
}

// bound is a promotion's saving when last evaluated.
type bound struct {
	saving int64
	idx    int
}

// less orders bounds best first: the larger saving, then the smaller index (promotion_id).
func (b bound) less(o bound) bool {
	if b.saving != o.saving {
		return b.saving > o.saving
	}
	return b.idx < o.idx
}

type boundHeap struct{ items []bound }

func (h *boundHeap) Len() int           { return len(h.items) }
func (h *boundHeap) Less(i, j int) bool { return h.items[i].less(h.items[j]) }
func (h *boundHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *boundHeap) Push(x any)         { h.items = append(h.items, x.(bound)) }
func (h *boundHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// maxSearch is the largest group whose every order of application is tried (5! = 120 orders).
const maxSearch = 5

// permute calls f with every permutation of 0..n-1 in lexicographic order.
func permute(n int, f func([]int)) {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for {
		f(order)
		i := n - 2
		for i >= 0 && order[i] >= order[i+1] {
			i--
		}
		if i < 0 {
			return
		}
		j := n - 1
		for order[j] <= order[i] {
			j--
		}
		order[i], order[j] = order[j], order[i]
		slices.Reverse(order[i+1:])
	}
}

// free reports whether promotion p may use unit u in the current group.
func (e *engine) free(p *rule, u *unit) bool {
	return u.cur > 0 && !u.locked && u.group != e.group && !(p.Exclusive && u.touched)
}

// apply records an application on its units and lines.
func (e *engine) apply(p *rule, a application) {
	e.applyUnits(p, a)
	for _, s := range a.shares {
		if s.amount == 0 {
			continue
		}
		l := &e.lines[e.units[s.unit].line]
		l.AmountMinor -= s.amount
		l.DiscountMinor += s.amount
		if k := len(l.Discounts) - 1; k >= 0 && l.Discounts[k].PromotionID == p.ID {
			l.Discounts[k].AmountMinor += s.amount
		} else {
			l.Discounts = append(l.Discounts, Discount{PromotionID: p.ID, Version: p.Version, Name: name(p.Name, e.lang), AmountMinor: s.amount})
		}
	}
}

// applyUnits records an application on its units only.
func (e *engine) applyUnits(p *rule, a application) {
	for _, i := range a.used {
		e.units[i].group = e.group
		if p.Exclusive {
			e.units[i].locked = true
		}
	}
	for _, s := range a.shares {
		if s.amount == 0 {
			continue
		}
		u := &e.units[s.unit]
		u.cur -= s.amount
		u.touched = true
	}
}

// result totals the lines, the VAT per rate and the promotions used.
func result(lines []Line, out []LineResult) Result {
	r := Result{Lines: out, Taxes: []Tax{}, Applied: []Applied{}}
	byRate := map[int64]int{}
	used := map[string]int{}
	for i, l := range out {
		r.GrossMinor += l.GrossMinor
		r.SavingMinor += l.DiscountMinor
		r.TotalMinor += l.AmountMinor
		rate := lines[i].TaxRateBP
		k, ok := byRate[rate]
		if !ok {
			k = len(r.Taxes)
			byRate[rate] = k
			r.Taxes = append(r.Taxes, Tax{TaxRateBP: rate})
		}
		r.Taxes[k].GrossMinor += l.AmountMinor
		for _, d := range l.Discounts {
			j, ok := used[d.PromotionID]
			if !ok {
				j = len(r.Applied)
				used[d.PromotionID] = j
				r.Applied = append(r.Applied, Applied{PromotionID: d.PromotionID, Version: d.Version})
			}
			r.Applied[j].AmountMinor += d.AmountMinor
		}
	}
	sort.Slice(r.Taxes, func(i, j int) bool { return r.Taxes[i].TaxRateBP < r.Taxes[j].TaxRateBP })
	for i := range r.Taxes {
		r.Taxes[i].TaxMinor = taxOf(r.Taxes[i].GrossMinor, r.Taxes[i].TaxRateBP)
		r.TaxMinor += r.Taxes[i].TaxMinor
	}
	sort.Slice(r.Applied, func(i, j int) bool { return r.Applied[i].PromotionID < r.Applied[j].PromotionID })
	return r
}

// name picks a promotion's name in lang, else English, else the first language in sorted order.
func name(names map[string]string, lang string) string {
	if n, ok := names[lang]; ok {
		return n
	}
	if n, ok := names["en"]; ok {
		return n
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return ""
	}
	return names[keys[0]]
}

// Live reports whether p applies at t for a customer of tier: active, in its window, tier allowed.
func (p *Promotion) Live(t time.Time, tier string) bool {
	if !p.Active || (p.StartsAt != nil && t.Before(*p.StartsAt)) || (p.EndsAt != nil && !t.Before(*p.EndsAt)) {
		return false
	}
	return len(p.CustomerTiers) == 0 || (tier != "" && slices.Contains(p.CustomerTiers, tier))
}
