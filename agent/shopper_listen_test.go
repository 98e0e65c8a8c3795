package agent

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
)

// TestAgent_ShopperListener: with http.shopper_listen the shoppers' pages are served on their own
// plain-HTTP port while the POS (login included) stays on the TLS listener only (issue 16 item 12).
func TestAgent_ShopperListener(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	cfg := testConfig(t)
	cfg.HTTP.TLSCertFile, cfg.HTTP.TLSKeyFile = certFile, keyFile
	cfg.HTTP.ShopperListen = "127.0.0.1:0"
	a := startAgent(t, cfg)
	shop := a.ShopperURL()
	if !strings.HasPrefix(shop, "http://127.0.0.1:") {
		t.Fatalf("shopper URL %q", shop)
	}
	items, _, err := DemoCatalog()
	if err != nil || len(items) == 0 {
		t.Fatal(err)
	}
	gtin := items[0].GTINs[0]
	get := func(client *http.Client, method, url, ct, body string, bearer bool) int {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if bearer {
			req.Header.Set("Authorization", "Bearer "+testToken)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	plain := &http.Client{}
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/p/" + gtin, 200},
		{"GET", "/api/v1/products/" + gtin, 200},
		{"GET", "/web/aisle.css", 200},
		{"GET", "/healthz", 200},
		{"GET", "/pos", 404},
		{"POST", "/pos/login", 404},
		{"GET", "/api/v1/status", 404},
		{"POST", "/api/v1/sales", 404},
		{"GET", "/metrics", 404},
	} {
		if got := get(plain, c.method, shop+c.path, "application/json", `{"token":"`+testToken+`"}`, c.path == "/api/v1/status" || c.path == "/api/v1/sales"); got != c.want {
			t.Errorf("shopper listener %s %s: %d, want %d", c.method, c.path, got, c.want)
		}
	}
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if got := get(tlsClient, "GET", a.URL()+"/api/v1/status", "", "", true); got != 200 {
		t.Errorf("POS over TLS: %d, want 200", got)
	}
}
