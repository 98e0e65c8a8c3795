package pos

import (
	"net/http"
	"strings"
	"testing"
)

// TestServer_EmbeddedZeroRefused: a variable-measure label whose embedded weight or price is 0
// (a scale that printed before the goods were on it) is refused with 422 naming the line, in the
// quote and in the sale, instead of selling the goods for nothing.
func TestServer_EmbeddedZeroRefused(t *testing.T) {
	zeroPrice := func(code string) (EmbeddedCode, bool) {
		if code == "2999990000005" {
			var p int64
			return EmbeddedCode{LookupGTIN: "08001234567903", Embedded: Embedded{PriceMinor: &p}}, true
		}
		return testEmbedded(code)
	}
	e := newTestEnv(t, func(o *Options) { o.ParseEmbedded = zeroPrice })
	for _, tc := range []struct{ code, want string }{
		{"2012345000000", "embedded weight is 0"},
		{"2999990000005", "embedded price is 0"},
	} {
		for _, path := range []string{"/api/v1/sales/quote", "/api/v1/sales"} {
			req := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1), line(tc.code, 1)}, []Payment{{Method: "card", AmountMinor: 100000}})
			if strings.HasSuffix(path, "quote") {
				req.SaleID, req.Payments = "", nil
			}
			code, body := e.do("POST", path, tokenLane1, req)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("%s %s: %d %s, want 422", path, tc.code, code, body)
			}
			b := string(body)
			if !strings.Contains(b, `"embedded_zero"`) || !strings.Contains(b, `"line":1`) || !strings.Contains(b, tc.want) {
				t.Errorf("%s %s: body %s, want embedded_zero naming line 1 (%q)", path, tc.code, b, tc.want)
			}
		}
	}
	if n := e.count(`SELECT count(*) FROM sales`); n != 0 {
		t.Errorf("%d sales stored, want 0", n)
	}
	// A real weight still sells.
	req := saleBody(newSaleID(), []LineRequest{line("2012345012342", 1)}, []Payment{{Method: "card", AmountMinor: 3690}})
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusCreated {
		t.Errorf("a real embedded weight: %d %s", code, body)
	}
}
