package scanner

// Test helpers that draw barcodes with gozxing's writers and turn them into
// "photo-like" frames: placed on a larger canvas, scaled, rotated,
// blurred and with sensor noise. They are deterministic (fixed seeds).

import (
	"bytes"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// fnc1 is how gozxing's Code 128 writer takes FNC1 (U+00F1, "ñ").
const fnc1 = "\u00f1"

// drawCode renders contents in the given format with gozxing's writer at
// roughly w×h pixels (the writers scale by whole modules and add a quiet
// zone) as a black-on-white image.
func drawCode(t testing.TB, format gozxing.BarcodeFormat, contents string, w, h int) *image.Gray {
	t.Helper()
	var (
		m   *gozxing.BitMatrix
		err error
	)
	hints := map[gozxing.EncodeHintType]interface{}{}
	switch format {
	case gozxing.BarcodeFormat_QR_CODE:
		m, err = qrcode.NewQRCodeWriter().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_DATA_MATRIX:
		m, err = datamatrix.NewDataMatrixWriter().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_EAN_13:
		m, err = oned.NewEAN13Writer().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_EAN_8:
		m, err = oned.NewEAN8Writer().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_UPC_A:
		m, err = oned.NewUPCAWriter().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_UPC_E:
		m, err = oned.NewUPCEWriter().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_CODE_128:
		m, err = oned.NewCode128Writer().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_CODE_39:
		m, err = oned.NewCode39Writer().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_CODE_93:
		m, err = oned.NewCode93Writer().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_ITF:
		m, err = oned.NewITFWriter().Encode(contents, format, w, h, hints)
	case gozxing.BarcodeFormat_CODABAR:
		m, err = oned.NewCodaBarWriter().Encode(contents, format, w, h, hints)
	default:
		t.Fatalf("drawCode: no writer for %v", format)
	}
	if err != nil {
		t.Fatalf("encode %v %q: %v", format, contents, err)
	}
	// Print the code on a white label with a margin beyond the writer's
	// quiet zone (gozxing's Data Matrix writer leaves none), as on a real
	// package: on a grey scene the binarizer turns the grey next to white
	// into black, which would eat a bare quiet zone.
	const q = 20
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()+2*q, m.GetHeight()+2*q))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				img.SetGray(x+q, y+q, color.Gray{Y: 0})
			}
		}
	}
	return img
}

// canvas returns a w×h grey "scene" (a soft vertical gradient).
func canvas(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		v := uint8(170 + 40*y/h)
		for x := 0; x < w; x++ {
			img.Pix[y*img.Stride+x] = v
		}
	}
	return img
}

// place draws src onto dst with its top-left corner at (x0, y0), scaled by
// scale and rotated by deg degrees about its centre (bilinear sampling).
// Pixels outside src leave dst unchanged.
func place(dst, src *image.Gray, x0, y0 int, scale, deg float64) {
	sw, sh := float64(src.Bounds().Dx()), float64(src.Bounds().Dy())
	cx, cy := float64(x0)+sw*scale/2, float64(y0)+sh*scale/2
	rad := deg * math.Pi / 180
	sin, cos := math.Sin(rad), math.Cos(rad)
	diag := math.Hypot(sw, sh) * scale / 2
	b := dst.Bounds()
	for y := max(b.Min.Y, int(cy-diag)-1); y < min(b.Max.Y, int(cy+diag)+2); y++ {
		for x := max(b.Min.X, int(cx-diag)-1); x < min(b.Max.X, int(cx+diag)+2); x++ {
			// Inverse-map the destination pixel into the source.
			dx, dy := float64(x)-cx, float64(y)-cy
			sx := (cos*dx+sin*dy)/scale + sw/2
			sy := (-sin*dx+cos*dy)/scale + sh/2
			if sx < 0 || sy < 0 || sx > sw-1 || sy > sh-1 {
				continue
			}
			dst.Pix[y*dst.Stride+x] = bilinear(src, sx, sy)
		}
	}
}

func bilinear(src *image.Gray, x, y float64) uint8 {
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, src.Bounds().Dx()-1), min(y0+1, src.Bounds().Dy()-1)
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(x, y int) float64 { return float64(src.Pix[y*src.Stride+x]) }
	v := p(x0, y0)*(1-fx)*(1-fy) + p(x1, y0)*fx*(1-fy) + p(x0, y1)*(1-fx)*fy + p(x1, y1)*fx*fy
	return uint8(math.Round(v))
}

// blur applies one (2r+1)² box blur; r=1 is about the softness of a
// slightly defocused phone camera.
func blur(img *image.Gray, r int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			sum, n := 0, 0
			for yy := max(b.Min.Y, y-r); yy <= min(b.Max.Y-1, y+r); yy++ {
				for xx := max(b.Min.X, x-r); xx <= min(b.Max.X-1, x+r); xx++ {
					sum += int(img.Pix[yy*img.Stride+xx])
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}

// noise adds uniform noise of ±amp grey levels with a fixed seed.
func noise(img *image.Gray, amp int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i, v := range img.Pix {
		n := int(v) + rng.IntN(2*amp+1) - amp
		img.Pix[i] = uint8(min(255, max(0, n)))
	}
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// frame1280x720 is the benchmark scene: one EAN-13 and one QR code on a
// 1280×720 camera frame, slightly rotated, blurred and noisy.
func frame1280x720(t testing.TB) *image.Gray {
	t.Helper()
	f := canvas(1280, 720)
	place(f, drawCode(t, gozxing.BarcodeFormat_EAN_13, "4006381333931", 380, 160), 120, 250, 1.3, 3)
	place(f, drawCode(t, gozxing.BarcodeFormat_QR_CODE, "https://id.gs1.org/01/09520123456788/10/ABC1", 260, 260), 800, 200, 1.2, -8)
	f = blur(f, 1)
	noise(f, 12, 42)
	return f
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
