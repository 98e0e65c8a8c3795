// Package posbench holds what the selling benchmarks share: the raw-SQL baseline of a durable
// sale and a large catalogue written straight into a database. The pos benchmarks, the
// storeagent start-up benchmark and cmd/storebench import it; it does not import pos, so pos's
// own tests may use it.
package posbench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/sync/db"
)

// rawSaleSQL are the statements of one sale as the agent writes it, without the domain logic.
var rawSaleSQL = map[string]string{
	"sale":    `INSERT INTO sales (sale_id, terminal, cashier, receipt_no, request_hash, currency, total_minor, rounding_minor, tax_minor, change_minor, completed_at, body) VALUES (?1, 'lane1', 'bench', ?2, 'h', 'EUR', 1005, 0, 100, 0, '2026-01-01T00:00:00Z', ?3)`,
	"line":    `INSERT INTO sale_lines (sale_id, line_no, sku, name, qty, unit_price_minor, amount_minor, tax_rate_bp) VALUES (?1, ?2, 'SKU', 'Name', 1, 100, 100, 2200)`,
	"pay":     `INSERT INTO sale_payments (sale_id, idx, method, amount_minor) VALUES (?1, 0, 'card', 1005)`,
	"counter": `INSERT INTO receipt_counters (terminal, last_no) VALUES ('lane1', 1) ON CONFLICT (terminal) DO UPDATE SET last_no = last_no + 1 RETURNING last_no`,
	"stock":   `INSERT INTO stock (sku, on_hand) VALUES (?1, -1) ON CONFLICT (sku) DO UPDATE SET on_hand = on_hand - 1`,
	"move":    `INSERT INTO stock_movements (movement_id, sku, delta, reason, ref, occurred_at, source) VALUES (?1, ?2, -1, 'sale', ?3, '2026-01-01T00:00:00Z', 'local')`,
	"seq":     `INSERT INTO outbox_seq (epoch, topic, last_seq) VALUES ('e', ?1, 1) ON CONFLICT (epoch, topic) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
	"outbox":  `INSERT INTO outbox (epoch, topic, seq, event_id, type, payload, created_at) VALUES ('e', ?1, ?2, ?3, 't', ?4, '2026-01-01T00:00:00Z')`,
}

// RawSales is the baseline of a durable sale: the same writes as one 3-line sale with a payment
// (sale, 3 lines, payment, receipt counter, 3 stock updates, 3 movements, 4 outbox events with
// their seq counters) as prepared statements in one synchronous=FULL transaction on the database's
// one writer. Sale is safe for concurrent use.
type RawSales struct {
	d       *db.DB
	stmts   map[string]*sql.Stmt
	payload []byte
	skus    []string
}

// OpenRawSales opens (creating) a database in dir and prepares the statements.
func OpenRawSales(ctx context.Context, dir string) (*RawSales, error) {
	d, err := db.Open(ctx, dir, db.Options{})
	if err != nil {
		return nil, err
	}
	r := &RawSales{d: d, stmts: map[string]*sql.Stmt{}, payload: bytes.Repeat([]byte("x"), 900), // about a sale event
		skus: []string{"A", "B", "C"}}
	for k, q := range rawSaleSQL {
		st, err := d.W.PrepareContext(ctx, q)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("prepare %s: %w", k, err)
		}
		r.stmts[k] = st
	}
	return r, nil
}

// Close closes the statements and the database.
func (r *RawSales) Close() error {
	for _, st := range r.stmts {
		st.Close()
	}
	return r.d.Close()
}

// Sale writes one sale and commits.
func (r *RawSales) Sale(ctx context.Context) error {
	id := uuid.Must(uuid.NewV7()).String()
	tx, err := r.d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st := func(k string) *sql.Stmt { return tx.StmtContext(ctx, r.stmts[k]) }
	var n int64
	if err := st("counter").QueryRowContext(ctx).Scan(&n); err != nil {
		return err
	}
	if _, err := st("sale").ExecContext(ctx, id, fmt.Sprint(n), string(r.payload)); err != nil {
		return err
	}
	for j, sku := range r.skus {
		if _, err := st("line").ExecContext(ctx, id, j); err != nil {
			return err
		}
		if _, err := st("stock").ExecContext(ctx, sku); err != nil {
			return err
		}
		mid := uuid.Must(uuid.NewV7()).String()
		if _, err := st("move").ExecContext(ctx, mid, sku, id); err != nil {
			return err
		}
		if err := r.event(ctx, st, "stock/movements", mid, r.payload[:300]); err != nil {
			return err
		}
	}
	if _, err := st("pay").ExecContext(ctx, id); err != nil {
		return err
	}
	if err := r.event(ctx, st, "sales", id, r.payload); err != nil {
		return err
	}
	return tx.Commit()
}

// event appends an outbox row with the topic's next seq.
func (r *RawSales) event(ctx context.Context, st func(string) *sql.Stmt, topic, id string, payload []byte) error {
	var seq int64
	if err := st("seq").QueryRowContext(ctx, topic).Scan(&seq); err != nil {
		return err
	}
	_, err := st("outbox").ExecContext(ctx, topic, seq, id, payload)
	return err
}

// CatalogSKU and CatalogGTIN (an EAN-13, as a scanner reads it) name item i of SeedCatalog;
// CatalogPrice is its price in minor units.
func CatalogSKU(i int) string      { return fmt.Sprintf("SKU-%07d", i) }
func CatalogGTIN(i int) string     { return benchkit.EAN13(800000000000 + int64(i)) }
func CatalogPrice(i int) int64     { return int64(100 + i%5000) }
func catalogCategory(i int) string { return fmt.Sprintf("cat-%d", i%200) }
func catalogName(i int) string     { return fmt.Sprintf("Prodotto numero %d con un nome realistico", i) }

// SeedCatalog opens (creating and migrating) the database in dataDir and writes n products with
// a GTIN and stock each, straight into the tables in one transaction, as a replica holding a large
// catalogue would be; then closes it. Item i has CatalogSKU(i), CatalogGTIN(i), CatalogPrice(i).
func SeedCatalog(ctx context.Context, dataDir string, n int) error {
	d, err := db.Open(ctx, dataDir, db.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p, err := tx.PrepareContext(ctx, `INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit, category, updated_at) VALUES (?, ?, ?, 'EUR', 2200, 'each', ?, '2026-01-01T00:00:00Z')`)
	if err != nil {
		return err
	}
	g, _ := tx.PrepareContext(ctx, `INSERT INTO product_gtins (gtin, sku) VALUES (?, ?)`)
	s, _ := tx.PrepareContext(ctx, `INSERT INTO stock (sku, on_hand) VALUES (?, ?)`)
	for i := range n {
		sku := CatalogSKU(i)
		if _, err := p.ExecContext(ctx, sku, catalogName(i), CatalogPrice(i), catalogCategory(i)); err != nil {
			return fmt.Errorf("seed %s: %w", sku, err)
		}
		if _, err := g.ExecContext(ctx, "0"+CatalogGTIN(i), sku); err != nil { // stored as GTIN-14
			return fmt.Errorf("seed %s: %w", sku, err)
		}
		if _, err := s.ExecContext(ctx, sku, i%100); err != nil {
			return fmt.Errorf("seed %s: %w", sku, err)
		}
	}
	return tx.Commit()
}
