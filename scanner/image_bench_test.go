package scanner

import (
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/storeagent/storeagent/scanner/scantest"
)

// benchFrame is scantest's 1280×720 frame (seed 42), the one cmd/storebench decodes too.
func benchFrame(b *testing.B) *image.Gray {
	f, err := scantest.Frame1280x720(42)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func benchPNG(b *testing.B) []byte {
	p, err := scantest.EncodePNG(benchFrame(b))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkDecodeImage_1280x720 decodes a camera-like frame holding one
// EAN-13 and one QR code (scantest.Frame1280x720) from an image.Image.
func BenchmarkDecodeImage_1280x720(b *testing.B) {
	f := benchFrame(b)
	b.ResetTimer()
	for b.Loop() {
		codes, err := DecodeImage(f)
		if err != nil || len(codes) != 2 {
			b.Fatalf("got %q, %v; want 2 codes", codes, err)
		}
	}
}

// BenchmarkDecodeImageBytes_1280x720 is the same frame from PNG bytes, as
// POST /api/v1/scan receives it (PNG decoding included, like zbarimg's).
func BenchmarkDecodeImageBytes_1280x720(b *testing.B) {
	png := benchPNG(b)
	b.ResetTimer()
	for b.Loop() {
		codes, err := DecodeImageBytes(png)
		if err != nil || len(codes) != 2 {
			b.Fatalf("got %q, %v; want 2 codes", codes, err)
		}
	}
}

// BenchmarkZbarimg_1280x720 runs zbarimg on the same frame (a PNG file),
// process start included; skipped without zbarimg.
func BenchmarkZbarimg_1280x720(b *testing.B) {
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		b.Skip("zbarimg not on PATH (Debian package zbar-tools)")
	}
	path := filepath.Join(b.TempDir(), "frame.png")
	if err := os.WriteFile(path, benchPNG(b), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := exec.Command(bin, "-q", "--nodbus", path).Run(); err != nil {
			b.Fatalf("zbarimg: %v", err)
		}
	}
}

// BenchmarkDecodeImage_1280x720_NoCode is the worst case: a noisy frame
// with no code, where every pass runs (TRY_HARDER, ±45°).
func BenchmarkDecodeImage_1280x720_NoCode(b *testing.B) {
	f := canvas(1280, 720)
	noise(f, 12, 2)
	b.ResetTimer()
	for b.Loop() {
		codes, err := DecodeImage(f)
		if err != nil || len(codes) != 0 {
			b.Fatalf("got %q, %v; want none", codes, err)
		}
	}
}
