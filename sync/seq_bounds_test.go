package sync_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
)

// TestSyncer_HostileSeqs reproduces issue 16 item 6 against a real broker: a catalogue delta with
// seq 2^63−1, one that jumps 20 million ahead, and a snapshot chunk at seq 2^62 of 100,000 chunks
// used to make every later delta look old and every later snapshot stale, for good. They are
// dead-lettered and the delta behind them applies; an unfinished snapshot blocks an older one only
// for an hour.
func TestSyncer_HostileSeqs(t *testing.T) {
	url := startBroker(t)
	const store = "it-seq-001"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	var skew atomic.Int64
	o := testOptions(t, url, store)
	o.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	a := startAgent(t, d, o)
	waitOnline(t, a)
	ctx := context.Background()
	send := func(typ string, data agentsync.CatalogData) string {
		t.Helper()
		id, p, err := sim.PrepareEvent(ctx, store, "catalog", typ, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Publish(store, "catalog", p); err != nil {
			t.Fatal(err)
		}
		return id
	}
	price := func(sku string) int64 {
		return count(t, d, `SELECT coalesce((SELECT price_minor FROM products WHERE sku = ?1), -1)`, sku)
	}
	applied := func(id, what string) {
		t.Helper()
		eventually(t, 10*time.Second, func() (bool, string) {
			return count(t, d, `SELECT count(*) FROM inbox WHERE event_id = ?1 AND applied_at != ''`, id) == 1, what + ": not applied"
		})
	}
	delta := func(seq int64, items ...pos.CatalogItem) agentsync.CatalogData {
		return agentsync.CatalogData{Seq: seq, Items: items}
	}
	send(centralsim.TypeCatalogDelta, delta(100, item("S-1", 1, 100)))
	hostile := []string{
		send(centralsim.TypeCatalogDelta, delta(math.MaxInt64, item("S-1", 2, 999))),
		send(centralsim.TypeCatalogDelta, delta(100+20_000_000, item("S-1", 2, 998))),
		send(centralsim.TypeCatalogSnapshot, agentsync.CatalogData{Seq: 1 << 62, Chunk: 1, Chunks: 100000, Items: []pos.CatalogItem{item("S-1", 9, 1)}}),
	}
	last := send(centralsim.TypeCatalogDelta, delta(101, item("S-1", 3, 300)))
	eventually(t, 10*time.Second, func() (bool, string) { return price("S-1") == 300, "the delta behind the hostile ones did not apply" })
	for _, id := range append(hostile, last) {
		applied(id, "hostile seqs")
	}
	for _, id := range hostile {
		var reason string
		if err := d.R.QueryRow(`SELECT reason FROM dead_letters WHERE event_id = ?1`, id).Scan(&reason); err != nil {
			t.Errorf("no dead letter for hostile event %s: %v", id, err)
		}
	}
	if last := count(t, d, `SELECT last_seq FROM inbox_seq WHERE topic = 'catalog'`); last != 101 {
		t.Errorf("catalog last seq %d, want 101 (the refused seqs not counted)", last)
	}

	// A snapshot that never completes (1 chunk of 3) blocks an older one while it may still come...
	applied(send(centralsim.TypeCatalogSnapshot, agentsync.CatalogData{Seq: 150, Chunk: 1, Chunks: 3, Items: []pos.CatalogItem{item("S-2", 1, 50)}}),
		"unfinished snapshot")
	applied(send(centralsim.TypeCatalogSnapshot, agentsync.CatalogData{Seq: 120, Chunk: 1, Chunks: 1, Items: []pos.CatalogItem{item("S-1", 4, 400), item("S-3", 1, 10)}}),
		"older snapshot")
	if p := price("S-3"); p != -1 {
		t.Errorf("an older snapshot applied while a newer one was arriving (S-3 price %d)", p)
	}
	// ...but only for an hour.
	skew.Store(int64(2 * time.Hour))
	send(centralsim.TypeCatalogSnapshot, agentsync.CatalogData{Seq: 130, Chunk: 1, Chunks: 1, Items: []pos.CatalogItem{item("S-1", 5, 500), item("S-3", 1, 10)}})
	eventually(t, 10*time.Second, func() (bool, string) {
		return price("S-3") == 10 && price("S-1") == 500, "the snapshot after the expired one did not apply"
	})
	if n := count(t, d, `SELECT count(*) FROM catalog_snapshot_chunks`); n != 0 {
		t.Errorf("%d staged chunks left, want 0", n)
	}
}
