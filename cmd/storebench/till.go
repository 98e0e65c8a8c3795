package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/posbench"
	"github.com/storeagent/storeagent/sync/db"
)

// tillItems is the catalogue of the till measures: the sales path's cost does not depend on it.
const tillItems = 2000

// till measures what till sessions cost: durable sales/s with the session accounting against the
// same service with it off (alternating runs on fresh databases, the median of each side), and
// the X report of a session of -till-sales sales (10,000) against reading one stored sale.
func (b *bench) till(ctx context.Context) []Row {
	rows := []Row{b.tillSales(ctx)}
	return append(rows, b.tillX(ctx))
}

// tillService opens a fresh database with the bench catalogue and a pos.Service over it.
func (b *bench) tillService(ctx context.Context, name string, off bool) (*pos.Service, func(), error) {
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
	svc := pos.New(d, pos.Options{StoreID: "bench", Currency: "EUR",
		Terminals: []pos.Terminal{{ID: "lane1", Token: "bench-token"}},
		Till:      pos.TillOptions{Off: off, MaxDifferenceMinor: 500}})
	return svc, func() { d.Close() }, nil
}

// tillSale is sale number i: 3 lines of the bench catalogue, part cash (with change), part card.
func tillSale(i int) pos.SaleRequest {
	var lines []pos.LineRequest
	var total int64
	for k := range 3 {
		item := (i*3 + k*7919) % tillItems
		qty := int64(1 + k%2)
		lines = append(lines, pos.LineRequest{Code: posbench.CatalogSKU(item), Qty: &qty})
		total += qty * posbench.CatalogPrice(item)
	}
	return pos.SaleRequest{SaleID: uuid.Must(uuid.NewV7()).String(), Terminal: "lane1", Cashier: "bench", Lines: lines,
		Payments: []pos.Payment{{Method: "card", AmountMinor: total / 2}, {Method: "cash", AmountMinor: total - total/2 + 500}}}
}

func runTillSales(ctx context.Context, svc *pos.Service, clients int, d time.Duration) benchkit.Result {
	term := pos.Terminal{ID: "lane1"}
	return benchkit.Closed(ctx, clients, 0, d, func(i int) error {
		_, err := svc.CreateSale(ctx, term, tillSale(i))
		return err
	})
}

func (b *bench) tillSales(ctx context.Context) Row {
	row := Row{Measure: fmt.Sprintf("durable sales with till sessions, %d clients (in process)", b.o.clients), Unit: "sales/s",
		BaselineName: "the same sales with till sessions off", Goal: AtLeastRatio(0.9)}
	var on, off []float64
	var onP99 float64
	for run := range 3 {
		for _, withTill := range []bool{run%2 == 0, run%2 != 0} {
			svc, done, err := b.tillService(ctx, fmt.Sprintf("till-sales-%d-%v", run, withTill), !withTill)
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
			if withTill {
				on = append(on, r.Rate())
				onP99 = max(onP99, r.P(0.99))
			} else {
				off = append(off, r.Rate())
			}
		}
	}
	row.Value, row.Baseline = median(on), median(off)
	row.Notes = fmt.Sprintf("median of 3 alternating runs each; worst p99 with sessions %.2f ms", onP99)
	return row
}

func (b *bench) tillX(ctx context.Context) Row {
	row := Row{Measure: fmt.Sprintf("X report of a session of %d sales, p99", b.o.tillSales), Unit: "ms",
		BaselineName: "GET one stored sale (p99)", Goal: Goal{On: "value", Op: "<", Limit: 20, Label: "p99 < 20 ms"}}
	svc, done, err := b.tillService(ctx, "till-x", false)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	defer done()
	term := pos.Terminal{ID: "lane1"}
	seed := benchkit.Closed(ctx, 16, b.o.tillSales, 0, func(i int) error {
		_, err := svc.CreateSale(ctx, term, tillSale(i))
		return err
	})
	if seed.Err != nil {
		row.Err = fmt.Sprintf("seeding %d sales: %v", b.o.tillSales, seed.Err)
		return row
	}
	x, err := svc.TillX(ctx, term)
	if err != nil || x.Sales.Count != int64(b.o.tillSales) {
		row.Err = fmt.Sprintf("X of the seeded session: %d sales, %v", x.Sales.Count, err)
		return row
	}
	probe := tillSale(0)
	if _, err := svc.CreateSale(ctx, term, probe); err != nil {
		row.Err = err.Error()
		return row
	}
	const reads = 2000
	r := benchkit.Closed(ctx, 1, reads, 0, func(int) error { _, err := svc.TillX(ctx, term); return err })
	base := benchkit.Closed(ctx, 1, reads, 0, func(int) error { _, err := svc.GetSale(ctx, probe.SaleID); return err })
	if r.Err != nil {
		row.Err = r.Err.Error()
		return row
	}
	row.Value = r.P(0.99)
	if base.Err != nil {
		row.BaselineErr = base.Err.Error()
	} else {
		row.Baseline = base.P(0.99)
	}
	row.Notes = fmt.Sprintf("%d reads each; X p50 %.3f ms; the session's totals are kept with each sale, so the X reads a few rows", reads, r.P(0.5))
	return row
}
