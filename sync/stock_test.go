package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/centralsim"
)

func stockOf(t testing.TB, a *agent, sku string) (onHand, reserved int64) {
	t.Helper()
	err := a.db.R.QueryRow(`SELECT coalesce((SELECT on_hand FROM stock WHERE sku = ?1), 0),
		coalesce((SELECT reserved FROM stock WHERE sku = ?1), 0)`, sku).Scan(&onHand, &reserved)
	if err != nil {
		t.Fatal(err)
	}
	return onHand, reserved
}

func TestSyncer_Stock(t *testing.T) {
	url := startBroker(t)
	const store = "it-stock-001"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	a := startAgent(t, d, testOptions(t, url, store))
	waitOnline(t, a)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	at := func(min int) string { return t0.Add(time.Duration(min) * time.Minute).Format(time.RFC3339Nano) }

	send := func(typ string, data any) []byte {
		t.Helper()
		_, p, err := sim.PrepareEvent(ctx, store, "stock", typ, data)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	adj1 := send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "m1", SKU: "A", Delta: 10, OccurredAt: at(0)})
	adj2 := send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "m2", SKU: "A", Delta: 5, OccurredAt: at(20)})
	cnt1 := send(centralsim.TypeStockCount, centralsim.StockCount{CountID: "c1", SKU: "A", OnHand: 100, AsOf: at(10)})
	cntOld := send(centralsim.TypeStockCount, centralsim.StockCount{CountID: "c0", SKU: "A", OnHand: 1, AsOf: at(5)})
	adjB := send(centralsim.TypeStockAdjustment, centralsim.StockAdjustment{MovementID: "m3", SKU: "B", Delta: -3, OccurredAt: at(1)})
	// Delivered twice, out of order; the republish loop adds more duplicates.
	for _, p := range [][]byte{adj1, cnt1, adj1, adj2, cntOld, adj2, adjB, cnt1} {
		if err := sim.Publish(store, "stock", p); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		want, err := sim.ExpectedStock(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		got, err := centralsim.ReplicaStock(ctx, d.R, []string{"A", "B"})
		if err != nil {
			t.Fatal(err)
		}
		return centralsim.StockChecksum(got) == centralsim.StockChecksum(want), fmt.Sprintf("replica %v, central %v", got, want)
	})
	if got, _ := stockOf(t, a, "A"); got != 105 {
		t.Errorf("A on_hand = %d, want 105 (count 100 at :10 + adjustment 5 at :20)", got)
	}
	t.Run("central adjustments are not echoed", func(t *testing.T) {
		if n := count(t, d, `SELECT count(*) FROM outbox WHERE topic = 'stock/movements'`); n != 0 {
			t.Errorf("%d movement events queued, want 0", n)
		}
		if n := count(t, d, `SELECT count(*) FROM stock_movements WHERE source = 'central'`); n != 3 {
			t.Errorf("%d central movements stored, want 3", n)
		}
	})
	t.Run("inbox acks stop the republishing", func(t *testing.T) {
		eventually(t, 10*time.Second, func() (bool, string) {
			n, err := sim.Unacked(ctx, store)
			if err != nil {
				t.Fatal(err)
			}
			return n == 0, fmt.Sprintf("%d events not named in inbox/acks", n)
		})
	})
}

func reservationEvents(t testing.TB, sim *centralsim.Sim, store string) map[string][]string {
	t.Helper()
	got, err := sim.Received(context.Background(), store, "reservations/events")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range got {
		var ev struct {
			Data struct {
				ReservationID string `json:"reservation_id"`
			} `json:"data"`
		}
		json.Unmarshal(r.Payload, &ev)
		out[ev.Data.ReservationID] = append(out[ev.Data.ReservationID], r.Type)
	}
	return out
}

