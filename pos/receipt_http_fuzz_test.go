package pos

import (
	"net/http"
	"testing"
)

// FuzzRegisterPrintRoutes_PrintBody sends arbitrary bodies to POST /api/v1/sales/{id}/print: the
// answer is 202 with a job, or a 4xx in the contract's error shape, never a 5xx.
func FuzzRegisterPrintRoutes_PrintBody(f *testing.F) {
	for _, s := range []string{"", "{}", `{"printer":"lane1-printer"}`, `{"printer":"x"}`, `{"printer":1}`, "null", "[]", `{"printer":"lane1-printer"} {}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		env, _ := newDemoEnv(t)
		req := saleBody(newSaleID(), []LineRequest{line("8001234567897", 1)}, []Payment{{Method: "card", AmountMinor: 129}})
		if code, b := env.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusCreated {
			t.Fatalf("create sale: %d %s", code, b)
		}
		code, b := env.do("POST", "/api/v1/sales/"+req.SaleID+"/print", tokenLane1, []byte(body))
		switch {
		case code == http.StatusAccepted:
			if decode[map[string]string](t, b)["job_id"] == "" {
				t.Fatalf("202 without job_id: %s", b)
			}
		case code >= 400 && code < 500:
			if errCode(t, b) == "" {
				t.Fatalf("%d without an error code: %s", code, b)
			}
		default:
			t.Fatalf("body %q: got %d %s", body, code, b)
		}
	})
}
