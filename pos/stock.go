package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

var adjustmentReasons = map[string]bool{"damaged": true, "received": true, "found": true, "other": true}

// move applies a local stock movement in tx: stock changes, the movement is stored and its event
// queued. When the SKU's on_hand drops below what is reserved for open reservations, each such
// reservation gets an at_risk event and the caller a warning. A sale is never refused for stock.
func (s *Service) move(ctx context.Context, tx dbtx, m Movement, hash string) ([]Warning, error) {
	var onHand, reserved int64
	err := tx.QueryRowContext(ctx, `INSERT INTO stock (sku, on_hand) VALUES (?1, ?2)
		ON CONFLICT (sku) DO UPDATE SET on_hand = `+SatAddSQL("on_hand", "excluded.on_hand")+`
		RETURNING on_hand, reserved`, m.SKU, m.Delta).Scan(&onHand, &reserved)
	if err != nil {
		return nil, fmt.Errorf("stock %s: %w", m.SKU, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock_movements (movement_id, sku, delta, reason, ref,
		occurred_at, source, request_hash, terminal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'local', ?7, ?8)`,
		m.MovementID, m.SKU, m.Delta, m.Reason, m.Ref, m.OccurredAt, hash, m.Terminal); err != nil {
		return nil, fmt.Errorf("movement %s: %w", m.MovementID, err)
	}
	at, _ := time.Parse(time.RFC3339Nano, m.OccurredAt)
	if _, err := s.out.Append(ctx, tx, outbox.TopicMovements, "retail.stock.movement", m.MovementID, at, m); err != nil {
		return nil, err
	}
	if m.Delta >= 0 || onHand >= reserved {
		return nil, nil
	}
	return s.flagAtRisk(ctx, tx, m, onHand, reserved, at)
}

// flagAtRisk queues retail.reservation.at_risk for the open reservations of a SKU whose stock no
// longer covers them, and returns the cashier's warning.
func (s *Service) flagAtRisk(ctx context.Context, tx dbtx, m Movement, onHand, reserved int64, at time.Time) ([]Warning, error) {
	ids, err := queryIDs(ctx, tx, `SELECT r.reservation_id FROM reservations r
		JOIN reservation_lines l ON l.reservation_id = r.reservation_id
		WHERE r.status = 'open' AND l.sku = ?1 ORDER BY r.expires_at`, m.SKU)
	if err != nil {
		return nil, fmt.Errorf("reservations of %s: %w", m.SKU, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	for _, id := range ids {
		lines, err := reservationLines(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		data := map[string]any{"reservation_id": id, "lines": lines,
			"reason": fmt.Sprintf("%s: on hand %d, reserved %d after %s %s", m.SKU, onHand, reserved, m.Reason, m.Ref)}
		if _, err := s.out.Append(ctx, tx, outbox.TopicReservations, "retail.reservation.at_risk",
			uuid.Must(uuid.NewV7()).String(), at, data); err != nil {
			return nil, err
		}
	}
	return []Warning{{Code: "reserved_stock_taken", SKU: m.SKU,
		Message: fmt.Sprintf("%s: %d on hand but %d reserved for click and collect (%d orders at risk)", m.SKU, onHand, reserved, len(ids))}}, nil
}

// Adjust records a stock adjustment (damaged, received, found, other). Idempotent by movement_id.
func (s *Service) Adjust(ctx context.Context, term Terminal, req AdjustmentRequest) ([]byte, bool, error) {
	if err := validID("movement_id", req.MovementID); err != nil {
		return nil, false, err
	}
	if err := validID("sku", req.SKU); err != nil {
		return nil, false, err
	}
	if !adjustmentReasons[req.Reason] {
		return nil, false, unprocessable("invalid_reason", "reason %q is not one of damaged, received, found, other", truncate(req.Reason, 40))
	}
	if req.Delta == 0 || req.Delta > maxWeightG || req.Delta < -maxWeightG {
		return nil, false, unprocessable("bad_quantity", "delta %d must be non-zero and at most %d either way", req.Delta, maxWeightG)
	}
	if req.Reason == "damaged" && req.Delta > 0 {
		return nil, false, unprocessable("bad_quantity", "delta %d: damaged goods leave stock, so the delta must be negative", req.Delta)
	}
	hash := requestHash(req)
	var out []byte
	var created bool
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		var storedHash string
		err := tx.QueryRowContext(ctx, `SELECT request_hash FROM stock_movements WHERE movement_id = ?1`, req.MovementID).Scan(&storedHash)
		switch {
		case err == nil && storedHash != hash:
			return errConflict
		case err == nil:
			out, err = s.adjustmentBody(ctx, tx, req.MovementID)
			return err
		case err != sql.ErrNoRows:
			return err
		}
		p, err := s.resolve(ctx, tx, req.SKU) // a SKU or any code a scan gives
		var re *RequestError
		if errors.As(err, &re) && re.Status == http.StatusNotFound {
			return unprocessable("unknown_sku", "unknown sku or code %q", truncate(req.SKU, 40))
		} else if err != nil {
			return err
		}
		if err := adjustmentBound(p, req.Delta); err != nil {
			return err
		}
		m := Movement{MovementID: req.MovementID, SKU: p.SKU, Delta: req.Delta, Reason: req.Reason,
			Ref: "adjustment", OccurredAt: s.now().Format(time.RFC3339Nano), Terminal: term.ID}
		if _, err := s.move(ctx, tx, m, hash); err != nil {
			return err
		}
		out, err = s.adjustmentBody(ctx, tx, req.MovementID)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, db.Explain(err)
	}
	s.committed(created)
	return out, created, nil
}

func (s *Service) adjustmentBody(ctx context.Context, q querier, id string) ([]byte, error) {
	var a Adjustment
	err := q.QueryRowContext(ctx, `SELECT m.movement_id, m.sku, m.delta, m.reason, m.ref, m.occurred_at, m.terminal,
		coalesce(s.on_hand, 0), coalesce(s.reserved, 0)
		FROM stock_movements m LEFT JOIN stock s ON s.sku = m.sku WHERE m.movement_id = ?1`, id).Scan(
		&a.MovementID, &a.SKU, &a.Delta, &a.Reason, &a.Ref, &a.OccurredAt, &a.Terminal, &a.Stock.OnHand, &a.Stock.Reserved)
	if err != nil {
		return nil, db.Explain(err)
	}
	a.Stock.Available = SatAdd(a.Stock.OnHand, -a.Stock.Reserved)
	return marshal(a)
}

// StockOf returns a SKU's stock level.
func (s *Service) StockOf(ctx context.Context, sku string) (StockLevel, error) {
	var st StockLevel
	err := s.r().QueryRowContext(ctx, `SELECT on_hand, reserved FROM stock WHERE sku = ?1`, sku).Scan(&st.OnHand, &st.Reserved)
	if err == sql.ErrNoRows {
		return st, reqErr(http.StatusNotFound, "not_found", "no stock record for %q", sku)
	}
	st.Available = SatAdd(st.OnHand, -st.Reserved)
	return st, err
}
