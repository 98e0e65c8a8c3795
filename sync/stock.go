package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos"
)

// Stock rule 4 of CONTRACT.md: central's adjustments once per movement_id (source 'central', never
// echoed to central), counts once per count_id, an older count ignored, and
// on_hand = counted + the deltas with occurred_at > as_of.

func applyAdjustment(ctx context.Context, tx *sql.Tx, d *StockAdjustmentData) error {
	at, _ := parseTime(d.OccurredAt)
	res, err := tx.ExecContext(ctx, `INSERT INTO stock_movements (movement_id, sku, delta, reason, ref, occurred_at, source)
		VALUES (?1, ?2, ?3, 'central', 'central', ?4, 'central') ON CONFLICT (movement_id) DO NOTHING`,
		d.MovementID, d.SKU, d.Delta, at.Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("stock adjustment %s: %w", d.MovementID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // applied before
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock (sku, on_hand) VALUES (?1, ?2)
		ON CONFLICT (sku) DO UPDATE SET on_hand = `+pos.SatAddSQL("on_hand", "excluded.on_hand"), d.SKU, d.Delta); err != nil {
		return fmt.Errorf("stock adjustment %s: %w", d.MovementID, err)
	}
	return nil
}

func (s *Syncer) applyCount(ctx context.Context, tx *sql.Tx, d *StockCountData) error {
	asOf, _ := parseTime(d.AsOf)
	res, err := tx.ExecContext(ctx, `INSERT INTO stock_counts (count_id, sku, on_hand, as_of, applied_at)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (count_id) DO NOTHING`,
		d.CountID, d.SKU, d.OnHand, asOf.Format(time.RFC3339Nano), s.now())
	if err != nil {
		return fmt.Errorf("stock count %s: %w", d.CountID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // applied (or ignored) before
	}
	var last string
	err = tx.QueryRowContext(ctx, `SELECT last_count_as_of FROM stock WHERE sku = ?1`, d.SKU).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if last != "" {
		if lt, err := time.Parse(time.RFC3339Nano, last); err == nil && asOf.Before(lt) {
			s.log.Info("older stock count ignored", "count_id", d.CountID, "sku", d.SKU, "as_of", d.AsOf, "last", last)
			return nil
		}
	}
	since, err := deltasAfter(ctx, tx, d.SKU, asOf)
	if err != nil {
		return fmt.Errorf("stock count %s: %w", d.CountID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO stock (sku, on_hand, last_count_as_of) VALUES (?1, ?2, ?3)
		ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, last_count_as_of = excluded.last_count_as_of`,
		d.SKU, pos.SatAdd(d.OnHand, since), asOf.Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("stock count %s: %w", d.CountID, err)
	}
	return nil
}

// deltasAfter sums a SKU's movements that occurred after t. Times are compared as times, not as
// text: RFC 3339 strings with different fractional digits do not sort as text.
func deltasAfter(ctx context.Context, tx *sql.Tx, sku string, t time.Time) (int64, error) {
	// The text prefilter only drops rows whose first 19 characters (the whole seconds) are earlier.
	rows, err := tx.QueryContext(ctx, `SELECT delta, occurred_at FROM stock_movements
		WHERE sku = ?1 AND substr(occurred_at, 1, 19) >= ?2`, sku, t.UTC().Format("2006-01-02T15:04:05"))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var sum int64
	for rows.Next() {
		var delta int64
		var at string
		if err := rows.Scan(&delta, &at); err != nil {
			return 0, err
		}
		mt, err := time.Parse(time.RFC3339Nano, at)
		if err != nil || mt.After(t) {
			sum = pos.SatAdd(sum, delta)
		}
	}
	return sum, rows.Err()
}
