package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// ReservationLine is a reserved SKU at the price the order fixed.
type ReservationLine struct {
	SKU            string `json:"sku"`
	Qty            int64  `json:"qty"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
}

// Reservation is a click-and-collect order held in the store.
type Reservation struct {
	ReservationID string            `json:"reservation_id"`
	OrderRef      string            `json:"order_ref"`
	CustomerName  string            `json:"customer_name"`
	Paid          bool              `json:"paid"`
	Lines         []ReservationLine `json:"lines"`
	ExpiresAt     string            `json:"expires_at"`
	Status        string            `json:"status"`
}

func reservationLines(ctx context.Context, q querier, id string) ([]ReservationLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT sku, qty, unit_price_minor FROM reservation_lines
		WHERE reservation_id = ?1 ORDER BY sku`, id)
	if err != nil {
		return nil, fmt.Errorf("reservation %s lines: %w", id, err)
	}
	defer rows.Close()
	lines := []ReservationLine{}
	for rows.Next() {
		var l ReservationLine
		if err := rows.Scan(&l.SKU, &l.Qty, &l.UnitPriceMinor); err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
}

func loadReservation(ctx context.Context, q querier, id string) (Reservation, error) {
	var r Reservation
	var paid int64
	err := q.QueryRowContext(ctx, `SELECT reservation_id, order_ref, customer_name, paid, expires_at, status
		FROM reservations WHERE reservation_id = ?1`, id).Scan(&r.ReservationID, &r.OrderRef, &r.CustomerName, &paid, &r.ExpiresAt, &r.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return r, reqErr(http.StatusNotFound, "not_found", "no reservation %q", truncate(id, 40))
	}
	if err != nil {
		return r, err
	}
	r.Paid = paid != 0
	r.Lines, err = reservationLines(ctx, q, id)
	return r, err
}

// loadReservationPrices checks that a sale may collect a reservation (open and unpaid) and returns
// its fixed prices.
func loadReservationPrices(ctx context.Context, q querier, id string) (reservationPrices, error) {
	r, err := loadReservation(ctx, q, id)
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) && re.Status == http.StatusNotFound {
			return nil, unprocessable("unknown_reservation", "reservation_id: %s", re.Message)
		}
		return nil, err
	}
	if r.Status != "open" {
		return nil, unprocessable("reservation_not_open", "reservation %s is %s", id, r.Status)
	}
	if r.Paid {
		return nil, unprocessable("reservation_paid", "reservation %s is paid: hand it over with POST /api/v1/reservations/%s/collect", id, id)
	}
	prices := reservationPrices{}
	for _, l := range r.Lines {
		prices[l.SKU] = l.UnitPriceMinor
	}
	return prices, nil
}

// release marks an open reservation with status and gives its reserved units back.
func release(ctx context.Context, tx dbtx, r Reservation, status string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE reservations SET status = ?2, updated_at = ?3
		WHERE reservation_id = ?1 AND status = 'open'`, r.ReservationID, status, at.Format(time.RFC3339Nano))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return unprocessable("reservation_not_open", "reservation %s is not open", r.ReservationID)
	}
	for _, l := range r.Lines {
		if _, err := tx.ExecContext(ctx, `UPDATE stock SET reserved = max(reserved - ?2, 0) WHERE sku = ?1`, l.SKU, l.Qty); err != nil {
			return err
		}
	}
	return nil
}

// collectBySale marks the sale's reservation collected and frees its reserved units; the sale's own
// lines then take the goods out of stock.
func (s *Service) collectBySale(ctx context.Context, tx dbtx, sale *Sale, at time.Time) error {
	r, err := loadReservation(ctx, tx, sale.ReservationID)
	if err != nil {
		return err
	}
	if err := release(ctx, tx, r, "collected", at); err != nil {
		return err
	}
	_, err = s.out.Append(ctx, tx, outbox.TopicReservations, "retail.reservation.collected", newID(), at,
		map[string]any{"reservation_id": r.ReservationID, "lines": r.Lines, "sale_id": sale.SaleID})
	return err
}

// Collect hands over a paid reservation: no sale; the goods leave stock and central is told.
// Collecting an already collected reservation again answers the reservation (idempotent).
func (s *Service) Collect(ctx context.Context, id string) (Reservation, error) {
	var r Reservation
	changed := false
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		var err error
		r, err = loadReservation(ctx, tx, id)
		if err != nil || r.Status == "collected" {
			return err
		}
		if r.Status != "open" {
			return reqErr(http.StatusConflict, "reservation_not_open", "reservation %s is %s", id, r.Status)
		}
		if !r.Paid {
			return reqErr(http.StatusConflict, "reservation_unpaid", "reservation %s is not paid: sell it with a sale that names reservation_id", id)
		}
		at := s.now()
		if err := release(ctx, tx, r, "collected", at); err != nil {
			return err
		}
		for _, l := range r.Lines {
			if _, err := s.move(ctx, tx, Movement{MovementID: newID(), SKU: l.SKU, Delta: -l.Qty, Reason: "collect",
				Ref: r.ReservationID, OccurredAt: at.Format(time.RFC3339Nano)}, ""); err != nil {
				return err
			}
		}
		if _, err := s.out.Append(ctx, tx, outbox.TopicReservations, "retail.reservation.collected", newID(), at,
			map[string]any{"reservation_id": r.ReservationID, "lines": r.Lines}); err != nil {
			return err
		}
		r.Status, changed = "collected", true
		return nil
	})
	if err != nil {
		return r, db.Explain(err)
	}
	s.committed(changed)
	return r, nil
}

// Reservations lists reservations with a status ("" for all), soonest expiry first.
func (s *Service) Reservations(ctx context.Context, status string) ([]Reservation, error) {
	switch status {
	case "", "open", "rejected", "collected", "released":
	default:
		return nil, badRequest("status %q is not one of open, rejected, collected, released", truncate(status, 20))
	}
	ids, err := queryIDs(ctx, s.r(), `SELECT reservation_id FROM reservations
		WHERE ?1 = '' OR status = ?1 ORDER BY expires_at, reservation_id LIMIT 1000`, status)
	if err != nil {
		return nil, err
	}
	out := []Reservation{}
	for _, id := range ids {
		r, err := loadReservation(ctx, s.r(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// queryIDs runs a query for one text column and returns its values.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
