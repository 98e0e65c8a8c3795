package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos"
)

// Catalogue rule 3 of CONTRACT.md: versioned items, effective_from, chunked atomic snapshots.

// future reports whether an item's effective_from is after now, and its normalised form.
func future(it pos.CatalogItem, now time.Time) (string, bool) {
	if it.EffectiveFrom == "" {
		return "", false
	}
	t, err := time.Parse(time.RFC3339Nano, it.EffectiveFrom)
	if err != nil || !t.After(now) {
		return "", false
	}
	return secondsUTC(t), true
}

// keepPending stores an item version that takes effect later.
func keepPending(ctx context.Context, tx *sql.Tx, it pos.CatalogItem, at string, seq int64) error {
	raw, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO catalog_pending (sku, version, effective_from, catalog_seq, item)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE ?2 > coalesce((SELECT version FROM products WHERE sku = ?1), 0)
		ON CONFLICT (sku, version) DO NOTHING`, it.SKU, it.Version, at, seq, string(raw))
	if err != nil {
		return fmt.Errorf("catalog: keep %s v%d for %s: %w", it.SKU, it.Version, at, err)
	}
	return nil
}

func setCatalogSeq(ctx context.Context, tx *sql.Tx, seq int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('catalog_seq', ?1)
		ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`, seq)
	return err
}

// applyDelta upserts the items that are newer than the replica's; future ones wait.
func (s *Syncer) applyDelta(ctx context.Context, tx *sql.Tx, d *CatalogData) error {
	now := s.opts.Now()
	for _, it := range d.Items {
		if at, ok := future(it, now); ok {
			if err := keepPending(ctx, tx, it, at, d.Seq); err != nil {
				return err
			}
			continue
		}
		if _, err := pos.UpsertItem(ctx, tx, it, d.Seq, false); err != nil {
			return fmt.Errorf("catalog delta %d: %w", d.Seq, err)
		}
	}
	return setCatalogSeq(ctx, tx, d.Seq)
}

