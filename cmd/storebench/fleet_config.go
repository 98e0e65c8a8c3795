package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	gosync "sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/storeagent/storeagent/agent"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/broker"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/fleet"
)

// fleetConfigBench is `storebench fleet-config`: N simulated stores, each its own database, the
// agent's real Syncer and fleet part, restarted (a new Syncer and fleet part over the same files,
// as a restarted process would have) whenever the fleet part asks; central's console signs one
// overlay per store and the row is the time until every store reported it applied.
type fleetConfigBench struct {
	Stores  int
	Broker  string
	DataDir string
	Timeout time.Duration
	Log     *slog.Logger
	// Progress, if set, receives progress lines.
	Progress io.Writer
}

type fleetConfigResult struct {
	Stores, Applied, Other int
	Restarts               int64
	Online, Took           time.Duration
	Broker                 string
}

func runFleetConfig(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("storebench fleet-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	b := fleetConfigBench{}
	fs.IntVar(&b.Stores, "stores", 1000, "simulated stores")
	fs.StringVar(&b.Broker, "broker", "", "an existing broker URL; default a private Mosquitto")
	fs.StringVar(&b.DataDir, "data", "", "folder for the stores' databases; default /dev/shm when present, else the temp dir")
	fs.DurationVar(&b.Timeout, "timeout", 5*time.Minute, "give up after this long")
	out := fs.String("o", "", "also write the report to `PATH`.md and PATH.json")
	strict := fs.Bool("strict", false, "exit 1 when the goal is missed, too")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || b.Stores < 1 || b.Timeout <= 0 {
		fmt.Fprintln(stderr, "storebench fleet-config: -stores and -timeout must be positive, and no arguments")
		return 2
	}
	if b.DataDir == "" {
		b.DataDir = os.TempDir()
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			b.DataDir = "/dev/shm"
		}
	}
	b.Progress = stderr
	b.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	res, err := b.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "storebench fleet-config: %v\n", err)
		return 1
	}
	rep := fleetConfigReport(res)
	if err := rep.WriteMarkdown(stdout); err != nil {
		return 1
	}
	if *out != "" {
		if err := writeOutputs(rep, *out); err != nil {
			fmt.Fprintf(stderr, "storebench fleet-config: %v\n", err)
			return 1
		}
	}
	return exitCode(rep, *strict, stderr)
}

func fleetConfigReport(r *fleetConfigResult) *Report {
	rep := &Report{Title: fmt.Sprintf("storebench fleet-config — %d stores", r.Stores), Version: version(), Date: time.Now(), Machine: ThisMachine(r.Broker)}
	row := Row{Measure: fmt.Sprintf("a config overlay reaching %d stores, each reporting it applied", r.Stores), Value: r.Took.Seconds(), Unit: "s",
		Goal: Goal{On: "value", Op: "<", Limit: 60 * float64(r.Stores) / 1000, Label: fmt.Sprintf("< %.0f s (60 s per 1,000 stores)", 60*float64(r.Stores)/1000)},
		Notes: fmt.Sprintf("signed and published per store, validated like a file, applied through a restart of each store's MQTT link and fleet part (%d restarts), health gate passed; %d of %d applied, %d other reports; every store was online after %.1f s",
			r.Restarts, r.Applied, r.Stores, r.Other, r.Online.Seconds())}
	if r.Applied < r.Stores {
		row.Err = fmt.Sprintf("only %d of %d stores reported applied", r.Applied, r.Stores)
	}
	rep.Rows = []Row{row}
	return rep
}

func (b *fleetConfigBench) progress(format string, args ...any) {
	if b.Progress != nil {
		fmt.Fprintf(b.Progress, "storebench fleet-config: "+format+"\n", args...)
	}
}

