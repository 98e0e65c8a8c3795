package sync

import (
	"math/rand/v2"
	"time"
)

// Backoff paces reconnects. A first connection that fails (the broker is down when the agent
// starts) is retried with capped exponential backoff and "equal jitter": the n-th retry waits a
// random time in [c/2, c] where c = min(Max, Min × Factor^n) (AWS Architecture Blog, "Exponential
// Backoff And Jitter", 2015).
//
// A connection that was up and is lost is a different case: every store of the chain lost the same
// broker at the same moment, and equal jitter from Min would bring them all back within a second or
// two of its return. So after a loss the attempts follow slots instead (Slot): consecutive windows
// from the moment of the loss, and attempt n happens at a uniformly random moment of slot n. Slots 0
// and 1 last one Window each, so a store that tried during a short outage is back within two
// Windows of the loss; from slot 2 on each lasts Factor times the one before, up to Max. Each store
// tries once per slot and no slot is shorter than Window, so whenever the broker comes back the
// stores still retrying reach it at a rate of at most 1/Window of the fleet per second, whatever
// the outage lasted, and a dead broker sees at most that many attempts per second too.
type Backoff struct {
	// Min is the first ceiling of a failed first connection; default 1s.
	Min time.Duration
	// Max caps the ceilings and the slots; default 2m.
	Max time.Duration
	// Factor multiplies the ceiling and the slot per attempt; default 2.
	Factor float64
	// Window is the first slot after a lost connection: the store reconnects at a random moment
	// in it; default 45s (at most Max); negative turns the slots off, so a lost connection is
	// retried like a failed first one, after Delay(0), Delay(1)...
	Window time.Duration
}

// Default reconnect pacing, used for the zero fields of a Backoff.
const (
	DefaultBackoffMin    = time.Second
	DefaultBackoffMax    = 2 * time.Minute
	DefaultBackoffFactor = 2
	// DefaultReconnectWindow spreads a fleet's reconnects after a broker outage over 45 s: on
	// average 1/45 ≈ 2.2 % of the stores per second, so that even the busiest second of a
	// 1,000-store chain stays under 5 % (docs/scaling.md).
	DefaultReconnectWindow = 45 * time.Second
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
	if b.Window == 0 {
		b.Window = DefaultReconnectWindow
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

// Spread reports whether a lost connection is retried in slots (Window not negative).
func (b Backoff) Spread() bool { return b.Window >= 0 }

// Slot is where slot n (0-based) of the reconnects after a lost connection starts, counted from
// the loss, and how long it lasts: Window for slots 0 and 1, then Factor times the slot before,
// never more than Max (a Window above Max counts as Max).
func (b Backoff) Slot(n int) (start, length time.Duration) {
	b = b.withDefaults()
	l := float64(min(b.Window, b.Max))
	var s float64
	for i := 0; i < n; i++ {
		s += l
		if i >= 1 {
			l = min(l*b.Factor, float64(b.Max))
		}
	}
	return time.Duration(s), time.Duration(l)
}

// SlotAttempt is when attempt n (0-based) after a lost connection happens, counted from the loss:
// a uniformly random moment of slot n, drawn from r.
func (b Backoff) SlotAttempt(n int, r *rand.Rand) time.Duration {
	start, length := b.Slot(n)
	return start + time.Duration(r.Int64N(int64(length)+1))
}
