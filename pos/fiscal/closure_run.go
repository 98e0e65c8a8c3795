package fiscal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SetCalendar sets the business calendar closures follow (default: UTC, the day turning at
// midnight).
func (j *Journal) SetCalendar(c Calendar) { j.cal = c }

// closeDue writes, before a record dated at, the closure of every period that ended at or
// before at and is not closed yet (a day without sales gets its closure too), days first, then
// months, then years. It returns the earliest instant a record may be dated: the end of the last
// closed day, so that no record is ever dated inside a closed period.
func (j *Journal) closeDue(ctx context.Context, tx Tx, at time.Time) (time.Time, error) {
	j.mu.Lock()
	due, floor := j.due, j.floor
	j.mu.Unlock()
	if !due.IsZero() && at.Before(due) {
		return floor, nil
	}
	wrote := false
	for _, kind := range Periods {
		last, err := lastClosure(ctx, tx, kind)
		if err != nil {
			return time.Time{}, err
		}
		var from time.Time
		if last != nil {
			if from, err = time.Parse(time.RFC3339Nano, last.To); err != nil {
				return time.Time{}, fmt.Errorf("fiscal %s closure %s: to: %w", kind, last.Period, err)
			}
		} else {
			first, ok, err := firstActivity(ctx, tx)
			if err != nil || !ok {
				return time.Time{}, err
			}
			from = j.cal.Start(kind, first)
		}
		for {
			to, label := j.periodAfter(kind, from, last)
			if at.Before(to) {
				break
			}
			if last, err = j.writeClosure(ctx, tx, kind, label, from, to, last); err != nil {
				return time.Time{}, err
			}
			wrote = true
			from = to
		}
		if kind == PeriodDay {
			floor = from
			due, _ = j.periodAfter(PeriodDay, from, last)
		}
	}
	if !wrote {
		// Cached only when nothing was written: a rolled-back transaction must not leave a
		// cache that believes its closures exist.
		j.mu.Lock()
		j.due, j.floor = due, floor
		j.mu.Unlock()
	}
	return floor, nil
}

// firstActivity is the time of the journal's first record outside training and closures.
func firstActivity(ctx context.Context, tx Tx) (time.Time, bool, error) {
	var s string
	err := tx.QueryRowContext(ctx, `SELECT recorded_at FROM fiscal_records WHERE chain IN ('ticket', 'duplicate', 'event')
		AND seq = 1 ORDER BY julianday(recorded_at) LIMIT 1`).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("fiscal first activity: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil, err
}

// periodAfter is the end and label of the period of kind that starts at from, after the closure
// last (nil for none). When last was a manual close that ended its period early (from is still
// inside the period last is labelled with), what follows it belongs to the next period: the
// rest of the closed day goes into the next day's closure, so no label is ever closed twice.
func (j *Journal) periodAfter(kind string, from time.Time, last *Closure) (time.Time, string) {
	to := j.cal.End(kind, from)
	if last != nil && j.cal.Label(kind, from) == last.Period {
		return j.cal.End(kind, to), j.cal.Label(kind, to)
	}
	return to, j.cal.Label(kind, from)
}

// writeClosure appends the closure of [from, to) of kind, labelled label, after prev (nil for the first).
func (j *Journal) writeClosure(ctx context.Context, tx Tx, kind, label string, from, to time.Time, prev *Closure) (*Closure, error) {
	var after, perpetual int64
	var lastHash string
	if prev != nil {
		after, perpetual, lastHash = prev.LastTicketSeq, prev.PerpetualMinor, prev.LastTicketHash
	}
	c, err := ticketTotals(ctx, tx, after, to.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, err
	}
	if c.Tickets == 0 {
		c.LastTicketHash = lastHash
	}
	c.Kind, c.Period = kind, label
	c.From, c.To = from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano)
	c.PerpetualMinor = perpetual + c.TotalMinor
	if _, err := j.appendAt(ctx, tx, ChainClosure, to, c); err != nil {
		return nil, err
	}
	return &c, nil
}

// CloseNow closes the current period of kind (and the shorter ones inside it) at now, ending it
// early: `storeagent fiscal close`. Ended periods not yet closed are closed first. A period whose
// label is already closed (closed by hand earlier) is not closed again: closing by hand is
// idempotent, and what is recorded after a manual close belongs to the next period.
func (j *Journal) CloseNow(ctx context.Context, tx Tx, kind string) ([]Closure, error) {
	tx = j.conn(tx)
	now := j.now().UTC()
	if _, err := j.closeDue(ctx, tx, now); err != nil {
		return nil, err
	}
	var out []Closure
	for _, k := range Periods {
		last, err := lastClosure(ctx, tx, k)
		if err != nil {
			return nil, err
		}
		var from time.Time
		if last != nil {
			from, _ = time.Parse(time.RFC3339Nano, last.To)
		} else {
			from = j.cal.Start(k, now)
		}
		_, label := j.periodAfter(k, from, last)
		if from.Before(now) && (last == nil || last.Period != j.cal.Label(k, now)) {
			c, err := j.writeClosure(ctx, tx, k, label, from, now, last)
			if err != nil {
				return nil, err
			}
			out = append(out, *c)
		}
		if k == kind {
			break
		}
	}
	j.mu.Lock()
	j.due = time.Time{}
	j.mu.Unlock()
	return out, nil
}
