package sync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
)

func checksumsMatch(t testing.TB, sim *centralsim.Sim, a *agent, now time.Time) (bool, string) {
	want := centralsim.CatalogChecksum(sim.Catalog(), now)
	got, err := centralsim.ReplicaCatalogChecksum(context.Background(), a.db.R)
	if err != nil {
		t.Fatal(err)
	}
	return got == want, fmt.Sprintf("replica checksum %.12s, simulator %.12s (%d active items in the replica, %d at central)",
		got, want, count(t, a.db, `SELECT count(*) FROM products WHERE active = 1`), len(sim.Catalog()))
}

// catalogRig is a central simulator with a 1,200-item catalogue (snapshot chunks of 250) and an
// agent of store syncing with it over the embedded broker.
func catalogRig(t *testing.T, store string, reg prometheus.Registerer) (*centralsim.Sim, *agent) {
	t.Helper()
	url := startBroker(t)
	sim := startSim(t, url, centralsim.Options{Catalog: catalog(1200), ChunkSize: 250})
	opts := testOptions(t, url, store)
	opts.Registerer = reg
	a := startAgent(t, openDB(t), opts)
	waitOnline(t, a)
	return sim, a
}

// convergeCatalog waits until the replica's catalogue checksum equals the simulator's.
func convergeCatalog(t *testing.T, sim *centralsim.Sim, a *agent) {
	t.Helper()
	eventually(t, 15*time.Second, func() (bool, string) { return checksumsMatch(t, sim, a, time.Now()) })
}

