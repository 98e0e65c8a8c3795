package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// Command names (docs/fleet.md).
const (
	CommandResync      = "resync"
	CommandDiagnostics = "diagnostics"
	CommandReprint     = "reprint"
	CommandRestart     = "restart"
)

// handleCommand verifies, checks for replay and age, runs a command and reports its result on
// commands/results. Only ErrRestart (a restart command, once idle) leaves Run.
func (f *Fleet) handleCommand(ctx context.Context, payload []byte) error {
	msg, err := DecodeMessage(TopicCommands, payload)
	if err != nil {
		f.log.Warn("command refused", "err", err)
		f.result(ctx, CommandResultData{Status: StatusRefused, Error: err.Error()})
		return nil
	}
	c, perr := ParseCommand(msg.Data)
	if err := Verify(f.opts.PublicKey, TypeCommand, f.opts.StoreID, msg.Data); err != nil {
		// Not recorded as seen: an unsigned message must not use up a command id.
		f.log.Warn("command refused: bad signature", "command_id", clip(c.CommandID, 128))
		f.result(ctx, CommandResultData{CommandID: clip(c.CommandID, 128), Name: clip(c.Name, 32), Status: StatusRefused, Error: err.Error()})
		return nil
	}
	if perr != nil {
		f.result(ctx, CommandResultData{CommandID: clip(c.CommandID, 128), Name: clip(c.Name, 32), Status: StatusRefused, Error: perr.Error()})
		return nil
	}
	res := CommandResultData{CommandID: c.CommandID, Name: c.Name}
	issued, _ := time.Parse(time.RFC3339Nano, c.IssuedAt)
	now := f.opts.Now()
	switch {
	case now.Sub(issued) > CommandMaxAge:
		res.Status, res.Error = StatusRefused, fmt.Sprintf("issued at %s, more than %s ago", c.IssuedAt, CommandMaxAge)
		f.result(ctx, res)
		return nil
	case issued.Sub(now) > CommandMaxSkew:
		res.Status, res.Error = StatusRefused, fmt.Sprintf("issued at %s, in the future (the store's clock says %s)", c.IssuedAt, now.UTC().Format(time.RFC3339))
		f.result(ctx, res)
		return nil
	}
	fresh, err := f.remember(ctx, c, issued)
	if err != nil {
		res.Status, res.Error = StatusFailed, err.Error()
		f.result(ctx, res)
		return nil
	}
	if !fresh {
		res.Status, res.Error = StatusRefused, "replayed: command_id "+c.CommandID+" was received before"
		f.result(ctx, res)
		return nil
	}
	if c.Name == CommandRestart {
		f.pending["restart"] = func(ctx context.Context) error {
			res.Status = StatusOK
			res.Result, _ = json.Marshal(map[string]any{"exit_status": ExitRestart})
			f.finish(ctx, c.CommandID, res)
			f.result(ctx, res)
			f.log.Info("restarting on central's command", "command_id", c.CommandID)
			return ErrRestart
		}
		return nil
	}
	out, err := f.run(ctx, c)
	if err != nil {
		res.Status, res.Error = StatusFailed, err.Error()
	} else {
		res.Status, res.Result = StatusOK, out
	}
	f.finish(ctx, c.CommandID, res)
	f.result(ctx, res)
	return nil
}

// run runs one verified, fresh command.
func (f *Fleet) run(ctx context.Context, c CommandData) (json.RawMessage, error) {
	switch c.Name {
	case CommandResync:
		var a struct {
			Topic string `json:"topic"`
		}
		if err := strictArgs(c.Args, &a); err != nil {
			return nil, err
		}
		if err := f.opts.Link.RequestSnapshot(ctx, a.Topic); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"requested": a.Topic})
	case CommandReprint:
		var a struct {
			SaleID  string `json:"sale_id"`
			Printer string `json:"printer"`
		}
		if err := strictArgs(c.Args, &a); err != nil {
			return nil, err
		}
		if a.SaleID == "" || len(a.SaleID) > 128 || len(a.Printer) > 64 {
			return nil, errors.New("args: sale_id (1..128 characters) is required; printer at most 64")
		}
		if f.opts.Env.Reprint == nil {
			return nil, errors.New("reprint is not available on this agent")
		}
		job, err := f.opts.Env.Reprint(ctx, a.SaleID, a.Printer)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"job_id": job})
	case CommandDiagnostics:
		if err := strictArgs(c.Args, &struct{}{}); err != nil {
			return nil, err
		}
		return f.diagnostics(ctx, c.CommandID)
	}
	return nil, fmt.Errorf("unknown command %q (known: resync, diagnostics, reprint, restart)", c.Name)
}

func strictArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	if err := strict(raw, v); err != nil {
		return fmt.Errorf("args: %w", err)
	}
	return nil
}

// remember records a command id as seen; false when it was seen before. Expired ids are purged.
func (f *Fleet) remember(ctx context.Context, c CommandData, issued time.Time) (bool, error) {
	now := f.opts.Now().UTC()
	if _, err := f.opts.DB.W.ExecContext(ctx, `DELETE FROM fleet_commands WHERE expires_at < ?1`, now.Format(time.RFC3339Nano)); err != nil {
		return false, fmt.Errorf("fleet: purge seen commands: %w", db.Explain(err))
	}
	exp := issued.UTC().Add(CommandMaxAge + CommandMaxSkew)
	if e := now.Add(CommandMaxAge + CommandMaxSkew); e.After(exp) {
		exp = e // a command from the future stays until it has aged out by the store's clock too
	}
	r, err := f.opts.DB.W.ExecContext(ctx, `INSERT INTO fleet_commands (command_id, name, issued_at, received_at, expires_at)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (command_id) DO NOTHING`,
		c.CommandID, c.Name, c.IssuedAt, now.Format(time.RFC3339Nano), exp.Format(time.RFC3339Nano))
	if err != nil {
		return false, fmt.Errorf("fleet: record command: %w", db.Explain(err))
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// finish records a command's outcome.
func (f *Fleet) finish(ctx context.Context, id string, res CommandResultData) {
	if _, err := f.opts.DB.W.ExecContext(ctx, `UPDATE fleet_commands SET status = ?2, error = ?3 WHERE command_id = ?1`,
		id, res.Status, clip(res.Error, 1024)); err != nil {
		f.log.Warn("record command result", "command_id", id, "err", db.Explain(err))
	}
}

// result publishes a command result (best effort: a result lost offline is logged).
func (f *Fleet) result(ctx context.Context, res CommandResultData) {
	res.Error = clip(res.Error, 1024)
	if err := f.opts.Link.PublishEvent(ctx, TopicCommandResults, TypeCommandResult, res, false); err != nil {
		f.log.Warn("publish command result", "command_id", res.CommandID, "status", res.Status, "err", err)
	}
}
