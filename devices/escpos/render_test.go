package escpos

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

func sampleReceipt(t *testing.T, p Profile) []byte {
	t.Helper()
	e := NewEncoder(p)
	e.Init()
	e.Align(AlignCenter)
	e.Size(2, 2)
	e.Bold(true)
	e.Line("Bottega")
	e.Size(1, 1)
	e.Bold(false)
	e.Align(AlignLeft)
	e.Line("Caffè               4,98 €")
	e.Underline(1)
	e.Line("Total")
	e.Underline(0)
	e.Align(AlignCenter)
	if err := e.QR("https://shop.example/r/0190a1b2", 6, QRLevelM); err != nil {
		t.Fatal(err)
	}
	e.Cut(CutPartial, 3)
	return e.Bytes()
}

func TestRenderPNG(t *testing.T) {
	for _, id := range []string{"epson-tm-t20", "generic-80mm", "generic-58mm"} { // native and raster QR
		t.Run(id, func(t *testing.T) {
			p := loadProfile(t, id)
			img, err := RenderPNG(sampleReceipt(t, p), p)
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Dx(); got != p.WidthDots {
				t.Errorf("width = %d, want the profile's %d dots", got, p.WidthDots)
			}
			// The QR code, native (drawn from GS ( k) or raster, reads back from the image.
			got, err := DecodeQRImage(img)
			if err != nil || got != "https://shop.example/r/0190a1b2" {
				t.Errorf("QR in preview = %q, %v", got, err)
			}
			// The title is printed: its rows hold black dots, and the double-size line is
			// centred (as much white left as right of it).
			g := img.(*image.Gray)
			left, right := inkSpan(g, 8, 8+48)
			if left < 0 {
				t.Fatalf("no ink in the title rows")
			}
			if d := left - (g.Rect.Dx() - 1 - right); d < -8 || d > 8 {
				t.Errorf("title ink spans %d..%d of %d: not centred", left, right, g.Rect.Dx())
			}
			if os.Getenv("ESCPOS_WRITE_PREVIEW") != "" {
				var buf bytes.Buffer
				if err := png.Encode(&buf, img); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(t.TempDir(), id+".png"), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestRenderPNG_Barcode(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	e := NewEncoder(p)
	e.Init()
	e.Align(AlignCenter)
	if err := e.EAN13("400638133393", BarcodeOptions{Width: 3}); err != nil {
		t.Fatal(err)
	}
	img, err := RenderPNG(e.Bytes(), p)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := oned.NewEAN13Reader().Decode(bmp, nil)
	if err != nil || res.GetText() != "4006381333931" {
		t.Errorf("EAN-13 in preview = %v, %v; want 4006381333931", res, err)
	}
}

func TestRenderPNG_Cut(t *testing.T) {
	p := loadProfile(t, "epson-tm-t20")
	img, err := RenderPNG([]byte{0x1d, 0x56, 0x42, 0x03}, p)
	if err != nil {
		t.Fatal(err)
	}
	g := img.(*image.Gray)
	// A dashed line: some row alternates 8 black, 8 white dots across the width.
	found := false
	for y := 0; y < g.Rect.Dy(); y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()]
		if row[0] == 0 && row[4] == 0 && row[8] == 255 && row[16] == 0 && row[24] == 255 {
			found = true
		}
	}
	if !found {
		t.Errorf("no dashed cut line in the preview")
	}
	if _, err := RenderPNG([]byte{0x1b, 0x01}, p); err == nil {
		t.Errorf("RenderPNG of a bad stream: want an error")
	}
}

// inkSpan returns the leftmost and rightmost black column in rows y0..y1, or -1, -1.
func inkSpan(g *image.Gray, y0, y1 int) (int, int) {
	left, right := -1, -1
	for y := y0; y < y1 && y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			if g.Pix[y*g.Stride+x] == 0 {
				if left < 0 || x < left {
					left = x
				}
				if x > right {
					right = x
				}
			}
		}
	}
	return left, right
}
