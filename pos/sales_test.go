package pos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func saleBody(id string, lines []LineRequest, pays []Payment) SaleRequest {
	return SaleRequest{SaleID: id, Terminal: "lane1", Cashier: "anna", Lines: lines, Payments: pays}
}

func line(code string, qty int64) LineRequest { return LineRequest{Code: code, Qty: &qty} }

func TestServer_CreateSale(t *testing.T) {
	e := newTestEnv(t)
	id := newSaleID()
	req := saleBody(id, []LineRequest{
		line("8001234567897", 2),                // pasta 2 × 1.29 at 4 %
		line("CAFFE-250", 1),                    // by SKU, 4.98 at 22 %
		{Code: "PARMIGIANO", WeightG: i64(333)}, // 29.90/kg × 333 g = 9.9567 → 9.96 at 4 %
		line("2012345012342", 1),                // weight-embedded code: 1234 g parmigiano = 36.8966 → 36.90
		line("6412345678907", 1),                // 2.49 at 10 %
	}, []Payment{{Method: "card", AmountMinor: 1000}, {Method: "cash", AmountMinor: 5000}})
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, req)
	if code != http.StatusCreated {
		t.Fatalf("POST /api/v1/sales: %d %s", code, body)
	}
	s := decode[Sale](t, body)
	wantAmounts := []int64{258, 498, 996, 3690, 249}
	for i, w := range wantAmounts {
		if s.Lines[i].AmountMinor != w {
			t.Errorf("line %d (%s): amount %d, want %d", i, s.Lines[i].SKU, s.Lines[i].AmountMinor, w)
		}
	}
	if s.TotalMinor != 5691 {
		t.Errorf("total %d, want 5691", s.TotalMinor)
	}
	if s.ChangeMinor != 5000+1000-5691 {
		t.Errorf("change %d, want %d", s.ChangeMinor, 5000+1000-5691)
	}
	// 4 %: 258+996+3690 = 4944 → 190.15 → 190; 10 %: 249 → 22.6 → 23; 22 %: 498 → 89.8 → 90.
	wantTaxes := []TaxLine{{400, 4944, 190}, {1000, 249, 23}, {2200, 498, 90}}
	if fmt.Sprint(s.Taxes) != fmt.Sprint(wantTaxes) || s.TaxMinor != 303 {
		t.Errorf("taxes %+v (sum %d), want %+v (sum 303)", s.Taxes, s.TaxMinor, wantTaxes)
	}
	if s.ReceiptNo != "lane1-000001" || s.Status != "completed" {
		t.Errorf("receipt_no %q status %q", s.ReceiptNo, s.Status)
	}
	if s.Lines[3].WeightG == nil || *s.Lines[3].WeightG != 1234 {
		t.Errorf("embedded weight not carried: %+v", s.Lines[3])
	}
	// Stock moved: pasta −2, caffè −1, parmigiano −333 g −1234 g.
	for sku, want := range map[string]int64{"PASTA-500": 98, "CAFFE-250": 49, "PARMIGIANO": 20000 - 333 - 1234, "RUISLEIPA": 2} {
		st, err := e.svc.StockOf(t.Context(), sku)
		if err != nil || st.OnHand != want {
			t.Errorf("stock %s: %+v %v, want on_hand %d", sku, st, err, want)
		}
	}
	// One sale event and one movement event per line, seq from 1 without gaps.
	if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'sales' AND event_id = ?`, id); n != 1 {
		t.Errorf("sales events for the sale: %d, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE topic = 'stock/movements'`); n != 5 {
		t.Errorf("movement events: %d, want 5", n)
	}
	if n := e.count(`SELECT max(seq) FROM outbox WHERE topic = 'stock/movements'`); n != 5 {
		t.Errorf("movement seq max %d, want 5", n)
	}
	var payload []byte
	e.db.R.QueryRow(`SELECT payload FROM outbox WHERE event_id = ?`, id).Scan(&payload)
	var ev map[string]any
	json.Unmarshal(payload, &ev)
	if ev["specversion"] != "1.0" || ev["type"] != "retail.sale.completed" || ev["source"] != "/stores/it-mi-001" || ev["seq"] != 1.0 || ev["epoch"] != e.db.Epoch {
		t.Errorf("sale event envelope: %s", payload)
	}
	data := ev["data"].(map[string]any)
	if data["sale_id"] != id || data["terminal"] != "lane1" || data["cashier"] != "anna" || data["currency"] != "EUR" {
		t.Errorf("sale event data: %v", data)
	}

	t.Run("repeat answers 200 with the same body", func(t *testing.T) {
		before := e.snapshot()
		code2, body2 := e.do("POST", "/api/v1/sales", tokenLane1, req)
		if code2 != http.StatusOK || !bytes.Equal(body, body2) {
			t.Fatalf("repeat: %d %s\nwant 200 %s", code2, body2, body)
		}
		if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("repeat changed the database: %v → %v", before, after)
		}
	})
	t.Run("repeat that also asks to print is the same sale", func(t *testing.T) {
		r := req
		r.Print = json.RawMessage("true")
		if code, body := e.do("POST", "/api/v1/sales", tokenLane1, r); code != http.StatusOK {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("same id, different body is 409", func(t *testing.T) {
		r := req
		r.Cashier = "marco"
		code, body := e.do("POST", "/api/v1/sales", tokenLane1, r)
		if code != http.StatusConflict || errCode(t, body) != "conflict" {
			t.Fatalf("got %d %s, want 409 conflict", code, body)
		}
	})
	t.Run("GET returns the stored sale", func(t *testing.T) {
		code, got := e.do("GET", "/api/v1/sales/"+id, tokenLane2, nil)
		if code != 200 || !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(body)) {
			t.Fatalf("GET: %d %s", code, got)
		}
		if code, _ := e.do("GET", "/api/v1/sales/"+newSaleID(), tokenLane1, nil); code != 404 {
			t.Errorf("unknown sale: %d, want 404", code)
		}
	})
	t.Run("receipt numbers count per terminal", func(t *testing.T) {
		for i, want := range []string{"lane1-000002", "lane1-000003"} {
			code, b := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}}))
			if code != 201 || decode[Sale](t, b).ReceiptNo != want {
				t.Fatalf("sale %d: %d %s, want receipt %s", i, code, b, want)
			}
		}
		r := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}})
		r.Terminal = "lane2"
		code, b := e.do("POST", "/api/v1/sales", tokenLane2, r)
		if code != 201 || decode[Sale](t, b).ReceiptNo != "lane2-000001" {
			t.Fatalf("lane2: %d %s", code, b)
		}
	})
}

