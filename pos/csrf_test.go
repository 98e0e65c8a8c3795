package pos

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServer_CrossSiteRequestsRefused reproduces issue 16 item 10: with the POS cookie in the
// browser, a page on another site could sell (a text/plain POST needs no preflight), open a till
// with a form, and the API took a sale without a Content-Type. Each is refused and stores nothing;
// the POS's own pages and bearer clients still work.
func TestServer_CrossSiteRequestsRefused(t *testing.T) {
	e := newTestEnv(t)
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
	if cookie == nil {
		t.Fatal("login set no cookie")
	}
	sale := `{"sale_id":"` + newSaleID() + `","terminal":"lane1","cashier":"eve","lines":[{"code":"CAFFE-250","qty":1}],"payments":[{"method":"card","amount_minor":498}]}`
	send := func(path, ct, body string, hdr map[string]string, withCookie bool, bearer bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		if withCookie {
			req.AddCookie(cookie)
		}
		if bearer {
			req.Header.Set("Authorization", "Bearer "+tokenLane1)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	sessions := func() int64 { return e.count(`SELECT count(*) FROM till_sessions`) }
	before, sessionsBefore := e.snapshot(), sessions()
	probes := []struct {
		name, path, ct, body string
		hdr                  map[string]string
		cookie, bearer       bool
		code                 int
		errCode              string
	}{
		{"text/plain sale from another site (Sec-Fetch-Site)", "/api/v1/sales", "text/plain", sale,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true, false, 403, "cross_origin"},
		{"sale from another site, older browser (Origin only)", "/api/v1/sales", "application/json", sale,
			map[string]string{"Origin": "https://evil.example"}, true, false, 403, "cross_origin"},
		{"form POST opening a till from another site", "/api/v1/till/open", "application/x-www-form-urlencoded", "session_id=x&cashier=eve&float_minor=0",
			map[string]string{"Sec-Fetch-Site": "cross-site"}, true, false, 403, "cross_origin"},
		{"a sibling subdomain counts as another site", "/api/v1/sales", "application/json", sale,
			map[string]string{"Sec-Fetch-Site": "same-site"}, true, false, 403, "cross_origin"},
		{"sale without a Content-Type", "/api/v1/sales", "", sale, nil, false, true, 415, "unsupported_media_type"},
		{"sale as text/plain with a token", "/api/v1/sales", "text/plain", sale, nil, false, true, 415, "unsupported_media_type"},
		{"login from another site (login CSRF)", "/pos/login", "application/json", `{"token":"` + tokenLane2 + `"}`,
			map[string]string{"Sec-Fetch-Site": "cross-site"}, false, false, 403, "cross_origin"},
	}
	for _, p := range probes {
		code, body := send(p.path, p.ct, p.body, p.hdr, p.cookie, p.bearer)
		if code != p.code || !strings.Contains(body, `"`+p.errCode+`"`) {
			t.Errorf("%s: %d %s, want %d %s", p.name, code, body, p.code, p.errCode)
		}
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) || sessions() != sessionsBefore {
		t.Errorf("refused requests changed the database: %v → %v, till sessions %d → %d", before, after, sessionsBefore, sessions())
	}
	// The POS's own page (same origin) with its cookie, and a bearer client with no browser headers.
	if code, body := send("/api/v1/sales", "application/json; charset=utf-8", sale,
		map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.srv.URL}, true, false); code != 201 {
		t.Errorf("same-origin sale with the cookie: %d %s, want 201", code, body)
	}
	if code, body := send("/api/v1/sales/quote", "application/json", `{"terminal":"lane1","lines":[{"code":"CAFFE-250","qty":1}]}`,
		nil, false, true); code != 200 {
		t.Errorf("bearer quote without browser headers: %d %s, want 200", code, body)
	}
}
