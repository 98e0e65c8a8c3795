package pos

import (
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updatePages = flag.Bool("update-pages", false, "rewrite the golden files under testdata/web")

// newPageEnv is a test environment with the pages registered; the rate limit is off unless mod sets it.
func newPageEnv(t *testing.T, mod ...func(*PageOptions)) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	opts := PageOptions{StoreName: "Negozio <Milano>", Locale: "it-IT", Currency: "EUR",
		WebshopProductURL: "https://shop.example/p/{gtin}", AisleBase: "http://store.local:8080", RatePerIP: -1}
	for _, m := range mod {
		m(&opts)
	}
	if err := RegisterPages(e.api, e.svc, opts); err != nil {
		t.Fatal(err)
	}
	return e
}

// getPage fetches path with an Accept-Language header and returns status, headers and body.
func (e *testEnv) getPage(path, acceptLang string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// mainFragment is the page's <main> element, the part the golden files hold.
func mainFragment(t *testing.T, page string) string {
	t.Helper()
	i, j := strings.Index(page, "<main>"), strings.Index(page, "</main>")
	if i < 0 || j < i {
		t.Fatalf("no <main> in page:\n%s", page)
	}
	return page[i:j+len("</main>")] + "\n"
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "web", name)
	if *updatePages {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pos -run Page -update-pages to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestPages_Aisle(t *testing.T) {
	e := newPageEnv(t)
	// Sell out the Finnish bread so its page shows alternatives... it has none in its category,
	// so add a second bread that is in stock.
	if err := e.svc.SeedCatalog(t.Context(), []CatalogItem{
		{SKU: "NAKKILEIPA", GTINs: []string{"6412345678914"}, Name: "Näkkileipä <crisp> & co", PriceMinor: 199, Currency: "EUR", TaxRateBP: 1400, Unit: "each", Category: "pane", Active: true, Version: 1},
		{SKU: "RUISLEIPA", GTINs: []string{"6412345678907"}, Name: "Ruisleipä 500 g", PriceMinor: 249, Currency: "EUR", TaxRateBP: 1000, Unit: "each", Category: "pane", Active: true, Version: 1},
		{SKU: "LAST-ONES", Name: "Panettone 1 kg", PriceMinor: 1490, Currency: "EUR", TaxRateBP: 1000, Unit: "each", Category: "dolci", Active: true, Version: 1},
	}, map[string]int64{"NAKKILEIPA": 40, "RUISLEIPA": 0, "LAST-ONES": 2}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, lang string
		status           int
		want             []string
	}{
		{"it-packaged", "/p/8001234567903", "it-IT,it;q=0.9", 200, []string{"Caffè espresso 250 g", "4,98 €", "19,92 € al kg", "Disponibile"}},
		{"fr-litre", "/p/VINO-ROSSO", "fr-FR", 200, []string{"12,90 €", "17,20 € le litre", "En stock"}},
		{"en-weighed", "/01/02012345000001", "en-GB", 200, []string{"€29.90/kg", "In stock"}},
		{"it-low-stock", "/p/LAST-ONES", "it", 200, []string{"Solo 2 rimasti", "stock-low"}},
		{"fr-low-stock", "/p/LAST-ONES", "fr", 200, []string{"Plus que 2"}},
		{"fi-out-of-stock", "/p/6412345678907", "fi", 200, []string{"Loppunut", "Näkkileipä &lt;crisp&gt; &amp; co", "https://shop.example/p/06412345678907"}},
		{"fallback-store-locale", "/p/PASTA-500", "de-DE", 200, []string{"Disponibile", "2,58 € al kg"}},
		{"digital-link-path", "/01/08001234567927/10/LOT1?17=270101", "en", 200, []string{"Chianti Classico DOCG", "€17.20 per litre"}},
		{"en-not-found", "/p/0000000000000", "en", 404, []string{"Product not found"}},
		{"it-inactive", "/p/OLD-ITEM", "it", 404, []string{"non è più in vendita"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := e.getPage(c.path, c.lang)
			if status != c.status {
				t.Fatalf("status got %d, want %d; body:\n%s", status, c.status, body)
			}
			if got := h.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("content type got %q", got)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("CSP got %q", h.Get("Content-Security-Policy"))
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			if !strings.Contains(body, `<input id="photo" class="visually-hidden" name="image" type="file" accept="image/*" capture="environment">`) {
				t.Error("page lacks the scan-another input")
			}
			// The control is a camera button (a styled label with an icon), not a raw file input.
			if !strings.Contains(body, `<label for="photo" class="camera-button"><svg aria-hidden="true"`) {
				t.Error("the scan-another control is not the camera button")
			}
			if strings.Contains(body, "<script src=\"http") || strings.Contains(body, "//cdn") {
				t.Error("page loads a third-party script")
			}
			if len(body) > 50_000 {
				t.Errorf("page weighs %d bytes, want < 50 KB", len(body))
			}
			checkGolden(t, filepath.Join("aisle", c.name+".html"), mainFragment(t, body))
		})
	}
	t.Run("lang attribute follows Accept-Language", func(t *testing.T) {
		for lang, want := range map[string]string{"fr-CA": "fr", "fi-FI,en;q=0.5": "fi", "en-US": "en", "": "it", "xx": "it"} {
			_, _, body := e.getPage("/p/PASTA-500", lang)
			if !strings.Contains(body, `<html lang="`+want+`">`) {
				t.Errorf("Accept-Language %q: want lang %q in %.80s", lang, want, body)
			}
		}
	})
	t.Run("store name is escaped", func(t *testing.T) {
		_, _, body := e.getPage("/p/PASTA-500", "it")
		if strings.Contains(body, "<Milano>") || !strings.Contains(body, "Negozio &lt;Milano&gt;") {
			t.Errorf("store name not escaped:\n%s", body)
		}
	})
	t.Run("unknown code is echoed nowhere", func(t *testing.T) {
		status, _, body := e.getPage("/p/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "en")
		if status != 404 || strings.Contains(body, "<script>alert") {
			t.Errorf("status %d, body:\n%s", status, body)
		}
	})
}

func TestPages_RateLimit(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	e := newPageEnv(t, func(o *PageOptions) {
		o.RatePerIP, o.BurstPerIP = 1, 3
		o.Now = func() time.Time { return now }
	})
	var got []int
	for range 5 {
		status, _, _ := e.getPage("/p/PASTA-500", "en")
		got = append(got, status)
	}
	want := []int{200, 200, 200, 429, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses got %v, want %v", got, want)
		}
	}
	now = now.Add(time.Second)
	if status, _, _ := e.getPage("/p/PASTA-500", "en"); status != 200 {
		t.Errorf("after a second got %d, want 200", status)
	}
}

func TestIPLimiter_Allow(t *testing.T) {
	now := time.Unix(0, 0)
	l := newIPLimiter(2, 2, func() time.Time { return now })
	t.Run("per IP", func(t *testing.T) {
		if !l.allow("a") || !l.allow("a") || l.allow("a") {
			t.Error("a: want two then refusal")
		}
		if !l.allow("b") {
			t.Error("b is refused because of a")
		}
	})
	t.Run("refills at rate", func(t *testing.T) {
		now = now.Add(500 * time.Millisecond)
		if !l.allow("a") || l.allow("a") {
			t.Error("want exactly one token after half a second at 2/s")
		}
	})
	t.Run("table stays bounded", func(t *testing.T) {
		now = now.Add(time.Hour)
		for i := range maxIPs + 10 {
			l.allow(string(rune(i)))
		}
		if n := len(l.buckets); n > maxIPs {
			t.Errorf("buckets got %d, want <= %d", n, maxIPs)
		}
	})
}

func TestService_Alternatives(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	if err := e.svc.SeedCatalog(ctx, []CatalogItem{
		{SKU: "CAFFE-1KG", GTINs: []string{"8001234567941"}, Name: "Caffè 1 kg", PriceMinor: 1590, Currency: "EUR", TaxRateBP: 2200, Unit: "kg", NetContent: f64(1), Category: "caffè", Active: true, Version: 1},
		{SKU: "CAFFE-DEK", GTINs: []string{"8001234567958"}, Name: "Caffè dek 250 g", PriceMinor: 529, Currency: "EUR", TaxRateBP: 2200, Unit: "kg", NetContent: f64(0.25), Category: "caffè", Active: true, Version: 1},
		{SKU: "CAFFE-OUT", GTINs: []string{"8001234567965"}, Name: "Caffè finito", PriceMinor: 500, Currency: "EUR", TaxRateBP: 2200, Unit: "kg", NetContent: f64(0.25), Category: "caffè", Active: true, Version: 1},
		{SKU: "CAFFE-OLD", GTINs: []string{"8001234567972"}, Name: "Caffè vecchio", PriceMinor: 498, Currency: "EUR", TaxRateBP: 2200, Unit: "kg", NetContent: f64(0.25), Category: "caffè", Active: false, Version: 1},
	}, map[string]int64{"CAFFE-1KG": 5, "CAFFE-DEK": 5, "CAFFE-OUT": 0, "CAFFE-OLD": 9}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Alternatives(ctx, "CAFFE-250", "caffè", 3)
	if err != nil {
		t.Fatal(err)
	}
	var skus []string
	for _, p := range got {
		skus = append(skus, p.SKU)
	}
	// Nearest price to 4,98 first; out of stock, inactive and the item itself left out.
	if want := "CAFFE-DEK,CAFFE-1KG"; strings.Join(skus, ",") != want {
		t.Errorf("got %v, want %s", skus, want)
	}
	if got, _ := e.svc.Alternatives(ctx, "CAFFE-250", "caffè", 1); len(got) != 1 {
		t.Errorf("n=1 got %d products", len(got))
	}
}

func TestPages_POSScreen(t *testing.T) {
	e := newPageEnv(t)
	status, h, body := e.getPage("/pos", "")
	if status != 200 {
		t.Fatalf("status got %d", status)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("CSP got %q", h.Get("Content-Security-Policy"))
	}
	for _, want := range []string{`<html lang="it">`, `id="login-form"`, `data-locale="it-IT"`, `data-denoms="50000,20000,10000,5000,2000,1000,500,200,100,50,20,10,5,2,1"`, `id="tillp"`, `id="code"`, `id="basket"`, `id="cash"`,
		`offline — sales are kept and will sync`, `src="/web/pos.js"`, `data-currency="EUR"`, "Negozio &lt;Milano&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("/pos lacks %q", want)
		}
	}
	checkGolden(t, filepath.Join("pos", "screen.html"), body)
}

func TestPages_Assets(t *testing.T) {
	e := newPageEnv(t)
	cases := []struct {
		path, ctype string
		status      int
		want        string
	}{
		{"/web/pos.js", "text/javascript; charset=utf-8", 200, "uuid4()"},
		{"/web/aisle.js", "text/javascript; charset=utf-8", 200, "/api/v1/scan"},
		{"/web/aisle.css", "text/css; charset=utf-8", 200, "body{"},
		{"/web/aisle.css", "text/css; charset=utf-8", 200, ".camera-button{"},
		{"/web/pos.css", "text/css; charset=utf-8", 200, "1024"},
		{"/web/aisle.html", "", 404, ""},
		{"/web/nope.js", "", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			status, h, body := e.getPage(c.path, "")
			if status != c.status {
				t.Fatalf("status got %d, want %d", status, c.status)
			}
			if c.ctype != "" && h.Get("Content-Type") != c.ctype {
				t.Errorf("content type got %q, want %q", h.Get("Content-Type"), c.ctype)
			}
			if !strings.Contains(body, c.want) {
				t.Errorf("body lacks %q", c.want)
			}
		})
	}
	t.Run("aisle page weight", func(t *testing.T) {
		total := 0
		for _, p := range []string{"/p/PASTA-500", "/web/aisle.css", "/web/aisle.js"} {
			_, _, body := e.getPage(p, "it")
			total += len(body)
		}
		if total > 50_000 {
			t.Errorf("aisle page with its assets weighs %d bytes, want < 50 KB", total)
		}
		t.Logf("aisle page with assets: %d bytes", total)
	})
}

func TestRegisterPages_OpenAPI(t *testing.T) {
	e := newPageEnv(t)
	got := map[string]bool{}
	for _, r := range e.api.Routes() {
		got[r.Method+" "+r.Pattern] = r.Auth
	}
	for route, auth := range map[string]bool{"GET /p/{code}": false, "GET /01/{gtin}": false,
		"GET /01/{gtin}/{rest...}": false, "GET /pos": false, "GET /web/{file}": false, "GET /api/v1/labels": true} {
		a, ok := got[route]
		if !ok || a != auth {
			t.Errorf("route %s: registered %v auth %v, want auth %v", route, ok, a, auth)
		}
	}
}
