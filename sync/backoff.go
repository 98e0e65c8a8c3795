package sync

import (
	"math/rand/v2"
	"time"
)

// Backoff is capped exponential backoff with "equal jitter": the n-th retry waits a random time
// in [c/2, c] where c = min(Max, Min × Factor^n). The random half spreads a fleet of stores that
// lost the same broker, so they do not reconnect in lockstep (AWS Architecture Blog, "Exponential
// Backoff And Jitter", 2015); the fixed half keeps a floor under the wait.
type Backoff struct {
	// Min is the first ceiling; default 1s.
	Min time.Duration
	// Max caps the ceiling; default 2m.
	Max time.Duration
	// Factor multiplies the ceiling per attempt; default 2.
	Factor float64
}

// Default reconnect pacing, used for the zero fields of a Backoff.
const (
	DefaultBackoffMin    = time.Second
	DefaultBackoffMax    = 2 * time.Minute
	DefaultBackoffFactor = 2
)

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = DefaultBackoffMin
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	if b.Factor < 1 {
		b.Factor = DefaultBackoffFactor
	}
	return b
}

// Ceiling is the largest delay of attempt n (0-based).
func (b Backoff) Ceiling(n int) time.Duration {
	b = b.withDefaults()
	c := float64(b.Min)
	for i := 0; i < n && c < float64(b.Max); i++ {
		c *= b.Factor
	}
	return time.Duration(min(c, float64(b.Max)))
}

// Delay is the wait before attempt n (0-based), drawn from r.
func (b Backoff) Delay(n int, r *rand.Rand) time.Duration {
	c := b.Ceiling(n)
	half := c / 2
	return half + time.Duration(r.Int64N(int64(c-half)+1))
}
