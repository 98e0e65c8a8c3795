package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// fleetStore is one simulated store: its own database file, the agent's real Syncer over it, and
// a till that makes a sale (a sale event and its stock movement, in one transaction, as pos does)
// at a steady pace.
type fleetStore struct {
	id   string
	db   *db.DB
	sync *agentsync.Syncer
	out  outbox.Writer

	// sales and failed count what the till did.
	sales, failed atomic.Int64
	// done receives Run's result.
	done chan error
}

// openFleetStore opens store i's database under root (one writer and one reader connection, to keep
// a thousand stores within the file-descriptor limit) and builds its Syncer.
func openFleetStore(ctx context.Context, root string, i int, opts agentsync.Options) (*fleetStore, error) {
	id := fmt.Sprintf("fleet-%05d", i)
	d, err := db.Open(ctx, filepath.Join(root, id), db.Options{Readers: 1})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", id, err)
	}
	opts.StoreID = id
	s, err := agentsync.New(d, opts)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("store %s: %w", id, err)
	}
	return &fleetStore{id: id, db: d, sync: s, out: outbox.Writer{StoreID: id, Epoch: d.Epoch}, done: make(chan error, 1)}, nil
}

// sell commits one sale and its stock movement with their outbox events, then wakes the
// publisher, as pos does after a sale.
func (st *fleetStore) sell(ctx context.Context) error {
	saleID := uuid.Must(uuid.NewV7()).String()
	moveID := uuid.Must(uuid.NewV7()).String()
	now := time.Now().UTC()
	amount := 100 + rand.Int64N(5000)
	tx, err := st.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	sale := map[string]any{"sale_id": saleID, "status": "completed", "total_minor": amount, "currency": "EUR",
		"terminal": "lane1", "cashier": "fleet", "completed_at": now.Format(time.RFC3339Nano),
		"lines":    []map[string]any{{"sku": "A", "qty": 1, "unit_price_minor": amount, "amount_minor": amount, "tax_rate_bp": 2200}},
		"payments": []map[string]any{{"method": "card", "amount_minor": amount}}}
	if _, err := st.out.Append(ctx, tx, outbox.TopicSales, agentsync.TypeSaleCompleted, saleID, now, sale); err != nil {
		return err
	}
	move := map[string]any{"movement_id": moveID, "sku": "A", "delta": -1, "reason": "sale", "ref": saleID,
		"occurred_at": now.Format(time.RFC3339Nano)}
	if _, err := st.out.Append(ctx, tx, outbox.TopicMovements, agentsync.TypeStockMovement, moveID, now, move); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	st.sync.Notify()
	return nil
}

// sellEvery makes a sale every interval (the first after a random part of it, so the fleet's
// tills are not in step) until ctx ends.
func (st *fleetStore) sellEvery(ctx context.Context, every time.Duration) {
	t := time.NewTimer(time.Duration(rand.Int64N(int64(every))))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := st.sell(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			st.failed.Add(1)
		} else {
			st.sales.Add(1)
		}
		t.Reset(every)
	}
}

// unacked is the number of outbox events central has not acked yet.
func (st *fleetStore) unacked(ctx context.Context) (int64, error) {
	var n int64
	err := st.db.R.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE acked_at = ''`).Scan(&n)
	return n, err
}

// events lists the ids of every event the store appended, and whether central acked each.
func (st *fleetStore) events(ctx context.Context) (map[string]bool, error) {
	rows, err := st.db.R.QueryContext(ctx, `SELECT event_id, acked_at != '' FROM outbox`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		var acked bool
		if err := rows.Scan(&id, &acked); err != nil {
			return nil, err
		}
		out[id] = acked
	}
	return out, rows.Err()
}
