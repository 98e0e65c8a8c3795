package pos

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
)

// BenchmarkPages_Aisle measures the aisle page handler's server time (through the router,
// metrics and rate limiter, without the network) and reports its p99 and the page's bytes.
func BenchmarkPages_Aisle(b *testing.B) {
	// As the other benchmarks here do: the environment helpers take a *testing.T.
	env := newPageEnv(&testing.T{})
	defer env.srv.Close()
	e := env.api
	for _, c := range []struct{ name, path string }{{"in-stock", "/p/8001234567903"}, {"digital-link", "/01/08001234567927"}, {"not-found", "/p/0000000000000"}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
			req.Header.Set("Accept-Language", "it-IT,it;q=0.9,en;q=0.8")
			durs := make([]time.Duration, 0, b.N)
			var size int
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				start := time.Now()
				e.ServeHTTP(w, req)
				durs = append(durs, time.Since(start))
				if w.Code != http.StatusOK && w.Code != http.StatusNotFound {
					b.Fatalf("status %d", w.Code)
				}
				size = w.Body.Len()
			}
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}

// BenchmarkPages_AisleAt1000rps sends aisle-page requests over loopback HTTP at a fixed 1,000
// requests per second (open loop: a slow answer does not slow the sender) and reports the p99 of
// the time from each request's scheduled send to its complete answer, an upper bound of the server
// time (goal < 5 ms).
func BenchmarkPages_AisleAt1000rps(b *testing.B) {
	env := newPageEnv(&testing.T{})
	defer env.srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
	paths := []string{"/p/8001234567903", "/01/08001234567927", "/p/RUISLEIPA", "/p/CAFFE-250"}
	n := max(b.N, 1000)
	b.ResetTimer()
	r := benchkit.FixedRate(context.Background(), 1000, n, func(i int) error {
		req, _ := http.NewRequest("GET", env.srv.URL+paths[i%len(paths)], nil)
		req.Header.Set("Accept-Language", "fi-FI,fi;q=0.9")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	b.StopTimer()
	if r.Err != nil {
		b.Fatal(r.Err)
	}
	b.ReportMetric(r.Rate(), "req/s")
	b.ReportMetric(r.P(0.50), "p50_ms")
	b.ReportMetric(r.P(0.99), "p99_ms")
}
