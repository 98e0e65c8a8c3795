// Package scantest draws camera-like frames holding barcodes, for the image decoding benchmarks
// (scanner's and cmd/storebench's, which must decode the same frames as zbarimg). The codes are
// drawn with gozxing's writers, placed on a grey scene, scaled, rotated, blurred and given sensor
// noise; everything is deterministic. It imports nothing of the project.
package scantest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// FrameCodes are the contents of the two codes in every Frame1280x720: an EAN-13 and a QR code
// with a GS1 Digital Link.
var FrameCodes = []string{"4006381333931", "https://id.gs1.org/01/09520123456788/10/ABC1"}

// Frame1280x720 is the benchmark scene: the EAN-13 and the QR code of FrameCodes on a 1280×720
// camera frame, slightly rotated, blurred, with ±12 grey levels of noise from seed (the scanner
// benchmark's frame is seed 42).
func Frame1280x720(seed uint64) (*image.Gray, error) {
	ean, err := label(oned.NewEAN13Writer(), gozxing.BarcodeFormat_EAN_13, FrameCodes[0], 380, 160)
	if err != nil {
		return nil, err
	}
	qr, err := label(qrcode.NewQRCodeWriter(), gozxing.BarcodeFormat_QR_CODE, FrameCodes[1], 260, 260)
	if err != nil {
		return nil, err
	}
	f := image.NewGray(image.Rect(0, 0, 1280, 720))
	for i := range f.Pix { // a soft vertical gradient
		f.Pix[i] = uint8(170 + 40*(i/f.Stride)/720)
	}
	paste(f, ean, 120, 250, 1.3, 3)
	paste(f, qr, 800, 200, 1.2, -8)
	f = boxBlur(f)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i, v := range f.Pix {
		f.Pix[i] = uint8(min(255, max(0, int(v)+rng.IntN(25)-12)))
	}
	return f, nil
}

// EncodePNG is img as PNG bytes, as POST /api/v1/scan receives a frame and zbarimg reads it.
func EncodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := png.Encode(&b, img)
	return b.Bytes(), err
}

// label draws contents with w at about w×h pixels, black on a white label with a 20-pixel margin.
func label(w gozxing.Writer, format gozxing.BarcodeFormat, contents string, width, height int) (*image.Gray, error) {
	m, err := w.Encode(contents, format, width, height, nil)
	if err != nil {
		return nil, fmt.Errorf("encode %v %q: %w", format, contents, err)
	}
	const q = 20
	img := image.NewGray(image.Rect(0, 0, m.GetWidth()+2*q, m.GetHeight()+2*q))
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			img.Pix[y*img.Stride+x] = 255
			if x >= q && y >= q && x < q+m.GetWidth() && y < q+m.GetHeight() && m.Get(x-q, y-q) {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	return img, nil
}

// paste draws src onto dst with its top-left corner at (x0, y0), scaled and rotated by deg
// degrees about its centre, sampling src bilinearly through the inverse mapping.
func paste(dst, src *image.Gray, x0, y0 int, scale, deg float64) {
	sw, sh := float64(src.Bounds().Dx()), float64(src.Bounds().Dy())
	cx, cy := float64(x0)+sw*scale/2, float64(y0)+sh*scale/2
	sin, cos := math.Sincos(deg * math.Pi / 180)
	r := int(math.Hypot(sw, sh)*scale/2) + 2
	at := func(x, y int) float64 { return float64(src.Pix[y*src.Stride+x]) }
	for y := max(0, int(cy)-r); y < min(dst.Bounds().Dy(), int(cy)+r); y++ {
		for x := max(0, int(cx)-r); x < min(dst.Bounds().Dx(), int(cx)+r); x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := (cos*dx+sin*dy)/scale+sw/2, (-sin*dx+cos*dy)/scale+sh/2
			if sx < 0 || sy < 0 || sx > sw-1 || sy > sh-1 {
				continue
			}
			ix, iy := int(sx), int(sy)
			jx, jy := min(ix+1, int(sw)-1), min(iy+1, int(sh)-1)
			fx, fy := sx-float64(ix), sy-float64(iy)
			v := (at(ix, iy)*(1-fx)+at(jx, iy)*fx)*(1-fy) + (at(ix, jy)*(1-fx)+at(jx, jy)*fx)*fy
			dst.Pix[y*dst.Stride+x] = uint8(math.Round(v))
		}
	}
}

// boxBlur is one 3×3 box blur, about the softness of a slightly defocused phone camera.
func boxBlur(img *image.Gray) *image.Gray {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	out := image.NewGray(img.Bounds())
	for y := range h {
		for x := range w {
			sum, n := 0, 0
			for yy := max(0, y-1); yy <= min(h-1, y+1); yy++ {
				for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
					sum, n = sum+int(img.Pix[yy*img.Stride+xx]), n+1
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / n)
		}
	}
	return out
}
