package pos

import (
	"bufio"
	"crypto/sha256"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cookieDo sends a request with one cookie (and a JSON body when body is not "").
func (e *testEnv) cookieDo(method, path, cookie, value, body string) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: cookie, Value: value})
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

// pairingCode asks lane1's pairing code with its token.
func pairingCode(t *testing.T, e *testEnv) string {
	t.Helper()
	code, body := e.do("POST", "/api/v1/display/pairing", tokenLane1, map[string]any{})
	if code != http.StatusCreated {
		t.Fatalf("pairing code: %d %s", code, body)
	}
	c := decode[struct {
		Code string `json:"code"`
		TTL  int    `json:"ttl_seconds"`
	}](t, body)
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(c.Code) || c.TTL != 300 {
		t.Fatalf("pairing code %q valid %d s, want 6 digits for 300 s", c.Code, c.TTL)
	}
	return c.Code
}

// pairDisplay pairs a display with code and returns its cookie.
func pairDisplay(t *testing.T, e *testEnv, code string) string {
	t.Helper()
	st, h, body := e.cookieDo("POST", "/pos/display/pair", "", "", `{"code":"`+code+`"}`)
	if st != http.StatusOK || !strings.Contains(string(body), `"terminal":"lane1"`) {
		t.Fatalf("pair with %s: %d %s", code, st, body)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == DisplayCookieName && c.HttpOnly && c.SameSite == http.SameSiteStrictMode && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("pairing set no HttpOnly SameSite=Strict %s cookie: %v", DisplayCookieName, h["Set-Cookie"])
	return ""
}

// TestServer_DisplayPairing: a lane's pairing code pairs one tablet once; the tablet's cookie
// reads the lane's display feed and is refused (401) by every other API route — selling, till,
// refunds, printing, payments, the event stream, the display's own clear, a new pairing code;
// it is stored only hashed; the lane lists and revokes its displays, which ends an open stream at
// once; wrong codes are counted with failed tokens (429 after 10 from one address, even for the
// right code).
func TestServer_DisplayPairing(t *testing.T) {
	e := newPageEnv(t)
	code := pairingCode(t, e)
	if st, _, body := e.cookieDo("POST", "/pos/display/pair", "", "", `{"code":"000000x"}`); st != http.StatusForbidden || !strings.Contains(string(body), "bad_pairing_code") {
		t.Errorf("malformed code: %d %s", st, body)
	}
	cookie := pairDisplay(t, e, code)
	if st, _, body := e.cookieDo("POST", "/pos/display/pair", "", "", `{"code":"`+code+`"}`); st != http.StatusForbidden {
		t.Errorf("the same code twice: %d %s, want 403", st, body)
	}

	// The feed, and nothing else.
	if st, _, body := e.cookieDo("GET", "/api/v1/display", DisplayCookieName, cookie, ""); st != http.StatusOK || !strings.Contains(string(body), `"state":"idle"`) {
		t.Fatalf("display feed with the display cookie: %d %s", st, body)
	}
	feed := map[string]bool{"GET /api/v1/display": true, "GET /api/v1/display/events": true}
	checked := 0
	for _, r := range e.api.Routes() {
		if !r.Auth || feed[r.Method+" "+r.Pattern] {
			continue
		}
		path := regexp.MustCompile(`\{[a-z_]+(\.\.\.)?\}`).ReplaceAllString(r.Pattern, "x")
		body := ""
		if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
			body = `{}`
		}
		st, _, out := e.cookieDo(r.Method, path, DisplayCookieName, cookie, body)
		if st != http.StatusUnauthorized && st != http.StatusForbidden {
			t.Errorf("%s %s with a display cookie: %d %s, want 401 or 403", r.Method, path, st, out)
		}
		checked++
	}
	if checked < 25 {
		t.Errorf("only %d authenticated routes checked", checked)
	}
	// A display's id is no cashier login, whichever cookie carries it.
	if st, _, _ := e.cookieDo("GET", "/api/v1/status", CookieName, cookie, ""); st != http.StatusUnauthorized {
		t.Errorf("display id as the POS cookie: %d, want 401", st)
	}
	// Stored hashed, under its own terminal name.
	k := sha256.Sum256([]byte(cookie))
	if n := e.count(`SELECT count(*) FROM pos_sessions WHERE id_hash = ?1 AND terminal = 'display:lane1'`, k[:]); n != 1 {
		t.Errorf("%d stored display sessions under the hash", n)
	}
	if n := e.count(`SELECT count(*) FROM pos_sessions WHERE id_hash = ?1`, []byte(cookie)); n != 0 {
		t.Errorf("the raw display id is stored")
	}

	// Listed and revoked; an open stream ends.
	st, body := e.do("GET", "/api/v1/display/sessions", tokenLane1, nil)
	if st != http.StatusOK || strings.Count(string(body), "started_at") != 1 {
		t.Errorf("sessions: %d %s", st, body)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/display/events", nil)
	req.AddCookie(&http.Cookie{Name: DisplayCookieName, Value: cookie})
	resp, err := e.srv.Client().Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("display stream: %v %v", err, resp)
	}
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, bufio.NewReader(resp.Body))
		ended <- err
	}()
	if st, body := e.do("DELETE", "/api/v1/display/sessions", tokenLane1, nil); st != http.StatusOK || !strings.Contains(string(body), `"revoked":1`) {
		t.Errorf("revoke: %d %s", st, body)
	}
	select {
	case <-ended:
	case <-time.After(3 * time.Second):
		t.Error("the revoked display's stream is still open")
	}
	resp.Body.Close()
	if st, _, _ := e.cookieDo("GET", "/api/v1/display", DisplayCookieName, cookie, ""); st != http.StatusUnauthorized {
		t.Errorf("revoked display reads the feed: %d", st)
	}

	// Guessing: 10 wrong codes from this address, then even the right one is 429.
	code = pairingCode(t, e)
	wrong := "123456"
	if code == wrong {
		wrong = "654321"
	}
	refused := 0
	for range 10 { // the address already failed 3 times above (malformed, reused, a display id as a login)
		switch st, _, _ := e.cookieDo("POST", "/pos/display/pair", "", "", `{"code":"`+wrong+`"}`); st {
		case http.StatusForbidden:
			refused++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("wrong code: %d", st)
		}
	}
	if refused != 7 {
		t.Errorf("%d wrong codes answered before the limit, want 7 (10 failures from one address)", refused)
	}
	if st, _, _ := e.cookieDo("POST", "/pos/display/pair", "", "", `{"code":"`+code+`"}`); st != http.StatusTooManyRequests {
		t.Errorf("right code after 10 wrong ones: %d, want 429", st)
	}
}

