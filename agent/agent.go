// Package agent holds the agent's configuration and wires its parts into one running system. The
// CLI (cmd/storeagent) builds an Agent from a Config and runs it; tests and the demo do the same
// with their own listeners.
//
// Data flow:
//
//	scanners ──bytes──► devices ──frames──► scanner (symbols, GS1, RCN) ──scan──► pos.Hub ──SSE──► POS
//	                                                                                   ▲
//	POS / phones ──HTTP──► pos.Server ──► pos.Service ──one tx──► SQLite (sync/db) ───┤
//	                                          │        sale + movements + outbox events │
//	                                          └──print jobs──► devices (ESC/POS) ──► printers
//	SQLite outbox ──► sync (MQTT, paho) ──► central;  central ──► sync inbox ──► SQLite replica
//
// Every long-running part has Run(ctx) error and returns when ctx is cancelled; Agent.Run fans them
// out with errgroup and treats cancellation as a clean exit.
package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/devices/scale"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/scanner"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/fleet"
)

// customerDirectory forwards customer lookups to sync once it exists.
type customerDirectory struct{ a *Agent }

// Lookup implements pos.CustomerDirectory.
func (c customerDirectory) Lookup(ctx context.Context, id string) (pos.Customer, error) {
	s := c.a.Syncer()
	if s == nil {
		return pos.Customer{}, pos.ErrCustomerUnavailable
	}
	return s.Lookup(ctx, id)
}

// Part is a long-running piece of the agent.
type Part interface {
	// Run works until ctx is cancelled and then returns nil (or ctx.Err()); any other error stops
	// the agent.
	Run(ctx context.Context) error
}

// PartFunc adapts a function to Part.
type PartFunc func(ctx context.Context) error

// Run calls f.
func (f PartFunc) Run(ctx context.Context) error { return f(ctx) }

// Options are what the caller provides besides the config.
type Options struct {
	// Logger receives the agent's logs (nil: discarded).
	Logger *slog.Logger
	// LogLevel, when set, is the level Logger logs at (NewLoggerVar): a fleet overlay's log.level
	// changes it in place; nil makes log.level a change that restarts the agent.
	LogLevel *slog.LevelVar
	// Version is the build's version for status events and /metrics.
	Version string
	// Listener serves HTTP instead of listening on cfg.HTTP.Listen (tests, demo).
	Listener net.Listener
	// ShutdownTimeout bounds a graceful stop (0: 10 s).
	ShutdownTimeout time.Duration
	// PrintDriver replaces the ESC/POS printers (the demo's virtual printer).
	PrintDriver pos.Driver
	// Fleet tunes fleet operations (agent/fleet.go).
	Fleet FleetOptions
	// FiscalPrinter replaces the configured RT driver (fiscal.country IT; tests).
	FiscalPrinter fiscalprinter.Printer
}

// Agent is a running store agent.
type Agent struct {
	cfg     *Config
	opts    Options
	log     *slog.Logger
	DB      *db.DB
	POS     *pos.Service
	API     *pos.Server
	Metrics *prometheus.Registry
	// Devices runs the configured scanners and printers (nil when none are configured).
	Devices *devices.Manager
	// scales are the scanner-scales by device name (scale.go).
	scales map[string]*scale.Scale
	// syncer is the MQTT link to central (nil when no broker is configured); a fleet overlay
	// that changes mqtt.* replaces it (Syncer).
	syncer atomic.Pointer[agentsync.Syncer]
	// devPart and syncPart run the device manager and the MQTT link so that a fleet overlay can
	// restart them alone (agent/fleet_apply.go).
	devPart, syncPart *restartable
	// devMu guards the scan router's per-device tables while the device manager is reconfigured.
	devMu  gosync.RWMutex
	router *scanRouter
	// live is the config in force: cfg, and the overlays applied since in the process.
	live atomic.Pointer[Config]
	// syncReg holds the metrics of the current Syncer, unregistered when it is replaced.
	syncReg *trackedRegisterer
	// Printing is the receipt print queue.
	Printing *pos.PrintQueue
	// Fiscal is the French fiscal journal (nil unless fiscal.country is FR).
	Fiscal *fiscal.Journal
	// Fleet runs central's commands, config overlay and updates (nil without fleet operations).
	Fleet *fleet.Fleet
	// RT registers sales on the Italian Registratore Telematico (nil unless fiscal.country is IT).
	RT       *pos.RTQueue
	activity *activity
	ln       net.Listener
	shopLn   net.Listener // http.shopper_listen; nil when not set
	lock     *db.Lock
	parts    []namedPart
}

type namedPart struct {
	name string
	part Part
}

