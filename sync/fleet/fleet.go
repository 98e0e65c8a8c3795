package fleet

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// ErrRestart is returned by Run when the agent must restart: a new config overlay or binary to
// start on, a rollback, or a restart command. The CLI exits with ExitRestart on it, and the
// service manager (systemd Restart=always, the Windows SCM's recovery) starts the agent again.
var ErrRestart = errors.New("fleet: restart to apply a fleet change")

// ExitRestart is the exit status of a restart the fleet asked for (75, EX_TEMPFAIL in sysexits.h).
const ExitRestart = 75

// Link is what the fleet needs from the MQTT link (package sync's Syncer).
type Link interface {
	// Online reports whether the broker is connected.
	Online() bool
	// PublishEvent publishes a CloudEvent from the store and waits for the PUBACK.
	PublishEvent(ctx context.Context, topic, typ string, data any, retained bool) error
	// RequestSnapshot asks central to send topic again from its start.
	RequestSnapshot(ctx context.Context, topic string) error
}

// Env is what the fleet needs from the rest of the agent.
type Env struct {
	// Healthy is nil when the store is healthy (HTTP answers, broker connected), else why not.
	Healthy func(ctx context.Context) error
	// Idle reports whether no sale is in progress (no POS request in flight or recent).
	Idle func() bool
	// ValidateOverlay merges an overlay onto the file config and validates it like a file;
	// ignored are the pinned keys it left alone.
	ValidateOverlay func(overlay []byte) (ignored []string, err error)
	// Diagnostics returns the parts of a diagnostics bundle (config without secrets, logs,
	// status, integrity, devices), each JSON-encodable.
	Diagnostics func(ctx context.Context) (map[string]any, error)
	// PlanOverlay says which parts applying an overlay over the file config would restart or
	// reload, compared with the config running now (nil: every overlay restarts the agent).
	PlanOverlay func(overlay []byte) (Plan, error)
	// ApplyOverlay applies an overlay over the file config (nil or empty: the file alone) to the
	// parts it touches, in the process, and returns what it did; it is called only with overlays
	// whose plan is not Whole, and for rolling back to the previous one.
	ApplyOverlay func(ctx context.Context, overlay []byte) (Plan, error)
	// Reprint queues a copy of a sale's receipt on printer ("" for the default) and returns the
	// print job.
	Reprint func(ctx context.Context, saleID, printer string) (string, error)
}

