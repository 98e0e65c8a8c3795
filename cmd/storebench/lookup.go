package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos/posbench"
)

// lookup measures GET /api/v1/products/{gtin} on an agent subprocess at a fixed -lookup-rate for
// -lookup-duration, open loop: each request is sent at its scheduled time whatever the earlier
// ones are doing, and its latency counts from that time, so a stall shows in the p99 instead of
// slowing the sender (no coordinated omission). There is no baseline; the goal is p99 < 2 ms.
func (b *bench) lookup(ctx context.Context) []Row {
	row := Row{Measure: fmt.Sprintf("price lookup over HTTP at %s req/s (p99)", groupThousands(int64(b.o.lookupRate))),
		Unit: "ms", Goal: BelowValue(2)}
	p, err := b.startAgent(ctx, agentSetup{})
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	defer p.stop()
	r, err := b.lookupLoad(ctx, p, b.o.lookupDuration)
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	row.Value = r.P(0.99)
	row.Notes = fmt.Sprintf("p50 %.2f ms, p99.9 %.2f ms; %d requests at %.0f req/s achieved, over %d items",
		r.P(0.5), r.P(0.999), r.N, r.Rate(), b.o.items)
	return []Row{row}
}

// lookupLoad warms up the connections, then looks up random GTINs of the catalogue at -lookup-rate
// for d. Any failed request is an error.
func (b *bench) lookupLoad(ctx context.Context, p *agentProc, d time.Duration) (benchkit.Result, error) {
	client := httpClient()
	warm := benchkit.Closed(ctx, 16, 400, 0, func(i int) error {
		return p.get(client, "/api/v1/products/"+posbench.CatalogGTIN(i%b.o.items))
	})
	if warm.Err != nil {
		return warm, fmt.Errorf("warm-up lookup: %w", warm.Err)
	}
	n := int(b.o.lookupRate * d.Seconds())
	codes := make([]string, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range codes {
		codes[i] = "/api/v1/products/" + posbench.CatalogGTIN(rng.IntN(b.o.items))
	}
	r := benchkit.FixedRate(ctx, b.o.lookupRate, n, func(i int) error { return p.get(client, codes[i]) })
	if r.Err != nil {
		return r, fmt.Errorf("%d of %d lookups failed: %w", r.Failed, n, r.Err)
	}
	return r, nil
}
