// Package benchkit holds the load loops and latency figures the benchmarks share: a closed loop
// of concurrent clients, an open loop at a fixed rate that measures from each request's scheduled
// time (so a slow answer cannot hide the ones queued behind it: no coordinated omission), and
// percentiles. The package benchmarks (`go test -bench`) and cmd/storebench import it; it imports
// nothing of the project.
package benchkit

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what a load loop measured: how many operations ran, in how long, their latencies
// (sorted) and the first error, if any operation failed.
type Result struct {
	// N is the number of operations that completed without error.
	N int
	// Failed counts the operations that returned an error; Err is the first of them.
	Failed int
	Err    error
	// Elapsed is the wall time of the whole loop.
	Elapsed time.Duration
	// Latencies holds one duration per completed operation, in ascending order.
	Latencies []time.Duration
}

// Rate is completed operations per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

// P is the q-quantile (0 ≤ q ≤ 1) of the latencies in milliseconds; 0 when there are none.
func (r Result) P(q float64) float64 { return Millis(Percentile(r.Latencies, q)) }

// Percentile is the q-quantile (0 ≤ q ≤ 1) of sorted durations by the nearest-rank method on
// index q×(n−1); 0 for none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)-1) - 1e-9))
	return sorted[max(0, min(len(sorted)-1, i))]
}

// Millis is d in (fractional) milliseconds.
func Millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// recorder collects latencies and errors from concurrent operations.
type recorder struct {
	mu     sync.Mutex
	lat    []time.Duration
	failed int
	err    error
}

func (r *recorder) done(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failed++
		if r.err == nil {
			r.err = err
		}
		return
	}
	r.lat = append(r.lat, d)
}

func (r *recorder) result(el time.Duration) Result {
	slices.Sort(r.lat)
	return Result{N: len(r.lat), Failed: r.failed, Err: r.err, Elapsed: el, Latencies: r.lat}
}

// Closed runs op on clients goroutines, each starting its next operation when the last one
// returns, until n operations have started (n > 0) or d has passed (d > 0), whichever comes first,
// or ctx ends. A client stops at its first error. Each op gets a distinct index from 0.
func Closed(ctx context.Context, clients, n int, d time.Duration, op func(i int) error) Result {
	var rec recorder
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && (d <= 0 || time.Now().Before(end)) {
				i := int(next.Add(1)) - 1
				if n > 0 && i >= n {
					return
				}
				t0 := time.Now()
				err := op(i)
				rec.done(time.Since(t0), err)
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// FixedRate starts op number i at start + i/rate for n operations (open loop: each on its own
// goroutine, whether or not earlier ones have returned) and measures each latency from its
// scheduled start, so time lost waiting for a busy sender counts too. It stops scheduling when
// ctx ends, and returns after every started operation has returned.
func FixedRate(ctx context.Context, rate float64, n int, op func(i int) error) Result {
	var rec recorder
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * interval)
		if w := time.Until(at); w > 0 {
			time.Sleep(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := op(i)
			rec.done(time.Since(at), err)
		}()
	}
	wg.Wait()
	return rec.result(time.Since(start))
}
