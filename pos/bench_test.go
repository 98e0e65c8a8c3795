package pos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos/posbench"
)

// runConcurrent runs b.N operations on `clients` goroutines and reports ops/s and latencies.
func runConcurrent(b *testing.B, clients int, op func(i int) error) {
	b.ResetTimer()
	r := benchkit.Closed(context.Background(), clients, b.N, 0, op)
	b.StopTimer()
	if r.Err != nil {
		b.Fatal(r.Err)
	}
	b.ReportMetric(r.Rate(), "ops/s")
	b.ReportMetric(r.P(0.50), "p50_ms")
	b.ReportMetric(r.P(0.99), "p99_ms")
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
			Payments: []Payment{{Method: "card", AmountMinor: 258 + 498 + 249}}})
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

// BenchmarkSaleRawSQL is the baseline: the same writes as one sale as prepared statements in one
// synchronous=FULL transaction, from 8 goroutines sharing the one writer (posbench.RawSales).
func BenchmarkSaleRawSQL(b *testing.B) {
	ctx := context.Background()
	raw, err := posbench.OpenRawSales(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	runConcurrent(b, 8, func(int) error { return raw.Sale(ctx) })
}
