package pos

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/agent/db"
)

// latencies collects per-operation durations from concurrent workers and reports percentiles.
type latencies struct {
	mu stdsync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	if len(l.d) == 0 {
		return
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	pct := func(p float64) float64 { return float64(l.d[int(float64(len(l.d)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

// runConcurrent runs b.N operations on `clients` goroutines and reports ops/s and latencies.
func runConcurrent(b *testing.B, clients int, op func(i int) error) {
	var lat latencies
	var next atomic.Int64
	var wg stdsync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
				lat.add(time.Since(t0))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "ops/s")
	lat.report(b)
}

// BenchmarkLookupHTTP: GET /api/v1/products/{gtin} over loopback HTTP, 8 clients.
func BenchmarkLookupHTTP(b *testing.B) {
	e := newTestEnv(&testing.T{})
	defer e.srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	codes := []string{"8001234567897", "8001234567903", "CAFFE-250", "6412345678907"}
	runConcurrent(b, 8, func(i int) error {
		resp, err := client.Get(e.srv.URL + "/api/v1/products/" + codes[i%len(codes)])
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// BenchmarkSaleHTTP: durable sales through POST /api/v1/sales with 8 concurrent clients, each a
// 3-line sale with a payment; every 201 waits for its fsync'd commit.
func BenchmarkSaleHTTP(b *testing.B) {
	e := newTestEnv(&testing.T{})
	defer e.srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	runConcurrent(b, 8, func(i int) error {
		body, _ := json.Marshal(SaleRequest{SaleID: uuid.Must(uuid.NewV7()).String(), Terminal: "lane1", Cashier: "bench",
			Lines:    []LineRequest{line("8001234567897", 2), line("CAFFE-250", 1), line("6412345678907", 1)},
			Payments: []Payment{{"card", 258 + 498 + 249}}})
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/sales", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokenLane1)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
}

// BenchmarkSaleRawSQL is the baseline: the same writes as one sale (sale, 3 lines, payment, receipt
// counter, 3 stock updates, 3 movements, 4 outbox events with their seq counters) as prepared
// statements in one synchronous=FULL transaction, from 8 goroutines sharing the one writer.
func BenchmarkSaleRawSQL(b *testing.B) {
	ctx := context.Background()
	d, err := db.Open(ctx, b.TempDir(), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	stmts := map[string]string{
		"sale":    `INSERT INTO sales (sale_id, terminal, cashier, receipt_no, request_hash, currency, total_minor, rounding_minor, tax_minor, change_minor, completed_at, body) VALUES (?1, 'lane1', 'bench', ?2, 'h', 'EUR', 1005, 0, 100, 0, '2026-01-01T00:00:00Z', ?3)`,
		"line":    `INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price_minor, amount_minor, tax_rate_bp) VALUES (?1, ?2, 'SKU', 'Name', 1, 100, 100, 2200)`,
		"pay":     `INSERT INTO sale_payments (sale_id, idx, method, amount_minor) VALUES (?1, 0, 'card', 1005)`,
		"counter": `INSERT INTO receipt_counters (terminal, last_no) VALUES ('lane1', 1) ON CONFLICT (terminal) DO UPDATE SET last_no = last_no + 1 RETURNING last_no`,
		"stock":   `INSERT INTO stock (sku, on_hand) VALUES (?1, -1) ON CONFLICT (sku) DO UPDATE SET on_hand = on_hand - 1`,
		"move":    `INSERT INTO stock_movements (movement_id, sku, delta, reason, ref, occurred_at, source) VALUES (?1, ?2, -1, 'sale', ?3, '2026-01-01T00:00:00Z', 'local')`,
		"seq":     `INSERT INTO outbox_seq (epoch, topic, last_seq) VALUES ('e', ?1, 1) ON CONFLICT (epoch, topic) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
		"outbox":  `INSERT INTO outbox (epoch, topic, seq, event_id, type, payload, created_at) VALUES ('e', ?1, ?2, ?3, 't', ?4, '2026-01-01T00:00:00Z')`,
	}
	prepared := map[string]*sql.Stmt{}
	for k, q := range stmts {
		st, err := d.W.PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		prepared[k] = st
	}
	payload := bytes.Repeat([]byte("x"), 900) // about the size of a sale event
	skus := []string{"A", "B", "C"}
	runConcurrent(b, 8, func(i int) error {
		id := uuid.Must(uuid.NewV7()).String()
		tx, err := d.W.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var n int64
		if err := tx.StmtContext(ctx, prepared["counter"]).QueryRowContext(ctx).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, prepared["sale"]).ExecContext(ctx, id, fmt.Sprint(n), string(payload)); err != nil {
			return err
		}
		for j, sku := range skus {
			if _, err := tx.StmtContext(ctx, prepared["line"]).ExecContext(ctx, id, j); err != nil {
				return err
			}
			if _, err := tx.StmtContext(ctx, prepared["stock"]).ExecContext(ctx, sku); err != nil {
				return err
			}
			mid := uuid.Must(uuid.NewV7()).String()
			if _, err := tx.StmtContext(ctx, prepared["move"]).ExecContext(ctx, mid, sku, id); err != nil {
				return err
			}
			var seq int64
			if err := tx.StmtContext(ctx, prepared["seq"]).QueryRowContext(ctx, "stock/movements").Scan(&seq); err != nil {
				return err
			}
			if _, err := tx.StmtContext(ctx, prepared["outbox"]).ExecContext(ctx, "stock/movements", seq, mid, payload[:300]); err != nil {
				return err
			}
		}
		if _, err := tx.StmtContext(ctx, prepared["pay"]).ExecContext(ctx, id); err != nil {
			return err
		}
		var seq int64
		if err := tx.StmtContext(ctx, prepared["seq"]).QueryRowContext(ctx, "sales").Scan(&seq); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, prepared["outbox"]).ExecContext(ctx, "sales", seq, id, payload); err != nil {
			return err
		}
		return tx.Commit()
	})
}
