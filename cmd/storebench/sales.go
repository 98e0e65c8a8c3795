package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/posbench"
)

// sales measures durable sales through POST /api/v1/sales of an agent subprocess, -clients at a
// time for -sales-duration, against the raw-SQL baseline (posbench.RawSales: the same writes as
// prepared statements in one synchronous=FULL transaction) from as many goroutines for as long.
func (b *bench) sales(ctx context.Context) []Row {
	row := Row{Measure: fmt.Sprintf("durable sales via HTTP, %d clients", b.o.clients), Unit: "sales/s",
		BaselineName: "raw SQLite tx with the same writes, synchronous=FULL", Goal: AtLeastRatio(0.35)}
	base, err := b.rawSales(ctx)
	if err != nil {
		row.BaselineErr = err.Error()
	} else {
		row.Baseline = base.Rate()
	}
	p, err := b.startAgent(ctx, agentSetup{})
	if err != nil {
		row.Err = err.Error()
		return []Row{row}
	}
	defer p.stop()
	client := httpClient()
	r := benchkit.Closed(ctx, b.o.clients, 0, b.o.salesDuration, func(i int) error { return p.sale(client, i, b.o.items) })
	if r.Err != nil {
		row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
		return []Row{row}
	}
	row.Value = r.Rate()
	row.Notes = fmt.Sprintf("agent p50 %.2f ms, p99 %.2f ms over %d sales of 3 lines", r.P(0.5), r.P(0.99), r.N)
	if base.N > 0 {
		row.Notes += fmt.Sprintf("; raw p50 %.2f ms, p99 %.2f ms", base.P(0.5), base.P(0.99))
	}
	return []Row{row}
}

func (b *bench) rawSales(ctx context.Context) (benchkit.Result, error) {
	dir, err := b.tempDir("rawsales")
	if err != nil {
		return benchkit.Result{}, err
	}
	raw, err := posbench.OpenRawSales(ctx, dir)
	if err != nil {
		return benchkit.Result{}, err
	}
	defer raw.Close()
	r := benchkit.Closed(ctx, b.o.clients, 0, b.o.salesDuration, func(int) error { return raw.Sale(ctx) })
	if r.Err != nil {
		return r, fmt.Errorf("%d raw sales failed: %w", r.Failed, r.Err)
	}
	return r, nil
}

// httpClient keeps enough idle connections for the clients and the open-loop lookups.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}}
}

// sale posts sale number i: 3 lines from a catalogue of n items, paid by card, and wants 201.
func (p *agentProc) sale(client *http.Client, i, n int) error {
	var lines []pos.LineRequest
	var total int64
	for k := range 3 {
		item := (i*3 + k*7919) % n
		qty := int64(1 + k%2)
		lines = append(lines, pos.LineRequest{Code: posbench.CatalogSKU(item), Qty: &qty})
		total += qty * posbench.CatalogPrice(item)
	}
	body, _ := json.Marshal(pos.SaleRequest{SaleID: uuid.Must(uuid.NewV7()).String(), Terminal: "lane1", Cashier: "bench",
		Lines: lines, Payments: []pos.Payment{{Method: "card", AmountMinor: total}}})
	req, _ := http.NewRequest("POST", p.URL+"/api/v1/sales", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/v1/sales: status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}
