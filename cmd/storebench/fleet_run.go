package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	gosync "sync"
	"sync/atomic"
	"time"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/broker"
)

// fleetConfig is one fleet simulation (the flags of storebench fleet).
type fleetConfig struct {
	Stores      int
	Rate        time.Duration // each store makes a sale (two outbox events) this often
	StartSpread time.Duration // stores start evenly over this long
	Warmup      time.Duration // selling with every store online before the broker is killed
	Outage      time.Duration // how long the broker stays down
	After       time.Duration // selling goes on this long after the broker is back
	Consumers   int           // central simulators in the $share group
	Broker      string        // an existing broker; empty: a private one (Cluster), one node restarted mid-run
	Cluster     string        // the private broker: "" or "mosquitto", "nats" (3 nodes), "rabbitmq"
	NATSMQTT    string        // extra lines in each NATS node's mqtt { } block
	Probe       time.Duration // > 0: probe the private broker's MQTT features first, waiting this long per message
	Window      time.Duration // the stores' reconnect window (sync Backoff.Window; 0: its default)
	AckTimeout  time.Duration // the stores' ack timeout (0: the sync default)
	DataDir     string        // where the stores' databases go
	Timeout     time.Duration // the whole run
	Progress    io.Writer     // a line per phase; nil: none
	Log         *slog.Logger  // the stores' and central's logs
}

// fleetResult is what a fleet run measured.
type fleetResult struct {
	Stores     int
	Broker     string
	Restarted  bool
	Window     time.Duration
	AckTimeout time.Duration
	// Nodes is the broker's node count; KilledStores the stores on the killed node (all with one).
	Nodes, KilledStores int
	// Shared is whether central's consumers used one $share group (else each got every event).
	Shared bool
	// Retained says whether a retained message published on the killed node before the kill was
	// read from it after the restart: "kept", "lost" or why it was not checked.
	Retained string
	// Probe is what broker.Probe found on the private broker (-probe).
	Probe []broker.Finding

	// InitialPeak is the most first connections in one second of the start.
	InitialPeak int
	// Unexpected counts connections between a store's first and the broker kill (a lost link
	// under load).
	Unexpected int
	// Reconnects[s] counts connections in second s after the broker came back.
	Reconnects []int
	// Reconnected is the number of stores that connected again after the kill.
	Reconnected int
	// AllBack is the time from the broker's return until the last store reconnected.
	AllBack time.Duration
	// Drained is the time from the broker's return until every outbox was empty; 0 if never.
	Drained time.Duration

	Sales, SaleErrors    int64
	Appended, DuringDown int64 // events the stores stored (during the outage and after it, until selling stopped)
	Stored               int   // distinct events central stored
	Lost                 int   // appended, never stored at central
	AckedLost            int   // of those, acked at the store (an ack without a commit)
	Unacked              int64 // outbox events still unacked at the end
	Duplicates           int   // central rows that repeat a (store, topic, epoch, seq)
	Gaps                 int   // seqs missing at central below a stream's highest
	Redeliveries         int   // deliveries central absorbed by dedup

	PeakGoroutines, PeakFDs int
	PeakRSSMB, BrokerRSSMB  float64
	Elapsed                 time.Duration
}

// Peak is the busiest second after the broker came back.
func (r *fleetResult) Peak() (second, n int) {
	for s, c := range r.Reconnects {
		if c > n {
			second, n = s, c
		}
	}
	return second, n
}

// ReconnectSum is the sum of the reconnect histogram.
func (r *fleetResult) ReconnectSum() int {
	n := 0
	for _, c := range r.Reconnects {
		n += c
	}
	return n
}

// fleetConnects records every connection of every store (Options.OnConnect).
type fleetConnects struct {
	mu gosync.Mutex
	at []fleetConnect
}

type fleetConnect struct {
	store int
	t     time.Time
}

func (l *fleetConnects) add(store int) {
	l.mu.Lock()
	l.at = append(l.at, fleetConnect{store, time.Now()})
	l.mu.Unlock()
}

func (l *fleetConnects) snapshot() []fleetConnect {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]fleetConnect(nil), l.at...)
}

func (cfg *fleetConfig) progress(format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "fleet: "+format+"\n", args...)
	}
}