func TestServer_CreateSale_NeverRefusedForStock(t *testing.T) {
	e := newTestEnv(t)
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("RUISLEIPA", 5)}, []Payment{{Method: "cash", AmountMinor: 2000}}))
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	st, _ := e.svc.StockOf(t.Context(), "RUISLEIPA")
	if st.OnHand != -2 {
		t.Errorf("on_hand %d, want -2 (3 − 5)", st.OnHand)
	}
}

func TestServer_CreateSale_CashRounding(t *testing.T) {
	e := newTestEnv(t, func(o *Options) { o.CashRoundingMinor = 5 })
	// 2 × 1.29 = 2.58 → cash 2.60, rounding +2.
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("PASTA-500", 2)}, []Payment{{Method: "cash", AmountMinor: 500}}))
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	s := decode[Sale](t, body)
	if s.TotalMinor != 258 || s.RoundingMinor != 2 || s.DueMinor != 260 || s.ChangeMinor != 240 {
		t.Errorf("total %d rounding %d due %d change %d; want 258 2 260 240", s.TotalMinor, s.RoundingMinor, s.DueMinor, s.ChangeMinor)
	}
	// By card no rounding.
	code, body = e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("PASTA-500", 2)}, []Payment{{Method: "card", AmountMinor: 258}}))
	if s := decode[Sale](t, body); code != 201 || s.RoundingMinor != 0 || s.DueMinor != 258 {
		t.Errorf("card: %d %s", code, body)
	}
	// The quote shows the cash figure.
	code, body = e.do("POST", "/api/v1/sales/quote", tokenLane1, saleBody("", []LineRequest{line("PASTA-500", 2)}, nil))
	q := decode[Quote](t, body)
	if code != 200 || q.TotalMinor != 258 || q.CashDueMinor != 260 || q.RoundingMinor != 2 {
		t.Errorf("quote: %d %s", code, body)
	}
}

