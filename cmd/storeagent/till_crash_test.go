package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	stdsync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
)

// tillReport is what a till kill run did and checked.
type tillReport struct {
	Rounds, Kills                           int
	BetweenCountAndClose, DuringClose, Race int
	Sessions, Sales                         int
	CentralZ, CentralSales                  int
	BudgetHit                               bool
	Broker                                  string
}

// postJSON posts body to path with lane1's token and returns the status and the answer.
func postJSON(client *http.Client, addr, path string, body any) (int, []byte, error) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func getX(client *http.Client, addr string) (pos.TillReport, error) {
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/till", nil)
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := client.Do(req)
	if err != nil {
		return pos.TillReport{}, err
	}
	defer resp.Body.Close()
	var x pos.TillReport
	if resp.StatusCode != 200 {
		return x, fmt.Errorf("GET /api/v1/till: %d", resp.StatusCode)
	}
	return x, json.NewDecoder(resp.Body).Decode(&x)
}

// tillKillRun runs the built agent with till.require_open true. Each round opens a session, sells
// from 3 clients, reads the X (the count), and closes with the counted cash, while the agent is
// killed with SIGKILL at a random moment: between the count and the close, just after the close
// was sent, or while sales race the close. After each restart the POS does what a cashier's
// screen would: it retries unanswered sales and the close with the same ids and bodies. At the
// end: every session is closed once with one Z event and z_no 1..n without gaps; each Z's
// figures equal the sums of the sales stored with its till_session_id; no sale is in two
// sessions or none; and central, after the drain, holds each Z once with figures equal to its own
// sums of the sales events (centralsim.CheckTill).
func tillKillRun(t *testing.T, rounds int, budget time.Duration, requireMosquitto bool) tillReport {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	url, kind := syncBroker(t, requireMosquitto)
	sim := startCentral(t, url)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	cfg := writeConfig(t, dir, fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: %q}\nterminals:\n  - {id: lane1, token: %s}\ntill: {require_open: true, max_difference_minor: 0}\n",
		data, addr, url, crashToken))
	seed(t, data)
	client := &http.Client{Timeout: 5 * time.Second}
	rep := tillReport{Broker: kind}
	c := startAgent(t, bin, cfg, addr)
	defer func() {
		if c != nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	}()
	var mu stdsync.Mutex
	pending := map[string]int{} // sales sent whose answer was lost: id → i
	start := time.Now()
	for round := 0; round < rounds; round++ {
		if time.Since(start) > budget {
			rep.BudgetHit = true
			break
		}
		rep.Rounds++
		session := uuid.Must(uuid.NewV7()).String()
		open := pos.TillOpenRequest{SessionID: session, Cashier: "crash", FloatMinor: ptr(int64(5000))}
		if code, b, err := postJSON(client, addr, "/api/v1/till/open", open); err != nil || code != 201 {
			t.Fatalf("round %d: open %d %s %v", round, code, b, err)
		}
		mode := round % 3
		stop := make(chan struct{})
		var wg stdsync.WaitGroup
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := uuid.Must(uuid.NewV7()).String()
					n := w*100000 + round*1000 + i
					code, err := postSale(client, addr, id, n)
					if err != nil || (code != 201 && code != 409) {
						mu.Lock()
						pending[id] = n
						mu.Unlock()
						return
					}
				}
			}()
		}
		time.Sleep(time.Duration(20+rand.IntN(60)) * time.Millisecond)
		x, xerr := getX(client, addr)
		var closeReq pos.TillCloseRequest
		if xerr == nil {
			cash := x.Tenders[0].ExpectedMinor
			closeReq = pos.TillCloseRequest{SessionID: session, Cashier: "crash", Reason: "reliability round",
				Counted: []pos.CountedTender{{Method: "cash", AmountMinor: &cash}}}
		}
		kill := func() {
			c.cmd.Process.Signal(syscall.SIGKILL)
			c.cmd.Wait()
			rep.Kills++
		}
		switch mode {
		case 0: // killed between the count and the close
			kill()
			rep.BetweenCountAndClose++
		case 1: // killed while the close is in flight
			go postJSON(client, addr, "/api/v1/till/close", closeReq)
			time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
			kill()
			rep.DuringClose++
		case 2: // the close races the sales; the kill comes while they go on
			postJSON(client, addr, "/api/v1/till/close", closeReq)
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			kill()
			rep.Race++
		}
		close(stop)
		wg.Wait()
		c = startAgent(t, bin, cfg, addr)
		// The POS retries what it does not know the outcome of, with the same ids and bodies.
		mu.Lock()
		for id, n := range pending {
			if code, err := postSale(client, addr, id, n); err == nil && (code == 200 || code == 201 || code == 409) {
				delete(pending, id)
			}
		}
		mu.Unlock()
		if xerr != nil {
			x, xerr = getX(client, addr)
			if xerr != nil {
				t.Fatalf("round %d: X after restart: %v", round, xerr)
			}
			cash := x.Tenders[0].ExpectedMinor
			closeReq = pos.TillCloseRequest{SessionID: session, Cashier: "crash", Reason: "reliability round",
				Counted: []pos.CountedTender{{Method: "cash", AmountMinor: &cash}}}
		}
		code, b, err := postJSON(client, addr, "/api/v1/till/close", closeReq)
		if err != nil || (code != 201 && code != 200) {
			t.Fatalf("round %d (mode %d): close after restart: %d %s %v\n%s", round, mode, code, b, err, c.logs)
		}
		var z pos.TillReport
		if err := json.Unmarshal(b, &z); err != nil || z.Status != "closed" || z.SessionID != session {
			t.Fatalf("round %d: Z %s %v", round, b, err)
		}
		// The same close once more answers the same Z, byte for byte.
		if code2, b2, _ := postJSON(client, addr, "/api/v1/till/close", closeReq); code2 != 200 || !bytes.Equal(b2, b) {
			t.Fatalf("round %d: repeated close %d\n%s\nwant\n%s", round, code2, b2, b)
		}
		// A sale now finds no open session.
		if code, _ := postSale(client, addr, uuid.Must(uuid.NewV7()).String(), 0); code != 409 {
			t.Fatalf("round %d: sale after the close: %d, want 409 till_not_open", round, code)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d sales still unanswered after the retries", len(pending))
	}
	waitDrained(t, data, c)
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	c = nil
	rep.Sessions, rep.Sales = checkTillLocal(t, data)
	deadline := time.Now().Add(time.Minute)
	for {
		chk, err := sim.CheckTill(context.Background(), "it-mi-001")
		if err != nil {
			t.Fatal(err)
		}
		if chk.Closed == rep.Sessions || time.Now().After(deadline) {
			if chk.Closed != rep.Sessions || len(chk.Problems) > 0 || chk.Sales != rep.Sales {
				t.Fatalf("central: %d Zs (store %d), %d sales in them (store %d), problems %v", chk.Closed, rep.Sessions, chk.Sales, rep.Sales, chk.Problems)
			}
			rep.CentralZ, rep.CentralSales = chk.Closed, chk.Sales
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return rep
}

func ptr[T any](v T) *T { return &v }

// checkTillLocal checks the stopped agent's database: every session closed once with one Z event,
// z_no gapless, each Z equal to the sums of its stored sales, every sale in exactly one session.
// It returns the sessions and the sales in them.
func checkTillLocal(t *testing.T, data string) (sessions, sales int) {
	t.Helper()
	d := openRO(t, data)
	defer d.Close()
	integrityOK(t, d, "at the end")
	var open, gaps, orphans int
	if err := d.QueryRow(`SELECT count(*) FILTER (WHERE status = 'open'), count(*), max(z_no) - count(*) FROM till_sessions`).Scan(&open, &sessions, &gaps); err != nil {
		t.Fatal(err)
	}
	if open != 0 || gaps != 0 {
		t.Fatalf("%d sessions left open, z_no has %d gaps", open, gaps)
	}
	if err := d.QueryRow(`SELECT count(*) FROM sales s LEFT JOIN till_sessions ts ON ts.session_id = s.till_session_id
		WHERE ts.session_id IS NULL`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d sales in no session (%v)", orphans, err)
	}
	rows, err := d.Query(`SELECT ts.session_id, ts.z_body,
		(SELECT count(*) FROM outbox o WHERE o.type = 'retail.till.closed' AND json_extract(o.payload, '$.data.session_id') = ts.session_id),
		(SELECT count(*) FROM sales s WHERE s.till_session_id = ts.session_id),
		(SELECT coalesce(sum(total_minor), 0) FROM sales s WHERE s.till_session_id = ts.session_id),
		(SELECT coalesce(sum(tax_minor), 0) FROM sales s WHERE s.till_session_id = ts.session_id),
		(SELECT coalesce(sum(p.amount_minor), 0) FROM sale_payments p JOIN sales s ON s.sale_id = p.sale_id
			WHERE s.till_session_id = ts.session_id AND p.method = 'card')
		FROM till_sessions ts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body []byte
		var events, n int
		var gross, tax, card int64
		if err := rows.Scan(&id, &body, &events, &n, &gross, &tax, &card); err != nil {
			t.Fatal(err)
		}
		var z pos.TillReport
		if err := json.Unmarshal(body, &z); err != nil {
			t.Fatalf("session %s Z: %v", id, err)
		}
		var zCard int64
		for _, tt := range z.Tenders {
			if tt.Method == "card" {
				zCard = tt.SalesMinor
			}
		}
		if events != 1 || z.Sales.Count != int64(n) || z.Sales.GrossMinor != gross || z.Sales.TaxMinor != tax || zCard != card {
			t.Fatalf("session %s: %d Z events; Z says %d sales, gross %d, tax %d, card %d; stored sales: %d, %d, %d, %d",
				id, events, z.Sales.Count, z.Sales.GrossMinor, z.Sales.TaxMinor, zCard, n, gross, tax, card)
		}
		sales += n
	}
	return sessions, sales
}

// TestCrash_TillClose is the short form of the till kill scenario (6 rounds: each kill moment
// twice); the reliability suite runs it longer.
func TestCrash_TillClose(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the agent")
	}
	r := tillKillRun(t, 6, 3*time.Minute, false)
	t.Logf("%d rounds, %d kills (%d between count and close, %d during the close, %d racing sales); %d sessions with %d sales; central %d Zs (%s)",
		r.Rounds, r.Kills, r.BetweenCountAndClose, r.DuringClose, r.Race, r.Sessions, r.Sales, r.CentralZ, r.Broker)
}