func TestSyncer_Catalog(t *testing.T) {
	const store = "it-cat-001"
	reg := prometheus.NewRegistry()
	sim, a := catalogRig(t, store, reg)
	d := a.db
	ctx := context.Background()
	converge := func(t *testing.T) {
		t.Helper()
		convergeCatalog(t, sim, a)
	}

	t.Run("fresh replica asks for and applies the snapshot", func(t *testing.T) {
		converge(t)
		if got := count(t, d, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalog_seq'`); got != sim.CatalogSeq() {
			t.Errorf("catalog_seq = %d, want %d", got, sim.CatalogSeq())
		}
	})

	t.Run("duplicates, reordering and stale versions", func(t *testing.T) {
		_, p1, _ := sim.DeltaEvent(item("SKU000001", 2, 999, ean13(400000000001)))
		_, p2, _ := sim.DeltaEvent(item("SKU000001", 3, 1099, ean13(400000000001)), item("NEW1", 1, 50, ean13(410000000000)))
		_, p3, _ := sim.DeltaEvent(item("SKU000001", 2, 1, ean13(400000000001))) // stale version, newer seq
		for _, p := range [][]byte{p2, p1, p3, p2, p1} {
			if err := sim.Publish(store, "catalog", p); err != nil {
				t.Fatal(err)
			}
		}
		converge(t)
		if got := count(t, d, `SELECT price_minor FROM products WHERE sku = 'SKU000001'`); got != 1099 {
			t.Errorf("SKU000001 price = %d, want 1099 (version 3)", got)
		}
	})

	t.Run("gap asks for a resend", func(t *testing.T) {
		sim.DeltaEvent(item("GAP1", 1, 10, ean13(420000000000))) // never published
		_, p, _ := sim.DeltaEvent(item("GAP2", 1, 20, ean13(420000000001)))
		if err := sim.Publish(store, "catalog", p); err != nil {
			t.Fatal(err)
		}
		converge(t) // only possible through the sync request → snapshot
	})

	t.Run("interrupted snapshot then a newer one; absent items inactive", func(t *testing.T) {
		sim.DeltaEvent(item("GONE", 1, 5, ean13(430000000000))) // not published: only in snapshots
		_, old, err := sim.SnapshotEvents()
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Publish(store, "catalog", old[0]); err != nil { // only the first chunk
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, func() (bool, string) {
			n := count(t, d, `SELECT count(*) FROM catalog_snapshot_chunks`)
			return n == 1, fmt.Sprintf("%d staged chunks, want 1", n)
		})
		// Central withdraws GONE before the newer snapshot.
		gone := item("GONE", 2, 5, ean13(430000000000))
		gone.Active = false
		sim.DeltaEvent(gone)
		_, newer, err := sim.SnapshotEvents()
		if err != nil {
			t.Fatal(err)
		}
		for i := len(newer) - 1; i >= 0; i-- { // reversed chunk order
			if err := sim.Publish(store, "catalog", newer[i]); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range old[1:] { // the rest of the old snapshot arrives late: ignored
			if err := sim.Publish(store, "catalog", p); err != nil {
				t.Fatal(err)
			}
		}
		converge(t)
		eventually(t, 5*time.Second, func() (bool, string) {
			n := count(t, d, `SELECT count(*) FROM catalog_snapshot_chunks`)
			return n == 0, fmt.Sprintf("%d staged chunks left", n)
		})
		if got := count(t, d, `SELECT count(*) FROM products WHERE sku = 'GONE' AND active = 1`); got != 0 {
			t.Errorf("GONE is active, want inactive (withdrawn in the newer snapshot)")
		}
	})

	t.Run("local items absent from a snapshot become inactive", func(t *testing.T) {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit,
			active, version, catalog_seq, updated_at) VALUES ('LOCAL', 'x', 1, 'EUR', 0, 'each', 1, 1, 0, 'now')`); err != nil {
			t.Fatal(err)
		}
		sim.DeltaEvent(item("BUMP", 1, 5, ean13(440000000000)))
		_, snap, _ := sim.SnapshotEvents()
		for _, p := range snap {
			if err := sim.Publish(store, "catalog", p); err != nil {
				t.Fatal(err)
			}
		}
		converge(t)
		if got := count(t, d, `SELECT active FROM products WHERE sku = 'LOCAL'`); got != 0 {
			t.Errorf("LOCAL active = %d, want 0", got)
		}
	})

	t.Run("garbage is dead-lettered and the stream continues", func(t *testing.T) {
		before := count(t, d, `SELECT count(*) FROM dead_letters`)
		garbage := [][]byte{
			[]byte(`{not json`),
			[]byte(`{"hello":"world"}`),
			[]byte(`{"specversion":"1.0","id":"g1","source":"/central","type":"retail.unknown","data":{}}`),
			[]byte(`{"specversion":"1.0","id":"g2","source":"/central","type":"retail.catalog.delta","data":{"seq":-1,"items":[]}}`),
			make([]byte, 1<<20+1),
		}
		for _, p := range garbage {
			if err := sim.Publish(store, "catalog", p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := sim.PublishDelta(ctx, []string{store}, item("AFTER", 1, 7, ean13(450000000000))); err != nil {
			t.Fatal(err)
		}
		converge(t)
		eventually(t, 5*time.Second, func() (bool, string) {
			n := count(t, d, `SELECT count(*) FROM dead_letters`) - before
			return n == int64(len(garbage)), fmt.Sprintf("%d new dead letters, want %d", n, len(garbage))
		})
		got := deadLetterMetric(t, reg)
		want := map[string]float64{"catalog/malformed_json": 1, "catalog/not_cloudevent": 1, "catalog/unknown_type": 1,
			"catalog/bad_data": 1, "catalog/too_large": 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("storeagent_sync_dead_letters_total = %v, want %v", got, want)
		}
	})

	t.Run("random duplicates, reordering, stale versions, gaps and interrupted snapshots", func(t *testing.T) {
		catalogChaos(t, sim, a, store, 3, rand.New(rand.NewPCG(1, 2)))
	})
}

// chaosReport counts what catalogChaos sent.
type chaosReport struct {
	rounds, deltas, duplicates, dropped, stale, partialSnapshots int
}

// catalogChaos runs rounds of catalogue changes delivered badly: each round records 1-6 deltas at
// central (some carrying an older version of an item again), then publishes them shuffled, some twice, some never (a gap
// the agent must notice and heal with a sync request), with the first chunks of a snapshot of an
// older state mixed in now and then; the newest delta always arrives. After each round the
// replica's checksum must equal the simulator's.
func catalogChaos(t *testing.T, sim *centralsim.Sim, a *agent, store string, rounds int, rng *rand.Rand) chaosReport {
	t.Helper()
	var rep chaosReport
	for range rounds {
		before := map[string]pos.CatalogItem{} // central's items as the round starts
		current := map[string]int64{}
		for _, it := range sim.Catalog() {
			before[it.SKU], current[it.SKU] = it, it.Version
		}
		var stale []byte
		if rng.IntN(3) == 0 { // a snapshot of the state before this round, cut short
			_, snap, err := sim.SnapshotEvents()
			if err != nil {
				t.Fatal(err)
			}
			stale = snap[0]
			rep.partialSnapshots++
		}
		var payloads [][]byte
		var bumped []string // items given a newer version this round
		for range 1 + rng.IntN(6) {
			var items []pos.CatalogItem
			for range 1 + rng.IntN(3) {
				if len(bumped) > 0 && rng.IntN(4) == 0 { // an older version again: both sides keep the newer
					items = append(items, before[bumped[rng.IntN(len(bumped))]])
					rep.stale++
					continue
				}
				n := rng.IntN(1300) // beyond 1,199: new items
				sku := fmt.Sprintf("SKU%06d", n)
				it := item(sku, current[sku]+1, int64(100+rng.IntN(10000)), ean13(400000000000+int64(n)))
				it.Active = rng.IntN(10) != 0
				current[sku] = it.Version
				if _, ok := before[sku]; ok {
					bumped = append(bumped, sku)
				}
				items = append(items, it)
			}
			_, p, err := sim.DeltaEvent(items...)
			if err != nil {
				t.Fatal(err)
			}
			payloads = append(payloads, p)
			rep.deltas++
		}
		var send [][]byte
		for i, p := range payloads {
			switch {
			case i < len(payloads)-1 && rng.IntN(6) == 0: // the newest always goes: it reveals the gap
				rep.dropped++
				continue
			case rng.IntN(4) == 0:
				send = append(send, p)
				rep.duplicates++
			}
			send = append(send, p)
		}
		if stale != nil {
			send = append(send, stale)
		}
		rng.Shuffle(len(send), func(i, j int) { send[i], send[j] = send[j], send[i] })
		for _, p := range send {
			if err := sim.Publish(store, "catalog", p); err != nil {
				t.Fatal(err)
			}
		}
		convergeCatalog(t, sim, a)
		rep.rounds++
	}
	return rep
}

func TestSyncer_EffectiveFrom(t *testing.T) {
	url := startBroker(t)
	const store = "it-cat-002"
	sim := startSim(t, url, centralsim.Options{Catalog: catalog(3)})
	clk := newClock(time.Now())
	opts := testOptions(t, url, store)
	opts.Now = clk.Now
	d := openDB(t)
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	eventually(t, 10*time.Second, func() (bool, string) { return checksumsMatch(t, sim, a, clk.Now()) })

	later := item("SKU000000", 2, 777, ean13(400000000000))
	later.EffectiveFrom = clk.Now().Add(time.Hour).Format(time.RFC3339)
	if _, err := sim.PublishDelta(context.Background(), []string{store}, later); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM catalog_pending`)
		return n == 1, fmt.Sprintf("%d pending items, want 1", n)
	})
	if got := count(t, d, `SELECT price_minor FROM products WHERE sku = 'SKU000000'`); got != 100 {
		t.Fatalf("price before effective_from = %d, want 100", got)
	}
	if n, err := a.SwitchDueItems(context.Background()); err != nil || n != 0 {
		t.Fatalf("SwitchDueItems before time = %d, %v; want 0", n, err)
	}
	clk.Advance(time.Hour + time.Second)
	if n, err := a.SwitchDueItems(context.Background()); err != nil || n != 1 {
		t.Fatalf("SwitchDueItems on time = %d, %v; want 1", n, err)
	}
	if got := count(t, d, `SELECT price_minor FROM products WHERE sku = 'SKU000000'`); got != 777 {
		t.Errorf("price after effective_from = %d, want 777", got)
	}
	if ok, msg := checksumsMatch(t, sim, a, clk.Now()); !ok {
		t.Error(msg)
	}
}

// deadLetterMetric reads storeagent_sync_dead_letters_total by "topic/reason".
func deadLetterMetric(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "storeagent_sync_dead_letters_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			out[labels["topic"]+"/"+labels["reason"]] = m.GetCounter().GetValue()
		}
	}
	return out
}
