package pos

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/storeagent/storeagent/sync/db"
)

const (
	tokenLane1 = "lane1-token-0123456789abcdef"
	tokenLane2 = "lane2-token-0123456789abcdef"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// testCatalog is a small Italian/French/Finnish catalogue with several VAT rates, an item sold by
// weight, a packaged item with net content, and an inactive item.
var testCatalog = []CatalogItem{
	{SKU: "PASTA-500", GTINs: []string{"8001234567897"}, Name: "Spaghetti n.5 500 g", PriceMinor: 129, Currency: "EUR", TaxRateBP: 400, Unit: "kg", NetContent: f64(0.5), Category: "pasta", Active: true, Version: 1},
	{SKU: "CAFFE-250", GTINs: []string{"8001234567903", "08001234567910"}, Name: "Caffè espresso 250 g", PriceMinor: 498, Currency: "EUR", TaxRateBP: 2200, Unit: "kg", NetContent: f64(0.25), Category: "caffè", Active: true, Version: 1},
	{SKU: "PARMIGIANO", GTINs: []string{"2012345000001"}, Name: "Parmigiano Reggiano 24 mesi", PriceMinor: 2990, Currency: "EUR", TaxRateBP: 400, Unit: "kg", Category: "formaggi", Active: true, Version: 1},
	{SKU: "VINO-ROSSO", GTINs: []string{"8001234567927"}, Name: "Chianti Classico DOCG", PriceMinor: 1290, Currency: "EUR", TaxRateBP: 2200, Unit: "l", NetContent: f64(0.75), Category: "vino", Active: true, Version: 1},
	{SKU: "CREME-BRULEE", GTINs: []string{"3012345678902"}, Name: "Crème brûlée ×2", PriceMinor: 349, Currency: "EUR", TaxRateBP: 550, Unit: "each", Category: "desserts", Active: true, Version: 1},
	{SKU: "RUISLEIPA", GTINs: []string{"6412345678907"}, Name: "Ruisleipä 500 g", PriceMinor: 249, Currency: "EUR", TaxRateBP: 1000, Unit: "each", Category: "pane", Active: true, Version: 1},
	{SKU: "OLD-ITEM", GTINs: []string{"8001234567934"}, Name: "Articolo ritirato", PriceMinor: 100, Currency: "EUR", TaxRateBP: 2200, Unit: "each", Category: "misc", Active: false, Version: 1},
}

var testStock = map[string]int64{"PASTA-500": 100, "CAFFE-250": 50, "PARMIGIANO": 20000, "VINO-ROSSO": 12, "CREME-BRULEE": 30, "RUISLEIPA": 3}

// testEmbedded decodes the test region's variable-measure codes: 20 IIIII WWWWW C, weight in grams.
func testEmbedded(code string) (EmbeddedCode, bool) {
	if len(code) != 13 || !strings.HasPrefix(code, "20") {
		return EmbeddedCode{}, false
	}
	var w int64
	for _, c := range code[7:12] {
		if c < '0' || c > '9' {
			return EmbeddedCode{}, false
		}
		w = w*10 + int64(c-'0')
	}
	base := code[:7] + "00000"
	// check digit of the lookup code
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(base[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return EmbeddedCode{LookupGTIN: "0" + base + string(rune('0'+(10-sum%10)%10)), Embedded: Embedded{WeightG: &w}}, true
}

type testEnv struct {
	t   *testing.T
	db  *db.DB
	svc *Service
	srv *httptest.Server
	api *Server
}

func newTestEnv(t *testing.T, mod ...func(*Options)) *testEnv {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	opts := Options{
		StoreID: "it-mi-001", Currency: "EUR",
		Terminals: []Terminal{
			{ID: "lane1", Token: tokenLane1, Scanners: []string{"lane1-scanner"}, Printer: "lane1-printer"},
			{ID: "lane2", Token: tokenLane2},
		},
		ParseEmbedded: testEmbedded,
	}
	for _, m := range mod {
		m(&opts)
	}
	svc := New(d, opts)
	if err := svc.SeedCatalog(ctx, testCatalog, testStock); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	api := NewServer(svc, reg)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, db: d, svc: svc, srv: srv, api: api}
}

// do sends a JSON request with a token and returns status and body.
func (e *testEnv) do(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (e *testEnv) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.R.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// snapshot counts every table a failed request must leave alone.
func (e *testEnv) snapshot() map[string]int64 {
	m := map[string]int64{}
	for _, tbl := range []string{"sales", "sale_lines", "sale_payments", "stock_movements", "outbox", "refunds", "receipt_counters"} {
		m[tbl] = e.count("SELECT count(*) FROM " + tbl)
	}
	m["stock_sum"] = e.count("SELECT coalesce(sum(on_hand), 0) FROM stock")
	return m
}

func newSaleID() string { return uuid.Must(uuid.NewV7()).String() }

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func errCode(t *testing.T, b []byte) string {
	t.Helper()
	return decode[errorBody](t, b).Error.Code
}

// loginCookie logs in at /pos/login with token and returns the session cookie.
func (e *testEnv) loginCookie(token string) *http.Cookie {
	e.t.Helper()
	resp, err := e.srv.Client().Post(e.srv.URL+"/pos/login", "application/json", strings.NewReader(`{"token":"`+token+`"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == CookieName {
			return c
		}
	}
	e.t.Fatalf("login: %d, no %s cookie", resp.StatusCode, CookieName)
	return nil
}
