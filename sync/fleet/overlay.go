package fleet

import (
	"context"
	"fmt"
	"os"
)

// handleConfig takes a retail.config.desired: verified, not seen before, validated like a file,
// then (once idle) put on trial and applied to the parts it touches, or the agent restarts on it
// (parts.go); the health gate after it keeps it or rolls it back. Anything refused is reported rejected.
func (f *Fleet) handleConfig(ctx context.Context, payload []byte) error {
	msg, err := DecodeMessage(TopicConfigDesired, payload)
	if err != nil {
		f.rejectConfig(ctx, 0, err)
		return nil
	}
	if err := Verify(f.opts.PublicKey, TypeConfigDesired, f.opts.StoreID, msg.Data); err != nil {
		d, _ := ParseConfigDesired(msg.Data)
		f.rejectConfig(ctx, d.Version, err)
		return nil
	}
	d, err := ParseConfigDesired(msg.Data)
	if err != nil {
		f.rejectConfig(ctx, d.Version, err)
		return nil
	}
	cs := &f.state.Config
	seen := cs.Last.Version
	if cs.Good != nil {
		seen = max(seen, cs.Good.Version)
	}
	if cs.Trial != nil {
		seen = max(seen, cs.Trial.Version)
	}
	if d.Version <= seen {
		// The retained desired state again (every connect), or an older one: nothing to do.
		if d.Version == cs.Last.Version {
			f.dirtyConfig = true
		}
		return nil
	}
	ignored, err := f.opts.Env.ValidateOverlay(d.Overlay)
	if err != nil {
		cs.Last = ConfigReportedData{Version: d.Version, Status: StatusRejected, Error: clip(err.Error(), 2048), Ignored: ignored}
		f.dirtyConfig = true
		f.log.Warn("config overlay rejected", "version", d.Version, "err", err)
		return f.save()
	}
	f.log.Info("config overlay valid; applying when the store is idle", "version", d.Version, "ignored", ignored)
	ov := &Overlay{Version: d.Version, Overlay: d.Overlay, Ignored: ignored}
	f.pending["config"] = func(ctx context.Context) error { return f.applyConfig(ctx, ov) }
	return nil
}

// rejectConfig reports a desired config refused before validation (malformed or badly signed);
// it is not kept in the state, so a forged message cannot change what the store reports.
func (f *Fleet) rejectConfig(ctx context.Context, version int64, err error) {
	f.log.Warn("config overlay refused", "version", version, "err", err)
	r := ConfigReportedData{Version: max(version, 0), Status: StatusRejected, Error: clip(err.Error(), 1024)}
	if perr := f.opts.Link.PublishEvent(ctx, TopicConfigReported, TypeConfigReported, r, false); perr != nil {
		f.log.Warn("publish config report", "err", perr)
	}
}

func (f *Fleet) save() error {
	if err := SaveState(f.opts.DataDir, f.state); err != nil {
		return fmt.Errorf("fleet: save state: %w", err)
	}
	return nil
}

// Start is what the state file says the agent starts on, after PrepareStart counted this start.
type Start struct {
	// Overlay is the config overlay to merge over the file (nil: the file alone).
	Overlay *Overlay
	// ConfigTrial is true when Overlay is on trial (the health gate decides).
	ConfigTrial bool
	// Restart is true when a binary on trial was rolled back here: exit with ExitRestart so the
	// service manager starts the previous binary.
	Restart bool
}

// PrepareStart counts this start against whatever is on trial and rolls back what has failed
// MaxTrialBoots starts (it crashed or was killed before the health gate passed), then says which
// overlay to start on. Call it before the agent opens anything.
func PrepareStart(dataDir string) (Start, error) {
	st, err := LoadState(dataDir)
	if err != nil {
		return Start{}, err
	}
	var out Start
	changed := st.Update.Trial != nil
	if t := st.Update.Trial; t != nil {
		if sum, err := fileSHA256(t.Binary); err == nil && sum != t.SHA256 {
			// Stopped before the rename: the old binary is still in place and runs. The update
			// is retried (it is still retained at the broker).
			st.Update.Trial = nil
			os.Remove(t.Binary + ".new")
		}
	}
	if t := st.Update.Trial; t != nil {
		changed = true
		t.Boots++
		if t.Boots > MaxTrialBoots {
			reason := fmt.Sprintf("did not become healthy in %d starts", MaxTrialBoots)
			if err := rollbackBinary(t); err != nil {
				reason += "; restoring the previous binary failed: " + err.Error()
			}
			st.Update.Trial = nil
			st.Update.Last = UpdateReportedData{Version: t.Version, Status: StatusRolledBack, Error: reason, Running: t.From}
			st.Update.rolledBack(t.Version)
			out.Restart = true
		}
	}
	if t := st.Config.Trial; t != nil {
		changed = true
		st.Config.TrialBoots++
		t.Plan = wholePlan // applied in a process that stopped before its health gate: now by this start
		if st.Config.TrialBoots > MaxTrialBoots {
			st.Config.Last = ConfigReportedData{Version: t.Version, Status: StatusRolledBack,
				Error: fmt.Sprintf("did not become healthy in %d starts", MaxTrialBoots)}
			st.Config.Trial, st.Config.TrialBoots = nil, 0
		}
	}
	if changed {
		if err := SaveState(dataDir, st); err != nil {
			return Start{}, err
		}
	}
	switch {
	case st.Config.Trial != nil:
		out.Overlay, out.ConfigTrial = st.Config.Trial, true
	case st.Config.Good != nil:
		out.Overlay = st.Config.Good
	}
	return out, nil
}

// RollbackConfigTrial drops the overlay on trial because the agent cannot start on it (reason
// says why) and records the rollback; the next start is on the last good overlay.
func RollbackConfigTrial(dataDir, reason string) error {
	st, err := LoadState(dataDir)
	if err != nil {
		return err
	}
	t := st.Config.Trial
	if t == nil {
		return nil
	}
	st.Config.Last = ConfigReportedData{Version: t.Version, Status: StatusRolledBack, Error: clip(reason, 2048)}
	st.Config.Trial, st.Config.TrialBoots = nil, 0
	return SaveState(dataDir, st)
}