// applySnapshotChunk stages one chunk (a reference to its inbox row); when the last one of its
// snapshot arrives, the snapshot is applied in the same transaction. An older snapshot's chunks are
// dropped once a newer one starts, and chunks of a snapshot older than one already applied are
// ignored.
func (s *Syncer) applySnapshotChunk(ctx context.Context, tx *sql.Tx, eventID string, d *CatalogData) error {
	if ok, err := s.admitChunk(ctx, tx, catalogSnapshots, d.Seq); !ok || err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_snapshot_chunks WHERE seq < ?1`, d.Seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_snapshot_chunks (seq, chunk, chunks, event_id, received_at)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (seq, chunk) DO NOTHING`, d.Seq, d.Chunk, d.Chunks, eventID, s.now()); err != nil {
		return fmt.Errorf("catalog: stage snapshot %d chunk %d: %w", d.Seq, d.Chunk, err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM catalog_snapshot_chunks WHERE seq = ?1 AND chunks = ?2`,
		d.Seq, d.Chunks).Scan(&have); err != nil {
		return err
	}
	if have < d.Chunks {
		return nil
	}
	return s.applySnapshot(ctx, tx, d.Seq)
}

// applySnapshot applies the complete staged snapshot seq atomically, in the caller's transaction:
// each item is upserted once (only when its version is newer, GTINs replaced when it changed),
// straight from the chunks' inbox payloads, so no row is written twice; then the items absent from
// the snapshot become inactive unless a delta with a higher seq changed them. Readers (db.R) keep
// seeing the previous catalogue until the commit (WAL).
func (s *Syncer) applySnapshot(ctx context.Context, tx *sql.Tx, seq int64) error {
	start := time.Now()
	present, err := s.loadSnapshot(ctx, tx, seq)
	if err != nil {
		return err
	}
	now := s.now()
	if err := deactivateAbsent(ctx, tx, seq, present, now); err != nil {
		return err
	}
	steps := []struct {
		what string
		sql  string
	}{
		{"drop chunks", `DELETE FROM catalog_snapshot_chunks WHERE seq <= ?1`},
		{"snapshot seq", `INSERT INTO meta (key, value) VALUES ('catalog_snapshot_seq', ?1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`},
		{"catalog seq", `INSERT INTO inbox_seq (topic, last_seq) VALUES ('catalog', ?1)
			ON CONFLICT (topic) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`},
		{"clear gap", `DELETE FROM meta WHERE key = 'sync_gap:catalog' AND CAST(value AS INTEGER) <= ?1`},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.sql, seq); err != nil {
			return fmt.Errorf("catalog: snapshot %d: %s: %w", seq, st.what, err)
		}
	}
	if err := setCatalogSeq(ctx, tx, seq); err != nil {
		return err
	}
	s.log.Info("catalogue snapshot applied", "seq", seq, "items", len(present), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// deactivateAbsent marks inactive the active items that the snapshot seq lacks, unless a delta with
// a higher seq wrote them.
func deactivateAbsent(ctx context.Context, tx *sql.Tx, seq int64, present map[string]bool, now string) error {
	rows, err := tx.QueryContext(ctx, `SELECT sku FROM products WHERE active = 1 AND catalog_seq <= ?1
		AND sku NOT IN (SELECT sku FROM catalog_pending WHERE catalog_seq = ?1)`, seq)
	if err != nil {
		return fmt.Errorf("catalog: snapshot %d: absent items: %w", seq, err)
	}
	var absent []string
	for rows.Next() {
		var sku string
		if err := rows.Scan(&sku); err != nil {
			rows.Close()
			return err
		}
		if !present[sku] {
			absent = append(absent, sku)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, sku := range absent {
		if _, err := tx.ExecContext(ctx, `UPDATE products SET active = 0, updated_at = ?2 WHERE sku = ?1`, sku, now); err != nil {
			return fmt.Errorf("catalog: snapshot %d: deactivate %s: %w", seq, sku, err)
		}
	}
	return nil
}

// snapshotItems is the part of a staged chunk's payload the apply reads (validated on arrival).
type snapshotItems struct {
	Data struct {
		Items []pos.CatalogItem `json:"items"`
	} `json:"data"`
}

// loadSnapshot upserts the items of the staged chunks of seq and returns the SKUs the snapshot
// holds. Items due later go to catalog_pending. Within a snapshot the highest version of a SKU wins
// (the versioned upsert makes that so whatever the chunk order).
func (s *Syncer) loadSnapshot(ctx context.Context, tx *sql.Tx, seq int64) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.payload FROM catalog_snapshot_chunks c JOIN inbox i ON i.event_id = c.event_id
		WHERE c.seq = ?1 ORDER BY c.chunk`, seq)
	if err != nil {
		return nil, err
	}
	var chunks [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		chunks = append(chunks, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	up, err := tx.PrepareContext(ctx, `INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit,
		net_content, category, active, version, catalog_seq, updated_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
		ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
			currency = excluded.currency, tax_rate_bp = excluded.tax_rate_bp, unit = excluded.unit,
			net_content = excluded.net_content, category = excluded.category, active = excluded.active,
			version = excluded.version, catalog_seq = excluded.catalog_seq, updated_at = excluded.updated_at
		WHERE excluded.version > products.version`)
	if err != nil {
		return nil, err
	}
	defer up.Close()
	delG, err := tx.PrepareContext(ctx, `DELETE FROM product_gtins WHERE sku = ?1`)
	if err != nil {
		return nil, err
	}
	defer delG.Close()
	insG, err := tx.PrepareContext(ctx, `INSERT INTO product_gtins (gtin, sku) VALUES (?1, ?2)
		ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku`)
	if err != nil {
		return nil, err
	}
	defer insG.Close()
	stored, err := storedVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	stamp := s.now()
	present := make(map[string]bool, len(stored))
	// Decode the next chunks on another goroutine while this one writes.
	decoded := make(chan decodedChunk, 2)
	stop := make(chan struct{})
	defer close(stop)
	go decodeChunks(chunks, decoded, stop)
	for dc := range decoded {
		if dc.err != nil {
			return nil, fmt.Errorf("catalog: staged chunk of %d: %w", seq, dc.err)
		}
		for _, it := range dc.items {
			present[it.SKU] = true
			if at, ok := future(it, now); ok {
				if err := keepPending(ctx, tx, it, at, seq); err != nil {
					return nil, err
				}
				continue
			}
			v, had := stored[it.SKU]
			if had && v >= it.Version {
				continue // the replica has this version or a newer one
			}
			stored[it.SKU] = it.Version
			var net any
			if it.NetContent != nil {
				net = *it.NetContent
			}
			res, err := up.ExecContext(ctx, it.SKU, it.Name, it.PriceMinor, it.Currency, it.TaxRateBP,
				it.Unit, net, it.Category, boolInt(it.Active), it.Version, seq, stamp)
			if err != nil {
				return nil, fmt.Errorf("catalog: snapshot %d item %s: %w", seq, it.SKU, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if had {
				if _, err := delG.ExecContext(ctx, it.SKU); err != nil {
					return nil, err
				}
			}
			for _, g := range it.GTINs {
				g14, _ := pos.GTIN14(g)
				if _, err := insG.ExecContext(ctx, g14, it.SKU); err != nil {
					return nil, fmt.Errorf("catalog: snapshot %d item %s gtin: %w", seq, it.SKU, err)
				}
			}
		}
	}
	return present, nil
}

type decodedChunk struct {
	items []pos.CatalogItem
	err   error
}

// decodeChunks decodes staged chunk payloads in order into out, until done or stop.
func decodeChunks(chunks [][]byte, out chan<- decodedChunk, stop <-chan struct{}) {
	defer close(out)
	for _, raw := range chunks {
		var c snapshotItems
		err := json.Unmarshal(raw, &c)
		select {
		case out <- decodedChunk{items: c.Data.Items, err: err}:
		case <-stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// storedVersions reads every SKU's version, so the snapshot apply touches only what changed.
func storedVersions(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT sku, version FROM products`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sku string
		var v int64
		if err := rows.Scan(&sku, &v); err != nil {
			return nil, err
		}
		out[sku] = v
	}
	return out, rows.Err()
}

// SwitchDueItems applies the pending item versions whose effective_from has come.
func (s *Syncer) SwitchDueItems(ctx context.Context) (int, error) {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT sku, version, catalog_seq, item FROM catalog_pending
		WHERE effective_from <= ?1 ORDER BY effective_from, version`, s.opts.Now().UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z"))
	if err != nil {
		return 0, err
	}
	type due struct {
		sku     string
		version int64
		seq     int64
		item    string
	}
	var todo []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.sku, &d.version, &d.seq, &d.item); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, d)
	}
	rows.Close()
	if len(todo) == 0 {
		return 0, rows.Err()
	}
	for _, d := range todo {
		var it pos.CatalogItem
		if err := json.Unmarshal([]byte(d.item), &it); err != nil {
			return 0, fmt.Errorf("catalog: pending %s: %w", d.sku, err)
		}
		if _, err := pos.UpsertItem(ctx, tx, it, d.seq, false); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("pending catalogue item refused", "sku", d.sku, "err", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalog_pending WHERE sku = ?1 AND version = ?2`, d.sku, d.version); err != nil {
			return 0, err
		}
	}
	return len(todo), tx.Commit()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