// runFleetSim runs the simulation: broker, central, the stores, the outage, the drain; then it
// counts what central stored against what the stores appended.
func runFleetSim(ctx context.Context, cfg fleetConfig) (*fleetResult, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	work, err := os.MkdirTemp(cfg.DataDir, "storebench-fleet-")
	if err != nil {
		return nil, fmt.Errorf("fleet data dir: %w", err)
	}
	defer os.RemoveAll(work)
	res := &fleetResult{Stores: cfg.Stores, Broker: cfg.Broker, Window: cfg.Window, AckTimeout: cfg.AckTimeout}
	if res.Window == 0 {
		res.Window = agentsync.DefaultReconnectWindow
	}
	if res.AckTimeout == 0 {
		res.AckTimeout = 30 * time.Second
	}

	var fb fleetBroker
	urlOf := func(int) string { return cfg.Broker }
	res.Nodes, res.Shared, res.Retained = 1, true, "not checked (-broker names an existing one)"
	if cfg.Broker == "" {
		cfg.progress("starting the private broker (%s)", cmp.Or(cfg.Cluster, "mosquitto"))
		fb, err = newFleetBroker(cfg.Cluster, filepath.Join(work, "broker"), cfg.NATSMQTT)
		if err != nil {
			return nil, err
		}
		defer fb.Stop()
		urlOf = func(i int) string { return fb.URL(i % fb.Nodes()) }
		res.Broker, res.Nodes, res.Shared = fb.Name(), fb.Nodes(), fb.Share()
		if cfg.Probe > 0 {
			other := min(1, fb.Nodes()-1)
			cfg.progress("probing %s and %s: retained, offline queue, QoS 1 redelivery, $share, max payload", fb.URL(0), fb.URL(other))
			res.Probe = broker.Probe(fb.URL(0), fb.URL(other), cfg.Probe)
			for _, f := range res.Probe {
				cfg.progress("probe: %s", f)
			}
		}
	}
	central, err := startFleetCentral(ctx, urlOf, work, cfg.Consumers, !res.Shared, cfg.Log)
	if err != nil {
		return nil, err
	}
	defer central.stop()
	cfg.progress("broker %s (%d nodes), %d central consumers; opening %d store databases in %s", urlOf(0), res.Nodes, cfg.Consumers, cfg.Stores, work)

	conns := &fleetConnects{}
	stores, err := openFleet(ctx, cfg, work, urlOf, conns)
	defer func() {
		for _, st := range stores {
			st.db.Close()
		}
	}()
	if err != nil {
		return nil, err
	}

	var peaks fleetPeaks
	sampleCtx, stopSampling := context.WithCancel(context.Background())
	defer stopSampling()
	go peaks.sample(sampleCtx, brokerPID(fb))

	// The stores run until the end, even past the timeout, so they stop cleanly.
	runCtx, stopStores := context.WithCancel(context.Background())
	sellCtx, stopSelling := context.WithCancel(runCtx)
	var sellers gosync.WaitGroup
	running := 0
	stopAll := func() {
		stopSelling()
		sellers.Wait()
		stopStores()
		for _, st := range stores[:running] {
			<-st.done
		}
		running = 0
	}
	defer stopAll()
	t0 := time.Now()
	for i, st := range stores {
		if !fleetSleepUntil(ctx, t0.Add(time.Duration(i)*cfg.StartSpread/time.Duration(cfg.Stores))) {
			return nil, ctx.Err()
		}
		go func() { st.done <- st.sync.Run(runCtx) }()
		running++
		sellers.Add(1)
		go func() {
			defer sellers.Done()
			st.sellEvery(sellCtx, cfg.Rate)
		}()
	}
	cfg.progress("%d stores started in %s; waiting until all are online", cfg.Stores, time.Since(t0).Round(time.Millisecond))
	if err := fleetWaitFor(ctx, func() bool { return fleetDistinct(conns.snapshot(), time.Time{}) == cfg.Stores }); err != nil {
		return nil, fmt.Errorf("not every store connected: %d of %d online", fleetDistinct(conns.snapshot(), time.Time{}), cfg.Stores)
	}
	allOnline := time.Now()
	res.InitialPeak = fleetPeakPerSecond(conns.snapshot(), t0)
	if !fleetSleepUntil(ctx, allOnline.Add(cfg.Warmup)) {
		return nil, ctx.Err()
	}

	var killAt, backAt time.Time
	appendedBefore := fleetSales(stores)
	// onKilled: the stores whose node is killed, which must reconnect.
	onKilled := func(int) bool { return true }
	if fb != nil {
		killed := fb.Killed()
		onKilled = func(i int) bool { return i%fb.Nodes() == killed }
		for i := range stores {
			if onKilled(i) {
				res.KilledStores++
			}
		}
		retainedTopic := "storebench/fleet/retained-check"
		retainedErr := broker.PublishRetained(fb.URL(killed), retainedTopic, []byte("before the kill"))
		if retainedErr != nil {
			res.Retained = "not checked: " + retainedErr.Error()
		}
		// Mosquitto saves every 2 s (autosave_interval); give it that.
		if !fleetSleepUntil(ctx, time.Now().Add(2500*time.Millisecond)) {
			return nil, ctx.Err()
		}
		cfg.progress("killing broker node %d of %d (SIGKILL) for %s; %d stores are on it", killed+1, fb.Nodes(), cfg.Outage, res.KilledStores)
		killAt = time.Now()
		fb.Kill()
		if !fleetSleepUntil(ctx, killAt.Add(cfg.Outage)) {
			return nil, ctx.Err()
		}
		if err := fb.Restart(); err != nil {
			return nil, err
		}
		backAt = time.Now()
		res.Restarted = true
		peaks.brokerStarted(fb.Pid())
		cfg.progress("broker node back after %s (start included); selling %s more", backAt.Sub(killAt).Round(time.Millisecond), cfg.After)
		if retainedErr == nil {
			switch got, err := broker.ReadRetained(fb.URL(killed), retainedTopic, 3*time.Second); {
			case err != nil:
				res.Retained = "not checked: " + err.Error()
			case string(got) == "before the kill":
				res.Retained = "kept"
			default:
				res.Retained = "lost"
			}
			_ = broker.PublishRetained(fb.URL(killed), retainedTopic, nil)
		}
	} else {
		res.KilledStores = cfg.Stores
		backAt = time.Now()
	}
	if !fleetSleepUntil(ctx, backAt.Add(cfg.After)) {
		return nil, ctx.Err()
	}
	stopSelling()
	sellers.Wait()
	res.DuringDown = 2 * (fleetSales(stores) - appendedBefore)
	cfg.progress("selling stopped; waiting until every store is back and every outbox is empty")

	drained, err := waitDrained(ctx, stores, func() bool {
		return !res.Restarted || fleetDistinctOf(conns.snapshot(), killAt, onKilled) == res.KilledStores
	})
	if err == nil {
		res.Drained = drained.Sub(backAt)
	} else if !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	cfg.progress("drained after %s; stopping", res.Drained.Round(time.Millisecond))
	stopAll()
	central.stop()

	all := conns.snapshot()
	if res.Restarted {
		res.Reconnects, res.Reconnected, res.AllBack, res.Unexpected = fleetHistogram(all, cfg.Stores, killAt, backAt)
	}
	if err := fleetCount(context.Background(), res, stores, central); err != nil {
		return nil, err
	}
	res.PeakGoroutines, res.PeakFDs, res.BrokerRSSMB = peaks.result()
	res.PeakRSSMB = fleetPeakRSSMB(os.Getpid())
	res.Elapsed = time.Since(start)
	return res, nil
}

