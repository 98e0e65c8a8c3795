package pos

import (
	"encoding/json"
	"testing"
)

func seedReservation(t *testing.T, e *testEnv, id string, paid bool, sku string, qty, price int64) {
	t.Helper()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO reservations (reservation_id, order_ref, customer_name, paid, expires_at, status, created_at, updated_at)
		  VALUES (?, 'WEB-' || ?, 'Giulia Rossi', ?, '2099-01-01T00:00:00Z', 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, []any{id, id, paid}},
		{`INSERT INTO reservation_lines (reservation_id, sku, qty, unit_price_minor) VALUES (?, ?, ?, ?)`, []any{id, sku, qty, price}},
		{`UPDATE stock SET reserved = reserved + ? WHERE sku = ?`, []any{qty, sku}},
	} {
		if _, err := e.db.W.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServer_Sale_TakesReservedStock: a sale is never refused for stock; when it takes units held
// for a click-and-collect order, it completes with a warning and central gets at_risk.
func TestServer_Sale_TakesReservedStock(t *testing.T) {
	e := newTestEnv(t)
	seedReservation(t, e, "r-1", true, "RUISLEIPA", 2, 249) // 3 on hand, 2 reserved
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("RUISLEIPA", 2)}, []Payment{{Method: "card", AmountMinor: 498}}))
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	s := decode[Sale](t, body)
	if len(s.Warnings) != 1 || s.Warnings[0].Code != "reserved_stock_taken" || s.Warnings[0].SKU != "RUISLEIPA" {
		t.Errorf("warnings %+v", s.Warnings)
	}
	var payload []byte
	if err := e.db.R.QueryRow(`SELECT payload FROM outbox WHERE topic = 'reservations/events' AND type = 'retail.reservation.at_risk'`).Scan(&payload); err != nil {
		t.Fatalf("no at_risk event: %v", err)
	}
	var ev struct {
		Data struct {
			ReservationID string `json:"reservation_id"`
		} `json:"data"`
	}
	json.Unmarshal(payload, &ev)
	if ev.Data.ReservationID != "r-1" {
		t.Errorf("at_risk event %s", payload)
	}
	// A sale that leaves enough for the order warns nobody.
	code, body = e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}}))
	if s := decode[Sale](t, body); code != 201 || len(s.Warnings) != 0 {
		t.Errorf("%d %s", code, body)
	}
}

// TestServer_Sale_CollectsUnpaidReservation: a sale naming an unpaid reservation is priced at the
// reservation's prices and collects it (reserved units freed, collected event); a paid one is refused.
func TestServer_Sale_CollectsUnpaidReservation(t *testing.T) {
	e := newTestEnv(t)
	seedReservation(t, e, "r-unpaid", false, "CAFFE-250", 2, 450) // shelf price 4.98
	seedReservation(t, e, "r-paid", true, "VINO-ROSSO", 1, 1190)
	req := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 2)}, []Payment{{Method: "card", AmountMinor: 900}})
	req.ReservationID = "r-unpaid"
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, req)
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	if s := decode[Sale](t, body); s.TotalMinor != 900 || s.Lines[0].UnitPriceMinor != 450 {
		t.Errorf("priced %+v", s)
	}
	if st, _ := e.svc.StockOf(t.Context(), "CAFFE-250"); st.OnHand != 48 || st.Reserved != 0 {
		t.Errorf("stock %+v, want on_hand 48 reserved 0", st)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE type = 'retail.reservation.collected'`); n != 1 {
		t.Errorf("collected events %d", n)
	}
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, req); code != 200 {
		t.Errorf("repeat: %d %s", code, body)
	}
	paid := saleBody(newSaleID(), []LineRequest{line("VINO-ROSSO", 1)}, []Payment{{Method: "card", AmountMinor: 1190}})
	paid.ReservationID = "r-paid"
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, paid); code != 422 || errCode(t, body) != "reservation_paid" {
		t.Errorf("sale of a paid reservation: %d %s", code, body)
	}
	again := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 450}})
	again.ReservationID = "r-unpaid"
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, again); code != 422 || errCode(t, body) != "reservation_not_open" {
		t.Errorf("second sale of a collected reservation: %d %s", code, body)
	}
	// GET /api/v1/reservations lists by status.
	code, body = e.do("GET", "/api/v1/reservations?status=open", tokenLane1, nil)
	if list := decode[[]Reservation](t, body); code != 200 || len(list) != 1 || list[0].ReservationID != "r-paid" {
		t.Errorf("open reservations: %d %s", code, body)
	}
	if code, _ := e.do("GET", "/api/v1/reservations?status=bogus", tokenLane1, nil); code != 400 {
		t.Errorf("bad status filter: %d", code)
	}
}
