package fiscal_test

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/pos/posbench"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// benchJournal writes n ticket records shaped like pos's sales, 1000 per transaction.
func benchJournal(b *testing.B, n int) (*db.DB, *fiscal.Journal) {
	b.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, b.TempDir(), db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	key, _ := fiscal.LoadOrCreateKey(filepath.Join(b.TempDir(), "k.pem"), true)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil)
	sale := map[string]any{"kind": "sale", "body": map[string]any{"sale_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "terminal": "lane1",
		"total_minor": 1234, "taxes": []map[string]any{{"tax_rate_bp": 2000, "gross_minor": 1000, "tax_minor": 167}, {"tax_rate_bp": 550, "gross_minor": 234, "tax_minor": 12}},
		"lines": []map[string]any{{"sku": "PAIN", "name": "Pain", "qty": 2, "unit_price_minor": 117, "amount_minor": 234, "tax_rate_bp": 550},
			{"sku": "VIN", "name": "Vin rouge", "qty": 1, "unit_price_minor": 1000, "amount_minor": 1000, "tax_rate_bp": 2000}},
		"payments": []map[string]any{{"method": "card", "amount_minor": 1234}}}}
	for done := 0; done < n; {
		err := d.Group.Do(ctx, func(tx *sql.Tx) error {
			for k := 0; k < 1000 && done < n; k++ {
				if _, err := j.Append(ctx, tx, fiscal.ChainTicket, sale); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return d, j
}

// BenchmarkVerify measures `fiscal verify` over 100,000 sale records: records/s, the wall time
// per million (goal < 30 s) and the CPU time per million (which does not depend on how busy the
// machine's other users keep its cores: wall ≈ CPU / cores on an idle machine).
func BenchmarkVerify(b *testing.B) {
	d, j := benchJournal(b, 100_000)
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		sum, err := fiscal.Verify(context.Background(), d.R, j.PublicKey())
		if err != nil || sum.Records != 100_000 {
			b.Fatal(sum, err)
		}
	}
	cpu := processCPU() - cpu0
	records := float64(100_000 * b.N)
	b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e6/records, "s/1M")
	b.ReportMetric(cpu.Seconds()*1e6/records, "cpu-s/1M")
}

// BenchmarkArchive measures a month's archive of 100,000 sale records (records/s).
func BenchmarkArchive(b *testing.B) {
	d, j := benchJournal(b, 100_000)
	period := time.Now().UTC().Format("2006-01")
	b.ResetTimer()
	for b.Loop() {
		if _, err := j.WriteArchive(context.Background(), d.R, "fr", period, time.UTC, time.Now(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSale measures one durable sale (3 lines, 2 payments) through pos.Service with and
// without the journal, one after another: the CPU a sale costs and what the journal adds.
func BenchmarkSale(b *testing.B) {
	for _, withJournal := range []bool{false, true} {
		name := "none"
		if withJournal {
			name = "journal"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			if err := posbench.SeedCatalog(ctx, dir, 2000); err != nil {
				b.Fatal(err)
			}
			d, err := db.Open(ctx, dir, db.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			o := pos.Options{StoreID: "bench", Currency: "EUR", Terminals: []pos.Terminal{{ID: "lane1", Token: "bench-token"}}}
			if withJournal {
				key, _ := fiscal.LoadOrCreateKey(filepath.Join(dir, fiscal.KeyFileName), true)
				j := fiscal.NewJournal(key, outbox.Writer{StoreID: "bench", Epoch: d.Epoch}, nil)
				j.UseStatements(d.WStmts)
				o.Journal = fiscal.ForPOS{J: j}
			}
			svc := pos.New(d, o)
			term := pos.Terminal{ID: "lane1"}
			i := 0
			for b.Loop() {
				var lines []pos.LineRequest
				var total int64
				for k := range 3 {
					item := (i*3 + k*7919) % 2000
					qty := int64(1 + k%2)
					lines = append(lines, pos.LineRequest{Code: posbench.CatalogSKU(item), Qty: &qty})
					total += qty * posbench.CatalogPrice(item)
				}
				req := pos.SaleRequest{SaleID: uuid.Must(uuid.NewV7()).String(), Terminal: "lane1", Cashier: "bench", Lines: lines,
					Payments: []pos.Payment{{Method: "card", AmountMinor: total / 2}, {Method: "cash", AmountMinor: total - total/2 + 500}}}
				if _, err := svc.CreateSale(ctx, term, req); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
