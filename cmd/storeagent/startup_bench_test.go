package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos/posbench"
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
	if err := posbench.SeedCatalog(context.Background(), data, 150_000); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	var rssIdle, rssLoad float64
	for range b.N {
		start := time.Now()
		c := startAgent(b, bin, cfg, addr)
		total += time.Since(start)
		time.Sleep(time.Second)
		rssIdle = rssMB(c.cmd.Process.Pid)
		for i := range 2000 {
			resp, err := http.Get(fmt.Sprintf("http://%s/api/v1/products/%s", addr, posbench.CatalogSKU(i*75)))
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

// rssMB reads VmRSS of a process in MiB (Linux; 0 elsewhere).
func rssMB(pid int) float64 {
	mb, _ := benchkit.RSSMB(pid)
	return mb
}
