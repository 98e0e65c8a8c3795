package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	agentsync "github.com/storeagent/storeagent/sync"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/syncbench"
)

// snapshot measures applying a catalogue snapshot of -items items (its chunks already in the
// inbox, as the store loop leaves them) with the agent's sync code against a raw prepared upsert
// of the same items in one transaction; both with product lookups running through the read pool,
// whose p99 during the apply goes in the notes.
func (b *bench) snapshot(ctx context.Context) []Row {
	row := Row{Measure: fmt.Sprintf("catalogue snapshot apply, %s items", thousands(b.o.items)), Unit: "items/s",
		BaselineName: "raw prepared upsert in one tx", Goal: AtLeastRatio(0.7)}
	items := syncbench.Catalog(b.o.items)
	raw, rawLat, err := b.rawUpsert(ctx, items)
	if err != nil {
		row.BaselineErr = err.Error()
	} else {
		row.Baseline = float64(len(items)) / raw.Seconds()
	}
	apply, lat, err := b.applySnapshot(ctx, items)
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	row.Value = float64(len(items)) / apply.Seconds()
	row.Notes = fmt.Sprintf("lookups meanwhile: p99 %.2f ms (%d lookups)", benchkit.Millis(benchkit.Percentile(lat, 0.99)), len(lat))
	if rawLat != nil {
		row.Notes += fmt.Sprintf("; during the raw upsert p99 %.2f ms", benchkit.Millis(benchkit.Percentile(rawLat, 0.99)))
	}
	return []Row{row}
}

func (b *bench) openDB(ctx context.Context, name string) (*db.DB, error) {
	dir, err := b.tempDir(name)
	if err != nil {
		return nil, err
	}
	return db.Open(ctx, dir, db.Options{})
}

func (b *bench) rawUpsert(ctx context.Context, items []pos.CatalogItem) (time.Duration, []time.Duration, error) {
	d, err := b.openDB(ctx, "rawupsert")
	if err != nil {
		return 0, nil, err
	}
	defer d.Close()
	l := syncbench.StartLookups(d, len(items))
	el, err := syncbench.RawUpsert(ctx, d, items)
	lat, lerr := l.Stop()
	if err == nil {
		err = lerr
	}
	return el, lat, err
}

// applySnapshot times the agent's ApplyPending over the snapshot until nothing is left, and checks
// every item ended up active.
func (b *bench) applySnapshot(ctx context.Context, items []pos.CatalogItem) (time.Duration, []time.Duration, error) {
	d, err := b.openDB(ctx, "snapshot")
	if err != nil {
		return 0, nil, err
	}
	defer d.Close()
	s, err := agentsync.New(d, agentsync.Options{StoreID: "it-bench", Broker: "tcp://127.0.0.1:1", Logger: quietLogger()})
	if err != nil {
		return 0, nil, err
	}
	if err := syncbench.StoreSnapshot(ctx, d, items, 1000); err != nil {
		return 0, nil, err
	}
	l := syncbench.StartLookups(d, len(items))
	start := time.Now()
	for err == nil {
		var n int
		if n, err = s.ApplyPending(ctx); n == 0 {
			break
		}
	}
	el := time.Since(start)
	lat, lerr := l.Stop()
	if err != nil {
		return 0, nil, fmt.Errorf("apply: %w", err)
	}
	if lerr != nil {
		return 0, nil, lerr
	}
	var active int
	if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM products WHERE active = 1`).Scan(&active); err != nil {
		return 0, nil, err
	}
	if active != len(items) {
		return 0, nil, fmt.Errorf("%d active products after the apply, want %d", active, len(items))
	}
	return el, lat, nil
}

// quietLogger drops the logs of the parts run in-process.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// thousands is n with thousands separators, or "150k" style for round thousands.
func thousands(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return groupThousands(int64(n))
}
