package sync_test

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	agentsync "github.com/storeagent/storeagent/sync"
)

func TestBackoff_Ceiling(t *testing.T) {
	b := agentsync.Backoff{Min: time.Second, Max: time.Minute, Factor: 2}
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {5, 32 * time.Second}, {6, time.Minute}, {100, time.Minute}} {
		if got := b.Ceiling(tc.n); got != tc.want {
			t.Errorf("Ceiling(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

// TestBackoff_Delay shows that jitter spreads a fleet: 1000 stores that lost the broker at the same
// moment draw their reconnect times across the whole [c/2, c] window instead of all at c.
func TestBackoff_Delay(t *testing.T) {
	b := agentsync.Backoff{Min: time.Second, Max: 2 * time.Minute, Factor: 2}
	for _, attempt := range []int{0, 3, 10} {
		t.Run(b.Ceiling(attempt).String(), func(t *testing.T) {
			c := b.Ceiling(attempt)
			r := rand.New(rand.NewPCG(1, uint64(attempt)))
			delays := make([]time.Duration, 1000)
			for i := range delays {
				delays[i] = b.Delay(attempt, r)
				if delays[i] < c/2 || delays[i] > c {
					t.Fatalf("delay %s outside [%s, %s]", delays[i], c/2, c)
				}
			}
			sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
			// Spread: the middle 80 % covers most of the window, and no tenth of the window holds
			// more than twice its share.
			if span := delays[900] - delays[100]; span < c/2*6/10 {
				t.Errorf("p10..p90 span %s, want at least 60%% of the %s window", span, c/2)
			}
			buckets := make([]int, 10)
			for _, d := range delays {
				i := int((d - c/2) * 10 / (c/2 + 1))
				buckets[i]++
			}
			for i, n := range buckets {
				if n > 200 || n < 30 {
					t.Errorf("bucket %d holds %d of 1000 delays, want about 100", i, n)
				}
			}
			distinct := map[time.Duration]bool{}
			for _, d := range delays {
				distinct[d] = true
			}
			if len(distinct) < 990 {
				t.Errorf("%d distinct delays of 1000, want nearly all distinct", len(distinct))
			}
		})
	}
}
