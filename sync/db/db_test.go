package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpen_MigratesAndKeepsEpoch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	epoch := d.Epoch
	v, _ := SchemaVersion(ctx, d.W)
	ms, _ := Migrations()
	if v != len(ms) || epoch == "" {
		t.Fatalf("schema %d (want %d), epoch %q", v, len(ms), epoch)
	}
	var mode, fk, sync string
	d.W.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	d.W.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	d.W.QueryRow(`PRAGMA synchronous`).Scan(&sync)
	if mode != "wal" || fk != "1" || sync != "2" {
		t.Errorf("pragmas: journal_mode %s foreign_keys %s synchronous %s; want wal 1 2 (FULL)", mode, fk, sync)
	}
	if _, err := d.R.Exec(`INSERT INTO meta (key, value) VALUES ('x', 'y')`); err == nil {
		t.Error("the read pool accepted a write")
	}
	d.Close()
	d, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Epoch != epoch {
		t.Errorf("epoch changed on reopen: %s → %s", epoch, d.Epoch)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.W.Exec(`PRAGMA user_version = 999`)
	d.Close()
	_, err = Open(ctx, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer than this agent") {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestOpen_CorruptFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("not a database ", 500)), 0o600)
	_, err := Open(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), FileName) {
		t.Fatalf("corrupt file: %v", err)
	}
}

// seedCatalog writes n products with a GTIN and stock each.
func seedCatalog(tb testing.TB, d *DB, n int) {
	tb.Helper()
	tx, err := d.W.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := tx.Prepare(`INSERT INTO products (sku, name, price_minor, currency, tax_rate_bp, unit, category, updated_at) VALUES (?, ?, ?, 'EUR', 2200, 'each', ?, '2026-01-01T00:00:00Z')`)
	g, _ := tx.Prepare(`INSERT INTO product_gtins (gtin, sku) VALUES (?, ?)`)
	s, _ := tx.Prepare(`INSERT INTO stock (sku, on_hand) VALUES (?, ?)`)
	for i := range n {
		sku := fmt.Sprintf("SKU-%07d", i)
		if _, err := p.Exec(sku, fmt.Sprintf("Prodotto numero %d con un nome realistico", i), 100+i%5000, fmt.Sprintf("cat-%d", i%200)); err != nil {
			tb.Fatal(err)
		}
		g.Exec(fmt.Sprintf("8%013d", i), sku)
		s.Exec(sku, i%100)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkOpen_150k measures opening a database with a 150,000-item catalogue: migrations check,
// quick_check and epoch read, as at every agent start.
func BenchmarkOpen_150k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	d, err := Open(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	seedCatalog(b, d, 150_000)
	d.Close()
	fi, _ := os.Stat(filepath.Join(dir, FileName))
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
	b.Run("with-quick_check", func(b *testing.B) {
		for b.Loop() {
			d, err := Open(ctx, dir, Options{})
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
	b.Run("without", func(b *testing.B) {
		for b.Loop() {
			d, err := Open(ctx, dir, Options{SkipIntegrityCheck: true})
			if err != nil {
				b.Fatal(err)
			}
			d.Close()
		}
	})
}
