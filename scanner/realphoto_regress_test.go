package scanner

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
)

// decodePasses decodes one real photo and returns its codes and the passes that ran.
func decodePasses(t *testing.T, rel string) ([]Code, []string) {
	t.Helper()
	b := realPhoto(t, rel)
	var passes []string
	passHook = func(p string, _ time.Duration, _ []Code) { passes = append(passes, p) }
	defer func() { passHook = nil }()
	codes, err := DecodeImageBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return codes, passes
}

// TestDecodeImage_RealPhotoPasses: on the real photos, a code found by the quick pass ends the
// search (the build before ran the TRY_HARDER 1D pass over every row of each QR code photo and
// turned every photo by ±45°, which found nothing more on any of the 330 and made decode 2.5×
// slower than zbarimg); a photo where the quick pass finds nothing still gets every pass.
func TestDecodeImage_RealPhotoPasses(t *testing.T) {
	for _, c := range []struct {
		photo, want string
		passes      []string
	}{
		// A QR code filling the frame: beyond the quick pass only every row for a Code 128 or
		// Code 93 (strong1D), nothing turned.
		{"qrcode/testdata/qrcode-1/1.png", `qr:MEBKM:URL:http\://en.wikipedia.org/wiki/Main_Page;;`, []string{"quick2D", "quick1D", "strong1D"}},
		// An EAN-13: the quick pass, then only a harder look for a small QR code beside it.
		{"oned/testdata/ean13/1.png", "gtin:08413000065504", []string{"quick2D", "quick1D", "harder2D"}},
		// Read only with TRY_HARDER (every row): the quick pass finds nothing, the harder one does.
		{"oned/testdata/ean13/20.png", "gtin:04000539017100", []string{"quick2D", "quick1D", "harder2D", "harder1D"}},
	} {
		codes, passes := decodePasses(t, c.photo)
		if got := comparableSet(codes); !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s: got %q, want %q", c.photo, got, c.want)
		}
		if !slices.Equal(passes, c.passes) {
			t.Errorf("%s: passes %q, want %q", c.photo, passes, c.passes)
		}
	}
}

// TestDecodeImage_DataMatrixNoQuietZone: Data Matrix images cropped to the symbol (no quiet
// zone, as a label cut out of a sheet) are read (PURE_BARCODE); the build before missed all
// 14 of the corpus's.
func TestDecodeImage_DataMatrixNoQuietZone(t *testing.T) {
	for _, c := range []struct{ photo, want string }{
		{"datamatrix/testdata/C40.png", "Testing C40"},
		{"datamatrix/testdata/3/abcd-64x16.png", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm"},
	} {
		codes, err := DecodeImageBytes(realPhoto(t, c.photo))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(codes, []Code{{DataMatrix, c.want}}) {
			t.Errorf("%s: got %q", c.photo, codes)
		}
	}
}

// TestLuminanceOf: the luminance built from the pixel buffers is gozxing's own
// (NewLuminanceSourceFromImage) for every colour type, and a JPEG's Y plane for YCbCr; the 90°
// turn is gozxing's.
func TestLuminanceOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := image.Rect(3, 5, 40, 29) // not at the origin
	nrgba, rgba, gray := image.NewNRGBA(r), image.NewRGBA(r), image.NewGray(r)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.NRGBA{200, 30, 90, 128}, color.Gray{77}})
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))}
			nrgba.Set(x, y, c)
			rgba.Set(x, y, c)
			gray.Set(x, y, c)
			pal.SetColorIndex(x, y, uint8(rng.IntN(4)))
		}
	}
	for name, img := range map[string]image.Image{"NRGBA": nrgba, "RGBA": rgba, "Gray": gray, "Paletted": pal, "sub-image": nrgba.SubImage(image.Rect(10, 10, 30, 20))} {
		want := gozxing.NewLuminanceSourceFromImage(img).GetMatrix()
		if got := luminanceOf(img); !slices.Equal(got, want) {
			t.Errorf("%s: luminance differs from gozxing's", name)
		}
	}
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(rng.IntN(256))
	}
	lum := luminanceOf(ycc)
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			if lum[y*r.Dx()+x] != ycc.Y[ycc.YOffset(r.Min.X+x, r.Min.Y+y)] {
				t.Fatalf("YCbCr (%d,%d): not the Y plane", x, y)
			}
		}
	}
	src, err := newLumSource(luminanceOf(nrgba), r.Dx(), r.Dy())
	if err != nil {
		t.Fatal(err)
	}
	crop, _ := src.Crop(2, 3, 20, 11)
	gcrop, _ := gozxing.NewLuminanceSourceFromImage(nrgba).Crop(2, 3, 20, 11)
	got, _ := crop.RotateCounterClockwise()
	want, _ := gcrop.RotateCounterClockwise()
	if got.GetWidth() != want.GetWidth() || !slices.Equal(got.GetMatrix(), want.GetMatrix()) {
		t.Error("a crop turned by 90° differs from gozxing's")
	}
}