func TestServer_Quote_StoresNothing(t *testing.T) {
	e := newTestEnv(t)
	before := e.snapshot()
	code, body := e.do("POST", "/api/v1/sales/quote", tokenLane1, saleBody("", []LineRequest{line("CAFFE-250", 3), {Code: "PARMIGIANO", WeightG: i64(500)}}, nil))
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	q := decode[Quote](t, body)
	if q.TotalMinor != 3*498+1495 || len(q.Taxes) != 2 {
		t.Errorf("quote %+v", q)
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("quote changed the database: %v → %v", before, after)
	}
}

func TestServer_CreateSale_BadInput(t *testing.T) {
	e := newTestEnv(t)
	valid := func() SaleRequest {
		return saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}})
	}
	tests := []struct {
		name     string
		token    string
		body     any
		status   int
		code     string
		wantLine int
	}{
		{"no token", "", valid(), 401, "unauthorized", -1},
		{"wrong token", "nope-nope-nope-nope", valid(), 401, "unauthorized", -1},
		{"token of another terminal", tokenLane2, valid(), 403, "forbidden", -1},
		{"malformed JSON", tokenLane1, `{"sale_id": "x",`, 400, "bad_request", -1},
		{"not an object", tokenLane1, `[1,2,3]`, 400, "bad_request", -1},
		{"trailing garbage", tokenLane1, `{"sale_id":"` + newSaleID() + `"} xyz`, 400, "bad_request", -1},
		{"unknown field", tokenLane1, `{"sale_id":"` + newSaleID() + `","terminal":"lane1","cashier":"a","lines":[],"payments":[],"discount":5}`, 400, "bad_request", -1},
		{"empty body", tokenLane1, ``, 400, "bad_request", -1},
		{"huge body", tokenLane1, `{"sale_id":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large", -1},
		{"missing sale_id", tokenLane1, func() SaleRequest { r := valid(); r.SaleID = ""; return r }(), 400, "bad_request", -1},
		{"sale_id not a UUID", tokenLane1, func() SaleRequest { r := valid(); r.SaleID = "sale-1"; return r }(), 400, "bad_request", -1},
		{"missing terminal", tokenLane1, func() SaleRequest { r := valid(); r.Terminal = ""; return r }(), 400, "bad_request", -1},
		{"missing cashier", tokenLane1, func() SaleRequest { r := valid(); r.Cashier = ""; return r }(), 400, "bad_request", -1},
		{"no lines", tokenLane1, func() SaleRequest { r := valid(); r.Lines = nil; return r }(), 422, "no_lines", -1},
		{"zero qty", tokenLane1, func() SaleRequest { r := valid(); r.Lines = append(r.Lines, line("PASTA-500", 0)); return r }(), 422, "bad_quantity", 1},
		{"negative qty", tokenLane1, func() SaleRequest { r := valid(); r.Lines = []LineRequest{line("PASTA-500", -3)}; return r }(), 422, "bad_quantity", 0},
		{"absurd qty", tokenLane1, func() SaleRequest { r := valid(); r.Lines = []LineRequest{line("PASTA-500", 1e9)}; return r }(), 422, "bad_quantity", 0},
		{"unknown code", tokenLane1, func() SaleRequest { r := valid(); r.Lines = append(r.Lines, line("0000000000000", 1)); return r }(), 422, "unknown_code", 1},
		{"inactive code", tokenLane1, func() SaleRequest { r := valid(); r.Lines = []LineRequest{line("8001234567934", 1)}; return r }(), 422, "inactive", 0},
		{"weighed item without weight", tokenLane1, func() SaleRequest { r := valid(); r.Lines = []LineRequest{line("PARMIGIANO", 1)}; return r }(), 422, "weight_required", 0},
		{"weight on a piece item", tokenLane1, func() SaleRequest {
			r := valid()
			r.Lines = []LineRequest{{Code: "CAFFE-250", WeightG: i64(100)}}
			return r
		}(), 422, "bad_quantity", 0},
		{"zero weight", tokenLane1, func() SaleRequest {
			r := valid()
			r.Lines = []LineRequest{{Code: "PARMIGIANO", WeightG: i64(0)}}
			return r
		}(), 422, "bad_quantity", 0},
		{"payments short", tokenLane1, func() SaleRequest { r := valid(); r.Payments = []Payment{{Method: "cash", AmountMinor: 400}}; return r }(), 422, "payments_short", -1},
		{"card overpays", tokenLane1, func() SaleRequest {
			r := valid()
			r.Payments = []Payment{{Method: "card", AmountMinor: 1000}}
			return r
		}(), 422, "non_cash_overpayment", -1},
		{"unknown method", tokenLane1, func() SaleRequest { r := valid(); r.Payments = []Payment{{Method: "iou", AmountMinor: 498}}; return r }(), 422, "invalid_payment", -1},
		{"string qty", tokenLane1, `{"sale_id":"` + newSaleID() + `","terminal":"lane1","cashier":"a","lines":[{"code":"CAFFE-250","qty":"2"}],"payments":[]}`, 400, "bad_request", -1},
		{"unknown reservation", tokenLane1, func() SaleRequest { r := valid(); r.ReservationID = "r-unknown"; return r }(), 422, "unknown_reservation", -1},
		{"print on a terminal without printer", tokenLane2, func() SaleRequest { r := valid(); r.Terminal = "lane2"; r.Print = json.RawMessage("true"); return r }(), 422, "no_printer", -1},
	}
	before := e.snapshot()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("POST", "/api/v1/sales", tt.token, tt.body)
			if code != tt.status {
				t.Fatalf("status %d %s, want %d", code, body, tt.status)
			}
			eb := decode[errorBody](t, body)
			if eb.Error.Code != tt.code || eb.Error.Message == "" {
				t.Errorf("error %+v, want code %s with a message", eb.Error, tt.code)
			}
			if tt.wantLine >= 0 {
				if eb.Error.Line == nil || *eb.Error.Line != tt.wantLine || !strings.Contains(eb.Error.Message, fmt.Sprintf("lines[%d]", tt.wantLine)) {
					t.Errorf("error does not name line %d: %+v", tt.wantLine, eb.Error)
				}
			}
		})
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused requests changed the database: %v → %v", before, after)
	}
}

func TestServer_Login(t *testing.T) {
	e := newTestEnv(t)
	code, _ := e.do("POST", "/pos/login", "", map[string]string{"token": "wrong-wrong-wrong"})
	if code != 401 {
		t.Fatalf("bad token login: %d", code)
	}
	resp, err := e.srv.Client().Post(e.srv.URL+"/pos/login", "application/json", strings.NewReader(`{"token":"`+tokenLane1+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			cookie = c
		}
	}
	if resp.StatusCode != 200 || cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login: %d cookie %+v", resp.StatusCode, cookie)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/status", nil)
	req.AddCookie(cookie)
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status with cookie: %d", resp.StatusCode)
	}
}

