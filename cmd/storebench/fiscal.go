package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/pos/posbench"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// fiscal measures the French journal: durable sales/s with it against the same service without
// it (alternating runs on fresh databases, the median of each side), a month's archive of
// -fiscal-archive-records records, and `fiscal verify` of -fiscal-records records, reported per
// 1,000,000 records.
func (b *bench) fiscal(ctx context.Context) []Row {
	rows := []Row{b.fiscalSales(ctx)}
	return append(rows, b.fiscalJournalRows(ctx)...)
}

func (b *bench) fiscalService(ctx context.Context, name string, on bool) (*pos.Service, func(), error) {
	dir, err := b.tempDir(name)
	if err != nil {
		return nil, nil, err
	}
	if err := posbench.SeedCatalog(ctx, dir, tillItems); err != nil {
		return nil, nil, err
	}
	d, err := db.Open(ctx, dir, db.Options{})
	if err != nil {
		return nil, nil, err
	}
	o := pos.Options{StoreID: "bench", Currency: "EUR", Terminals: []pos.Terminal{{ID: "lane1", Token: "bench-token"}}}
	if on {
		key, err := fiscal.LoadOrCreateKey(filepath.Join(dir, fiscal.KeyFileName), true)
		if err != nil {
			d.Close()
			return nil, nil, err
		}
		j := fiscal.NewJournal(key, outbox.Writer{StoreID: "bench", Epoch: d.Epoch}, nil)
		j.UseStatements(d.WStmts) // as the agent does
		o.Journal = fiscal.ForPOS{J: j}
	}
	return pos.New(d, o), func() { d.Close() }, nil
}

func (b *bench) fiscalSales(ctx context.Context) Row {
	row := Row{Measure: fmt.Sprintf("durable sales with the French fiscal journal, %d clients (in process)", b.o.clients), Unit: "sales/s",
		BaselineName: "the same sales without the journal", Goal: AtLeastRatio(0.8)}
	var on, off []float64
	var onP99 float64
	for run := range 3 {
		for _, withJ := range []bool{run%2 == 0, run%2 != 0} {
			svc, done, err := b.fiscalService(ctx, fmt.Sprintf("fiscal-sales-%d-%v", run, withJ), withJ)
			if err != nil {
				row.Err = err.Error()
				return row
			}
			r := runTillSales(ctx, svc, b.o.clients, b.o.salesDuration/3)
			done()
			if r.Err != nil {
				row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
				return row
			}
			if withJ {
				on = append(on, r.Rate())
				onP99 = max(onP99, r.P(0.99))
			} else {
				off = append(off, r.Rate())
			}
		}
	}
	row.Value, row.Baseline = median(on), median(off)
	row.Notes = fmt.Sprintf("median of 3 alternating runs each; worst p99 with the journal %.2f ms", onP99)
	return row
}

// fiscalSeed appends ticket records shaped like the sales' until the journal holds n.
func fiscalSeed(ctx context.Context, d *db.DB, j *fiscal.Journal, from, n int) error {
	for done := from; done < n; {
		err := d.Group.Do(ctx, func(tx *sql.Tx) error {
			for k := 0; k < 1000 && done < n; k++ {
				s := tillSale(done)
				if _, err := j.Append(ctx, tx, fiscal.ChainTicket, map[string]any{"kind": "sale", "body": s}); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) fiscalJournalRows(ctx context.Context) []Row {
	arch := Row{Measure: fmt.Sprintf("fiscal archive of a month of %d records", b.o.fiscalArchive), Unit: "s",
		Goal: Goal{On: "value", Op: "<", Limit: 60 * float64(b.o.fiscalArchive) / 300_000, Label: "< 60 s per 300k"}}
	ver := Row{Measure: fmt.Sprintf("fiscal verify of %d records, seconds per 1M", b.o.fiscalRecords), Unit: "s/1M",
		Goal: Goal{On: "value", Op: "<", Limit: 30, Label: "< 30 s per 1M"}}
	fail := func(err error) []Row {
		arch.Err, ver.Err = err.Error(), err.Error()
		return []Row{arch, ver}
	}
	dir, err := b.tempDir("fiscal-journal")
	if err != nil {
		return fail(err)
	}
	d, err := db.Open(ctx, dir, db.Options{})
	if err != nil {
		return fail(err)
	}
	defer d.Close()
	key, err := fiscal.LoadOrCreateKey(filepath.Join(dir, fiscal.KeyFileName), true)
	if err != nil {
		return fail(err)
	}
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "bench", Epoch: d.Epoch}, nil)
	b.logf("fiscal: writing %d journal records", b.o.fiscalArchive)
	if err := fiscalSeed(ctx, d, j, 0, b.o.fiscalArchive); err != nil {
		return fail(err)
	}
	now := time.Now().UTC()
	start := time.Now()
	m, err := j.WriteArchive(ctx, d.R, "bench", now.Format("2006-01"), time.UTC, now, io.Discard)
	if err != nil {
		arch.Err = err.Error()
	} else {
		arch.Value = time.Since(start).Seconds()
		arch.Notes = fmt.Sprintf("%d records in the manifest's spans", manifestRecords(m))
	}
	b.logf("fiscal: writing journal records up to %d", b.o.fiscalRecords)
	if err := fiscalSeed(ctx, d, j, b.o.fiscalArchive, b.o.fiscalRecords); err != nil {
		ver.Err = err.Error()
		return []Row{arch, ver}
	}
	start = time.Now()
	cpu0 := processCPU()
	sum, err := fiscal.Verify(ctx, d.R, j.PublicKey())
	took, cpu := time.Since(start), processCPU()-cpu0
	switch {
	case err != nil:
		ver.Err = err.Error()
	case sum.Records != int64(max(b.o.fiscalRecords, b.o.fiscalArchive)):
		ver.Err = fmt.Sprintf("verified %d records, want %d", sum.Records, max(b.o.fiscalRecords, b.o.fiscalArchive))
	default:
		ver.Value = took.Seconds() * 1e6 / float64(sum.Records)
		ver.Notes = fmt.Sprintf("%d records in %.2f s (%.0f records/s)", sum.Records, took.Seconds(), float64(sum.Records)/took.Seconds())
		if cpu > 0 {
			// CPU time does not depend on how busy other processes keep the cores: on an idle
			// machine the wall time is about CPU time / cores.
			perM := cpu.Seconds() * 1e6 / float64(sum.Records)
			ver.Notes += fmt.Sprintf("; %.1f CPU-s per 1M, ≈ %.1f s per 1M on %d idle cores", perM, perM/float64(runtime.NumCPU()), runtime.NumCPU())
		}
	}
	return []Row{arch, ver}
}

func manifestRecords(m fiscal.Manifest) int64 {
	var n int64
	for _, s := range m.Chains {
		if s.LastSeq >= s.FirstSeq {
			n += s.LastSeq - s.FirstSeq + 1
		}
	}
	return n
}
