// Package syncbench holds what the sync benchmarks share with cmd/storebench: a large
// catalogue, a snapshot put in the inbox, the raw prepared-upsert baseline of a snapshot apply,
// lookups running beside it, a bulk-filled outbox and the raw pipelined paho publish baseline of
// an outbox drain. It imports the outbox and the database but not sync itself.
package syncbench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	stdsync "sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// firstGTIN is the 12-digit payload of item 0's EAN-13; item i has firstGTIN+i.
const firstGTIN = 400000000000

// EAN13 is the EAN-13 of item i of Catalog.
func EAN13(i int) string { return benchkit.EAN13(firstGTIN + int64(i)) }

// Catalog makes n active items, SKU%06d each with one valid EAN-13 (EAN13(i)).
func Catalog(n int) []pos.CatalogItem {
	out := make([]pos.CatalogItem, n)
	for i := range out {
		sku := fmt.Sprintf("SKU%06d", i)
		out[i] = pos.CatalogItem{SKU: sku, GTINs: []string{EAN13(i)}, Name: "Item " + sku, PriceMinor: int64(100 + i),
			Currency: "EUR", TaxRateBP: 2200, Unit: "each", Category: "grocery", Active: true, Version: 1}
	}
	return out
}

// StoreSnapshot puts a snapshot of items, in chunks of chunk items, into the inbox as the store
// loop would on receiving it from central.
func StoreSnapshot(ctx context.Context, d *db.DB, items []pos.CatalogItem, chunk int) error {
	chunks := (len(items) + chunk - 1) / chunk
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for c := 0; c < chunks; c++ {
		data, _ := json.Marshal(map[string]any{"seq": 1, "chunk": c + 1, "chunks": chunks, "items": items[c*chunk : min(len(items), (c+1)*chunk)]})
		id := uuid.NewString()
		ev, _ := json.Marshal(outbox.Event{SpecVersion: "1.0", ID: id, Source: "/central",
			Type: "retail.catalog.snapshot", DataContentType: "application/json", Data: data})
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox (event_id, topic, type, payload, received_at) VALUES (?1, 'catalog', 'retail.catalog.snapshot', ?2, 'now')`,
			id, ev); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// RawUpsert is the baseline of a snapshot apply: a prepared upsert of every item and its GTINs in
// one transaction. It returns the time it took.
func RawUpsert(ctx context.Context, d *db.DB, items []pos.CatalogItem) (time.Duration, error) {
	start := time.Now()
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	up, err := tx.PrepareContext(ctx, `INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit,
		net_content, category, active, version, catalog_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11)
		ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor, version = excluded.version
		WHERE excluded.version > products.version`)
	if err != nil {
		return 0, err
	}
	g, err := tx.PrepareContext(ctx, `INSERT INTO product_gtins (gtin, sku) VALUES (?1, ?2) ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku`)
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, it := range items {
		if _, err := up.ExecContext(ctx, it.SKU, it.Name, it.PriceMinor, it.Currency, it.TaxRateBP, it.Unit, nil,
			it.Category, 1, it.Version, now); err != nil {
			return 0, err
		}
		for _, gt := range it.GTINs {
			g14, _ := pos.GTIN14(gt)
			if _, err := g.ExecContext(ctx, g14, it.SKU); err != nil {
				return 0, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// Lookups runs product lookups by GTIN through the read pool on two goroutines, one a
// millisecond each, as shoppers and lanes would while a snapshot is applied.
type Lookups struct {
	stop chan struct{}
	wg   stdsync.WaitGroup
	mu   stdsync.Mutex
	lat  []time.Duration
	err  error
}

// StartLookups starts looking up the GTINs of the first n items of Catalog in d.
func StartLookups(d *db.DB, n int) *Lookups {
	l := &Lookups{stop: make(chan struct{})}
	for w := range 2 {
		l.wg.Add(1)
		go l.run(d, n, uint64(w))
	}
	return l
}

func (l *Lookups) run(d *db.DB, n int, seed uint64) {
	defer l.wg.Done()
	r := rand.New(rand.NewPCG(seed, 1))
	var mine []time.Duration
	var failed error
	for {
		select {
		case <-l.stop:
			l.mu.Lock()
			l.lat = append(l.lat, mine...)
			if l.err == nil {
				l.err = failed
			}
			l.mu.Unlock()
			return
		default:
		}
		g, _ := pos.GTIN14(EAN13(r.IntN(max(n, 1))))
		t0 := time.Now()
		var name string
		err := d.R.QueryRow(`SELECT p.name FROM product_gtins g JOIN products p ON p.sku = g.sku WHERE g.gtin = ?1`, g).Scan(&name)
		if err != nil && err != sql.ErrNoRows && failed == nil {
			failed = fmt.Errorf("lookup: %w", err)
		}
		mine = append(mine, time.Since(t0))
		time.Sleep(time.Millisecond)
	}
}

// Stop stops the lookups and returns their latencies in ascending order and the first error.
func (l *Lookups) Stop() ([]time.Duration, error) {
	close(l.stop)
	l.wg.Wait()
	slices.Sort(l.lat)
	return l.lat, l.err
}

// QueueBulk appends n sale events for store to d's outbox in one transaction and returns their
// payloads in outbox order.
func QueueBulk(ctx context.Context, d *db.DB, store string, n int) ([][]byte, error) {
	w := outbox.Writer{StoreID: store, Epoch: d.Epoch}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for i := 0; i < n; i++ {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := w.Append(ctx, tx, outbox.TopicSales, "retail.sale.completed", id, time.Now(),
			map[string]any{"sale_id": id, "total_minor": 1000 + i, "lines": []map[string]any{{"sku": "A", "qty": 1, "amount_minor": 1000 + i}}}); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	rows, err := d.R.QueryContext(ctx, `SELECT payload FROM outbox ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var p []byte
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// WithNewIDs copies event payloads with a fresh event id each (same size), so central stores a
// raw run's events apart from the drain's.
func WithNewIDs(payloads [][]byte) ([][]byte, error) {
	out := make([][]byte, len(payloads))
	for i, p := range payloads {
		var ev outbox.Event
		if err := json.Unmarshal(p, &ev); err != nil {
			return nil, err
		}
		out[i] = bytes.ReplaceAll(p, []byte(ev.ID), []byte(uuid.NewString()))
	}
	return out, nil
}

// RawPublish is the baseline of an outbox drain: it publishes payloads to topic with paho, QoS
// 1, pipelined (every publish sent before waiting), and returns the time until the last PUBACK.
func RawPublish(url, topic string, payloads [][]byte) (time.Duration, error) {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("bench-raw-" + uuid.NewString()[:8]).
		SetCleanSession(true).SetAutoReconnect(false))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		return 0, fmt.Errorf("raw connect to %s: %v", url, tok.Error())
	}
	defer c.Disconnect(100)
	start := time.Now()
	toks := make([]mqtt.Token, len(payloads))
	for i, p := range payloads {
		toks[i] = c.Publish(topic, 1, false, p)
	}
	for _, tok := range toks {
		if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
			return 0, fmt.Errorf("raw publish: no PUBACK within 60 s: %v", tok.Error())
		}
	}
	return time.Since(start), nil
}