func TestServer_Products(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		code, sku string
		status    int
		errCode   string
	}{
		{"8001234567903", "CAFFE-250", 200, ""},
		{"08001234567910", "CAFFE-250", 200, ""}, // second GTIN, as GTIN-14
		{"CAFFE-250", "CAFFE-250", 200, ""},
		{"2012345012342", "PARMIGIANO", 200, ""},
		{"8001234567934", "", 404, "inactive"},
		{"9999999999994", "", 404, "not_found"},
		{"nothing-here", "", 404, "not_found"},
	}
	for _, tt := range tests {
		code, body := e.do("GET", "/api/v1/products/"+tt.code, "", nil)
		if code != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.code, code, body, tt.status)
			continue
		}
		if tt.status != 200 {
			if got := errCode(t, body); got != tt.errCode {
				t.Errorf("%s: code %s, want %s", tt.code, got, tt.errCode)
			}
			continue
		}
		p := decode[Product](t, body)
		if p.SKU != tt.sku || p.Currency != "EUR" || p.Stock.Available != p.Stock.OnHand-p.Stock.Reserved {
			t.Errorf("%s: %+v", tt.code, p)
		}
	}
	_, body := e.do("GET", "/api/v1/products/2012345012342", "", nil)
	if p := decode[Product](t, body); p.Embedded == nil || p.Embedded.WeightG == nil || *p.Embedded.WeightG != 1234 {
		t.Errorf("variable-measure lookup: %s", body)
	}
}
