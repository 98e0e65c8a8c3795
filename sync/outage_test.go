package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
)

// TestSyncer_Outage runs one outageScenario cycle with two agent restarts while offline.
func TestSyncer_Outage(t *testing.T) {
	r := outageScenario(t, 1, 0, func(int) int { return 2 })
	t.Logf("%d sales, %d restarts while offline", r.sales, r.restarts)
}

// outageReport is what an outage scenario did.
type outageReport struct {
	cycles, sales, restarts, centralEvents int
}

// outageScenario: the broker dies; sales go on; the agent restarts restarts(cycle) times while the
// broker is still down (it must start and sell each time); central queues stock events and
// click-and-collect orders meanwhile; the broker comes back. After each of the cycles every sale
// is at central exactly once with gapless seqs, the outbox empties after central's acks, central's
// events are applied once and named in inbox/acks, and central heard the agent's answer to each
// order. A budget (zero: none) stops starting cycles after that long; the report counts those run.
func outageScenario(t *testing.T, cycles int, budget time.Duration, restarts func(cycle int) int) outageReport {
	t.Helper()
	m := newMosquitto(t, "", "")
	url := m.URL("tcp")
	const store = "it-out-001"
	sim := startSim(t, url, centralsim.Options{ClientID: "centralsim-outage"})
	dir := t.TempDir()
	d := openDBAt(t, dir)
	opts := testOptions(t, url, store)
	opts.ClientID = "storeagent-" + store
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	queueSales(t, d, store, 10)
	a.Notify()
	waitDrained(t, d, "before the outage")
	rep := outageReport{sales: 10}
	ctx := context.Background()
	start := time.Now()
	for cycle := range cycles {
		if budget > 0 && time.Since(start) > budget {
			break
		}
		rep.cycles++
		m.Stop()
		eventually(t, 10*time.Second, func() (bool, string) { return !a.Online(), "agent still online" })
		queueSales(t, d, store, 250)
		rep.sales += 250
		for range restarts(cycle) { // restart while the broker is down
			a.stop()
			d.Close()
			d = openDBAt(t, dir)
			a = startAgent(t, d, opts)
			queueSales(t, d, store, 250)
			a.Notify()
			rep.sales += 250
			rep.restarts++
		}
		t0 := time.Now().UTC()
		for i := range 20 {
			if _, err := sim.Send(ctx, store, "stock", centralsim.TypeStockAdjustment, centralsim.StockAdjustment{
				MovementID: fmt.Sprintf("central-%d-%d", cycle, i), SKU: "A", Delta: 10, OccurredAt: t0.Format(time.RFC3339Nano)}); err != nil {
				t.Fatal(err)
			}
		}
		// Click-and-collect orders during the outage too: one created, one created then cancelled.
		orders := []string{fmt.Sprintf("r-outage-%d-1", cycle), fmt.Sprintf("r-outage-%d-2", cycle)}
		expires := t0.Add(48 * time.Hour).Format(time.RFC3339)
		for _, r := range []struct{ typ, id string }{
			{centralsim.TypeReservationCreated, orders[0]},
			{centralsim.TypeReservationCreated, orders[1]},
			{centralsim.TypeReservationCancelled, orders[1]},
		} {
			if _, err := sim.Send(ctx, store, "reservations", r.typ, centralsim.Reservation{ReservationID: r.id, OrderRef: "WEB-" + r.id,
				CustomerName: "Outage Test", Paid: true, Lines: []pos.ReservationLine{{SKU: "A", Qty: 1, UnitPriceMinor: 100}}, ExpiresAt: expires}); err != nil {
				t.Fatal(err)
			}
		}
		if a.Online() {
			t.Fatal("agent online while the broker is down")
		}

		m.Start()
		waitOnline(t, a)
		checkAfterOutage(t, sim, d, store, orders, int64(20*(cycle+1)))
	}
	got, err := sim.Received(ctx, store, "")
	if err != nil {
		t.Fatal(err)
	}
	rep.centralEvents = len(got)
	return rep
}

// waitDrained waits until central acked the whole outbox.
func waitDrained(t *testing.T, d *db.DB, when string) {
	t.Helper()
	eventually(t, 30*time.Second, func() (bool, string) {
		n := count(t, d, `SELECT count(*) FROM outbox WHERE acked_at = ''`)
		return n == 0, fmt.Sprintf("%d outbox events unacked %s", n, when)
	})
}

// checkAfterOutage checks the store once the broker is back: see outageScenario; movements is the
// number of central stock adjustments sent so far.
func checkAfterOutage(t *testing.T, sim *centralsim.Sim, d *db.DB, store string, orders []string, movements int64) {
	t.Helper()
	ctx := context.Background()
	// Central's events first: applying them queues the agent's answers (confirmed, released).
	eventually(t, 20*time.Second, func() (bool, string) {
		n, err := sim.Unacked(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		return n == 0, fmt.Sprintf("%d central events not named in inbox/acks", n)
	})
	waitDrained(t, d, "after the outage")
	checkExactlyOnce(t, sim, d, store)
	// Each order sent during the outage is in the replica once, in its final state, and central
	// heard the agent's answer for each.
	if n := count(t, d, `SELECT count(*) FROM reservations WHERE reservation_id IN (?1, ?2)`, orders[0], orders[1]); n != 2 {
		t.Errorf("%d of the 2 outage reservations in the replica", n)
	}
	if n := count(t, d, `SELECT count(*) FROM reservations WHERE reservation_id = ?1 AND status IN ('released', 'rejected')`, orders[1]); n != 1 {
		t.Errorf("the cancelled outage reservation is not released")
	}
	answers, err := sim.Received(ctx, store, "reservations/events")
	if err != nil {
		t.Fatal(err)
	}
	heard := map[string]bool{}
	for _, r := range answers {
		for _, id := range orders {
			if strings.Contains(string(r.Payload), `"`+id+`"`) {
				heard[id] = true
			}
		}
	}
	if !heard[orders[0]] || !heard[orders[1]] {
		t.Errorf("central did not hear the agent's answer for every outage reservation: %v", heard)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		want, _ := sim.ExpectedStock(ctx, store)
		got, _ := centralsim.ReplicaStock(ctx, d.R, []string{"A"})
		return got["A"] == want["A"], fmt.Sprintf("A on_hand %d, central expects %d", got["A"], want["A"])
	})
	if n := count(t, d, `SELECT count(*) FROM stock_movements WHERE source = 'central'`); n != movements {
		t.Errorf("%d central movements applied, want %d (once each)", n, movements)
	}
}
