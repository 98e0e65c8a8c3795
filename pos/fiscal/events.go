package fiscal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// Technical event kinds of the event chain.
const (
	EventStart         = "start"
	EventStop          = "stop"
	EventConfigChange  = "config_change"
	EventVersionChange = "version_change"
	EventBackup        = "backup"
	EventRestore       = "restore"
	EventClockJump     = "clock_jump"
	EventArchive       = "archive"
)

// ClockJumpLimit is how far the wall clock may move against the monotonic clock before a
// clock_jump event is recorded.
const ClockJumpLimit = 5 * time.Minute

// Event appends a technical event {"kind": kind, ...fields} to the event chain in its own
// durable transaction.
func (j *Journal) Event(ctx context.Context, d *db.DB, kind string, fields map[string]any) (Record, error) {
	data := map[string]any{"kind": kind}
	for k, v := range fields {
		data[k] = v
	}
	var r Record
	err := d.Group.Do(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = j.Append(ctx, tx, ChainEvent, data)
		return err
	})
	if err != nil {
		return Record{}, fmt.Errorf("fiscal event %s: %w", kind, err)
	}
	return r, nil
}

// Started records a start event carrying the build's version and the config's hash, preceded by
// a version_change or config_change event when they differ from the previous start.
func (j *Journal) Started(ctx context.Context, d *db.DB, version, configHash string) error {
	var raw string
	err := d.R.QueryRowContext(ctx, `SELECT data FROM fiscal_records WHERE chain = 'event'
		AND json_extract(data, '$.kind') = 'start' ORDER BY seq DESC LIMIT 1`).Scan(&raw)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("fiscal last start: %w", err)
	}
	if raw != "" {
		var last struct {
			Version    string `json:"version"`
			ConfigHash string `json:"config_hash"`
		}
		_ = json.Unmarshal([]byte(raw), &last)
		if last.Version != version {
			if _, err := j.Event(ctx, d, EventVersionChange, map[string]any{"from": last.Version, "to": version}); err != nil {
				return err
			}
		}
		if last.ConfigHash != configHash {
			if _, err := j.Event(ctx, d, EventConfigChange, map[string]any{"from": last.ConfigHash, "config_hash": configHash}); err != nil {
				return err
			}
		}
	}
	_, err = j.Event(ctx, d, EventStart, map[string]any{"version": version, "config_hash": configHash})
	return err
}

// ClockWatch records a clock_jump event whenever the wall clock moves more than
// ClockJumpLimit against the monotonic clock between two ticks; it returns on cancel.
type ClockWatch struct {
	J     *Journal
	DB    *db.DB
	Every time.Duration
}

// Run implements the agent's part.
func (w ClockWatch) Run(ctx context.Context) error {
	if w.Every <= 0 {
		return nil
	}
	t := time.NewTicker(w.Every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := time.Now()
		if jump := JumpOf(last, now); jump != 0 {
			if _, err := w.J.Event(ctx, w.DB, EventClockJump, map[string]any{
				"wall_before": last.Round(0).UTC().Format(time.RFC3339Nano), "wall_after": now.Round(0).UTC().Format(time.RFC3339Nano),
				"jump_s": int64(jump / time.Second)}); err != nil && ctx.Err() == nil {
				return err
			}
		}
		last = now
	}
}

// JumpOf returns how far the wall clock moved against the monotonic clock from before to after
// (both from time.Now), or 0 when that is within ClockJumpLimit.
func JumpOf(before, after time.Time) time.Duration {
	jump := after.Round(0).Sub(before.Round(0)) - after.Sub(before)
	if jump > ClockJumpLimit || -jump > ClockJumpLimit {
		return jump
	}
	return 0
}
