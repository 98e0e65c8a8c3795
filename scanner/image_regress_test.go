package scanner

import (
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// TestDecodeImage_NoiseIsNoCode: blurred sensor noise on an empty scene is no code. Before
// confirm1D these three seeds gave a UPC-E 01065688, an EAN-8 85597600 and a UPC-E 12007370
// (one scan line of noise passing a single check digit).
func TestDecodeImage_NoiseIsNoCode(t *testing.T) {
	seeds := []uint64{3, 7, 8}
	if raceEnabled {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		f := blur(canvas(900, 700), 1)
		noise(f, 10, seed)
		got, err := DecodeImage(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("seed %d: got %q from an empty scene", seed, got)
		}
	}
}

// TestDecodeImage_DataMatrixOffCentre: a Data Matrix in a corner of the photo is found (the
// detector grows from the middle of the image; before tryWindows this one was missed).
func TestDecodeImage_DataMatrixOffCentre(t *testing.T) {
	dm := drawCode(t, gozxing.BarcodeFormat_DATA_MATRIX, "DM SQUARE 0123456789", 200, 200)
	f := canvas(900, 700)
	place(f, dm, 100, 200, 1, 0)
	f = blur(f, 1)
	noise(f, 10, 3)
	got, err := DecodeImage(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []Code{{DataMatrix, "DM SQUARE 0123456789"}}) {
		t.Errorf("got %q", got)
	}
}

// TestDecodeImage_DiagonalBesideLevel: a diagonal EAN-13 beside a level QR code is found too
// (the ±45° copies once ran only when nothing at all had been found).
func TestDecodeImage_DiagonalBesideLevel(t *testing.T) {
	f := canvas(1100, 700)
	place(f, drawCode(t, gozxing.BarcodeFormat_EAN_13, "4006381333931", 300, 120), 60, 250, 1.3, 45)
	place(f, drawCode(t, gozxing.BarcodeFormat_QR_CODE, "hello, storeagent", 200, 200), 750, 250, 1, 0)
	f = blur(f, 1)
	noise(f, 8, 11)
	got, err := DecodeImage(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gtin:04006381333931", "qr:hello, storeagent"}
	if g := comparableSet(got); !slices.Equal(g, want) {
		t.Errorf("got %q, want %q", g, want)
	}
}

// TestDecodeImage_DataMatrix45: a Data Matrix turned by 45° is read from the turned copy (the
// ±45° copies once ran the 1D readers only).
func TestDecodeImage_DataMatrix45(t *testing.T) {
	f := canvas(800, 800)
	place(f, drawCode(t, gozxing.BarcodeFormat_DATA_MATRIX, "DM-45-DEGREES", 200, 200), 280, 280, 1, 45)
	got, err := DecodeImage(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []Code{{DataMatrix, "DM-45-DEGREES"}}) {
		t.Errorf("got %q", got)
	}
}

// TestMatrixWindow: a window's black matrix is exactly the rectangle of the image's, at word
// offsets and across word edges.
func TestMatrixWindow(t *testing.T) {
	m, _ := gozxing.NewBitMatrix(200, 90)
	for y := 0; y < 90; y++ {
		for x := 0; x < 200; x++ {
			if (x*7+y*13)%5 == 0 || x == y {
				m.Set(x, y)
			}
		}
	}
	for _, r := range [][4]int{{0, 0, 100, 45}, {37, 11, 100, 45}, {64, 45, 136, 45}, {5, 3, 31, 9}, {199, 89, 1, 1}} {
		w := &matrixWindow{m: m, x0: r[0], y0: r[1], w: r[2], h: r[3]}
		got, err := w.GetBlackMatrix()
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < r[3]; y++ {
			for x := 0; x < r[2]; x++ {
				if got.Get(x, y) != m.Get(r[0]+x, r[1]+y) {
					t.Fatalf("window %v: (%d,%d) differs", r, x, y)
				}
			}
			// nothing set past the window's width
			for x := r[2]; x < got.GetRowSize()*32; x++ {
				if got.GetRow(y, nil).Get(x) {
					t.Fatalf("window %v: bit %d of row %d set past the width", r, x, y)
				}
			}
		}
	}
}
