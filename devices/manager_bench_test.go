//go:build linux || darwin || freebsd

package devices

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
)

// BenchmarkManager_scanLatency measures the time from bytes written to a pty scanner's master
// to the frame event out of the manager, and reports its p50 and p99.
func BenchmarkManager_scanLatency(b *testing.B) {
	pty := devtest.NewPTYScanner(b)
	frames := make(chan time.Time, 16)
	connected := make(chan struct{}, 1)
	m, err := NewManager([]Spec{{Name: "s", Type: TypeScanner, Transport: TransportSerial, Path: pty.Path, Profile: serialProfile()}},
		Options{OnEvent: func(ev Event) {
			switch {
			case ev.Kind == EventFrame:
				frames <- time.Now()
			case ev.State == StateConnected:
				connected <- struct{}{}
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		b.Fatal("scanner did not connect")
	}
	code := []byte("]C10109501101530003172501011012345\r")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := pty.Write(code); err != nil {
			b.Fatal(err)
		}
		select {
		case end := <-frames:
			lat = append(lat, end.Sub(start))
		case <-time.After(5 * time.Second):
			b.Fatal("no frame")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
