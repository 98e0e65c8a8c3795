package main

import (
	"context"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
)

// healthzFloodRate is the public /healthz request rate of the flood (issue 16 item 9: at this rate
// a probe write per request halved sales throughput).
const healthzFloodRate = 500

// healthz measures durable sales' p99 through HTTP while /healthz is flooded at 500 req/s, against
// the same agent's sales p99 without the flood (alternating runs, the median of each side).
func (b *bench) healthz(ctx context.Context) []Row {
	row := Row{Measure: fmt.Sprintf("durable sales p99 during a /healthz flood of %d req/s, %d clients", healthzFloodRate, b.o.clients),
		Unit: "ms", BaselineName: "the same sales' p99 without the flood", Goal: AtMostRatio(1.2)}
	p, err := b.startAgent(ctx, agentSetup{})
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	defer p.stop()
	client := httpClient()
	var with, without []float64
	var floodN, floodFailed int
	next := 0
	for run := range 4 {
		flood := run%2 == 1
		fctx, stop := context.WithCancel(ctx)
		done := make(chan benchkit.Result, 1)
		if flood {
			go func() {
				n := int(healthzFloodRate * (b.o.salesDuration / 2).Seconds())
				done <- benchkit.FixedRate(fctx, healthzFloodRate, n, func(int) error { return p.get(client, "/healthz") })
			}()
		}
		r := benchkit.Closed(ctx, b.o.clients, 0, b.o.salesDuration/2, func(i int) error { return p.sale(client, next+i, b.o.items) })
		next += r.N + r.Failed
		stop()
		if flood {
			fr := <-done
			floodN, floodFailed = floodN+fr.N, floodFailed+fr.Failed
		}
		if r.Err != nil {
			row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
			return []Row{row}
		}
		if flood {
			with = append(with, r.P(0.99))
		} else {
			without = append(without, r.P(0.99))
		}
	}
	row.Value, row.Baseline = median(with), median(without)
	row.Notes = fmt.Sprintf("median of 2 runs each of %s; %d healthz answered during the floods, %d failed",
		(b.o.salesDuration / 2).Round(time.Millisecond), floodN, floodFailed)
	return []Row{row}
}
