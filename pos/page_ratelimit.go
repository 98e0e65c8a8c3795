package pos

import (
	"net"
	"net/http"
	stdsync "sync"
	"time"
)

// ipLimiter is a per-client-IP token bucket for the public pages: each IP may burst to Burst
// requests and then Rate per second. Idle buckets are dropped when the table grows past maxIPs,
// so a scan of many addresses costs bounded memory.
type ipLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      stdsync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const maxIPs = 10000

func newIPLimiter(rate float64, burst int, now func() time.Time) *ipLimiter {
	if now == nil {
		now = time.Now
	}
	return &ipLimiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for ip and reports whether there was one.
func (l *ipLimiter) allow(ip string) bool {
	if l == nil || l.rate <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[ip]
	if !ok {
		if len(l.buckets) >= maxIPs {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * l.rate
	if b.tokens > l.burst {
		b.tokens = l.burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// exhausted reports whether ip has no token left, without taking one.
func (l *ipLimiter) exhausted(ip string) bool {
	if l == nil || l.rate <= 0 {
		return false
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[ip]
	return ok && b.tokens+now.Sub(b.last).Seconds()*l.rate < 1
}

// prune drops buckets that have refilled (they behave as new ones); if none has, it clears all.
func (l *ipLimiter) prune(now time.Time) {
	for ip, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, ip)
		}
	}
	if len(l.buckets) >= maxIPs {
		clear(l.buckets)
	}
}

// clientIP is the peer address of r without the port. X-Forwarded-For is not trusted: the agent
// is reached directly on the store's network.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