// TestDisplayPairing_CodeRules: a code expires after 5 minutes, a lane's new code voids its
// previous one, two lanes' codes are distinct, and the store-wide limit stops guessing spread
// over many addresses.
func TestDisplayPairing_CodeRules(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	auth := newAuthenticator([]Terminal{{ID: "lane1", Token: tokenLane1}, {ID: "lane2", Token: tokenLane2}}, nil)
	p := newDisplayPairing(auth, func() time.Time { return now })
	a, _, err := p.newCode("lane1")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(pairCodeTTL)
	if _, ok := p.take(a); ok {
		t.Error("a code 5 minutes old still pairs")
	}
	a, _, _ = p.newCode("lane1")
	b, _, _ := p.newCode("lane1")
	if _, ok := p.take(a); ok && a != b {
		t.Error("a lane's replaced code still pairs")
	}
	c, _, _ := p.newCode("lane2")
	if c == b {
		t.Error("two lanes got the same open code")
	}
	if i, ok := p.take(c); !ok || auth.terms[i].ID != "lane2" {
		t.Errorf("lane2's code pairs %v %v", i, ok)
	}
	if _, _, err := p.newCode("lane9"); err == nil {
		t.Error("a code for an unknown terminal")
	}
	for range pairFailBurst {
		p.fails.allow("store")
	}
	if !p.fails.exhausted("store") {
		t.Errorf("%d wrong codes store-wide do not stop pairing", pairFailBurst)
	}
}
