package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
)

// startRuns is how many times the memory measure starts the agent; the row takes the median.
const startRuns = 3

// rss measures the agent subprocess on the -items catalogue: the time from process start until
// /healthz answers 200 (the median of startRuns starts), its resident memory after -idle of
// idling, and its peak resident memory under -load-duration of durable sales from -clients and
// lookups at -lookup-rate at once (sampled every 10 ms). No baselines: the goals are absolute.
func (b *bench) rss(ctx context.Context) []Row {
	items := thousands(b.o.items)
	start := Row{Measure: fmt.Sprintf("start to healthz, %s items", items), Unit: "ms", Goal: BelowValue(500)}
	idle := Row{Measure: fmt.Sprintf("RSS idle after start, %s items", items), Unit: "MB", Goal: BelowValue(40)}
	load := Row{Measure: "RSS peak under sales + lookup load", Unit: "MB", Goal: BelowValue(40)}
	fail := func(err error) []Row {
		for _, r := range []*Row{&start, &idle, &load} {
			if r.Err == "" && r.Value == 0 {
				r.Err = err.Error()
			}
		}
		return []Row{start, idle, load}
	}
	if _, err := benchkit.RSSMB(os.Getpid()); err != nil {
		return fail(err)
	}
	var startups []time.Duration
	var p *agentProc
	for i := range startRuns {
		q, err := b.startAgent(ctx, agentSetup{})
		if err != nil {
			return fail(err)
		}
		startups = append(startups, q.Startup)
		if i < startRuns-1 {
			q.stop()
		} else {
			p = q
		}
	}
	defer p.stop()
	slices.Sort(startups)
	start.Value = benchkit.Millis(startups[len(startups)/2])
	start.Notes = fmt.Sprintf("%d starts: %.0f–%.0f ms; each on its own copy of the database", startRuns,
		benchkit.Millis(startups[0]), benchkit.Millis(startups[len(startups)-1]))

	time.Sleep(b.o.idle)
	mb, err := benchkit.RSSMB(p.Pid())
	if err != nil {
		return fail(err)
	}
	idle.Value = mb

	peak, sales, lookups, err := b.peakUnderLoad(ctx, p)
	if err != nil {
		return fail(err)
	}
	load.Value = peak
	load.Notes = fmt.Sprintf("%s of %d sales clients (%.0f sales/s) and lookups at %.0f req/s (p99 %.2f ms)",
		b.o.loadDuration, b.o.clients, sales.Rate(), lookups.Rate(), lookups.P(0.99))
	return []Row{start, idle, load}
}

// peakUnderLoad runs sales and lookups against p for -load-duration and samples its RSS.
func (b *bench) peakUnderLoad(ctx context.Context, p *agentProc) (float64, benchkit.Result, benchkit.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var peak float64
	var sampleErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			mb, err := benchkit.RSSMB(p.Pid())
			if err != nil && sampleErr == nil {
				sampleErr = err
			}
			peak = max(peak, mb)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var sales benchkit.Result
	wg.Add(1)
	go func() {
		defer wg.Done()
		client := httpClient()
		sales = benchkit.Closed(ctx, b.o.clients, 0, b.o.loadDuration, func(i int) error { return p.sale(client, i, b.o.items) })
	}()
	lookups, err := b.lookupLoad(ctx, p, b.o.loadDuration)
	cancel()
	wg.Wait()
	switch {
	case err != nil:
	case sales.Err != nil:
		err = fmt.Errorf("%d sales failed: %w", sales.Failed, sales.Err)
	case sampleErr != nil:
		err = sampleErr
	}
	return peak, sales, lookups, err
}
