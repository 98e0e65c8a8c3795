//go:build linux || darwin || freebsd

package agent

import (
	"slices"
	"testing"
	"time"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/devices/devtest"
)

// BenchmarkScanToSSE measures a scan from bytes written to a pseudo-terminal scanner to the scan
// event received by the terminal's /api/v1/events stream over HTTP, product lookup included.
// Reports p50 and p99 (goal: p99 < 5 ms).
func BenchmarkScanToSSE(b *testing.B) {
	pty := devtest.NewPTYScanner(b)
	cfg := testConfig(b)
	cfg.Devices = []Device{{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: pty.Path}}
	cfg.Terminals[0].Scanners = []string{"lane1-scanner"}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	a := startAgent(b, cfg)
	ev := openEvents(b, a)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if st := a.Devices.States(); len(st) == 1 && st[0].State == "connected" {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("scanner never connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
	codes := []string{"8005510000030\r", "8005510000016\r", "3012340000012\r"}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		pty.Write([]byte(codes[i%len(codes)]))
		ev.next(b, "scan")
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(benchkit.Millis(benchkit.Percentile(lat, 0.50)), "p50_ms")
	b.ReportMetric(benchkit.Millis(benchkit.Percentile(lat, 0.99)), "p99_ms")
}
