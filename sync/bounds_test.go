package sync_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/centralsim"
)

// TestSyncer_HostileStockEvents reproduces issue 16 items 3 and 4 against a real broker and a
// real SQLite file: a stock adjustment with delta 2^63−1 and a count with on_hand −2^63+1 used to
// overflow SQLite into REAL and retry forever, holding up every later event. Now they are refused
// by validation (dead letters naming the field), an event that fails to apply for any other reason
// is dead-lettered after a few attempts, and the events behind them apply.
func TestSyncer_HostileStockEvents(t *testing.T) {
	url := startBroker(t)
	const store = "it-hostile-001"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	// An apply failure validation cannot foresee: the database refuses this one movement.
	if _, err := d.W.Exec(`CREATE TRIGGER poison BEFORE INSERT ON stock_movements WHEN NEW.movement_id = 'poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, d, testOptions(t, url, store))
	waitOnline(t, a)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).Format(time.RFC3339)
	send := func(typ string, data any) string {
		t.Helper()
		id, p, err := sim.PrepareEvent(ctx, store, "stock", typ, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Publish(store, "stock", p); err != nil {
			t.Fatal(err)
		}
		return id
	}
	start := time.Now()
	bigDelta := send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "huge", SKU: "A", Delta: math.MaxInt64, OccurredAt: at})
	minCount := send(centralsim.TypeStockCount, centralsim.StockCount{CountID: "tiny", SKU: "A", OnHand: math.MinInt64 + 1, AsOf: at})
	poison := send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "poison", SKU: "A", Delta: 1, OccurredAt: at})
	send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "ok", SKU: "A", Delta: 7, OccurredAt: at})
	long := item("CAT-LONG", 1, 100)
	long.Name = strings.Repeat("n", 900_000) // issue 16 item 5: names are capped
	if _, err := sim.PublishDelta(ctx, []string{store}, long); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.PublishDelta(ctx, []string{store}, item("CAT-1", 1, 100)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		on, _ := stockOf(t, a, "A")
		n := count(t, d, `SELECT count(*) FROM products WHERE sku = 'CAT-1'`)
		return on == 7 && n == 1, "the events behind the hostile ones did not apply"
	})
	eventually(t, 5*time.Second, func() (bool, string) {
		return count(t, d, `SELECT count(*) FROM inbox WHERE applied_at = ''`) == 0, "inbox events left unapplied"
	})
	// One for the delta. Central's answer to the agent's first sync request is a snapshot that may
	// already hold the long item (when it is made after the delta): refused as well, as its own
	// dead letter.
	if n := count(t, d, `SELECT count(*) FROM dead_letters WHERE topic = 'catalog' AND reason LIKE '%name is 900000 bytes%'
		AND CAST(payload AS TEXT) LIKE '%"retail.catalog.delta"%'`); n != 1 {
		t.Errorf("%d dead letters for the delta with the 900 KB name, want 1", n)
	}
	if n := count(t, d, `SELECT count(*) FROM dead_letters WHERE topic = 'catalog' AND reason LIKE '%name is 900000 bytes%'
		AND CAST(payload AS TEXT) NOT LIKE '%"retail.catalog.delta"%' AND CAST(payload AS TEXT) NOT LIKE '%"retail.catalog.snapshot"%'`); n != 0 {
		t.Errorf("%d dead letters for the 900 KB name from neither the delta nor a snapshot", n)
	}
	if n := count(t, d, `SELECT count(*) FROM products WHERE sku = 'CAT-LONG'`); n != 0 {
		t.Errorf("the item with a 900 KB name was stored")
	}
	t.Logf("hostile events dead-lettered and the rest applied in %s", time.Since(start).Round(time.Millisecond))
	for id, field := range map[string]string{bigDelta: "delta", minCount: "on_hand", poison: "poisoned row"} {
		var reason string
		if err := d.R.QueryRow(`SELECT reason FROM dead_letters WHERE event_id = ?1`, id).Scan(&reason); err != nil {
			t.Errorf("dead letter for %s (%s): %v", id, field, err)
			continue
		}
		if !strings.Contains(reason, field) {
			t.Errorf("dead letter reason %q does not name %q", reason, field)
		}
	}
	// Dead-lettered events are named in inbox/acks too, so central stops republishing them.
	eventually(t, 10*time.Second, func() (bool, string) {
		n, err := sim.Unacked(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0, "central still has unacked events"
	})
}
