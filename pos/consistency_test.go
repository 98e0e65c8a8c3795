package pos

import (
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
