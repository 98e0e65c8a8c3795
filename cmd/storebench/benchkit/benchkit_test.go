package benchkit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0, time.Millisecond}, {0.5, 51 * time.Millisecond}, {0.99, 100 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := Percentile(d, c.q); got != c.want {
			t.Errorf("Percentile(1..100 ms, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := Percentile(nil, 0.99); got != 0 {
		t.Errorf("Percentile(nil) = %v, want 0", got)
	}
}

func TestClosed_countAndErrors(t *testing.T) {
	r := Closed(context.Background(), 4, 100, 0, func(i int) error { return nil })
	if r.N != 100 || r.Failed != 0 || len(r.Latencies) != 100 {
		t.Fatalf("got N=%d failed=%d, want 100, 0", r.N, r.Failed)
	}
	boom := errors.New("boom")
	r = Closed(context.Background(), 2, 100, 0, func(i int) error { return boom })
	if r.Failed != 2 || !errors.Is(r.Err, boom) {
		t.Errorf("got failed=%d err=%v, want 2 failures (one per client) and boom", r.Failed, r.Err)
	}
}

func TestFixedRate_measuresFromSchedule(t *testing.T) {
	r := FixedRate(context.Background(), 1000, 50, func(i int) error { return nil })
	if r.N != 50 {
		t.Fatalf("N = %d, want 50", r.N)
	}
	if r.Elapsed < 45*time.Millisecond {
		t.Errorf("50 ops at 1000/s took %v, want about 50 ms", r.Elapsed)
	}
}
