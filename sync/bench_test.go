package sync_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/outbox"
	"github.com/storeagent/storeagent/sync/syncbench"
)

// Benchmark sizes (issue 3, "Performance"); they only run with -bench.
const (
	benchDrainEvents   = 50000
	benchSnapshotItems = 150000
)

// BenchmarkOutboxDrain drains 50,000 queued events to Mosquitto (the simulator subscribes, stores
// them and acks; an event counts as drained when its acked_at is set) against a raw pipelined paho
// QoS 1 publish of the same payloads to the same broker, to a topic the simulator also subscribes
// to (so the broker forwards in both runs), timed until the last PUBACK. Goal: ≥ 0.5×.
func BenchmarkOutboxDrain(b *testing.B) {
	m := newMosquitto(b, "", "")
	url := m.URL("tcp")
	for i := 0; i < b.N; i++ {
		store := fmt.Sprintf("it-bench-%d", i)
		sim := startSim(b, url, centralsim.Options{RepublishInterval: -1})
		d := openDB(b)
		payloads, err := syncbench.QueueBulk(context.Background(), d, store, benchDrainEvents)
		if err != nil {
			b.Fatal(err)
		}
		fresh, err := syncbench.WithNewIDs(payloads)
		if err != nil {
			b.Fatal(err)
		}

		// The raw publish goes to a topic central subscribes to, so the broker does the same
		// delivery work in both runs; the drain starts once central has stored the raw events.
		raw, err := syncbench.RawPublish(url, "retail/stores/"+store+"-raw/sales", fresh)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if n, _ := sim.ReceivedCount(context.Background(), store+"-raw", outbox.TopicSales); n == benchDrainEvents {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}

		opts := testOptions(b, url, store)
		opts.AckTimeout = time.Minute
		opts.Window = benchWindow()
		opts.Logger = testLogger(b)
		start := time.Now()
		a := startAgent(b, d, opts)
		for count(b, d, `SELECT EXISTS (SELECT 1 FROM outbox WHERE acked_at = '')`) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		drain := time.Since(start)
		a.stop()
		if got, _ := sim.Received(context.Background(), store, outbox.TopicSales); len(got) != benchDrainEvents {
			b.Fatalf("central stored %d, want %d", len(got), benchDrainEvents)
		}
		rawRate := float64(benchDrainEvents) / raw.Seconds()
		drainRate := float64(benchDrainEvents) / drain.Seconds()
		b.ReportMetric(rawRate, "raw_events/s")
		b.ReportMetric(drainRate, "outbox_events/s")
		b.ReportMetric(drainRate/rawRate, "ratio")
	}
}

// BenchmarkSnapshotApply applies a 150,000-item snapshot (chunks already in the inbox) against a
// raw prepared upsert loop in one transaction, both with product lookups through db.R running
// (their p99 during the snapshot apply is reported). Goal: ≥ 0.7×.
func BenchmarkSnapshotApply(b *testing.B) {
	items := syncbench.Catalog(benchSnapshotItems)
	for i := 0; i < b.N; i++ {
		raw := rawUpsert(b, items)

		d := openDB(b)
		s, err := agentsync.New(d, agentsync.Options{StoreID: "it-bench", Broker: "tcp://127.0.0.1:1", Logger: testLogger(b)})
		if err != nil {
			b.Fatal(err)
		}
		if err := syncbench.StoreSnapshot(context.Background(), d, items, 1000); err != nil {
			b.Fatal(err)
		}
		l := syncbench.StartLookups(d, len(items))
		start := time.Now()
		for {
			n, err := s.ApplyPending(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		apply := time.Since(start)
		ls, err := l.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if n := count(b, d, `SELECT count(*) FROM products WHERE active = 1`); n != benchSnapshotItems {
			b.Fatalf("%d active products, want %d", n, benchSnapshotItems)
		}
		if len(ls) > 0 {
			b.ReportMetric(benchkit.Millis(benchkit.Percentile(ls, 0.99)), "lookup_p99_ms")
			b.ReportMetric(float64(len(ls)), "lookups")
		}
		b.ReportMetric(float64(benchSnapshotItems)/raw.Seconds(), "raw_items/s")
		b.ReportMetric(float64(benchSnapshotItems)/apply.Seconds(), "snapshot_items/s")
		b.ReportMetric(raw.Seconds()/apply.Seconds(), "ratio")
	}
}

// rawUpsert is the baseline: a prepared upsert loop in one transaction, under the same lookup load
// as the snapshot apply.
func rawUpsert(b *testing.B, items []pos.CatalogItem) time.Duration {
	d := openDB(b)
	l := syncbench.StartLookups(d, len(items))
	defer l.Stop()
	el, err := syncbench.RawUpsert(context.Background(), d, items)
	if err != nil {
		b.Fatal(err)
	}
	return el
}

func benchWindow() int {
	var w int
	fmt.Sscan(os.Getenv("SYNC_BENCH_WINDOW"), &w)
	return w // 0: the default
}