func TestSyncer_Reservations(t *testing.T) {
	url := startBroker(t)
	const store = "it-res-001"
	sim := startSim(t, url, centralsim.Options{})
	d := openDB(t)
	clk := newClock(time.Now())
	opts := testOptions(t, url, store)
	opts.Now = clk.Now
	a := startAgent(t, d, opts)
	waitOnline(t, a)
	ctx := context.Background()
	if _, err := d.W.Exec(`INSERT INTO stock (sku, on_hand) VALUES ('A', 5), ('B', 1)`); err != nil {
		t.Fatal(err)
	}
	exp := clk.Now().Add(time.Hour).Format(time.RFC3339)
	res := func(id string, lines ...pos.ReservationLine) centralsim.Reservation {
		return centralsim.Reservation{ReservationID: id, OrderRef: "o-" + id, CustomerName: "Ada", Lines: lines, ExpiresAt: exp}
	}
	send := func(typ string, r centralsim.Reservation) {
		t.Helper()
		if _, err := sim.Send(ctx, store, "reservations", typ, r); err != nil {
			t.Fatal(err)
		}
	}
	wantEvents := func(t *testing.T, id string, want ...string) {
		t.Helper()
		eventually(t, 10*time.Second, func() (bool, string) {
			got := reservationEvents(t, sim, store)[id]
			return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprintf("events of %s = %v, want %v", id, got, want)
		})
	}

	t.Run("confirmed reserves every line", func(t *testing.T) {
		r1 := res("r1", pos.ReservationLine{SKU: "A", Qty: 2, UnitPriceMinor: 100}, pos.ReservationLine{SKU: "B", Qty: 1, UnitPriceMinor: 50})
		send(centralsim.TypeReservationCreated, r1)
		send(centralsim.TypeReservationCreated, r1) // duplicate create with a new event id: idempotent
		wantEvents(t, "r1", "retail.reservation.confirmed")
		if _, r := stockOf(t, a, "A"); r != 2 {
			t.Errorf("A reserved = %d, want 2", r)
		}
		if _, r := stockOf(t, a, "B"); r != 1 {
			t.Errorf("B reserved = %d, want 1", r)
		}
	})
	t.Run("all or nothing: rejected when one line is short", func(t *testing.T) {
		send(centralsim.TypeReservationCreated, res("r2", pos.ReservationLine{SKU: "A", Qty: 1, UnitPriceMinor: 100},
			pos.ReservationLine{SKU: "B", Qty: 1, UnitPriceMinor: 50}))
		wantEvents(t, "r2", "retail.reservation.rejected")
		if _, r := stockOf(t, a, "A"); r != 2 {
			t.Errorf("A reserved = %d, want 2 (nothing taken by the rejected order)", r)
		}
	})
	t.Run("cancel releases", func(t *testing.T) {
		send(centralsim.TypeReservationCancelled, res("r1"))
		wantEvents(t, "r1", "retail.reservation.confirmed", "retail.reservation.released")
		if _, r := stockOf(t, a, "A"); r != 0 {
			t.Errorf("A reserved = %d, want 0", r)
		}
	})
	t.Run("cancel before create leaves a tombstone", func(t *testing.T) {
		send(centralsim.TypeReservationCancelled, res("r3"))
		send(centralsim.TypeReservationCreated, res("r3", pos.ReservationLine{SKU: "A", Qty: 1, UnitPriceMinor: 100}))
		eventually(t, 10*time.Second, func() (bool, string) {
			n := count(t, d, `SELECT count(*) FROM inbox WHERE topic = 'reservations' AND applied_at = ''`)
			return n == 0 && count(t, d, `SELECT count(*) FROM inbox WHERE topic = 'reservations'`) == 6, "reservation events not applied"
		})
		if _, r := stockOf(t, a, "A"); r != 0 {
			t.Errorf("A reserved = %d, want 0", r)
		}
	})
	t.Run("expiry releases", func(t *testing.T) {
		send(centralsim.TypeReservationCreated, res("r4", pos.ReservationLine{SKU: "A", Qty: 3, UnitPriceMinor: 100}))
		wantEvents(t, "r4", "retail.reservation.confirmed")
		if n, err := a.ExpireReservations(ctx); err != nil || n != 0 {
			t.Fatalf("ExpireReservations before expiry = %d, %v; want 0", n, err)
		}
		clk.Advance(time.Hour + time.Second)
		if n, err := a.ExpireReservations(ctx); err != nil || n != 1 {
			t.Fatalf("ExpireReservations after expiry = %d, %v; want 1", n, err)
		}
		wantEvents(t, "r4", "retail.reservation.confirmed", "retail.reservation.released")
		if _, r := stockOf(t, a, "A"); r != 0 {
			t.Errorf("A reserved = %d, want 0", r)
		}
	})
}
