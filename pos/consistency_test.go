package pos

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestServer_RouteErrorsAreJSON checks that unknown routes and wrong methods answer the contract's
// JSON error shape, like every other error.
func TestServer_RouteErrorsAreJSON(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/nope", 404, "not_found", ""},
		{"GET", "/no/such/page", 404, "not_found", ""},
		{"DELETE", "/api/v1/sales", 405, "method_not_allowed", "POST"},
		{"PUT", "/healthz", 405, "method_not_allowed", "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, e.srv.URL+tt.path, nil)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b errorBody
			if err := jsonDecode(resp, &b); err != nil {
				t.Fatalf("body is not the JSON error shape: %v", err)
			}
			if resp.StatusCode != tt.status || b.Error.Code != tt.code || b.Error.Message == "" {
				t.Errorf("got %d %+v; want %d %s", resp.StatusCode, b, tt.status, tt.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
			if tt.allow != "" && !strings.Contains(resp.Header.Get("Allow"), tt.allow) {
				t.Errorf("Allow %q; want it to contain %s", resp.Header.Get("Allow"), tt.allow)
			}
		})
	}
}

// TestServer_TokenMessages checks that a missing and a wrong token get different messages.
func TestServer_TokenMessages(t *testing.T) {
	e := newTestEnv(t)
	code, missing := e.do("GET", "/api/v1/status", "", nil)
	if code != 401 || !strings.Contains(string(missing), "no terminal token") {
		t.Errorf("missing token: %d %s", code, missing)
	}
	code, wrong := e.do("GET", "/api/v1/status", "not-a-real-token-000000", nil)
	if code != 401 || !strings.Contains(string(wrong), "not valid") {
		t.Errorf("wrong token: %d %s", code, wrong)
	}
	code, login := e.do("POST", "/pos/login", "", map[string]string{"token": "not-a-real-token-000000"})
	if code != 401 || !strings.Contains(string(login), "not valid") {
		t.Errorf("login with a wrong token: %d %s", code, login)
	}
}

// TestServer_TypeErrorKeepsLineIndex checks that a JSON type error names the line it is on.
func TestServer_TypeErrorKeepsLineIndex(t *testing.T) {
	e := newTestEnv(t)
	body := `{"sale_id":"` + newSaleID() + `","terminal":"lane1","cashier":"a","lines":[{"code":"PASTA-500"},{"code":"PASTA-500"},{"code":"PASTA-500","qty":"2"}],"payments":[]}`
	code, b := e.do("POST", "/api/v1/sales/quote", tokenLane1, body)
	if code != 400 || !strings.Contains(string(b), "lines[2].qty") {
		t.Errorf("got %d %s; want 400 naming lines[2].qty", code, b)
	}
}

// TestServer_BadCheckDigit checks that a GTIN with a wrong check digit is named as such, in a
// lookup and on a sale line.
func TestServer_BadCheckDigit(t *testing.T) {
	e := newTestEnv(t)
	code, b := e.do("GET", "/api/v1/products/8001234567898", "", nil) // 8001234567897 with a wrong last digit
	if code != 404 || !strings.Contains(string(b), "check digit") {
		t.Errorf("lookup: %d %s; want 404 naming the check digit", code, b)
	}
	code, b = e.do("POST", "/api/v1/sales/quote", tokenLane1, saleBody(newSaleID(), []LineRequest{line("PASTA-500", 1), line("8001234567898", 1)}, nil))
	if code != 422 || errCode(t, b) != "bad_check_digit" || !strings.Contains(string(b), "lines[1]") {
		t.Errorf("sale line: %d %s; want 422 bad_check_digit on lines[1]", code, b)
	}
	code, b = e.do("POST", "/api/v1/sales/quote", tokenLane1, saleBody(newSaleID(), []LineRequest{line("8001234567880", 1)}, nil))
	if code != 422 || errCode(t, b) != "unknown_code" {
		t.Errorf("a valid but unknown GTIN: %d %s; want unknown_code", code, b)
	}
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// TestServer_RefundMethodAndCodes checks that money goes back the way it came and that a refund line
// may name the item by any code a scan gives.
func TestServer_RefundMethodAndCodes(t *testing.T) {
	e := newTestEnv(t)
	saleID := newSaleID()
	code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(saleID, []LineRequest{line("CAFFE-250", 2)}, []Payment{{Method: "cash", AmountMinor: 1000}}))
	if code != 201 {
		t.Fatalf("sale: %d %s", code, body)
	}
	refund := RefundRequest{RefundID: newSaleID(), SaleID: saleID, Lines: []RefundLineRequest{{"8001234567903", 1}},
		Method: "card", Cashier: "anna", Terminal: "lane1"}
	code, body = e.do("POST", "/api/v1/refunds", tokenLane1, refund)
	if code != 422 || errCode(t, body) != "refund_method" || !strings.Contains(string(body), "cash") {
		t.Errorf("cash sale refunded to card: %d %s; want 422 refund_method saying cash", code, body)
	}
	refund.RefundID, refund.Method = newSaleID(), "cash"
	code, body = e.do("POST", "/api/v1/refunds", tokenLane1, refund)
	if code != 201 {
		t.Fatalf("refund by GTIN to cash: %d %s", code, body)
	}
	if r := decode[Refund](t, body); len(r.Lines) != 1 || r.Lines[0].SKU != "CAFFE-250" || r.TotalMinor != 498 {
		t.Errorf("refund by GTIN: %+v; want one CAFFE-250 line of 498", r)
	}
	refund.RefundID, refund.Lines = newSaleID(), []RefundLineRequest{{"8001234567897", 1}} // PASTA-500: not in the sale
	code, body = e.do("POST", "/api/v1/refunds", tokenLane1, refund)
	if code != 422 || errCode(t, body) != "not_in_sale" {
		t.Errorf("refund of an item not sold: %d %s; want not_in_sale", code, body)
	}
}