// New opens the database (migrating it and checking its integrity), builds the selling domain and
// the HTTP API, and binds the HTTP listener, so a port in use fails here with a clear error.
func New(ctx context.Context, cfg *Config, opts Options) (*Agent, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	a := &Agent{cfg: cfg, opts: opts, log: opts.Logger.With("component", "agent")}
	a.live.Store(cfg)
	lock, err := db.LockDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.lock = lock
	d, err := db.Open(ctx, cfg.DataDir, db.Options{})
	if err != nil {
		lock.Release()
		return nil, err
	}
	a.DB = d
	a.Metrics = prometheus.NewRegistry()
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	layouts := rcnLayouts(cfg)
	late := &lateQueue{}
	if a.Fiscal, err = a.openFiscalJournal(); err != nil {
		a.Close()
		return nil, err
	}
	journal := a.POSJournal()
	if a.RT, err = a.openRT(); err != nil {
		a.Close()
		return nil, err
	}
	payments, err := paymentOptions(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.POS = pos.New(d, pos.Options{
		StoreID:           cfg.StoreID,
		Currency:          cfg.Currency,
		CashRoundingMinor: cfg.CashRoundingMinor,
		Terminals:         posTerminals(cfg),
		ParseEmbedded:     embeddedParser(layouts),
		Devices:           a.deviceStates,
		Online:            a.online,
		OnCommit:          a.notifySync,
		Customers:         customerDirectory{a},
		Printing:          late,
		Logger:            opts.Logger,
		SecureCookies:     cfg.HTTP.TLSCertFile != "",
		QuickKeys:         cfg.POS.QuickKeys,
		Lang:              strings.ToLower(strings.SplitN(cfg.Locale, "-", 2)[0]),
		Till: pos.TillOptions{RequireOpen: cfg.Till.RequireOpen, Denominations: cfg.Till.Denominations,
			MaxDifferenceMinor: cfg.Till.MaxDifferenceMinor, DayStart: cfg.Till.DayStart(), Location: cfg.Location(),
			DrawerOpen: a.drawerHold()},
		Journal:  journal,
		Fiscal:   a.fiscalReader(),
		Payments: payments,
		Scale:    agentScales{a},
		RT:       a.RT,
	})
	if a.RT != nil {
		a.Add("rt", a.RT)
	}
	// Before HTTP serves: what a previous run left in flight becomes unknown, never sent again.
	if err := a.POS.RecoverPayments(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.Add("payments", PartFunc(a.POS.RunPayments))
	a.Metrics.MustRegister(pos.NewCollector(a.POS))
	a.API = pos.NewServer(a.POS, a.Metrics)
	a.API.MetricsToken(cfg.HTTP.MetricsToken())
	pos.RegisterScaleRoute(a.API)
	if err := pos.RegisterPages(a.API, a.POS, pos.PageOptions{StoreName: cfg.Store.Name, Locale: cfg.Locale,
		Currency: cfg.Currency, WebshopProductURL: cfg.Links.WebshopProduct, AisleBase: cfg.Links.AisleBase,
		RatePerIP: aisleRate(cfg), BurstPerIP: cfg.HTTP.AisleBurstPerIP}); err != nil {
		a.Close()
		return nil, fmt.Errorf("pages: %w", err)
	}
	if err := a.startDevices(layouts); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.startDisplays(); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.startPrinting(late); err != nil {
		a.Close()
		return nil, err
	}
	a.useReceiptFiscal()
	if err := a.startFiscal(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.startFleet(); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.startSync(); err != nil {
		a.Close()
		return nil, err
	}
	a.ln = opts.Listener
	if a.ln == nil {
		ln, err := net.Listen("tcp", cfg.HTTP.Listen)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("http.listen %s: %w", cfg.HTTP.Listen, err)
		}
		a.ln = ln
	}
	if cfg.HTTP.ShopperListen != "" {
		ln, err := net.Listen("tcp", cfg.HTTP.ShopperListen)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("http.shopper_listen %s: %w", cfg.HTTP.ShopperListen, err)
		}
		a.shopLn = ln
	}
	return a, nil
}

func posTerminals(cfg *Config) []pos.Terminal {
	out := make([]pos.Terminal, 0, len(cfg.Terminals))
	for _, t := range cfg.Terminals {
		out = append(out, pos.Terminal{ID: t.ID, Token: t.Token, Scanners: t.Scanners, Printer: t.Printer, Printers: t.Printers})
	}
	return out
}

// startDevices builds the device manager for the configured devices and routes its scans.
func (a *Agent) startDevices(layouts []scanner.RCNLayout) error {
	specs, err := deviceSpecs(a.cfg)
	if err != nil {
		return err
	}
	if len(specs) == 0 {
		return nil
	}
	router := newScanRouter(a.cfg, a.POS, a.Metrics, a.opts.Logger)
	for _, sp := range specs {
		if sp.Type == devices.TypeScanner {
			router.opts[sp.Name] = scanner.Options{IDs: scanner.IDConfig{VendorIDs: sp.Profile.IDs.VendorIDs}, RCN: layouts}
		}
	}
	router.scales = a.scalesFor(specs)
	a.router = router
	onEvent := func(ev devices.Event) {
		a.devMu.RLock()
		defer a.devMu.RUnlock()
		router.onEvent(ev)
	}
	m, err := devices.NewManager(specs, devices.Options{OnEvent: onEvent, Logger: a.opts.Logger})
	if err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	a.Devices = m
	a.devPart = newRestartable(func() Part { return m })
	a.Add("devices", a.devPart)
	return nil
}

// deviceStates reports the devices for /api/v1/status.
func (a *Agent) deviceStates() []pos.DeviceState {
	out := a.rtDeviceStates()
	if a.Devices == nil {
		return out
	}
	for _, st := range a.Devices.States() {
		out = append(out, pos.DeviceState{Name: st.Name, Type: st.Type, State: st.State, Reason: st.Reason})
	}
	for _, st := range a.Devices.Drawers() {
		out = append(out, pos.DeviceState{Name: st.Name, Type: st.Type, State: st.State})
	}
	return out
}

// Add registers a long-running part to run with the agent.
func (a *Agent) Add(name string, p Part) { a.parts = append(a.parts, namedPart{name, p}) }

// Addr is the HTTP listener's address.
func (a *Agent) Addr() net.Addr { return a.ln.Addr() }

// ShopperURL is the base URL of the shopper listener ("" when http.shopper_listen is not set).
func (a *Agent) ShopperURL() string {
	if a.shopLn == nil {
		return ""
	}
	return "http://" + a.shopLn.Addr().String()
}

// URL is the base URL of the HTTP API.
func (a *Agent) URL() string {
	scheme := "http"
	if a.cfg.HTTP.TLSCertFile != "" {
		scheme = "https"
	}
	return scheme + "://" + a.ln.Addr().String()
}

// Run serves HTTP and runs every part until ctx is cancelled, then stops gracefully: in-flight
// requests (and their transactions) finish, streams close, the database closes last.
func (a *Agent) Run(ctx context.Context) error {
	defer a.Close()
	streams, stopStreams := context.WithCancel(context.Background())
	defer stopStreams()
	srv := &http.Server{
		Handler:           a.activity.wrap(a.API),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return streams },
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	g, gctx := errgroup.WithContext(ctx)
	var shop *http.Server
	if a.shopLn != nil {
		shop = &http.Server{Handler: a.API.Shopper(), ReadHeaderTimeout: srv.ReadHeaderTimeout, ReadTimeout: srv.ReadTimeout,
			WriteTimeout: srv.WriteTimeout, IdleTimeout: srv.IdleTimeout, MaxHeaderBytes: srv.MaxHeaderBytes,
			ErrorLog: srv.ErrorLog}
		g.Go(func() error {
			if err := shop.Serve(a.shopLn); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http shopper listener: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		var err error
		if a.cfg.HTTP.TLSCertFile != "" {
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			err = srv.ServeTLS(a.ln, a.cfg.HTTP.TLSCertFile, a.cfg.HTTP.TLSKeyFile)
		} else {
			err = srv.Serve(a.ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("http: %w", err)
	})
	g.Go(func() error {
		<-gctx.Done()
		stopStreams() // SSE streams end; sales in flight finish (they ignore client cancellation)
		sctx, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			a.log.Warn("http shutdown", "err", err)
			srv.Close()
		}
		if shop != nil {
			if err := shop.Shutdown(sctx); err != nil {
				shop.Close()
			}
		}
		return nil
	})
	for _, p := range a.parts {
		g.Go(func() error {
			err := p.part.Run(gctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			return nil
		})
	}
	a.log.Info("agent running", "store_id", a.cfg.StoreID, "http", a.URL(), "data_dir", a.cfg.DataDir, "epoch", a.DB.Epoch)
	err := g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// Close releases the database and the data_dir lock. Run calls it; call it only if Run is not called.
func (a *Agent) Close() error {
	var errs []error
	if a.shopLn != nil {
		a.shopLn.Close() // already closed when Run served it
	}
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
		a.DB = nil
	}
	if a.lock != nil {
		a.lock.Release()
		a.lock = nil
	}
	return errors.Join(errs...)
}

// aisleRate is http.aisle_rate_per_ip as pos.PageOptions takes it: 0 in the config (off) is a
// negative rate there, where 0 means its own default.
func aisleRate(cfg *Config) float64 {
	if cfg.HTTP.AisleRatePerIP == 0 {
		return -1
	}
	return float64(cfg.HTTP.AisleRatePerIP)
}
