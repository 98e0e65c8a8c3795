package pos

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// TestHealthz_floodWritesOnce: a flood of public /healthz requests (issue 16 item 9: 500 req/s
// halved sales throughput, one database write each) costs one probe write per healthTTL, and a
// full-disk error seen by a sale drops the cached "ok" at once.
func TestHealthz_floodWritesOnce(t *testing.T) {
	var probes atomic.Int64
	e := newTestEnv(t, func(o *Options) {
		o.Now = func() time.Time { probes.Add(1); return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }
	})
	before := probes.Load()
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if code, body := e.do("GET", "/healthz", "", nil); code != 200 {
					bad.Add(1)
					t.Errorf("healthz: %d %s", code, body)
				}
			}
		}()
	}
	wg.Wait()
	if n := probes.Load() - before; n != 1 {
		t.Errorf("400 healthz requests made %d probe writes, want 1 (cached for %s)", n, healthTTL)
	}
	if got := e.count(`SELECT count(*) FROM meta WHERE key = 'healthz'`); got != 1 {
		t.Errorf("healthz meta rows %d, want 1", got)
	}

	// A write that failed on a full disk makes the next healthz probe again.
	_ = db.Explain(fmt.Errorf("write: %w", syscall.ENOSPC))
	before = probes.Load()
	e.do("GET", "/healthz", "", nil)
	if n := probes.Load() - before; n != 1 {
		t.Errorf("after a full-disk error: %d probes, want 1 (the cached ok is stale)", n)
	}
}
