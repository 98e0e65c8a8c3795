package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
	"github.com/storeagent/storeagent/sync/syncbench"
)

// drain measures the outbox drain after an outage: -events sale events queued while the agent was
// offline, then the agent's sync connects and publishes them to the broker, where central's
// simulator subscribes, stores and acks; drained means every outbox row has its acked_at. The
// baseline is a raw pipelined paho QoS 1 publish of same-size payloads to a topic central also
// subscribes to (so the broker forwards in both runs), timed to the last PUBACK.
func (b *bench) drain(ctx context.Context) []Row {
	row := Row{Measure: fmt.Sprintf("outbox drain of %s events after an outage", thousands(b.o.events)), Unit: "events/s",
		BaselineName: "raw pipelined paho QoS 1 publish to the same broker", Goal: AtLeastRatio(0.5)}
	dir, err := b.tempDir("drain")
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sim, err := b.startSim(ctx, filepath.Join(dir, "central.db"))
	if err != nil {
		row.Err = "central simulator: " + err.Error()
		return []Row{row}
	}
	// Runs alternate (raw, agent, raw, agent, ...) and each side reports its median, so a burst
	// of other work on the machine moves one run, not the ratio.
	var raws, agents []float64
	for i := 0; i < b.o.drainRuns && row.Err == "" && row.BaselineErr == ""; i++ {
		raw, agent, err := b.drainRound(ctx, sim, dir, i)
		switch {
		case err != nil && raw == 0:
			row.BaselineErr = err.Error()
		case err != nil:
			row.Err = err.Error()
		default:
			raws, agents = append(raws, raw), append(agents, agent)
		}
	}
	if row.Err != "" || row.BaselineErr != "" {
		return []Row{row}
	}
	row.Baseline, row.Value = median(raws), median(agents)
	row.Notes = fmt.Sprintf("median of %d alternating runs (agent: until central acked all %d events; raw: until the last PUBACK); agent runs %s events/s, raw runs %s",
		len(agents), b.o.events, rates(agents), rates(raws))
	return []Row{row}
}

// drainRound queues -events sale events in a fresh store database, publishes copies raw (the
// baseline), then lets the agent's Syncer drain the outbox; it returns both rates (events/s). A
// raw rate of 0 with an error means the baseline failed.
func (b *bench) drainRound(ctx context.Context, sim *centralsim.Sim, dir string, i int) (raw, agent float64, err error) {
	d, err := db.Open(ctx, filepath.Join(dir, fmt.Sprintf("store-%d", i)), db.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer d.Close()
	store := "it-bench-" + uuid.NewString()[:8]
	payloads, err := syncbench.QueueBulk(ctx, d, store, b.o.events)
	if err != nil {
		return 0, 0, fmt.Errorf("queue events: %w", err)
	}
	rawEl, err := b.rawDrain(ctx, sim, store+"-raw", payloads)
	if err != nil {
		return 0, 0, err
	}
	el, err := b.agentDrain(ctx, d, store)
	if err == nil {
		err = waitStored(ctx, sim, store, b.o.events)
	}
	if err != nil {
		return 1, 0, err
	}
	return float64(b.o.events) / rawEl.Seconds(), float64(b.o.events) / el.Seconds(), nil
}

// rates prints rates as "25,436 / 26,077 / ...".
func rates(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = groupThousands(int64(x))
	}
	return strings.Join(parts, " / ")
}

// median is the middle value (the mean of the two middle ones for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (b *bench) startSim(ctx context.Context, path string) (*centralsim.Sim, error) {
	sim, err := centralsim.New(centralsim.Options{Broker: b.brokerURL, DBPath: path, RepublishInterval: -1, Logger: quietLogger()})
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Run(ctx)
	}()
	context.AfterFunc(ctx, func() { <-done; sim.Close() })
	select {
	case <-sim.Connected():
		return sim, nil
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("did not connect to %s within 10 s", b.brokerURL)
	}
}

// rawDrain publishes copies of the payloads (fresh event ids) to the raw store's sales topic and
// waits until central has stored them all, so the drain that follows has the broker to itself.
func (b *bench) rawDrain(ctx context.Context, sim *centralsim.Sim, store string, payloads [][]byte) (time.Duration, error) {
	fresh, err := syncbench.WithNewIDs(payloads)
	if err != nil {
		return 0, err
	}
	el, err := syncbench.RawPublish(b.brokerURL, "retail/stores/"+store+"/sales", fresh)
	if err != nil {
		return 0, err
	}
	return el, waitStored(ctx, sim, store, len(payloads))
}

// agentDrain runs the agent's Syncer over d until no outbox row waits for its ack.
func (b *bench) agentDrain(ctx context.Context, d *db.DB, store string) (time.Duration, error) {
	s, err := agentsync.New(d, agentsync.Options{StoreID: store, Broker: b.brokerURL, ClientID: "storeagent-" + store,
		AgentVersion: version(), Logger: quietLogger(), AckTimeout: time.Minute, TimerInterval: -1})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	limit := time.Now().Add(5*time.Minute + time.Duration(b.o.events)*time.Millisecond)
	for {
		var waiting bool
		if err := d.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE acked_at = '')`).Scan(&waiting); err != nil {
			return 0, err
		}
		if !waiting {
			return time.Since(start), nil
		}
		select {
		case err := <-done:
			return 0, fmt.Errorf("sync stopped during the drain: %v", err)
		default:
		}
		if time.Now().After(limit) {
			return 0, errors.New("the outbox was not drained in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStored waits (up to a minute) until central has stored n sale events of store.
func waitStored(ctx context.Context, sim *centralsim.Sim, store string, n int) error {
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := sim.ReceivedCount(ctx, store, outbox.TopicSales)
		if err != nil {
			return err
		}
		if got == n {
			return nil
		}
		if got > n || time.Now().After(deadline) {
			return fmt.Errorf("central stored %d events of %s, want %d", got, store, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
