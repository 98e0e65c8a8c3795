package pos

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func searchSKUs(t *testing.T, e *testEnv, query string) (int, []string) {
	t.Helper()
	code, body := e.do("GET", "/api/v1/products?"+query, tokenLane1, nil)
	if code != http.StatusOK {
		return code, nil
	}
	var skus []string
	for _, p := range decode[ProductList](t, body).Products {
		skus = append(skus, p.SKU)
	}
	return code, skus
}

// TestServer_SearchProducts: every word must appear in the name or SKU, results are by name and
// bounded, inactive items are never offered, and LIKE's wildcards are searched for as text.
func TestServer_SearchProducts(t *testing.T) {
	e := newTestEnv(t)
	for _, c := range []struct {
		q    string
		want string
	}{
		{"q=" + url.QueryEscape("caffè"), "CAFFE-250"},
		{"q=" + url.QueryEscape("500 g"), "RUISLEIPA,PASTA-500"},
		{"q=SPAG", "PASTA-500"},
		{"q=vino-rosso", "VINO-ROSSO"},
		{"q=" + url.QueryEscape("g") + "&limit=2", "CAFFE-250,VINO-ROSSO"},
		{"q=ritirato", ""},
		{"q=%25", ""},
		{"q=_", ""},
		{"q=" + url.QueryEscape("spaghetti caffè"), ""},
	} {
		code, got := searchSKUs(t, e, c.q)
		if code != http.StatusOK || strings.Join(got, ",") != c.want {
			t.Errorf("%s: %d %v, want %s", c.q, code, got, c.want)
		}
	}
	for _, q := range []string{"", "q=", "q=%20%20", "q=" + strings.Repeat("a", 65), "q=a+b+c+d+e+f", "q=a&limit=0", "q=a&limit=25", "q=a&limit=x", "q=%ff"} {
		if code, _ := searchSKUs(t, e, q); code != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", q, code)
		}
	}
	if code, _ := e.do("GET", "/api/v1/products?q=caff", "", nil); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", code)
	}
}

// TestServer_QuickKeys: the configured SKUs in their order, without the unknown and the inactive.
func TestServer_QuickKeys(t *testing.T) {
	e := newTestEnv(t, func(o *Options) {
		o.QuickKeys = []string{"VINO-ROSSO", "NOT-IN-CATALOGUE", "CAFFE-250", "OLD-ITEM", "PARMIGIANO"}
	})
	code, body := e.do("GET", "/api/v1/pos/quick-keys", tokenLane1, nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	var got []string
	for _, p := range decode[ProductList](t, body).Products {
		got = append(got, p.SKU)
	}
	if strings.Join(got, ",") != "VINO-ROSSO,CAFFE-250,PARMIGIANO" {
		t.Errorf("quick keys %v", got)
	}
}

// FuzzSearchProducts: any search text and limit is a bounded list of active products, or a 400 in
// the contract's error shape; never a 5xx, never more than the limit.
func FuzzSearchProducts(f *testing.F) {
	for _, s := range []string{"caffè", "500 g", "%", `\`, "a b c d e f", "", strings.Repeat("x", 70), "\xff", "' OR 1=1 --"} {
		f.Add(s, 12)
	}
	f.Fuzz(func(t *testing.T, q string, limit int) {
		e := newTestEnv(t)
		code, body := e.do("GET", "/api/v1/products?q="+url.QueryEscape(q)+"&limit="+strconv.Itoa(limit), tokenLane1, nil)
		switch {
		case code == http.StatusOK:
			ps := decode[ProductList](t, body).Products
			if len(ps) > limit || len(ps) > searchMaxLimit {
				t.Fatalf("%d products for limit %d", len(ps), limit)
			}
			for _, p := range ps {
				if !p.Active {
					t.Fatalf("inactive %s offered", p.SKU)
				}
			}
		case code == http.StatusBadRequest:
			if errCode(t, body) != "bad_request" {
				t.Fatalf("400 without its code: %s", body)
			}
		default:
			t.Fatalf("q %q limit %d: %d %s", q, limit, code, body)
		}
	})
}