// Options configure a Fleet.
type Options struct {
	StoreID   string
	PublicKey ed25519.PublicKey
	Ring      string
	// Version is the running binary's version.
	Version string
	// DataDir holds the state file (fleet/state.json).
	DataDir string
	DB      *db.DB
	Link    Link
	Env     Env
	// HealthTimeout bounds the health gate of a config or binary on trial; default 2m.
	HealthTimeout time.Duration
	// Binary is the running executable, replaced by an update; "" turns updates off (refused).
	Binary string
	// PackageManaged reports that Binary belongs to a .deb or .rpm (updates are refused).
	PackageManaged bool
	// UpdateMaxBytes bounds a download; default 256 MiB.
	UpdateMaxBytes int64
	// HTTPClient downloads updates and posts diagnostics; default a client with a 5 min timeout.
	HTTPClient *http.Client
	// DiagnosticsURL, when set, receives diagnostics bundles by HTTPS POST.
	DiagnosticsURL string
	// Tick is how often pending work and the health gate are looked at; default 1s.
	Tick   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Fleet runs the fleet operations of one store.
type Fleet struct {
	opts  Options
	log   *slog.Logger
	queue chan inbound
	state State
	// pending is work waiting for an idle moment, by kind (pendingOrder).
	pending map[string]func(ctx context.Context) error
	// trialSince is when the health gate of the current trial started.
	trialSince time.Time
	// live is set while a config overlay applied in the process is on trial (parts.go).
	live *liveTrial
	// dirty marks reports not yet published; sent when online.
	dirtyConfig, dirtyUpdate bool
}

type inbound struct {
	topic    string
	payload  []byte
	retained bool
}

// pendingOrder is the order pending work runs in once idle: a config overlay (which may restart
// the agent or only some parts), an update and a restart.
var pendingOrder = []string{"config", "update", "restart"}

// New returns a Fleet; it reads the state file (see Prepare for what happens to it at start).
func New(opts Options) (*Fleet, error) {
	if opts.HealthTimeout <= 0 {
		opts.HealthTimeout = 2 * time.Minute
	}
	if opts.UpdateMaxBytes <= 0 {
		opts.UpdateMaxBytes = 256 << 20
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Minute}
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if len(opts.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("fleet: central's public key is required")
	}
	if opts.Link == nil || opts.DB == nil || opts.Env.Healthy == nil || opts.Env.Idle == nil || opts.Env.ValidateOverlay == nil {
		return nil, errors.New("fleet: Link, DB, Env.Healthy, Env.Idle and Env.ValidateOverlay are required")
	}
	st, err := LoadState(opts.DataDir)
	if err != nil {
		return nil, err
	}
	return &Fleet{opts: opts, log: opts.Logger.With("component", "fleet"), queue: make(chan inbound, 64), state: st,
		pending:     map[string]func(context.Context) error{},
		dirtyConfig: st.Config.Last.Status != "", dirtyUpdate: st.Update.Last.Status != ""}, nil
}

// Topics implements sync.FleetHandler.
func (f *Fleet) Topics() []string { return []string{TopicCommands, TopicConfigDesired, TopicUpdate} }

// HandleFleet implements sync.FleetHandler: it queues the message for Run, or drops it (logged)
// when 64 are already waiting.
func (f *Fleet) HandleFleet(topic string, payload []byte, retained bool) {
	if len(payload) == 0 {
		return // a cleared retained message
	}
	select {
	case f.queue <- inbound{topic, append([]byte(nil), payload...), retained}:
	default:
		f.log.Warn("fleet queue full; message dropped", "topic", topic, "bytes", len(payload))
	}
}

// Run handles central's fleet messages, runs the health gate of a config or binary on trial and
// the work waiting for an idle moment, and publishes the reports whenever online. It returns nil
// when ctx ends and ErrRestart when the agent must restart.
func (f *Fleet) Run(ctx context.Context) error {
	if f.state.Config.Trial != nil || f.state.Update.Trial != nil {
		f.trialSince = f.opts.Now()
		f.log.Info("on trial: waiting to be healthy", "within", f.opts.HealthTimeout,
			"config", f.state.Config.Trial != nil, "update", f.state.Update.Trial != nil)
	}
	tick := time.NewTicker(f.opts.Tick)
	defer tick.Stop()
	wasOnline := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case m := <-f.queue:
			if err := f.dispatch(ctx, m); err != nil {
				return err
			}
		case <-tick.C:
		}
		online := f.opts.Link.Online()
		if online && !wasOnline {
			f.dirtyConfig = f.dirtyConfig || f.state.Config.Last.Status != ""
			f.dirtyUpdate = f.dirtyUpdate || f.state.Update.Last.Status != ""
		}
		wasOnline = online
		if err := f.gate(ctx); err != nil {
			return err
		}
		if online {
			f.publishReports(ctx)
		}
		if len(f.pending) > 0 && !f.onTrial() && f.opts.Env.Idle() {
			for _, what := range pendingOrder {
				run, ok := f.pending[what]
				if !ok {
					continue
				}
				delete(f.pending, what)
				f.log.Info("store idle: going ahead", "with", what)
				if err := run(ctx); err != nil {
					return err
				}
				if f.onTrial() {
					break // applied in the process: the rest waits for its health gate
				}
			}
		}
	}
}

func (f *Fleet) onTrial() bool { return f.state.Config.Trial != nil || f.state.Update.Trial != nil }

