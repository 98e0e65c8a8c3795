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

func TestBackoff_Slot(t *testing.T) {
	b := agentsync.Backoff{Max: 2 * time.Minute, Window: 30 * time.Second}
	for _, tc := range []struct {
		n             int
		start, length time.Duration
	}{{0, 0, 30 * time.Second}, {1, 30 * time.Second, 30 * time.Second}, {2, time.Minute, time.Minute},
		{3, 2 * time.Minute, 2 * time.Minute}, {4, 4 * time.Minute, 2 * time.Minute}} {
		start, length := b.Slot(tc.n)
		if start != tc.start || length != tc.length {
			t.Errorf("Slot(%d) = %s, %s; want %s, %s", tc.n, start, length, tc.start, tc.length)
		}
	}
	// The window never exceeds Max (tests pace reconnects with a small Max).
	if _, l := (agentsync.Backoff{Min: 50 * time.Millisecond, Max: 400 * time.Millisecond}).Slot(0); l != 400*time.Millisecond {
		t.Errorf("Slot(0) with Max 400ms lasts %s, want 400ms", l)
	}
	if !(agentsync.Backoff{}).Spread() || (agentsync.Backoff{Window: -1}).Spread() {
		t.Error("Spread: want on by default and off for a negative Window")
	}
}

// reconnectTimes gives, for each of n stores that lost the broker at 0 and retry on schedule
// (attempt k at at(k)), the first attempt at or after the broker's return at back.
func reconnectTimes(n int, back time.Duration, at func(k int, r *rand.Rand) time.Duration) []time.Duration {
	r := rand.New(rand.NewPCG(7, uint64(back)))
	out := make([]time.Duration, n)
	for i := range out {
		for k := 0; ; k++ {
			if a := at(k, r); a >= back {
				out[i] = a
				break
			}
		}
	}
	return out
}

// peakPerSecond is the most reconnects that fall in one second.
func peakPerSecond(times []time.Duration) int {
	per := map[int64]int{}
	peak := 0
	for _, d := range times {
		s := int64(d / time.Second)
		per[s]++
		peak = max(peak, per[s])
	}
	return peak
}

// TestBackoff_SlotAttempt shows the slots keep a fleet's reconnects under 1/Window per second
// whatever the outage lasted: 10,000 stores lose the broker at once; it comes back after 0.5 s,
// 10 s, 45 s or 5 min; in no second do more than about 10,000/30 of them reconnect, and each one
// is back within two slots. The old pacing (equal jitter from 1 s after the loss) is shown
// failing the 5 %-per-second goal the slots meet. Deterministic: fixed seeds, no clock.
func TestBackoff_SlotAttempt(t *testing.T) {
	const stores = 10000
	b := agentsync.Backoff{Window: 30 * time.Second}
	mean := float64(stores) / 30
	for _, back := range []time.Duration{500 * time.Millisecond, 10 * time.Second, 45 * time.Second, 5 * time.Minute} {
		t.Run(back.String(), func(t *testing.T) {
			times := reconnectTimes(stores, back, b.SlotAttempt)
			peak := peakPerSecond(times)
			t.Logf("peak %d of %d in one second", peak, stores)
			if float64(peak) > 1.25*mean || peak > stores/20 {
				t.Errorf("peak %d reconnects in one second (%.1f %%), want about %.0f (≤ 1.25× and ≤ 5 %%)",
					peak, 100*float64(peak)/stores, mean)
			}
			k := 0
			for s, l := b.Slot(0); s+l < back; s, l = b.Slot(k) {
				k++
			}
			s, l := b.Slot(k + 1)
			for _, d := range times {
				if d < back || d > s+l {
					t.Fatalf("reconnect at %s, want within [%s, %s]", d, back, s+l)
				}
			}
		})
	}
	t.Run("old pacing", func(t *testing.T) {
		old := agentsync.Backoff{Window: -1}
		times := reconnectTimes(stores, 10*time.Second, func(k int, r *rand.Rand) time.Duration {
			var at time.Duration
			at += old.Delay(0, r) // after the loss
			for i := 0; i < k; i++ {
				at += old.Delay(i, r)
			}
			return at
		})
		peak := peakPerSecond(times)
		t.Logf("old pacing: peak %d of %d in one second", peak, stores)
		if peak <= stores/20 {
			t.Errorf("old pacing: peak %d of %d in one second; the test no longer shows why the slots exist", peak, stores)
		}
	})
}
