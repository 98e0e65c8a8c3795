package promo

import (
	"cmp"
	"slices"
	"sort"
)

// evaluate computes what p would do on the units still free in the current group.
func (e *engine) evaluate(p *rule) application {
	switch p.Kind {
	case Percent:
		us := e.eligibleUnits(p, -1)
		return e.spread(us, percentOf(e.sum(us), p.Params.PercentBP))
	case AmountOff:
		return e.perUnit(p, func(u *unit) int64 { return min(p.Params.AmountMinor, u.cur) })
	case FixedPrice:
		return e.perUnit(p, func(u *unit) int64 {
			target := p.Params.PriceMinor
			if u.weightG > 0 {
				target = roundDiv(p.Params.PriceMinor*u.weightG, 1000)
			}
			return max(0, u.cur-target)
		})
	case Multibuy:
		return e.multibuy(p)
	case MixMatch:
		return e.mixMatch(p)
	case Threshold:
		us := e.eligibleUnits(p, -1)
		s := e.sum(us)
		if s < p.Params.ThresholdMinor {
			return application{}
		}
		d := min(p.Params.AmountMinor, s)
		if p.Params.PercentBP > 0 {
			d = percentOf(s, p.Params.PercentBP)
		}
		return e.spread(us, d)
	}
	return application{}
}

// eligibleUnits lists the free units under p's lists (group -1) or under one of its mix-and-match
// groups, in canonical order. Which units a list covers is worked out once per basket.
func (e *engine) eligibleUnits(p *rule, group int) []int {
	key := [2]int{p.n, group}
	all, ok := e.elig[key]
	if !ok {
		skus, cats := p.skuList, p.catList
		if group >= 0 {
			skus, cats = p.groups[group].skuList, p.groups[group].catList
		}
		all = e.eligibleAll(skus, cats)
		e.elig[key] = all
	}
	us := make([]int, 0, len(all))
	for _, i := range all {
		if e.free(p, &e.units[i]) {
			us = append(us, i)
		}
	}
	return us
}

// eligibleAll lists the units under the lists skus and cats (both empty: every unit), in order.
// Lists are looked up in the basket's runs, a map lookup per list entry rather than per unit.
func (e *engine) eligibleAll(skus, cats []string) []int {
	if len(skus) == 0 && len(cats) == 0 {
		all := make([]int, len(e.units))
		for i := range all {
			all[i] = i
		}
		return all
	}
	if e.runsBySKU == nil {
		e.buildRuns()
	}
	if len(skus)+len(cats) == 1 { // the common case: one run list, already in order
		var spans []span
		if len(skus) == 1 {
			spans = e.runsBySKU[skus[0]]
		} else {
			spans = e.runsByCat[cats[0]]
		}
		var all []int
		for _, s := range spans {
			for i := s.start; i < s.end; i++ {
				all = append(all, i)
			}
		}
		return all
	}
	var spans []span
	for _, sku := range skus {
		spans = append(spans, e.runsBySKU[sku]...)
	}
	for _, c := range cats {
		spans = append(spans, e.runsByCat[c]...)
	}
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var all []int
	last := -1
	for _, s := range spans {
		if s.start == last {
			continue // the run is under both a SKU and a category of the lists
		}
		last = s.start
		for i := s.start; i < s.end; i++ {
			all = append(all, i)
		}
	}
	return all
}

// buildRuns groups the basket's units into runs of one SKU and category.
func (e *engine) buildRuns() {
	e.runsBySKU, e.runsByCat = map[string][]span{}, map[string][]span{}
	for i := 0; i < len(e.units); {
		j := i + 1
		for j < len(e.units) && e.units[j].sku == e.units[i].sku && e.units[j].cat == e.units[i].cat {
			j++
		}
		s := span{i, j}
		e.runsBySKU[e.units[i].sku] = append(e.runsBySKU[e.units[i].sku], s)
		if c := e.units[i].cat; c != "" {
			e.runsByCat[c] = append(e.runsByCat[c], s)
		}
		i = j
	}
}

