package sync_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/google/uuid"

	"github.com/storeagent/storeagent/agent/db"
	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/centralsim"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Benchmark sizes (issue 3, "Performance"); they only run with -bench.
const (
	benchDrainEvents   = 50000
	benchSnapshotItems = 150000
)

// queueBulk appends n sale events in one transaction (set-up only).
func queueBulk(b *testing.B, d *db.DB, store string, n int) [][]byte {
	ctx := context.Background()
	w := outbox.Writer{StoreID: store, Epoch: d.Epoch}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := w.Append(ctx, tx, outbox.TopicSales, "retail.sale.completed", id, time.Now(),
			map[string]any{"sale_id": id, "total_minor": 1000 + i, "lines": []map[string]any{{"sku": "A", "qty": 1, "amount_minor": 1000 + i}}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	rows, err := d.R.Query(`SELECT payload FROM outbox ORDER BY seq`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var p []byte
		rows.Scan(&p)
		out = append(out, p)
	}
	return out
}

// rawPublish publishes payloads with paho, QoS 1, pipelined, and waits for every PUBACK.
func rawPublish(b *testing.B, url, topic string, payloads [][]byte) time.Duration {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID("bench-raw-" + uuid.NewString()[:8]).
		SetCleanSession(true).SetAutoReconnect(false))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		b.Fatalf("raw connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	start := time.Now()
	toks := make([]mqtt.Token, len(payloads))
	for i, p := range payloads {
		toks[i] = c.Publish(topic, 1, false, p)
	}
	for _, tok := range toks {
		if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
			b.Fatalf("raw publish: %v", tok.Error())
		}
	}
	return time.Since(start)
}

// BenchmarkOutboxDrain drains 50,000 queued events to Mosquitto (the simulator subscribes, stores
// them and acks; an event counts as drained when its acked_at is set) against a raw pipelined paho
// QoS 1 publish of the same payloads to the same broker, to a topic the simulator also subscribes
// to (so the broker forwards in both runs), timed until the last PUBACK. Goal: ≥ 0.5×.
func BenchmarkOutboxDrain(b *testing.B) {
	m := newMosquitto(b, "", "")
	url := m.URL("tcp")
	for i := 0; i < b.N; i++ {
		store := fmt.Sprintf("it-bench-%d", i)
		sim := startSim(b, url, centralsim.Options{RepublishInterval: -1})
		d := openDB(b)
		payloads := queueBulk(b, d, store, benchDrainEvents)

		// The raw publish goes to a topic central subscribes to, so the broker does the same
		// delivery work in both runs; the drain starts once central has stored the raw events.
		raw := rawPublish(b, url, "retail/stores/"+store+"-raw/sales", withNewIDs(b, payloads))
		for {
			got, _ := sim.Received(context.Background(), store+"-raw", outbox.TopicSales)
			if len(got) == benchDrainEvents {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}

		opts := testOptions(b, url, store)
		opts.AckTimeout = time.Minute
		opts.Window = benchWindow()
		opts.Logger = testLogger(b)
		start := time.Now()
		a := startAgent(b, d, opts)
		for count(b, d, `SELECT EXISTS (SELECT 1 FROM outbox WHERE acked_at = '')`) > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		drain := time.Since(start)
		a.stop()
		if got, _ := sim.Received(context.Background(), store, outbox.TopicSales); len(got) != benchDrainEvents {
			b.Fatalf("central stored %d, want %d", len(got), benchDrainEvents)
		}
		rawRate := float64(benchDrainEvents) / raw.Seconds()
		drainRate := float64(benchDrainEvents) / drain.Seconds()
		b.ReportMetric(rawRate, "raw_events/s")
		b.ReportMetric(drainRate, "outbox_events/s")
		b.ReportMetric(drainRate/rawRate, "ratio")
	}
}

// BenchmarkSnapshotApply applies a 150,000-item snapshot (chunks already in the inbox) against a
// raw prepared upsert loop in one transaction, both with product lookups through db.R running
// (their p99 during the snapshot apply is reported). Goal: ≥ 0.7×.
func BenchmarkSnapshotApply(b *testing.B) {
	items := catalog(benchSnapshotItems)
	for i := 0; i < b.N; i++ {
		raw := rawUpsert(b, items)

		d := openDB(b)
		s, err := agentsync.New(d, agentsync.Options{StoreID: "it-bench", Broker: "tcp://127.0.0.1:1", Logger: testLogger(b)})
		if err != nil {
			b.Fatal(err)
		}
		storeSnapshot(b, d, items, 1000)
		stop := make(chan struct{})
		lat := make(chan []time.Duration)
		go lookups(d, stop, lat)
		start := time.Now()
		for {
			n, err := s.ApplyPending(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		apply := time.Since(start)
		close(stop)
		ls := <-lat
		if n := count(b, d, `SELECT count(*) FROM products WHERE active = 1`); n != benchSnapshotItems {
			b.Fatalf("%d active products, want %d", n, benchSnapshotItems)
		}
		sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
		if len(ls) > 0 {
			b.ReportMetric(float64(ls[len(ls)*99/100].Microseconds())/1000, "lookup_p99_ms")
			b.ReportMetric(float64(len(ls)), "lookups")
		}
		b.ReportMetric(float64(benchSnapshotItems)/raw.Seconds(), "raw_items/s")
		b.ReportMetric(float64(benchSnapshotItems)/apply.Seconds(), "snapshot_items/s")
		b.ReportMetric(raw.Seconds()/apply.Seconds(), "ratio")
	}
}

// rawUpsert is the baseline: a prepared upsert loop in one transaction, under the same lookup load
// as the snapshot apply.
func rawUpsert(b *testing.B, items []pos.CatalogItem) time.Duration {
	d := openDB(b)
	ctx := context.Background()
	stop := make(chan struct{})
	lat := make(chan []time.Duration)
	go lookups(d, stop, lat)
	defer func() {
		close(stop)
		<-lat
	}()
	start := time.Now()
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	up, _ := tx.PrepareContext(ctx, `INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit,
		net_content, category, active, version, catalog_seq, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11)
		ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor, version = excluded.version
		WHERE excluded.version > products.version`)
	g, _ := tx.PrepareContext(ctx, `INSERT INTO product_gtins (gtin, sku) VALUES (?1, ?2) ON CONFLICT (gtin) DO UPDATE SET sku = excluded.sku`)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for _, it := range items {
		if _, err := up.ExecContext(ctx, it.SKU, it.Name, it.PriceMinor, it.Currency, it.TaxRateBP, it.Unit, nil,
			it.Category, 1, it.Version, now); err != nil {
			b.Fatal(err)
		}
		for _, gt := range it.GTINs {
			g14, _ := pos.GTIN14(gt)
			if _, err := g.ExecContext(ctx, g14, it.SKU); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// storeSnapshot puts a snapshot's chunks into the inbox as the store loop would.
func storeSnapshot(b *testing.B, d *db.DB, items []pos.CatalogItem, chunk int) {
	chunks := (len(items) + chunk - 1) / chunk
	tx, err := d.W.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for c := 0; c < chunks; c++ {
		data, _ := json.Marshal(map[string]any{"seq": 1, "chunk": c + 1, "chunks": chunks, "items": items[c*chunk : min(len(items), (c+1)*chunk)]})
		id := uuid.NewString()
		ev, _ := json.Marshal(outbox.Event{SpecVersion: "1.0", ID: id, Source: "/central",
			Type: "retail.catalog.snapshot", DataContentType: "application/json", Data: data})
		if _, err := tx.Exec(`INSERT INTO inbox (event_id, topic, type, payload, received_at) VALUES (?1, 'catalog', 'retail.catalog.snapshot', ?2, 'now')`,
			id, ev); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// lookups runs product lookups by GTIN through the read pool until stop, and sends their latencies.
func lookups(d *db.DB, stop chan struct{}, out chan<- []time.Duration) {
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			var mine []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				g, _ := pos.GTIN14(ean13(400000000000 + int64(r.IntN(benchSnapshotItems))))
				t0 := time.Now()
				var name string
				err := d.R.QueryRow(`SELECT p.name FROM product_gtins g JOIN products p ON p.sku = g.sku WHERE g.gtin = ?1`, g).Scan(&name)
				if err != nil && err != sql.ErrNoRows {
					fmt.Fprintln(os.Stderr, "lookup:", err)
				}
				mine = append(mine, time.Since(t0))
				time.Sleep(time.Millisecond)
			}
		}(uint64(w))
	}
	wg.Wait()
	out <- all
}

func benchWindow() int {
	var w int
	fmt.Sscan(os.Getenv("SYNC_BENCH_WINDOW"), &w)
	return w // 0: the default
}

// withNewIDs copies payloads with a fresh event id each (same size), so central stores the raw
// run's events apart from the drain's.
func withNewIDs(b *testing.B, payloads [][]byte) [][]byte {
	out := make([][]byte, len(payloads))
	for i, p := range payloads {
		var ev outbox.Event
		if err := json.Unmarshal(p, &ev); err != nil {
			b.Fatal(err)
		}
		out[i] = bytes.ReplaceAll(p, []byte(ev.ID), []byte(uuid.NewString()))
	}
	return out
}
