package promo

import "testing"

func TestScratchClusters(t *testing.T) {
	b, ix := benchCase()
	full := newEngine(b.Lang, b.Lines)
	cands := ix.candidates(b, full.units)
	cs, _ := full.clusters(cands)
	sizes := map[int]int{}
	for _, c := range cs {
		sizes[len(c)]++
	}
	t.Logf("cands %d clusters %v", len(cands), sizes)
}
