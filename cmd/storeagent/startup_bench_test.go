package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartToHealthz_150k starts the built binary on a database holding a 150,000-item
// catalogue and reports the time until /healthz answers 200 (goal < 500 ms), and the process's
// resident memory when idle (goal < 40 MB) and after 2,000 product lookups.
func BenchmarkStartToHealthz_150k(b *testing.B) {
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(b)
	cfg := filepath.Join(dir, "storeagent.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("store_id: it-mi-001\ndata_dir: %s\nhttp: {listen: %q}\nlog: {level: warn}\nmqtt: {broker: \"tcp://127.0.0.1:9\"}\nterminals:\n  - {id: lane1, token: %s}\n", data, addr, crashToken)), 0o600)
	initDB(b, data)
	seedLarge(b, data, 150_000)
	var total time.Duration
	var rssIdle, rssLoad float64
	for range b.N {
		start := time.Now()
		c := startAgent(b, bin, cfg, addr)
		total += time.Since(start)
		time.Sleep(time.Second)
		rssIdle = rssMB(c.cmd.Process.Pid)
		for i := range 2000 {
			resp, err := http.Get(fmt.Sprintf("http://%s/api/v1/products/SKU-%07d", addr, i*75))
			if err == nil {
				resp.Body.Close()
			}
		}
		rssLoad = rssMB(c.cmd.Process.Pid)
		c.cmd.Process.Signal(syscall.SIGTERM)
		c.cmd.Wait()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms_to_healthz")
	b.ReportMetric(rssIdle, "MB_rss_idle")
	b.ReportMetric(rssLoad, "MB_rss_after_lookups")
}

// rssMB reads VmRSS of a process (Linux).
func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// seedLarge writes n products with a GTIN and stock each, straight into the database.
func seedLarge(tb testing.TB, data string, n int) {
	d, err := sql.Open("sqlite", filepath.Join(data, "storeagent.db"))
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	tx, _ := d.Begin()
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