// TestServer_AdjustmentRules checks the adjustment rules: damaged goods leave stock, one adjustment
// is bounded, and any scanned code names the item.
func TestServer_AdjustmentRules(t *testing.T) {
	e := newTestEnv(t)
	tests := []struct {
		name, sku, reason string
		delta             int64
		status            int
		code              string
	}{
		{"damaged with a positive delta", "PASTA-500", "damaged", 5, 422, "bad_quantity"},
		{"damaged by GTIN", "8001234567897", "damaged", -2, 201, ""},
		{"unbounded units", "PASTA-500", "other", -100_000, 422, "bad_quantity"},
		{"received by GTIN-14", "08001234567910", "received", 24, 201, ""},
		{"weighed item in grams", "PARMIGIANO", "received", 100_000, 201, ""},
		{"unknown code", "8001234567880", "found", 1, 422, "unknown_sku"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do("POST", "/api/v1/stock/adjustments", tokenLane1, AdjustmentRequest{MovementID: newSaleID(), SKU: tt.sku, Delta: tt.delta, Reason: tt.reason})
			if code != tt.status || (tt.code != "" && errCode(t, body) != tt.code) {
				t.Errorf("got %d %s; want %d %s", code, body, tt.status, tt.code)
			}
		})
	}
	if st, _ := e.svc.StockOf(t.Context(), "PASTA-500"); st.OnHand != 98 {
		t.Errorf("PASTA-500 on hand %d; want 98 (100 − 2 damaged)", st.OnHand)
	}
	if st, _ := e.svc.StockOf(t.Context(), "CAFFE-250"); st.OnHand != 74 {
		t.Errorf("CAFFE-250 on hand %d; want 74 (50 + 24 received by GTIN-14)", st.OnHand)
	}
}

// fakeDirectory is a loyalty directory that knows a fixed set of ids.
type fakeDirectory struct {
	known map[string]bool
	err   error
}

func (f fakeDirectory) Lookup(_ context.Context, id string) (Customer, error) {
	if f.err != nil {
		return Customer{}, f.err
	}
	if !f.known[id] {
		return Customer{}, ErrCustomerNotFound
	}
	return Customer{CustomerID: id, Name: "Giulia", Source: "central"}, nil
}

// TestServer_SaleUnknownCustomer checks that an unknown loyalty id completes the sale with a warning.
func TestServer_SaleUnknownCustomer(t *testing.T) {
	for _, tt := range []struct {
		name, id, warning string
		dir               fakeDirectory
	}{
		{"known", "LOY-1", "", fakeDirectory{known: map[string]bool{"LOY-1": true}}},
		{"unknown", "LOY-9", "unknown_customer", fakeDirectory{known: map[string]bool{"LOY-1": true}}},
		{"unverified", "LOY-1", "customer_unverified", fakeDirectory{err: ErrCustomerUnavailable}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, func(o *Options) { o.Customers = tt.dir })
			req := saleBody(newSaleID(), []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 200}})
			req.CustomerID = tt.id
			code, body := e.do("POST", "/api/v1/sales", tokenLane1, req)
			if code != 201 {
				t.Fatalf("sale: %d %s", code, body)
			}
			var got []string
			for _, w := range decode[Sale](t, body).Warnings {
				got = append(got, w.Code)
			}
			if g := strings.Join(got, ","); g != tt.warning {
				t.Errorf("warnings %q; want %q", g, tt.warning)
			}
		})
	}
}
