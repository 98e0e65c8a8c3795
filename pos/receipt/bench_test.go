package receipt

import (
	"fmt"
	"testing"

	"github.com/storeagent/storeagent/devices/escpos"
)

func sale40(t testing.TB) Receipt {
	r := sample(t, "it-IT")
	r.Lines = r.Lines[:0]
	for i := range 40 {
		ln := Line{Name: fmt.Sprintf("Articolo %02d caffè tostato", i), Qty: int64(1 + i%3), UnitPriceMinor: 199, TaxRateBP: 2200}
		if i%5 == 0 {
			ln.WeightG, ln.Qty = ptr(int64(250+i)), 1
		}
		ln.AmountMinor = ln.UnitPriceMinor * ln.Qty
		r.Lines = append(r.Lines, ln)
	}
	return r
}

// BenchmarkBuild_40Lines builds and encodes a 40-line sale for an 80 mm printer with a native QR.
func BenchmarkBuild_40Lines(b *testing.B) {
	p := profile(b, "epson-tm-t20")
	r := sale40(b)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := build(r, p)
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/receipt")
}

// BenchmarkBuild_QR reports the bytes of one receipt with the footer QR sent natively (GS ( k)
// and as a raster image (GS v 0), on the same 80 mm layout.
func BenchmarkBuild_QR(b *testing.B) {
	native := profile(b, "epson-tm-t20")
	raster := native
	raster.QR = "raster"
	for _, tc := range []struct {
		name string
		p    escpos.Profile
	}{{"native", native}, {"raster", raster}} {
		b.Run(tc.name, func(b *testing.B) {
			p := tc.p
			r := sample(b, "it-IT")
			var n int
			for b.Loop() {
				out, err := build(r, p)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "bytes/receipt")
		})
	}
}

// TestBuild_QRBytes checks that a raster QR costs far more bytes than a native one.
func TestBuild_QRBytes(t *testing.T) {
	native := profile(t, "epson-tm-t20")
	raster := native
	raster.QR = "raster"
	nb, err := build(sample(t, "it-IT"), native)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := build(sample(t, "it-IT"), raster)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bytes per receipt: native QR %d, raster QR %d", len(nb), len(rb))
	if len(rb) < len(nb)+1000 {
		t.Errorf("raster receipt %d bytes, native %d: want the raster one at least 1000 bytes larger", len(rb), len(nb))
	}
}
