package fpmate

import (
	"context"
	"testing"
	"time"
)

func BenchmarkRenderReceipt(b *testing.B) {
	f := goldens()["discount"]
	cfg := testConfig("http://127.0.0.1/")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RenderReceipt(f, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegister is one sale registered on the emulator over loopback HTTP: the driver's
// share of a registration (a real RT prints, which takes far longer).
func BenchmarkRegister(b *testing.B) {
	_, d := newRig(b, 5*time.Second)
	ctx := context.Background()
	f := goldens()["cash_sale"]
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := d.Register(ctx, f); err != nil {
			b.Fatal(err)
		}
		if n++; n%5000 == 0 { // document numbers have 4 digits
			if _, err := d.ZReport(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}
