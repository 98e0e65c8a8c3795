package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
)

// TestSyncer_Outage: the broker dies; sales go on; the agent restarts while the broker is still
// down (it must start and sell); central queues stock events meanwhile; the broker comes back.
// Every sale reaches central exactly once with gapless seqs, the outbox empties after central's
// acks, and central's stock events are applied once and named in inbox/acks.
func TestSyncer_Outage(t *testing.T) {
	m := newMosquitto(t, "", "")
	url := m.URL("tcp")
	const store = "it-out-001"
	sim := startSim(t, url, centralsim.Options{ClientID: "centralsim-outage"})
	dir := t.TempDir()
	d1 := openDBAt(t, dir)
	opts := testOptions(t, url, store)
	opts.ClientID = "storeagent-" + store
	a1 := startAgent(t, d1, opts)
	waitOnline(t, a1)
	queueSales(t, d1, store, 10)
	a1.Notify()
	eventually(t, 10*time.Second, func() (bool, string) {
		n := count(t, d1, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d unacked before the outage", n)
	})

	m.Stop()
	eventually(t, 10*time.Second, func() (bool, string) { return !a1.Online(), "agent still online" })
	queueSales(t, d1, store, 250)
	a1.stop()
	d1.Close()

	// Restart while the broker is down.
	d2 := openDBAt(t, dir)
	a2 := startAgent(t, d2, opts)
	queueSales(t, d2, store, 250)
	a2.Notify()
	ctx := context.Background()
	t0 := time.Now().UTC()
	for i := 0; i < 20; i++ {
		if _, err := sim.Send(ctx, store, "stock", centralsim.TypeStockAdjustment, centralsim.StockAdjustment{
			MovementID: fmt.Sprintf("central-%d", i), SKU: "A", Delta: 10, OccurredAt: t0.Format(time.RFC3339Nano)}); err != nil {
			t.Fatal(err)
		}
	}
	// Click-and-collect orders during the outage too: one created, one created then cancelled.
	expires := t0.Add(48 * time.Hour).Format(time.RFC3339)
	for _, r := range []struct{ typ, id string }{
		{centralsim.TypeReservationCreated, "r-outage-1"},
		{centralsim.TypeReservationCreated, "r-outage-2"},
		{centralsim.TypeReservationCancelled, "r-outage-2"},
	} {
		if _, err := sim.Send(ctx, store, "reservations", r.typ, centralsim.Reservation{ReservationID: r.id, OrderRef: "WEB-" + r.id,
			CustomerName: "Outage Test", Paid: true, Lines: []pos.ReservationLine{{SKU: "A", Qty: 1, UnitPriceMinor: 100}}, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	if a2.Online() {
		t.Fatal("agent online while the broker is down")
	}

	m.Start()
	waitOnline(t, a2)
	// Central's events first: applying them queues the agent's answers (confirmed, released).
	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := sim.Unacked(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0, fmt.Sprintf("%d central events not named in inbox/acks", n)
	})
	eventually(t, 30*time.Second, func() (bool, string) {
		n := count(t, d2, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked after the outage", n)
	})
	checkExactlyOnce(t, sim, d2, store)
	// Each order sent during the outage is in the replica once, in its final state, and central
	// heard the agent's answer for each.
	if n := count(t, d2, `SELECT count(*) FROM reservations WHERE reservation_id IN ('r-outage-1', 'r-outage-2')`); n != 2 {
		t.Errorf("%d of the 2 outage reservations in the replica", n)
	}
	if n := count(t, d2, `SELECT count(*) FROM reservations WHERE reservation_id = 'r-outage-2' AND status IN ('released', 'rejected')`); n != 1 {
		t.Errorf("the cancelled outage reservation is not released")
	}
	answers, err := sim.Received(ctx, store, "reservations/events")
	if err != nil {
		t.Fatal(err)
	}
	heard := map[string]bool{}
	for _, r := range answers {
		for _, id := range []string{"r-outage-1", "r-outage-2"} {
			if strings.Contains(string(r.Payload), `"`+id+`"`) {
				heard[id] = true
			}
		}
	}
	if !heard["r-outage-1"] || !heard["r-outage-2"] {
		t.Errorf("central did not hear the agent's answer for every outage reservation: %v", heard)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		want, _ := sim.ExpectedStock(ctx, store)
		got, _ := centralsim.ReplicaStock(ctx, d2.R, []string{"A"})
		return got["A"] == want["A"], fmt.Sprintf("A on_hand %d, central expects %d", got["A"], want["A"])
	})
	if n := count(t, d2, `SELECT count(*) FROM stock_movements WHERE source = 'central'`); n != 20 {
		t.Errorf("%d central movements applied, want 20 (once each)", n)
	}
}
