package pos

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServer_TokenGuessingLimited (issue 16, Low): a client that keeps guessing tokens is slowed to
// one guess a minute after authFailBurst failures, for logins and bearer tokens alike, while other
// addresses and requests without any credential are unaffected.
func TestServer_TokenGuessingLimited(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	e := newTestEnv(t, func(o *Options) { o.Now = func() time.Time { return now } })
	for i := range authFailBurst {
		tok := "guess-" + strings.Repeat("x", 20) + string(rune('a'+i))
		if code, _ := e.do("GET", "/api/v1/status", tok, nil); code != 401 {
			t.Fatalf("guess %d: %d, want 401", i, code)
		}
	}
	if code, body := e.do("GET", "/api/v1/status", tokenLane1, nil); code != 429 || errCode(t, body) != "rate_limited" {
		t.Errorf("the right token after %d wrong ones from the same address: %d %s, want 429", authFailBurst, code, body)
	}
	if code, _ := e.do("POST", "/pos/login", "", map[string]string{"token": tokenLane1}); code != 429 {
		t.Errorf("login from a locked-out address: %d, want 429", code)
	}
	// Another address is not held up (the limiter is per IP).
	if !e.api.authFails.allow("192.0.2.7") {
		t.Error("another address is locked out")
	}
	now = now.Add(61 * time.Second)
	if code, _ := e.do("GET", "/api/v1/status", tokenLane1, nil); code != 200 {
		t.Errorf("a minute later: %d, want 200", code)
	}
}

// TestServer_EventStreamsCapped (issue 16, Low): a terminal holds at most maxStreamsPerTerminal
// event streams; one more is 429, and closing one frees a place.
func TestServer_EventStreamsCapped(t *testing.T) {
	e := newTestEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+tokenLane1)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var streams []*http.Response
	for range maxStreamsPerTerminal {
		r := open()
		if r.StatusCode != 200 {
			t.Fatalf("stream %d: %d", len(streams), r.StatusCode)
		}
		streams = append(streams, r)
	}
	if r := open(); r.StatusCode != 429 {
		t.Errorf("stream %d: %d, want 429", maxStreamsPerTerminal+1, r.StatusCode)
	} else {
		r.Body.Close()
	}
	streams[0].Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for e.svc.events.Subscribers("lane1") >= maxStreamsPerTerminal && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if r := open(); r.StatusCode != 200 {
		t.Errorf("after closing one: %d, want 200", r.StatusCode)
	}
}

// TestServer_PublicProductLookupsLimited (issue 16, Low): public product lookups are limited per
// client IP like the aisle pages; a terminal's token is not limited.
func TestServer_PublicProductLookupsLimited(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	e := newTestEnv(t, func(o *Options) { o.Now = func() time.Time { return now } })
	ok, limited := 0, 0
	for range 100 {
		switch code, _ := e.do("GET", "/api/v1/products/8001234567903", "", nil); code {
		case 200:
			ok++
		case 429:
			limited++
		default:
			t.Fatalf("lookup: %d", code)
		}
	}
	if ok != productLookupBurst || limited != 100-productLookupBurst {
		t.Errorf("100 public lookups at once: %d answered, %d limited; want %d and %d", ok, limited, productLookupBurst, 100-productLookupBurst)
	}
	for range 50 {
		if code, _ := e.do("GET", "/api/v1/products/8001234567903", tokenLane1, nil); code != 200 {
			t.Fatalf("lookup with a terminal token: %d, want 200 (not limited)", code)
		}
	}
	now = now.Add(time.Second)
	if code, _ := e.do("GET", "/api/v1/products/8001234567903", "", nil); code != 200 {
		t.Errorf("a second later: %d, want 200", code)
	}
}
