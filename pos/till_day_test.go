package pos

import (
	"encoding/json"
	"math/rand/v2"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock(t time.Time) *clock    { c := &clock{}; c.set(t); return c }
func rome(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestServer_TillDay(t *testing.T) {
	loc := rome(t)
	clk := newClock(time.Date(2026, 12, 1, 3, 30, 0, 0, loc)) // before the 04:00 turn: still 30 November
	e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 500, DayStart: 4 * time.Hour, Location: loc}),
		func(o *Options) { o.Now = clk.now })
	late := e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "cash", AmountMinor: 129}})
	clk.set(time.Date(2026, 12, 1, 9, 0, 0, 0, loc))
	if got := e.svc.Today(); got != "2026-12-01" {
		t.Errorf("today %s", got)
	}
	a := e.sale(tokenLane1, "lane1", []LineRequest{line("CAFFE-250", 1), line("RUISLEIPA", 1)}, []Payment{{Method: "card", AmountMinor: 747}})
	b := e.sale(tokenLane2, "lane2", []LineRequest{line("VINO-ROSSO", 2)}, []Payment{{Method: "cash", AmountMinor: 3000}})
	code, body := e.do("POST", "/api/v1/refunds", tokenLane2, RefundRequest{RefundID: newSaleID(), SaleID: b.SaleID,
		Lines: []RefundLineRequest{{"VINO-ROSSO", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane2"})
	if code != 201 {
		t.Fatalf("refund %d %s", code, body)
	}
	clk.set(time.Date(2026, 12, 2, 3, 59, 59, 0, loc)) // the last second of 1 December's business day
	c := e.sale(tokenLane2, "lane2", []LineRequest{line("PASTA-500", 2)}, []Payment{{Method: "cash", AmountMinor: 300}})
	clk.set(time.Date(2026, 12, 2, 4, 0, 0, 0, loc))
	e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", 3)}, []Payment{{Method: "card", AmountMinor: 387}})

	code, body = e.do("GET", "/api/v1/till/day?date=2026-12-01", tokenLane1, nil)
	if code != 200 {
		t.Fatalf("day: %d %s", code, body)
	}
	d := decode[DayReport](t, body)
	if d.StartsAt != "2026-12-01T03:00:00Z" || d.EndsAt != "2026-12-02T03:00:00Z" {
		t.Errorf("bounds %s .. %s", d.StartsAt, d.EndsAt)
	}
	if d.Sales.Count != 3 || d.Sales.GrossMinor != a.TotalMinor+b.TotalMinor+c.TotalMinor || d.Refunds.Count != 1 || d.Refunds.GrossMinor != 1290 {
		t.Errorf("sales %+v refunds %+v", d.Sales, d.Refunds)
	}
	want := map[string]int64{"cash": (3000 - b.ChangeMinor) + (300 - c.ChangeMinor) - 1290, "card": 747}
	for _, tt := range d.Tenders {
		if tt.ExpectedMinor != want[tt.Method] {
			t.Errorf("%s net %d, want %d", tt.Method, tt.ExpectedMinor, want[tt.Method])
		}
	}
	var net int64
	for _, tl := range d.Taxes {
		net += tl.GrossMinor
	}
	if net != d.Sales.GrossMinor-d.Refunds.GrossMinor {
		t.Errorf("VAT gross %d ≠ sales − refunds %d", net, d.Sales.GrossMinor-d.Refunds.GrossMinor)
	}
	if len(d.Sessions) != 2 || d.Closed {
		t.Errorf("sessions %+v closed %v", d.Sessions, d.Closed)
	}
	// 30 November holds the 03:30 sale only.
	_, body = e.do("GET", "/api/v1/till/day?date=2026-11-30", tokenLane1, nil)
	if p := decode[DayReport](t, body); p.Sales.Count != 1 || p.Sales.GrossMinor != late.TotalMinor {
		t.Errorf("30 November %+v", p.Sales)
	}
	if code, body := e.do("GET", "/api/v1/till/day?date=2026-13-01", tokenLane1, nil); code != 400 || !json.Valid(body) {
		t.Errorf("bad date: %d %s", code, body)
	}
	if code, _ := e.do("GET", "/api/v1/till/day", "", nil); code != 401 {
		t.Errorf("day without a token: %d", code)
	}
}

// TestTill_SalesRacingAClose sends sales from several clients while the session closes: each sale
// lands in exactly one session, and the Z holds exactly the sales that name it.
func TestTill_SalesRacingAClose(t *testing.T) {
	e := newTestEnv(t, withTill(TillOptions{MaxDifferenceMinor: 1 << 40}))
	open := e.openTill(tokenLane1)
	var wg stdsync.WaitGroup
	stop := make(chan struct{})
	var mu stdsync.Mutex
	var sales []Sale
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				q := int64(1 + rand.IntN(3))
				s := e.sale(tokenLane1, "lane1", []LineRequest{line("PASTA-500", q)}, []Payment{{Method: "cash", AmountMinor: 500}, {Method: "card", AmountMinor: 1}})
				mu.Lock()
				sales = append(sales, s)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	code, body := e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}}, Reason: "test"})
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	if code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	z := decode[TillReport](t, body)
	var in, after int
	var gross, cash, card int64
	for _, s := range sales {
		switch s.TillSessionID {
		case open.SessionID:
			in++
			gross += s.TotalMinor
			cash += 500 - s.ChangeMinor
			card++
		case "":
			t.Fatalf("sale %s has no session", s.SaleID)
		default:
			after++
		}
	}
	if in == 0 || after == 0 {
		t.Fatalf("the race did not happen: %d before, %d after the close", in, after)
	}
	if z.Sales.Count != int64(in) || z.Sales.GrossMinor != gross || tender(t, z, "cash").SalesMinor != cash || tender(t, z, "card").SalesMinor != card {
		t.Errorf("Z %+v, want %d sales, gross %d cash %d card %d", z.Sales, in, gross, cash, card)
	}
	if n := e.count(`SELECT count(*) FROM sales WHERE till_session_id = ?1`, open.SessionID); n != int64(in) {
		t.Errorf("%d stored sales name the closed session, %d answered so", n, in)
	}
}