func (b *fleetConfigBench) run(ctx context.Context) (*fleetConfigResult, error) {
	ctx, cancel := context.WithTimeout(ctx, b.Timeout)
	defer cancel()
	if b.Log == nil {
		b.Log = slog.New(slog.DiscardHandler)
	}
	work, err := os.MkdirTemp(b.DataDir, "storebench-fleetcfg-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	res := &fleetConfigResult{Stores: b.Stores, Broker: b.Broker}
	url := b.Broker
	if url == "" {
		if err := os.Mkdir(filepath.Join(work, "broker"), 0o700); err != nil {
			return nil, err
		}
		mq, err := broker.NewMosquitto(filepath.Join(work, "broker"), "", "")
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
	keyPath, pubPath := filepath.Join(work, "central.key"), filepath.Join(work, "central.pub")
	if err := fleet.WriteKeyPair(keyPath, pubPath); err != nil {
		return nil, err
	}
	priv, _ := fleet.LoadPrivateKey(keyPath)
	pub, _ := fleet.LoadPublicKey(pubPath)
	// One store's config file validates every overlay (they differ only in store_id).
	cfgPath := filepath.Join(work, "storeagent.yaml")
	y := fmt.Sprintf("store_id: fleet-template\ndata_dir: %s\nmqtt: {broker: %q}\nfleet: {central_public_key_file: central.pub}\n", work, url)
	if err := os.WriteFile(cfgPath, []byte(y), 0o600); err != nil {
		return nil, err
	}
	tmpl, _, err := agent.LoadConfig(cfgPath, nil)
	if err != nil {
		return nil, err
	}
	var validate gosync.Mutex // WithOverlay parses YAML: cheap, but keep 1,000 at once off the heap
	validateOverlay := func(ov []byte) ([]string, error) {
		validate.Lock()
		defer validate.Unlock()
		_, ignored, err := tmpl.WithOverlay(ov)
		return ignored, err
	}
	con, err := centralsim.DialConsole(ctx, centralsim.ConsoleOptions{Broker: url, Key: priv})
	if err != nil {
		return nil, err
	}
	defer con.Close()

	var online atomic.Int64
	var restarts atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	start := time.Now()
	sem := make(chan struct{}, runtime.GOMAXPROCS(0)*4) // opening databases
	for i := range b.Stores {
		g.Go(func() error {
			return b.runStore(gctx, work, i, url, pub, validateOverlay, sem, &online, &restarts)
		})
	}
	storesDone := make(chan error, 1)
	go func() { storesDone <- g.Wait() }()
	if err := waitCond(ctx, func() bool { return online.Load() >= int64(b.Stores) }); err != nil {
		return nil, fmt.Errorf("only %d of %d stores came online: %w", online.Load(), b.Stores, err)
	}
	res.Online = time.Since(start)
	b.progress("%d stores online after %.1f s; sending the overlay", b.Stores, res.Online.Seconds())
	t0 := time.Now()
	overlay := json.RawMessage(`{"customers":{"cache_ttl":"12h"},"log":{"level":"warn"}}`)
	pg, pctx := errgroup.WithContext(ctx)
	pg.SetLimit(16)
	for i := range b.Stores {
		pg.Go(func() error { return con.SetConfig(pctx, fleetStoreID(i), 1, overlay) })
	}
	if err := pg.Wait(); err != nil {
		return nil, err
	}
	err = waitCond(ctx, func() bool { return con.CountConfig(1, fleet.StatusApplied) >= b.Stores })
	res.Took = time.Since(t0)
	res.Applied = con.CountConfig(1, fleet.StatusApplied)
	for _, r := range con.Snapshot().Config {
		if r.Status != fleet.StatusApplied {
			res.Other++
		}
	}
	res.Restarts = restarts.Load()
	cancel()
	<-storesDone
	if err != nil && res.Applied == 0 {
		return nil, err
	}
	return res, nil
}

func fleetStoreID(i int) string { return fmt.Sprintf("fleet-%05d", i) }

// runStore runs store i as its process would, restarting on fleet.ErrRestart, until ctx ends.
func (b *fleetConfigBench) runStore(ctx context.Context, work string, i int, url string, pub []byte,
	validate func([]byte) ([]string, error), sem chan struct{}, online, restarts *atomic.Int64) error {
	id := fleetStoreID(i)
	dir := filepath.Join(work, id)
	first := true
	for ctx.Err() == nil {
		if _, err := fleet.PrepareStart(dir); err != nil {
			return err
		}
		sem <- struct{}{}
		d, err := db.Open(ctx, dir, db.Options{Readers: 1})
		<-sem
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("store %s: %w", id, err)
		}
		link := &benchLink{}
		f, err := fleet.New(fleet.Options{StoreID: id, PublicKey: pub, Ring: "stable", Version: "storebench", DataDir: dir, DB: d,
			Link: link, HealthTimeout: 30 * time.Second, Tick: 100 * time.Millisecond, Logger: b.Log,
			Env: fleet.Env{Healthy: link.healthy, Idle: func() bool { return true }, ValidateOverlay: validate}})
		if err != nil {
			d.Close()
			return err
		}
		var once gosync.Once
		s, err := agentsync.New(d, agentsync.Options{StoreID: id, Broker: url, AgentVersion: "storebench", Logger: b.Log,
			TimerInterval: -1, Fleet: f, OnConnect: func() {
				if first {
					once.Do(func() { online.Add(1) })
				}
			}})
		if err != nil {
			d.Close()
			return err
		}
		link.s = s
		rctx, stop := context.WithCancel(ctx)
		g, gctx := errgroup.WithContext(rctx)
		g.Go(func() error { return s.Run(gctx) })
		g.Go(func() error { return f.Run(gctx) })
		err = g.Wait()
		stop()
		d.Close()
		first = false
		switch {
		case errors.Is(err, fleet.ErrRestart):
			restarts.Add(1)
		case err != nil && ctx.Err() == nil:
			return fmt.Errorf("store %s: %w", id, err)
		}
	}
	return nil
}

// benchLink is the fleet's Link over a store's Syncer.
type benchLink struct{ s *agentsync.Syncer }

func (l *benchLink) Online() bool { return l.s != nil && l.s.Online() }

func (l *benchLink) PublishEvent(ctx context.Context, topic, typ string, data any, retained bool) error {
	return l.s.PublishEvent(ctx, topic, typ, data, retained)
}

func (l *benchLink) RequestSnapshot(ctx context.Context, topic string) error {
	return l.s.RequestSnapshot(ctx, topic)
}

func (l *benchLink) healthy(context.Context) error {
	if !l.Online() {
		return errors.New("broker not connected")
	}
	return nil
}

func waitCond(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