// reach lists every unit p may ever use (under its lists, or under any of its groups), cached.
func (e *engine) reach(p *rule) []int {
	if p.Kind != MixMatch {
		key := [2]int{p.n, -1}
		all, ok := e.elig[key]
		if !ok {
			all = e.eligibleAll(p.skuList, p.catList)
			e.elig[key] = all
		}
		return all
	}
	key := [2]int{p.n, -2}
	if all, ok := e.elig[key]; ok {
		return all
	}
	var all []int
	for g := range p.groups {
		key := [2]int{p.n, g}
		us, ok := e.elig[key]
		if !ok {
			us = e.eligibleAll(p.groups[g].skuList, p.groups[g].catList)
			e.elig[key] = us
		}
		all = append(all, us...)
	}
	e.elig[key] = all
	return all
}

func (e *engine) sum(us []int) int64 {
	var s int64
	for _, i := range us {
		s += e.units[i].cur
	}
	return s
}

// spread splits discount d over units us by largest remainder on their current amounts.
func (e *engine) spread(us []int, d int64) application {
	if d <= 0 || len(us) == 0 {
		return application{}
	}
	w := make([]int64, len(us))
	for k, i := range us {
		w[k] = e.units[i].cur
	}
	a := application{used: us}
	for k, s := range split(d, w) {
		a.shares = append(a.shares, share{unit: us[k], amount: s})
		a.saving += s
	}
	return a
}

// perUnit applies off(u) to each free eligible unit; a unit it takes nothing off stays free.
func (e *engine) perUnit(p *rule, off func(*unit) int64) application {
	var a application
	for _, i := range e.eligibleUnits(p, -1) {
		if d := off(&e.units[i]); d > 0 {
			a.shares = append(a.shares, share{unit: i, amount: d})
			a.used = append(a.used, i)
			a.saving += d
		}
	}
	return a
}

// byCurrent sorts units by current amount descending, keeping canonical order among equals.
func (e *engine) byCurrent(us []int) {
	slices.SortStableFunc(us, func(a, b int) int { return cmp.Compare(e.units[b].cur, e.units[a].cur) })
}

// multibuy forms sets of buy units, dearest first. "N for M" makes the N−M cheapest units of each
// set free; "N for price" splits set amount − price over the set, and stops at the first set that
// would not save anything.
func (e *engine) multibuy(p *rule) application {
	us := e.eligibleUnits(p, -1)
	e.byCurrent(us)
	n := int(p.Params.Buy)
	var a application
	for k := 0; k+n <= len(us); k += n {
		set := us[k : k+n]
		if p.Params.Pay > 0 {
			for _, i := range set[p.Params.Pay:] {
				a.shares = append(a.shares, share{unit: i, amount: e.units[i].cur})
				a.saving += e.units[i].cur
			}
			a.used = append(a.used, set...)
			continue
		}
		part := e.spread(set, e.sum(set)-p.Params.PriceMinor)
		if part.saving <= 0 {
			break
		}
		a.shares = append(a.shares, part.shares...)
		a.used = append(a.used, set...)
		a.saving += part.saving
	}
	return a
}

// mixMatch builds bundles, each group taking its qty dearest free units, until a group runs short or
// a bundle would save nothing.
func (e *engine) mixMatch(p *rule) application {
	pools := make([][]int, len(p.groups))
	for g := range p.groups {
		pools[g] = e.eligibleUnits(p, g)
		e.byCurrent(pools[g])
	}
	taken := map[int]bool{}
	next := make([]int, len(pools))
	var a application
	for {
		var bundle []int
		for g, gs := range p.groups {
			got := int64(0)
			for got < gs.qty && next[g] < len(pools[g]) {
				i := pools[g][next[g]]
				next[g]++
				if !taken[i] {
					taken[i] = true
					bundle = append(bundle, i)
					got++
				}
			}
			if got < gs.qty {
				return a
			}
		}
		s := e.sum(bundle)
		var d int64
		switch {
		case p.Params.PriceMinor > 0:
			d = s - p.Params.PriceMinor
		case p.Params.PercentBP > 0:
			d = percentOf(s, p.Params.PercentBP)
		default:
			d = min(p.Params.AmountMinor, s)
		}
		part := e.spread(bundle, d)
		if part.saving <= 0 {
			return a
		}
		sort.Ints(part.used)
		a.shares = append(a.shares, part.shares...)
		a.used = append(a.used, part.used...)
		a.saving += part.saving
	}
}
