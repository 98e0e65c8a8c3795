package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/sync/db"
)

// checkRT checks an Italian store's RT (fiscal.country IT): it answers its status, and every VAT
// rate the catalogue sells at has an RT department (a sale with a rate that has none is refused by
// the RT, and its fiscal status becomes failed). It also counts registrations waiting or failed.
// line reports a pass or a failure, warn a warning.
func checkRT(ctx context.Context, cfg *agent.Config, line func(bool, string, string), warn func(string, string)) {
	if !cfg.FiscalIT() {
		return
	}
	p, err := agent.RTDriver(cfg)
	if err != nil {
		line(false, "rt", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.FiscalPrinterTimeout())
	defer cancel()
	if st, err := p.Status(ctx); err != nil {
		line(false, "rt", fmt.Sprintf("%s does not answer: %v (fix: check the RT is on, on the network and fiscal.printer.url)", cfg.Fiscal.Printer.URL, err))
	} else if !st.OK() {
		line(false, "rt", fmt.Sprintf("%s answers, but cannot register now: printer %s, journal %s (fix: paper, cover, electronic journal)", cfg.Fiscal.Printer.URL, st.Printer, st.Journal))
	} else {
		line(true, "rt", fmt.Sprintf("%s answers: printer %s, journal %s", cfg.Fiscal.Printer.URL, st.Printer, st.Journal))
	}
	rates, jobs, err := rtCatalogue(ctx, cfg.DataDir)
	if err != nil {
		line(false, "rt departments", err.Error())
		return
	}
	var missing []string
	for _, bp := range rates {
		if _, ok := cfg.Fiscal.Printer.Departments[bp]; !ok {
			missing = append(missing, fmt.Sprintf("%d", bp))
		}
	}
	switch {
	case len(missing) > 0:
		line(false, "rt departments", fmt.Sprintf("the catalogue sells at VAT rates (basis points) %s, which fiscal.printer.departments does not map (fix: add each with the RT department programmed for it)",
			strings.Join(missing, ", ")))
	case rates == nil:
		line(true, "rt departments", "no catalogue yet; every rate it brings needs a department in fiscal.printer.departments")
	default:
		line(true, "rt departments", fmt.Sprintf("every VAT rate of the catalogue (%d) has a department", len(rates)))
	}
	if jobs != "" {
		warn("rt jobs", jobs)
	}
}

// rtCatalogue reads the active products' VAT rates and the RT jobs not registered, read-only; no
// database yet is no rates.
func rtCatalogue(ctx context.Context, dataDir string) ([]int64, string, error) {
	path := filepath.Join(dataDir, db.FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, "", err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT tax_rate_bp FROM products WHERE active = 1 ORDER BY 1`)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, db.Explain(err))
	}
	defer rows.Close()
	rates := []int64{}
	for rows.Next() {
		var bp int64
		if err := rows.Scan(&bp); err != nil {
			return nil, "", err
		}
		rates = append(rates, bp)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(rates) == 0 {
		rates = nil
	}
	slices.Sort(rates)
	var open, failed int
	// rt_jobs exists from schema 10; an older database (not migrated yet) has none.
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending')),
		count(*) FILTER (WHERE status = 'failed') FROM rt_jobs`).Scan(&open, &failed); err != nil {
		return rates, "", nil
	}
	if open == 0 && failed == 0 {
		return rates, "", nil
	}
	return rates, fmt.Sprintf("%d documents waiting for the RT, %d the RT refused (their sales show fiscal.status failed with the RT's error)", open, failed), nil
}
