package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
)

// TestMain_SyncReset: `storeagent sync reset catalog` (issue 16 item 6) turns every item back to
// version 0 (so central's snapshot replaces it, even after a version out of bounds), forgets the
// topic's seqs and staged chunks, and records the request for a resend; it refuses while an agent
// holds the data_dir, and refuses unknown topics.
func TestMain_SyncReset(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := writeConfig(t, dir, minimalConfig(data))
	ctx := context.Background()
	d, err := db.Open(ctx, data, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := pos.New(d, pos.Options{StoreID: "it-mi-001", Currency: "EUR"})
	if err := svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "A", Name: "A", PriceMinor: 100, Currency: "EUR", TaxRateBP: 2200, Unit: "each",
		Active: true, Version: int64(pos.MaxVersion)}}, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO inbox_seq (topic, last_seq) VALUES ('catalog', 9000000000000000), ('stock', 5)`,
		`INSERT INTO meta (key, value) VALUES ('catalog_snapshot_seq', 9000000000000000), ('catalog_seq', 9000000000000000)`,
		`INSERT INTO catalog_snapshot_chunks (seq, chunk, chunks, event_id, received_at) VALUES (9000000000000001, 1, 100000, 'x', '2026-12-01T00:00:00Z')`,
	} {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	d.Close()

	code, out, stderr := runCLI(t, nil, "sync", "reset", "-config", cfg, "catalog")
	if code != 0 || !strings.Contains(out, "reset catalog: items kept at version 0") {
		t.Fatalf("sync reset catalog: %d\n%s\n%s", code, out, stderr)
	}
	r, err := sql.Open("sqlite", filepath.Join(data, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := r.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(q, err)
		}
		return n
	}
	for q, want := range map[string]int64{
		`SELECT version FROM products WHERE sku = 'A'`:                                                 0,
		`SELECT count(*) FROM inbox_seq WHERE topic = 'catalog'`:                                       0,
		`SELECT count(*) FROM inbox_seq WHERE topic = 'stock'`:                                         1,
		`SELECT count(*) FROM catalog_snapshot_chunks`:                                                 0,
		`SELECT count(*) FROM meta WHERE key IN ('catalog_seq', 'catalog_snapshot_seq')`:               0,
		`SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'sync_gap:catalog'), 0)`: 1,
		`SELECT count(*) FROM products WHERE sku = 'A' AND price_minor = 100 AND active = 1`:           1,
	} {
		if got := one(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if code, _, stderr := runCLI(t, nil, "sync", "reset", "-config", cfg, "sales"); code == 0 || !strings.Contains(stderr, "cannot reset \"sales\"") {
		t.Errorf("reset sales: %d %s, want a refusal naming the topics", code, stderr)
	}
	lock, err := db.LockDataDir(data)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if code, _, stderr := runCLI(t, nil, "sync", "reset", "-config", cfg, "catalog"); code == 0 || !strings.Contains(stderr, "stop it first") {
		t.Errorf("reset while the agent runs: %d %s, want a refusal", code, stderr)
	}
}