// TestEdges: rows1D's edge count is the number of black/white changes along the line.
func TestEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 31, 32, 33, 64, 100, 640} {
		row := gozxing.NewBitArray(n)
		for i := 0; i < n; i++ {
			if rng.IntN(3) == 0 {
				row.Set(i)
			}
		}
		want := 0
		for i := 1; i < n; i++ {
			if row.Get(i) != row.Get(i-1) {
				want++
			}
		}
		if got := edges(row); got != want {
			t.Errorf("%d bits: %d edges, want %d", n, got, want)
		}
	}
}

// TestRotate45: the fixed-point turn matches a bilinear turn in floating point to within one
// grey level.
func TestRotate45(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w, h := 53, 31
	lum := make([]byte, w*h)
	for i := range lum {
		lum[i] = uint8(rng.IntN(256))
	}
	src, _ := newLumSource(lum, w, h)
	for _, dir := range []float64{1, -1} {
		got := rotate45(src, dir)
		side := got.Bounds().Dx()
		c := math.Sqrt2 / 2
		sin, cos := dir*c, c
		half := float64(side) / 2
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				dx, dy := float64(x)-half, float64(y)-half
				fx, fy := cos*dx-sin*dy+float64(w)/2, sin*dx+cos*dy+float64(h)/2
				want := 255.0
				if fx >= 0 && fy >= 0 && fx <= float64(w-1) && fy <= float64(h-1) {
					x0, y0 := int(fx), int(fy)
					x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
					ax, ay := fx-float64(x0), fy-float64(y0)
					top := float64(lum[y0*w+x0])*(1-ax) + float64(lum[y0*w+x1])*ax
					bot := float64(lum[y1*w+x0])*(1-ax) + float64(lum[y1*w+x1])*ax
					want = top*(1-ay) + bot*ay
				}
				if g := float64(got.Pix[y*got.Stride+x]); math.Abs(g-want) > 1.01 && !nearEdge(fxOf(x, y, side, w, h, dir)) {
					t.Fatalf("dir %v (%d,%d): %v, want %.2f", dir, x, y, g, want)
				}
			}
		}
	}
}

// fxOf and nearEdge let TestRotate45 skip the pixels within a rounding step of the image's
// border, where fixed and floating point may disagree about being inside.
func fxOf(x, y, side, w, h int, dir float64) (float64, float64, int, int) {
	c := math.Sqrt2 / 2
	half := float64(side) / 2
	dx, dy := float64(x)-half, float64(y)-half
	return c*dx - dir*c*dy + float64(w)/2, dir*c*dx + c*dy + float64(h)/2, w, h
}

func nearEdge(fx, fy float64, w, h int) bool {
	const e = 0.01
	return math.Abs(fx) < e || math.Abs(fy) < e || math.Abs(fx-float64(w-1)) < e || math.Abs(fy-float64(h-1)) < e
}

// TestDecodeImage_OneLineCodes: real photos whose Code 128 only one scan line reads (blur) are
// read: Code 128 checks itself (the build before asked every 1D code for a second line and
// missed both); a UPC-A that one line misreads, beside the right one or alone, is not reported
// (accepting one-line EAN-13/UPC-A gave these two wrong GTINs).
func TestDecodeImage_OneLineCodes(t *testing.T) {
	for _, c := range []struct {
		photo string
		want  []string
	}{
		{"oned/testdata/code128/11.png", []string{"code128:CNK8181G2C"}},
		{"oned/testdata/code128/12.png", []string{"code128:CNK8181G2C"}},
		{"oned/testdata/upca/4.png", nil},  // one line read 070097026788 beside the right 070097025088
		{"oned/testdata/upca/19.png", nil}, // one line read 024523136138 for 024543136538
	} {
		codes, err := DecodeImageBytes(realPhoto(t, c.photo))
		if err != nil {
			t.Fatal(err)
		}
		if got := comparableSet(codes); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.photo, got, c.want)
		}
	}
}
