package pos

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestServer_JSONKeysStrict (issue 16, Low): encoding/json takes "Sale_ID" for sale_id and lets
// the last of two equal keys win; a till's request must mean exactly what it says.
func TestServer_JSONKeysStrict(t *testing.T) {
	e := newTestEnv(t)
	id := newSaleID()
	ok := `{"sale_id":"` + id + `","terminal":"lane1","cashier":"ann","lines":[{"code":"PASTA-500","qty":1}],"payments":[{"method":"cash","amount_minor":200}]}`
	for _, c := range []struct{ name, body, want string }{
		{"duplicate top-level key", strings.Replace(ok, `"cashier":"ann"`, `"cashier":"ann","cashier":"bob"`, 1), "cashier: the key is given twice"},
		{"duplicate key in a line", strings.Replace(ok, `"qty":1`, `"qty":1,"qty":50`, 1), "lines[0].qty: the key is given twice"},
		{"case-folded key", strings.Replace(ok, `"sale_id"`, `"Sale_ID"`, 1), "Sale_ID: unknown key; keys are case-sensitive: did you mean"},
		{"case-folded nested key", strings.Replace(ok, `"amount_minor"`, `"AMOUNT_MINOR"`, 1), `payments[0].AMOUNT_MINOR: unknown key`},
	} {
		code, body := e.do("POST", "/api/v1/sales", tokenLane1, c.body)
		if code != 400 || !strings.Contains(string(body), c.want) {
			t.Errorf("%s: %d %s, want 400 naming %q", c.name, code, body, c.want)
		}
	}
	if n := e.count(`SELECT count(*) FROM sales`); n != 0 {
		t.Fatalf("%d sales stored from refused requests", n)
	}
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, ok); code != 201 {
		t.Errorf("the same sale with exact keys: %d %s", code, body)
	}
}

func FuzzCheckKeys(f *testing.F) {
	for _, s := range []string{`{"sale_id":"x","lines":[{"code":"a","qty":1}]}`, `{"a":1,"a":2}`, `[1,{"b":[{}]}]`, `{"print":{"x":1,"x":2}}`,
		`{"Lines":[{"CODE":"a"}]}`, `"s"`, `{"customer_id":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			return
		}
		err := checkKeys([]byte(s), reflect.TypeOf(&SaleRequest{}))
		// A body with no key at all can never be refused.
		if err != nil && !strings.Contains(s, ":") {
			t.Fatalf("refused %q without keys: %v", s, err)
		}
	})
}
