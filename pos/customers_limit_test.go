package pos

import (
	"testing"
	"time"
)

// TestServer_CustomerLookupsLimitedAndAudited reproduces issue 16 item 11's probe: a terminal
// could look up 200 customers a second. A lane now gets a burst and then one lookup every 2 s
// (429 with Retry-After beyond it, per terminal: another lane is not held up), and every answered
// lookup is audited with its terminal, customer and outcome.
func TestServer_CustomerLookupsLimitedAndAudited(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	e := newTestEnv(t, func(o *Options) {
		o.Customers = fakeDirectory{known: map[string]bool{"LOY-1": true}}
		o.Now = func() time.Time { return now }
	})
	ok, limited := 0, 0
	for i := range 200 {
		id := "LOY-1"
		if i%2 == 1 {
			id = "LOY-9"
		}
		switch code, body := e.do("GET", "/api/v1/customers/"+id, tokenLane1, nil); code {
		case 200, 404:
			ok++
		case 429:
			limited++
			if errCode(t, body) != "rate_limited" {
				t.Fatalf("429 body %s", body)
			}
		default:
			t.Fatalf("lookup %d: %d %s", i, code, body)
		}
	}
	if ok != customerLookupBurst || limited != 200-customerLookupBurst {
		t.Errorf("200 lookups in one instant: %d answered, %d limited; want %d and %d", ok, limited, customerLookupBurst, 200-customerLookupBurst)
	}
	if code, _ := e.do("GET", "/api/v1/customers/LOY-1", tokenLane2, nil); code != 200 {
		t.Errorf("another lane meanwhile: %d, want 200", code)
	}
	now = now.Add(2 * time.Second)
	if code, _ := e.do("GET", "/api/v1/customers/LOY-1", tokenLane1, nil); code != 200 {
		t.Errorf("lane1 two seconds later: %d, want 200", code)
	}
	if n := e.count(`SELECT count(*) FROM customer_lookups`); n != int64(ok)+2 {
		t.Errorf("%d audit rows, want %d (each answered lookup, none for the refused)", n, ok+2)
	}
	if n := e.count(`SELECT count(*) FROM customer_lookups WHERE terminal = 'lane1' AND customer_id = 'LOY-9' AND outcome = 'not_found'`); n != int64(customerLookupBurst/2) {
		t.Errorf("%d audited not_found lookups of LOY-9 by lane1, want %d", n, customerLookupBurst/2)
	}
}