// openFleet opens every store's database and Syncer, a few at a time; store i uses broker urlOf(i).
func openFleet(ctx context.Context, cfg fleetConfig, work string, urlOf func(int) string, conns *fleetConnects) ([]*fleetStore, error) {
	stores := make([]*fleetStore, cfg.Stores)
	var next atomic.Int64
	errs := make(chan error, runtime.GOMAXPROCS(0)*2)
	for w := 0; w < cap(errs); w++ {
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= cfg.Stores || ctx.Err() != nil {
					errs <- ctx.Err()
					return
				}
				st, err := openFleetStore(ctx, work, i, agentsync.Options{Broker: urlOf(i), AgentVersion: "storebench-fleet",
					Logger: cfg.Log, TimerInterval: -1, AckTimeout: cfg.AckTimeout,
					Backoff: agentsync.Backoff{Window: cfg.Window}, OnConnect: func() { conns.add(i) }})
				if err != nil {
					next.Store(int64(cfg.Stores))
					errs <- err
					return
				}
				stores[i] = st
			}
		}()
	}
	var err error
	for w := 0; w < cap(errs); w++ {
		err = errors.Join(err, <-errs)
	}
	opened := stores[:0]
	for _, st := range stores {
		if st != nil {
			opened = append(opened, st)
		}
	}
	if err != nil {
		return opened, err
	}
	return stores, nil
}

func fleetSales(stores []*fleetStore) int64 {
	var n int64
	for _, st := range stores {
		n += st.sales.Load()
	}
	return n
}

// waitDrained polls the stores until none has an unacked outbox event and ready holds; it
// returns when that was first seen.
func waitDrained(ctx context.Context, stores []*fleetStore, ready func() bool) (time.Time, error) {
	left := append([]*fleetStore(nil), stores...)
	for {
		keep := left[:0]
		for _, st := range left {
			n, err := st.unacked(ctx)
			if err != nil {
				return time.Time{}, fmt.Errorf("store %s: %w", st.id, err)
			}
			if n > 0 {
				keep = append(keep, st)
			}
		}
		left = keep
		if len(left) == 0 && ready() {
			return time.Now(), nil
		}
		if !fleetSleepUntil(ctx, time.Now().Add(250*time.Millisecond)) {
			return time.Time{}, ctx.Err()
		}
	}
}

// fleetSleepUntil waits until t or ctx ends; false when ctx ended.
func fleetSleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}

// fleetWaitFor polls cond every 100 ms until it holds or ctx ends.
func fleetWaitFor(ctx context.Context, cond func() bool) error {
	for !cond() {
		if !fleetSleepUntil(ctx, time.Now().Add(100*time.Millisecond)) {
			return ctx.Err()
		}
	}
	return nil
}

// brokerPID is the private broker's (killed node's) process id, 0 for an existing one (-broker).
func brokerPID(fb fleetBroker) int {
	if fb == nil {
		return 0
	}
	return fb.Pid()
}
