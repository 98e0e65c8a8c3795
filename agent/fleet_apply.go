package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	gosync "sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/scanner"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/fleet"
)

// restartable runs a part that a fleet config overlay can restart alone: Restart stops the part,
// runs a change (a new config for it) and runs the part again, while the rest of the agent (HTTP,
// the other parts) keeps running.
type restartable struct {
	// get returns the part to run (called at each start, so a change may replace it).
	get  func() Part
	reqs chan restartReq
}

type restartReq struct {
	change func() error
	done   chan error
}

func newRestartable(get func() Part) *restartable {
	return &restartable{get: get, reqs: make(chan restartReq)}
}

// Run runs the part until ctx ends, restarting it on each Restart; an error of the part (other
// than its cancellation) ends Run with it.
func (r *restartable) Run(ctx context.Context) error {
	for {
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		p := r.get()
		go func() { done <- p.Run(pctx) }()
		select {
		case err := <-done:
			cancel()
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		case <-ctx.Done():
			cancel()
			<-done
			return nil
		case req := <-r.reqs:
			cancel()
			err := <-done
			if err != nil && !errors.Is(err, context.Canceled) {
				req.done <- err
				return err
			}
			req.done <- req.change()
		}
	}
}

// Restart stops the part, runs change and starts the part again; it returns change's error (the
// part starts again either way).
func (r *restartable) Restart(ctx context.Context, change func() error) error {
	req := restartReq{change: change, done: make(chan error, 1)}
	select {
	case r.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// overlayConfig is the file's config with overlay merged (nil or empty: the file alone).
func (a *Agent) overlayConfig(overlay []byte) (*Config, error) {
	if len(overlay) == 0 {
		overlay = []byte("{}")
	}
	next, _, err := a.cfg.WithOverlay(overlay)
	return next, err
}

// fleetPlan is fleet.Env.PlanOverlay: the parts an overlay touches compared with the config in
// force (config_fleet_parts.go), or the whole agent when a part it touches is not running here.
func (a *Agent) fleetPlan(overlay []byte) (fleet.Plan, error) {
	next, err := a.overlayConfig(overlay)
	if err != nil {
		return fleet.Plan{}, err
	}
	return a.planFor(next), nil
}

// planFor is fleetPlan for the config next (the file with an overlay already merged).
func (a *Agent) planFor(next *Config) fleet.Plan {
	p := configPlan(a.live.Load(), next, a.opts.LogLevel != nil)
	if (slices.Contains(p.Restarted, fleet.PartDevices) && (a.Devices == nil || a.devPart == nil)) ||
		(slices.Contains(p.Restarted, fleet.PartSync) && a.syncPart == nil) {
		return fleet.Plan{Restarted: []string{fleet.PartAgent}}
	}
	return p
}

// fleetApply is fleet.Env.ApplyOverlay: it applies the overlay to the parts it touches (values
// swapped in place, the device manager or the MQTT link restarted) and records the config in
// force. A part that fails to take its new config is reported; the config in force is the new
// one either way, so a rollback applies the previous one to every touched part again.
func (a *Agent) fleetApply(ctx context.Context, overlay []byte) (fleet.Plan, error) {
	next, err := a.overlayConfig(overlay)
	if err != nil {
		return fleet.Plan{}, err
	}
	p := a.planFor(next)
	if p.Whole() {
		return p, errors.New("it needs a restart of the agent")
	}
	defer a.live.Store(next)
	var errs []error
	if slices.Contains(p.Reloaded, fleet.PartPOS) {
		a.POS.SetQuickKeys(next.POS.QuickKeys)
	}
	if slices.Contains(p.Reloaded, fleet.PartLog) {
		a.opts.LogLevel.Set(logLevel(next.Log.Level))
	}
	if slices.Contains(p.Restarted, fleet.PartDevices) {
		if err := a.devPart.Restart(ctx, func() error { return a.reconfigureDevices(next) }); err != nil {
			errs = append(errs, fmt.Errorf("devices: %w", err))
		}
	}
	if slices.Contains(p.Restarted, fleet.PartSync) {
		if err := a.syncPart.Restart(ctx, func() error { return a.replaceSync(next) }); err != nil {
			errs = append(errs, fmt.Errorf("mqtt: %w", err))
		}
	}
	a.log.Info("config applied to its parts", "restarted", p.Restarted, "reloaded", p.Reloaded, "err", errors.Join(errs...))
	return p, errors.Join(errs...)
}

// reconfigureDevices gives the stopped device manager next's devices (only scanners differ,
// configPlan made sure) and the scan router their decoding options.
func (a *Agent) reconfigureDevices(next *Config) error {
	specs, err := deviceSpecs(next)
	if err != nil {
		return err
	}
	if err := a.Devices.Reconfigure(specs); err != nil {
		return err
	}
	layouts := rcnLayouts(next)
	a.devMu.Lock()
	defer a.devMu.Unlock()
	for _, sp := range specs {
		a.router.types[sp.Name] = sp.Type
		if sp.Type == devices.TypeScanner {
			a.router.opts[sp.Name] = scanner.Options{IDs: scanner.IDConfig{VendorIDs: sp.Profile.IDs.VendorIDs}, RCN: layouts}
		}
	}
	return nil
}

// replaceSync builds the MQTT link for next in place of the stopped one; when next's does not
// build, the link of the config in force runs again.
func (a *Agent) replaceSync(next *Config) error {
	a.syncReg.unregisterAll()
	s, err := agentsync.New(a.DB, a.syncOptions(next))
	if err != nil {
		again, aerr := agentsync.New(a.DB, a.syncOptions(a.live.Load()))
		if aerr == nil {
			a.syncer.Store(again)
		}
		return err
	}
	a.syncer.Store(s)
	return nil
}

// trackedRegisterer registers metrics and remembers them, so that those of a Syncer that is
// replaced can be unregistered and its successor's registered under the same names.
type trackedRegisterer struct {
	reg prometheus.Registerer
	mu  gosync.Mutex
	cs  []prometheus.Collector
}

// Register implements prometheus.Registerer.
func (t *trackedRegisterer) Register(c prometheus.Collector) error {
	if err := t.reg.Register(c); err != nil {
		return err
	}
	t.mu.Lock()
	t.cs = append(t.cs, c)
	t.mu.Unlock()
	return nil
}

// MustRegister implements prometheus.Registerer.
func (t *trackedRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := t.Register(c); err != nil {
			panic(err)
		}
	}
}

// Unregister implements prometheus.Registerer.
func (t *trackedRegisterer) Unregister(c prometheus.Collector) bool { return t.reg.Unregister(c) }

// unregisterAll unregisters every collector registered through t.
func (t *trackedRegisterer) unregisterAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.cs {
		t.reg.Unregister(c)
	}
	t.cs = nil
}
