package pos

import (
	"context"
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

// TestAuthenticator_SessionsSurviveRestart: a lane logged in before the agent restarted stays
// logged in (its basket is not lost to a reload), unless its token was changed meanwhile; logout
// and the per-lane bound hold in the database too.
func TestAuthenticator_SessionsSurviveRestart(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	_, id, err := e.svc.auth.login(ctx, tokenLane1)
	if err != nil {
		t.Fatal(err)
	}
	_, gone, _ := e.svc.auth.login(ctx, tokenLane2)
	e.svc.auth.logout(ctx, gone)
	restarted := New(e.db, Options{Terminals: []Terminal{{ID: "lane1", Token: tokenLane1}, {ID: "lane2", Token: tokenLane2}}})
	if term, ok := restarted.auth.session(ctx, id); !ok || term.ID != "lane1" {
		t.Errorf("a session from before the restart: %v %v, want lane1", term, ok)
	}
	if _, ok := restarted.auth.session(ctx, gone); ok {
		t.Error("a logged-out session came back after the restart")
	}
	rotated := New(e.db, Options{Terminals: []Terminal{{ID: "lane1", Token: "a-brand-new-lane1-token-0123"}}})
	if _, ok := rotated.auth.session(ctx, id); ok {
		t.Error("a session outlived its terminal's token change")
	}
	for range sessionsPerTermMax + 3 {
		if _, _, err := e.svc.auth.login(ctx, tokenLane1); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(`SELECT count(*) FROM pos_sessions WHERE terminal = 'lane1'`); n != sessionsPerTermMax {
		t.Errorf("lane1 has %d stored sessions, want %d", n, sessionsPerTermMax)
	}
}
