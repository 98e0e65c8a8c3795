package main

import (
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
	Broker      string        // an existing broker; empty: a private Mosquitto, restarted mid-run
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

	url := cfg.Broker
	var mq *broker.Mosquitto
	if url == "" {
		if err := os.Mkdir(filepath.Join(work, "broker"), 0o700); err != nil {
			return nil, err
		}
		// autosave: the broker persists its sessions every 2 s, so a restart keeps most of them,
		// as a clustered broker would; what it loses the agents republish.
		mq, err = broker.NewMosquitto(filepath.Join(work, "broker"), "", "autosave_interval 2\n")
		if err != nil {
			return nil, err
		}
		if err := mq.Start(); err != nil {
			return nil, err
		}
		defer mq.Stop()
		url = mq.URL("tcp")
		res.Broker = "private " + mosquittoVersion()
	}
	central, err := startFleetCentral(ctx, url, work, cfg.Consumers, cfg.Log)
	if err != nil {
		return nil, err
	}
	defer central.stop()
	cfg.progress("broker %s, %d central consumers; opening %d store databases in %s", url, cfg.Consumers, cfg.Stores, work)

	conns := &fleetConnects{}
	stores, err := openFleet(ctx, cfg, work, url, conns)
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
	go peaks.sample(sampleCtx, brokerPID(mq))

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
	if mq != nil {
		cfg.progress("killing the broker (SIGKILL) for %s", cfg.Outage)
		killAt = time.Now()
		mq.Stop()
		if !fleetSleepUntil(ctx, killAt.Add(cfg.Outage)) {
			return nil, ctx.Err()
		}
		if err := mq.Start(); err != nil {
			return nil, err
		}
		backAt = time.Now()
		res.Restarted = true
		peaks.brokerStarted(mq.Pid())
		cfg.progress("broker back; selling %s more", cfg.After)
	} else {
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
		return !res.Restarted || fleetDistinct(conns.snapshot(), killAt) == cfg.Stores
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

// openFleet opens every store's database and Syncer, a few at a time.
func openFleet(ctx context.Context, cfg fleetConfig, work, url string, conns *fleetConnects) ([]*fleetStore, error) {
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
				st, err := openFleetStore(ctx, work, i, agentsync.Options{Broker: url, AgentVersion: "storebench-fleet",
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

// brokerPID is the private broker's process id, 0 for an existing one (-broker).
func brokerPID(mq *broker.Mosquitto) int {
	if mq == nil {
		return 0
	}
	return mq.Pid()
}
