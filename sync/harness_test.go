package sync_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/syncbench"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("SYNC_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func openDB(t testing.TB) *db.DB {
	t.Helper()
	return openDBAt(t, t.TempDir())
}

func openDBAt(t testing.TB, dir string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dir, db.Options{})
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func startBroker(t testing.TB) string {
	t.Helper()
	url, stop, err := broker.Start(context.Background(), broker.Options{})
	if err != nil {
		t.Fatalf("broker.Start: %v", err)
	}
	t.Cleanup(stop)
	return url
}

func startSim(t testing.TB, url string, opts centralsim.Options) *centralsim.Sim {
	t.Helper()
	opts.Broker = url
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.DBPath == "" {
		opts.DBPath = t.TempDir() + "/central.db"
	}
	if opts.RepublishInterval == 0 {
		opts.RepublishInterval = 300 * time.Millisecond
	}
	sim, err := centralsim.New(opts)
	if err != nil {
		t.Fatalf("centralsim.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		sim.Close()
	})
	select {
	case <-sim.Connected():
	case <-time.After(10 * time.Second):
		t.Fatal("simulator did not connect")
	}
	return sim
}

type agent struct {
	*agentsync.Syncer
	db   *db.DB
	stop func()
}

func testOptions(t testing.TB, url, store string) agentsync.Options {
	return agentsync.Options{StoreID: store, Broker: url, ClientID: "storeagent-" + store + "-" + fmt.Sprint(time.Now().UnixNano()%100000),
		AgentVersion: "test", Logger: testLogger(t), LookupTimeout: 500 * time.Millisecond,
		AckTimeout: 2 * time.Second, PollInterval: 200 * time.Millisecond, TimerInterval: -1,
		Backoff: agentsync.Backoff{Min: 50 * time.Millisecond, Max: 400 * time.Millisecond}}
}

// startAgent runs a Syncer over d until the test ends (or stop is called).
func startAgent(t testing.TB, d *db.DB, opts agentsync.Options) *agent {
	t.Helper()
	s, err := agentsync.New(d, opts)
	if err != nil {
		t.Fatalf("sync.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var stopped atomic.Bool
	stop := func() {
		if stopped.Swap(true) {
			return
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil on cancel", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return &agent{Syncer: s, db: d, stop: stop}
}

func waitOnline(t testing.TB, a *agent) {
	t.Helper()
	eventually(t, 10*time.Second, func() (bool, string) { return a.Online(), "agent not online" })
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(t testing.TB, d *db.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func item(sku string, version, price int64, gtins ...string) pos.CatalogItem {
	return pos.CatalogItem{SKU: sku, GTINs: gtins, Name: "Item " + sku, PriceMinor: price, Currency: "EUR",
		TaxRateBP: 2200, Unit: "each", Category: "grocery", Active: true, Version: version}
}

// catalog makes n items with valid EAN-13s (the benchmarks' catalogue).
func catalog(n int) []pos.CatalogItem { return syncbench.Catalog(n) }

// ean13 appends the GS1 mod-10 check digit to 12 digits.
func ean13(n int64) string { return benchkit.EAN13(n) }
