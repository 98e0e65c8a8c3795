package pos

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServer_SessionCookie reproduces issue 16 item 12: the POS cookie was the raw terminal token, so
// logout revoked nothing and a sniffed cookie was the token. Now it is a session id: it is not the
// token, works until logout or expiry, and a token pasted as the cookie is refused.
func TestServer_SessionCookie(t *testing.T) {
	e := newTestEnv(t)
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	e.svc.auth.now = func() time.Time { return now }
	login := func(token string) *http.Cookie {
		t.Helper()
		resp, err := e.srv.Client().Post(e.srv.URL+"/pos/login", "application/json", strings.NewReader(`{"token":"`+token+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == CookieName {
				return c
			}
		}
		t.Fatalf("login: %d, no cookie", resp.StatusCode)
		return nil
	}
	get := func(c *http.Cookie) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/status", nil)
		req.AddCookie(c)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	c := login(tokenLane1)
	if c.Value == tokenLane1 || strings.Contains(c.Value, tokenLane1) || len(c.Value) < 40 {
		t.Fatalf("cookie %q carries the token or is short", c.Value)
	}
	if c.MaxAge != int(sessionTTL/time.Second) || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie %+v, want HttpOnly SameSite=Strict Max-Age %d", c, int(sessionTTL/time.Second))
	}
	if code, body := get(c); code != 200 {
		t.Fatalf("status with the session: %d %s", code, body)
	}
	if code, _ := get(&http.Cookie{Name: CookieName, Value: tokenLane1}); code != 401 {
		t.Errorf("the raw token as the cookie: %d, want 401", code)
	}
	// Logout revokes the session on the server, not just in the browser.
	other := login(tokenLane1)
	req, _ := http.NewRequest("POST", e.srv.URL+"/pos/logout", nil)
	req.AddCookie(c)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, body := get(c); code != 401 || !strings.Contains(body, "log in again") {
		t.Errorf("a logged-out session: %d %s, want 401 asking to log in again", code, body)
	}
	if code, _ := get(other); code != 200 {
		t.Errorf("the lane's other session after one logout: %d, want 200", code)
	}
	// Expiry.
	now = now.Add(sessionTTL)
	if code, _ := get(other); code != 401 {
		t.Errorf("a session %s old: %d, want 401", sessionTTL, code)
	}
	// A lane keeps only its newest sessions.
	var cs []*http.Cookie
	for range sessionsPerTermMax + 1 {
		now = now.Add(time.Second)
		cs = append(cs, login(tokenLane2))
	}
	if code, _ := get(cs[0]); code != 401 {
		t.Errorf("the oldest of %d sessions: %d, want 401 (revoked)", len(cs), code)
	}
	for _, c := range cs[1:] {
		if code, _ := get(c); code != 200 {
			t.Errorf("a newer session: %d, want 200", code)
		}
	}
	if n := len(e.svc.auth.sessions); n != sessionsPerTermMax {
		t.Errorf("%d sessions kept, want %d (the expired ones pruned)", n, sessionsPerTermMax)
	}
}