func (f *Fleet) dispatch(ctx context.Context, m inbound) error {
	switch m.topic {
	case TopicCommands:
		return f.handleCommand(ctx, m.payload)
	case TopicConfigDesired:
		return f.handleConfig(ctx, m.payload)
	case TopicUpdate:
		return f.handleUpdate(ctx, m.payload)
	}
	return nil
}

// gate runs the health gate of whatever is on trial: healthy → kept and reported applied; not
// healthy within HealthTimeout → rolled back, reported, and the agent restarts on the last good.
func (f *Fleet) gate(ctx context.Context) error {
	if !f.onTrial() {
		return nil
	}
	herr := f.opts.Env.Healthy(ctx)
	if herr == nil {
		return f.commitTrial()
	}
	if f.opts.Now().Sub(f.trialSince) < f.opts.HealthTimeout {
		return nil
	}
	reason := fmt.Sprintf("not healthy within %s: %v", f.opts.HealthTimeout, herr)
	if f.live != nil && f.state.Update.Trial == nil {
		return f.rollbackLive(ctx, reason)
	}
	f.log.Warn("rolling back", "reason", reason)
	if t := f.state.Config.Trial; t != nil {
		f.state.Config.Trial, f.state.Config.TrialBoots = nil, 0
		f.state.Config.Last = ConfigReportedData{Version: t.Version, Status: StatusRolledBack, Error: reason, Plan: wholePlan}
	}
	if t := f.state.Update.Trial; t != nil {
		if err := rollbackBinary(t); err != nil {
			f.log.Error("restore the previous binary", "err", err)
		}
		f.state.Update.Trial = nil
		f.state.Update.Last = UpdateReportedData{Version: t.Version, Status: StatusRolledBack, Error: reason, Running: t.From}
		f.state.Update.rolledBack(t.Version)
	}
	if err := SaveState(f.opts.DataDir, f.state); err != nil {
		return fmt.Errorf("fleet: save state: %w", err)
	}
	f.dirtyConfig, f.dirtyUpdate = true, true
	f.publishReports(ctx) // best effort: offline, it goes out after the restart
	return ErrRestart
}

func (f *Fleet) commitTrial() error {
	if t := f.state.Config.Trial; t != nil {
		f.state.Config.Good, f.state.Config.Trial, f.state.Config.TrialBoots = t, nil, 0
		f.state.Config.Last = ConfigReportedData{Version: t.Version, Status: StatusApplied, Ignored: t.Ignored, Plan: t.Plan}
		f.dirtyConfig = true
		f.live = nil
		f.log.Info("config overlay applied and healthy", "version", t.Version, "restarted", t.Restarted, "reloaded", t.Reloaded)
	}
	if t := f.state.Update.Trial; t != nil {
		f.state.Update.Trial = nil
		f.state.Update.Last = UpdateReportedData{Version: t.Version, Status: StatusApplied, Running: f.opts.Version}
		f.dirtyUpdate = true
		f.log.Info("update applied and healthy", "version", t.Version, "previous_binary", t.Previous)
	}
	if err := SaveState(f.opts.DataDir, f.state); err != nil {
		return fmt.Errorf("fleet: save state: %w", err)
	}
	return nil
}

// publishReports sends the retained config and update reports that changed.
func (f *Fleet) publishReports(ctx context.Context) {
	if f.dirtyConfig && f.state.Config.Last.Status != "" {
		if err := f.opts.Link.PublishEvent(ctx, TopicConfigReported, TypeConfigReported, f.state.Config.Last, true); err == nil {
			f.dirtyConfig = false
		}
	}
	if f.dirtyUpdate && f.state.Update.Last.Status != "" {
		if err := f.opts.Link.PublishEvent(ctx, TopicUpdateReported, TypeUpdateReported, f.state.Update.Last, true); err == nil {
			f.dirtyUpdate = false
		}
	}
}

// State returns a copy of the fleet state (tests, diagnostics).
func (f *Fleet) State() State { return f.state }
