package fleet

import (
	"context"
	"fmt"
	"slices"
)

// Parts of the agent a config overlay is applied to (docs/fleet.md, "What an overlay restarts").
const (
	// PartAgent is the whole agent: it exits with ExitRestart and starts again on the new config.
	PartAgent = "agent"
	// PartDevices is the device manager (the scanners), stopped and started again in the process.
	PartDevices = "devices"
	// PartSync is the MQTT link: disconnected and connected again; the outbox keeps every event.
	PartSync = "sync"
	// PartPOS are values the POS reads per request or per page, swapped in place.
	PartPOS = "pos"
	// PartLog is the log level, swapped in place.
	PartLog = "log"
)

// Plan is how a config overlay is applied: the parts restarted (PartAgent alone for a whole
// restart) and those whose new values are swapped in place. It is reported in
// retail.config.reported.
type Plan struct {
	Restarted []string `json:"restarted,omitempty"`
	Reloaded  []string `json:"reloaded,omitempty"`
}

// Whole reports whether the plan restarts the whole agent.
func (p Plan) Whole() bool { return slices.Contains(p.Restarted, PartAgent) }

// Empty reports whether the plan changes nothing that runs.
func (p Plan) Empty() bool { return len(p.Restarted) == 0 && len(p.Reloaded) == 0 }

// wholePlan is the plan of an overlay applied by restarting the agent.
var wholePlan = Plan{Restarted: []string{PartAgent}}

// liveTrial is an overlay applied in the process (parts restarted or reloaded) and on trial: a
// rollback applies prev the same way instead of restarting the agent.
type liveTrial struct {
	prev *Overlay
}

// planConfig asks the agent which parts an overlay touches; without the hook (or when it fails)
// the whole agent restarts, as it always can.
func (f *Fleet) planConfig(ov *Overlay) Plan {
	if f.opts.Env.PlanOverlay == nil || f.opts.Env.ApplyOverlay == nil {
		return wholePlan
	}
	p, err := f.opts.Env.PlanOverlay(ov.Overlay)
	if err != nil {
		f.log.Warn("config overlay: cannot tell the parts it touches; restarting the agent", "version", ov.Version, "err", err)
		return wholePlan
	}
	return p
}

// applyConfig runs a valid overlay once the store is idle: a whole restart as before, or the
// touched parts restarted in the process with the health gate after them.
func (f *Fleet) applyConfig(ctx context.Context, ov *Overlay) error {
	ov.Plan = f.planConfig(ov)
	cs := &f.state.Config
	if ov.Plan.Whole() {
		cs.Trial, cs.TrialBoots = ov, 0
		if err := f.save(); err != nil {
			return err
		}
		f.log.Info("restarting on the new config overlay", "version", ov.Version)
		return ErrRestart
	}
	if ov.Plan.Empty() {
		// Nothing that runs changes (the same values again): it is in force as it is.
		cs.Good = ov
		cs.Last = ConfigReportedData{Version: ov.Version, Status: StatusApplied, Ignored: ov.Ignored}
		f.dirtyConfig = true
		f.log.Info("config overlay applied; it changes nothing that runs", "version", ov.Version)
		return f.save()
	}
	prev := cs.Good
	cs.Trial, cs.TrialBoots = ov, 0
	if err := f.save(); err != nil {
		return err
	}
	f.live = &liveTrial{prev: prev}
	f.trialSince = f.opts.Now()
	f.log.Info("applying the config overlay to the parts it touches", "version", ov.Version,
		"restart", ov.Plan.Restarted, "reload", ov.Plan.Reloaded)
	if _, err := f.opts.Env.ApplyOverlay(ctx, ov.Overlay); err != nil {
		return f.rollbackLive(ctx, fmt.Sprintf("applying it failed: %v", err))
	}
	return nil
}

// rollbackLive applies the last good overlay (or the file alone) to the parts again, after the
// overlay on trial failed; when that fails too, the agent restarts on the last good one.
func (f *Fleet) rollbackLive(ctx context.Context, reason string) error {
	cs := &f.state.Config
	t, prev := cs.Trial, f.live.prev
	f.live = nil
	cs.Trial, cs.TrialBoots = nil, 0
	f.log.Warn("rolling back the config overlay in place", "version", t.Version, "reason", reason)
	var prevOverlay []byte
	if prev != nil {
		prevOverlay = prev.Overlay
	}
	plan, err := f.opts.Env.ApplyOverlay(ctx, prevOverlay)
	restart := err != nil
	if restart {
		reason += fmt.Sprintf("; applying the previous config failed (%v): the agent restarts on it", err)
		plan = wholePlan
	}
	cs.Last = ConfigReportedData{Version: t.Version, Status: StatusRolledBack, Error: clip(reason, 2048), Plan: plan}
	f.dirtyConfig = true
	if err := f.save(); err != nil {
		return err
	}
	f.publishReports(ctx)
	if restart {
		return ErrRestart
	}
	return nil
}
