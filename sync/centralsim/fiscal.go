package centralsim

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/storeagent/storeagent/pos/fiscal"
)

// FiscalCheck is what central found recomputing a French store's fiscal chains from the
// retail.fiscal.record events it received.
type FiscalCheck struct {
	// Records is how many fiscal records central holds; Chains how many chains they form.
	Records, Chains int
	// Heads is each chain's last seq.
	Heads map[string]int64
}

// CheckFiscal recomputes every chain of store's fiscal records from genesis with pub: each seq
// present once and gapless, each prev_hash, hash and signature right. The first problem is the
// error (a *fiscal.BrokenError naming the record).
func (s *Sim) CheckFiscal(ctx context.Context, store string, pub ed25519.PublicKey) (FiscalCheck, error) {
	c := FiscalCheck{Heads: map[string]int64{}}
	evs, err := s.Received(ctx, store, fiscal.Topic)
	if err != nil {
		return c, err
	}
	chains := map[string][]fiscal.Record{}
	for _, r := range evs {
		var ev struct {
			Data fiscal.Record `json:"data"`
		}
		if err := json.Unmarshal(r.Payload, &ev); err != nil {
			return c, fmt.Errorf("fiscal event %s: %w", r.ID, err)
		}
		chains[ev.Data.Chain] = append(chains[ev.Data.Chain], ev.Data)
	}
	for _, name := range fiscal.Chains {
		recs := chains[name]
		if len(recs) == 0 {
			continue
		}
		sort.Slice(recs, func(i, k int) bool { return recs[i].Seq < recs[k].Seq })
		chk := fiscal.Checker{Pub: pub}
		chk.Reset(name, 0, "")
		for _, r := range recs {
			if err := chk.Check(r); err != nil {
				return c, err
			}
		}
		c.Records += len(recs)
		c.Chains++
		c.Heads[name] = recs[len(recs)-1].Seq
	}
	return c, nil
}
