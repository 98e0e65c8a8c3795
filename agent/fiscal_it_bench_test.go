package agent

import (
	"context"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
)

// BenchmarkAgent_RTSale is one card sale over HTTP on an Italian store, registered on the RT
// emulator (over loopback) before the next: the agent's whole cost of a registered sale, for a
// CPU profile (-cpuprofile) of what the RT worker adds to a sale.
func BenchmarkAgent_RTSale(b *testing.B) {
	emu := fpmateemu.New("")
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	url, _, err := emu.Start(ctx, "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	a := startAgent(b, itConfig(b, url))
	n := 0
	for b.Loop() {
		id := rtSale(b, a, 1)
		n++
		deadline := time.Now().Add(10 * time.Second)
		for len(emu.Documents()) < n {
			if time.Now().After(deadline) {
				b.Fatalf("sale %s not registered", id)
			}
			time.Sleep(50 * time.Microsecond)
		}
		if n%5000 == 0 {
			b.StopTimer()
			b.Fatal("more than one Z's documents: run with -benchtime under 5000x")
		}
	}
}
