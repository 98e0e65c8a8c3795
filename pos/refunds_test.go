package pos

import (
	"bytes"
	"net/http"
	"testing"
)

func TestServer_CreateRefund(t *testing.T) {
	e := newTestEnv(t)
	saleID := newSaleID()
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(saleID, []LineRequest{
		line("CAFFE-250", 3), {Code: "PARMIGIANO", WeightG: i64(500)}, line("PASTA-500", 1),
	}, []Payment{{Method: "card", AmountMinor: 3*498 + 1495 + 129}}))
	if code != 201 {
		t.Fatalf("sale: %d %s", code, body)
	}
	refund := RefundRequest{RefundID: newSaleID(), SaleID: saleID, Lines: []RefundLineRequest{{"CAFFE-250", 2}, {"PARMIGIANO", 1}},
		Method: "card", Cashier: "anna", Terminal: "lane1"}
	code, body = e.do("POST", "/api/v1/refunds", tokenLane1, refund)
	if code != http.StatusCreated {
		t.Fatalf("refund: %d %s", code, body)
	}
	r := decode[Refund](t, body)
	if r.TotalMinor != 2*498+1495 || len(r.Lines) != 2 || r.Lines[1].AmountMinor != 1495 {
		t.Errorf("refund %+v", r)
	}
	// 22 %: 996 → 179.6 → 180; 4 %: 1495 → 57.5 → 58.
	if r.TaxMinor != 180+58 {
		t.Errorf("refund tax %d, want 238: %+v", r.TaxMinor, r.Taxes)
	}
	for sku, want := range map[string]int64{"CAFFE-250": 50 - 3 + 2, "PARMIGIANO": 20000, "PASTA-500": 99} {
		if st, _ := e.svc.StockOf(t.Context(), sku); st.OnHand != want {
			t.Errorf("stock %s %d, want %d", sku, st.OnHand, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE type = 'retail.sale.refunded' AND event_id = ?`, refund.RefundID); n != 1 {
		t.Errorf("refund events %d, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM stock_movements WHERE reason = 'refund' AND ref = ?`, refund.RefundID); n != 2 {
		t.Errorf("refund movements %d, want 2", n)
	}

	t.Run("repeat is 200 with the same body", func(t *testing.T) {
		before := e.snapshot()
		code2, body2 := e.do("POST", "/api/v1/refunds", tokenLane1, refund)
		if code2 != 200 || !bytes.Equal(body, body2) {
			t.Fatalf("%d %s", code2, body2)
		}
		if after := e.snapshot(); after["stock_sum"] != before["stock_sum"] || after["outbox"] != before["outbox"] {
			t.Errorf("repeat changed data: %v → %v", before, after)
		}
	})
	bad := []struct {
		name   string
		mod    func(*RefundRequest)
		status int
		code   string
	}{
		{"more than is left", func(r *RefundRequest) { r.Lines = []RefundLineRequest{{"CAFFE-250", 2}} }, 422, "bad_quantity"},
		{"weighed line twice", func(r *RefundRequest) { r.Lines = []RefundLineRequest{{"PARMIGIANO", 1}} }, 422, "bad_quantity"},
		{"sku not in sale", func(r *RefundRequest) { r.Lines = []RefundLineRequest{{"RUISLEIPA", 1}} }, 422, "not_in_sale"},
		{"zero qty", func(r *RefundRequest) { r.Lines = []RefundLineRequest{{"PASTA-500", 0}} }, 422, "bad_quantity"},
		{"unknown sale", func(r *RefundRequest) { r.SaleID = newSaleID() }, 422, "unknown_sale"},
		{"bad method", func(r *RefundRequest) { r.Method = "iou" }, 422, "invalid_payment"},
		{"other terminal", func(r *RefundRequest) { r.Terminal = "lane2" }, 403, "forbidden"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := RefundRequest{RefundID: newSaleID(), SaleID: saleID, Lines: []RefundLineRequest{{"PASTA-500", 1}}, Method: "card", Cashier: "anna", Terminal: "lane1"}
			tt.mod(&r)
			before := e.snapshot()
			code, body := e.do("POST", "/api/v1/refunds", tokenLane1, r)
			if code != tt.status || errCode(t, body) != tt.code {
				t.Fatalf("%d %s, want %d %s", code, body, tt.status, tt.code)
			}
			if after := e.snapshot(); after["stock_sum"] != before["stock_sum"] || after["refunds"] != before["refunds"] {
				t.Errorf("refused refund changed data")
			}
		})
	}
	t.Run("the last unit can still be refunded", func(t *testing.T) {
		r := RefundRequest{RefundID: newSaleID(), SaleID: saleID, Lines: []RefundLineRequest{{"CAFFE-250", 1}, {"PASTA-500", 1}}, Method: "card", Cashier: "anna", Terminal: "lane1"}
		if code, body := e.do("POST", "/api/v1/refunds", tokenLane1, r); code != 201 {
			t.Fatalf("%d %s", code, body)
		}
	})
}

func TestServer_Adjust(t *testing.T) {
	e := newTestEnv(t)
	req := AdjustmentRequest{MovementID: newSaleID(), SKU: "VINO-ROSSO", Delta: -2, Reason: "damaged"}
	code, body := e.do("POST", "/api/v1/stock/adjustments", tokenLane1, req)
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	a := decode[Adjustment](t, body)
	if a.Stock.OnHand != 10 || a.Reason != "damaged" || a.Terminal != "lane1" {
		t.Errorf("adjustment %+v, want on_hand 10, damaged, made at lane1 (issue 16 item 11)", a)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE event_id = ? AND json_extract(payload, '$.data.terminal') = 'lane1'`, req.MovementID); n != 1 {
		t.Errorf("the movement event does not name lane1")
	}
	if code2, body2 := e.do("POST", "/api/v1/stock/adjustments", tokenLane1, req); code2 != 200 || !bytes.Equal(body, body2) {
		t.Errorf("repeat: %d %s", code2, body2)
	}
	if st, _ := e.svc.StockOf(t.Context(), "VINO-ROSSO"); st.OnHand != 10 {
		t.Errorf("repeat applied twice: %d", st.OnHand)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'stock/movements' AND event_id = ?`, req.MovementID); n != 1 {
		t.Errorf("movement events %d", n)
	}
	req2 := req
	req2.Delta = -3
	if code, body := e.do("POST", "/api/v1/stock/adjustments", tokenLane1, req2); code != 409 {
		t.Errorf("different body same id: %d %s", code, body)
	}
	for name, r := range map[string]AdjustmentRequest{
		"zero delta":  {MovementID: newSaleID(), SKU: "VINO-ROSSO", Delta: 0, Reason: "found"},
		"bad reason":  {MovementID: newSaleID(), SKU: "VINO-ROSSO", Delta: 1, Reason: "sale"},
		"unknown sku": {MovementID: newSaleID(), SKU: "NOPE", Delta: 1, Reason: "found"},
		"huge delta":  {MovementID: newSaleID(), SKU: "VINO-ROSSO", Delta: 1 << 40, Reason: "found"},
	} {
		if code, body := e.do("POST", "/api/v1/stock/adjustments", tokenLane1, r); code != 422 {
			t.Errorf("%s: %d %s, want 422", name, code, body)
		}
	}
}
