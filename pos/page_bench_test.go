package pos

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
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
