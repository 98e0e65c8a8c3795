package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Reservations rule 5 of CONTRACT.md: created is idempotent by reservation_id; confirmed only if
// every line is available (all or nothing, reserved += qty), else rejected; cancel and expiry
// release. The answers go to central through the outbox (reservations/events).

type reservationEvent struct {
	ReservationID string                `json:"reservation_id"`
	Lines         []pos.ReservationLine `json:"lines"`
	Reason        string                `json:"reason,omitempty"`
}

func (s *Syncer) createReservation(ctx context.Context, tx *sql.Tx, d *ReservationData) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM reservations WHERE reservation_id = ?1`, d.ReservationID).Scan(&status)
	if err == nil {
		return nil // created (or cancelled) before
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	reason := ""
	for _, l := range d.Lines {
		var onHand, reserved int64
		err := tx.QueryRowContext(ctx, `SELECT on_hand, reserved FROM stock WHERE sku = ?1`, l.SKU).Scan(&onHand, &reserved)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		avail := pos.SatAdd(onHand, -reserved)
		if avail < l.Qty {
			reason = fmt.Sprintf("%s: %d available, %d asked", l.SKU, max(avail, 0), l.Qty)
			break
		}
	}
	status, typ := "open", TypeReservationConfirmed
	if reason != "" {
		status, typ = "rejected", TypeReservationRejected
	}
	exp, _ := parseTime(d.ExpiresAt)
	now := s.opts.Now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO reservations (reservation_id, order_ref, customer_name, paid,
		expires_at, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`,
		d.ReservationID, d.OrderRef, d.CustomerName, boolInt(d.Paid), secondsUTC(exp), status,
		now.UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("reservation %s: %w", d.ReservationID, err)
	}
	for _, l := range d.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reservation_lines (reservation_id, sku, qty, unit_price_minor)
			VALUES (?1, ?2, ?3, ?4)`, d.ReservationID, l.SKU, l.Qty, l.UnitPriceMinor); err != nil {
			return fmt.Errorf("reservation %s line %s: %w", d.ReservationID, l.SKU, err)
		}
		if status == "open" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stock (sku, reserved) VALUES (?1, ?2)
				ON CONFLICT (sku) DO UPDATE SET reserved = `+pos.SatAddSQL("reserved", "excluded.reserved"), l.SKU, l.Qty); err != nil {
				return fmt.Errorf("reservation %s reserve %s: %w", d.ReservationID, l.SKU, err)
			}
		}
	}
	_, err = s.out.Append(ctx, tx, outbox.TopicReservations, typ, uuid.Must(uuid.NewV7()).String(), now,
		reservationEvent{ReservationID: d.ReservationID, Lines: d.Lines, Reason: reason})
	return err
}

func (s *Syncer) cancelReservation(ctx context.Context, tx *sql.Tx, d *ReservationData) error {
	lines, status, err := loadLines(ctx, tx, d.ReservationID)
	if errors.Is(err, sql.ErrNoRows) {
		// Cancelled before it was created here (reordering): keep a released tombstone so the
		// late created event is ignored.
		exp := s.opts.Now()
		if t, err := parseTime(d.ExpiresAt); err == nil {
			exp = t
		}
		at := s.opts.Now().UTC().Format(time.RFC3339Nano)
		_, err = tx.ExecContext(ctx, `INSERT INTO reservations (reservation_id, order_ref, customer_name, paid,
			expires_at, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'released', ?6, ?6)`,
			d.ReservationID, d.OrderRef, d.CustomerName, boolInt(d.Paid), secondsUTC(exp), at)
		return err
	}
	if err != nil {
		return err
	}
	if status != "open" {
		return nil
	}
	return s.release(ctx, tx, d.ReservationID, lines, "cancelled")
}

func loadLines(ctx context.Context, tx *sql.Tx, id string) ([]pos.ReservationLine, string, error) {
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM reservations WHERE reservation_id = ?1`, id).Scan(&status); err != nil {
		return nil, "", err
	}
	rows, err := tx.QueryContext(ctx, `SELECT sku, qty, unit_price_minor FROM reservation_lines
		WHERE reservation_id = ?1 ORDER BY sku`, id)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	lines := []pos.ReservationLine{}
	for rows.Next() {
		var l pos.ReservationLine
		if err := rows.Scan(&l.SKU, &l.Qty, &l.UnitPriceMinor); err != nil {
			return nil, "", err
		}
		lines = append(lines, l)
	}
	return lines, status, rows.Err()
}

// release marks an open reservation released, gives its units back and tells central.
func (s *Syncer) release(ctx context.Context, tx *sql.Tx, id string, lines []pos.ReservationLine, reason string) error {
	now := s.opts.Now()
	res, err := tx.ExecContext(ctx, `UPDATE reservations SET status = 'released', updated_at = ?2
		WHERE reservation_id = ?1 AND status = 'open'`, id, now.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx, `UPDATE stock SET reserved = max(reserved - ?2, 0) WHERE sku = ?1`, l.SKU, l.Qty); err != nil {
			return err
		}
	}
	_, err = s.out.Append(ctx, tx, outbox.TopicReservations, TypeReservationReleased, uuid.Must(uuid.NewV7()).String(), now,
		reservationEvent{ReservationID: id, Lines: lines, Reason: reason})
	return err
}

// ExpireReservations releases the open reservations whose expires_at has passed and returns how
// many it released.
func (s *Syncer) ExpireReservations(ctx context.Context) (int, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, db.Explain(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT reservation_id FROM reservations WHERE status = 'open' AND expires_at <= ?1`,
		s.opts.Now().UTC().Format("2006-01-02T15:04:05Z"))
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return 0, rows.Err()
	}
	for _, id := range ids {
		lines, _, err := loadLines(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		if err := s.release(ctx, tx, id, lines, "expired"); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, db.Explain(err)
	}
	wake(s.notify)
	return len(ids), nil
}

// timerLoop runs the clock-driven work: reservation expiry, catalogue items coming into effect,
// and (hourly) pruning.
func (s *Syncer) timerLoop(ctx context.Context) error {
	t := time.NewTicker(s.opts.TimerInterval)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, err := s.ExpireReservations(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("expire reservations", "err", err)
		}
		if _, err := s.SwitchDueItems(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("switch in catalogue items", "err", err)
		}
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if n, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("prune", "err", err)
			} else if n > 0 {
				s.log.Info("pruned acked outbox and inbox events", "rows", n)
			}
		}
	}
}
