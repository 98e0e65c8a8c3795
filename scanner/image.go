package scanner

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	"github.com/makiuchi-d/gozxing/datamatrix"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/oned/rss"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNotImage is returned by DecodeImageBytes for data that is not a PNG
// or JPEG image it can decode.
var ErrNotImage = errors.New("not a PNG or JPEG image")

// ErrTooManyPixels is returned (wrapped) by DecodeImageBytes for an image
// whose header declares more than MaxImagePixels; it is checked before
// anything is decoded.
var ErrTooManyPixels = errors.New("image too large")

// MaxImagePixels bounds the images DecodeImageBytes accepts: 3840×2160
// (4K UHD). A small, well-compressed file may declare a huge canvas (a
// 170 KB PNG of 6320×6320 took 8 s and 200 MB to decode); camera frames
// for a barcode need far less.
const MaxImagePixels = 3840 * 2160

// maxRotatePixels bounds the images DecodeImage also tries turned by 45°
// (a 1920×1080 frame is about 2 MP).
const maxRotatePixels = 4_000_000

// Code is a barcode or 2D code found in an image.
type Code struct {
	// Symbology is a stable name, as in Scan.
	Symbology string `json:"symbology"`
	// Data is the decoded content; GS1 symbols carry their element string
	// with GS separators (no symbology identifier).
	Data string `json:"data"`
}

// DecodeImageBytes decodes a PNG or JPEG image and returns the codes in
// it (see DecodeImage). Anything else, or a corrupt image, gives an error
// wrapping ErrNotImage; one over MaxImagePixels an error wrapping both
// ErrTooManyPixels and ErrNotImage.
func DecodeImageBytes(b []byte) ([]Code, error) {
	var (
		decode       func([]byte) (image.Image, error)
		decodeConfig func([]byte) (image.Config, error)
		kind         string
	)
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		kind = "PNG"
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		kind = "JPEG"
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	default:
		return nil, fmt.Errorf("decode image: %w (%d bytes without a PNG or JPEG signature)", ErrNotImage, len(b))
	}
	cfg, err := decodeConfig(b)
	if err != nil {
		return nil, fmt.Errorf("decode image: %w: corrupt %s: %v", ErrNotImage, kind, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("decode image: %w: %s of %dx%d pixels", ErrNotImage, kind, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("decode image: %w (%w): %s of %dx%d pixels is too large (at most %d pixels, e.g. 3840x2160)",
			ErrTooManyPixels, ErrNotImage, kind, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode image: %w: corrupt %s: %v", ErrNotImage, kind, err)
	}
	return DecodeImage(img)
}

// DecodeImage finds the barcodes and 2D codes in an image with gozxing,
// which has no all-formats reader: it runs QR Code (several per image),
// Data Matrix, EAN/UPC (EAN-13, EAN-8, UPC-A, UPC-E), Code 128 (with
// ASSUME_GS1, so a GS1-128's FNC1 separators come out as GS), Code 39,
// Code 93, ITF, Codabar, GS1 DataBar and Aztec. A quick pass looks for
// every kind; what follows depends on what it found (measured on ZXing's
// 330 real photos, where later passes found nothing once a code was found):
//   - a 2D code: every row for a Code 128 or Code 93 only (their check
//     characters hold against a 2D code's modules), and a diagonal barcode
//     when the code leaves a wide free band beside it;
//   - only barcodes: a QR code small enough to need gozxing's TRY_HARDER;
//   - nothing: Data Matrix and Aztec in nine windows of the image, then
//     TRY_HARDER for every kind (every row, and a copy turned by 90°), a
//     Data Matrix with no quiet zone, and copies turned by +45° and -45°.
//
// A 1D code counts only when another scan line across its bars reads the
// same (confirm1D) or, found in the image itself, it is a Code 128, which
// checks itself: noise, printed text and the modules of a
// QR code make single-line UPC-E and EAN-8 "codes" often enough otherwise.
// Results are deduplicated; an image with no code gives an empty slice.
func DecodeImage(img image.Image) ([]Code, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("decode image: %w: empty image", ErrNotImage)
	}
	src, err := newLumSource(luminanceOf(img), img.Bounds().Dx(), img.Bounds().Dy())
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w", err)
	}
	d := &imageDecoder{seen: map[Code]bool{}}
	quick := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ASSUME_GS1: true}
	harder := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_ASSUME_GS1: true,
		gozxing.DecodeHintType_TRY_HARDER: true,
	}
	if err := d.run(bmp, quick, true, true, false); err != nil {
		return nil, err
	}
	if len(d.codes) == 0 {
		// An off-centre Data Matrix or Aztec code (in a photo where nothing else was found: the
		// nine windows cost as much as the rest of the quick pass).
		d.windows = true
		d.tryWindows(datamatrix.NewDataMatrixReader(), bmp, quick)
		if !d.found2D {
			d.tryWindows(aztec.NewAztecReader(), bmp, quick)
		}
		d.windows = false
	}
	switch {
	case d.found2D && !d.found1D:
		// A 2D code is there: the TRY_HARDER 1D pass over every row of the photo found no code
		// a quick pass missed on the real photos, but it did make UPC-E and EAN-8 "codes" out
		// of a QR code's modules, and took most of the time. Only a diagonal barcode beside a
		// 2D code that leaves room for one is looked for.
		// Every row is still read for a Code 128 or Code 93 (their check characters are not
		// passed by a QR code's modules; a Code 93 beside a QR in the generated photos needed it).
		d.strong1D = true
		if err := d.run(bmp, harder, true, false, false); err != nil {
			return nil, err
		}
		d.strong1D = false
		if !d.found1D && d.room(bmp.GetWidth(), bmp.GetHeight()) {
			if err := d.turned(src, true, false); err != nil {
				return nil, err
			}
		}
		return d.result(), nil
	case d.found2D:
		return d.result(), nil
	case d.found1D:
		// A QR code beside the barcode, too small for the quick pass's finder search.
		if err := d.run(bmp, harder, false, true, false); err != nil {
			return nil, err
		}
		return d.result(), nil
	}
	// Nothing yet: every row, the copy turned by 90°, a Data Matrix filling the image with no
	// quiet zone (a cropped label), then the copies turned by 45°.
	if err := d.run(bmp, harder, true, true, false); err != nil {
		return nil, err
	}
	if !d.found2D {
		pure := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
		d.try(datamatrix.NewDataMatrixReader(), bmp, pure, false)
	}
	// gozxing's image source cannot rotate by 45°; turn the luminance both ways so a diagonal
	// code comes out level in one of them (not for photos above maxRotatePixels, where the
	// copies would cost too much). Every kind is looked for there: a diagonal EAN, a Data
	// Matrix at 45° (its detector, unlike QR's, needs the code roughly level).
	if len(d.codes) == 0 {
		if err := d.turned(src, true, true); err != nil {
			return nil, err
		}
	}
	return d.result(), nil
}

// turned looks for the kinds asked for, not found yet, in the copies of the image turned by
// +45° and -45°.
func (d *imageDecoder) turned(src gozxing.LuminanceSource, do1D, do2D bool) error {
	quick := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ASSUME_GS1: true}
	for _, dir := range []float64{1, -1} {
		do1D, do2D = do1D && !d.found1D, do2D && !d.found2D
		if !do1D && !do2D || src.GetWidth()*src.GetHeight() > maxRotatePixels {
			break
		}
		g := rotate45(src, dir)
		side := g.Bounds().Dx()
		rot, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, side, side, 0, 0, side, side, false)
		if err != nil {
			return fmt.Errorf("decode image: %w", err)
		}
		rbmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(rot))
		if err != nil {
			return fmt.Errorf("decode image: %w", err)
		}
		if err := d.run(rbmp, quick, do1D, do2D, true); err != nil {
			return err
		}
	}
	return nil
}

// room reports whether the codes found leave room for another beside them: a band free of
// them at least 40 % of the image wide (or high) on one side. A photo of one code, in the middle
// of the frame, has none.
func (d *imageDecoder) room(w, h int) bool {
	if len(d.points) == 0 {
		return true
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range d.points {
		minX, minY = math.Min(minX, p.GetX()), math.Min(minY, p.GetY())
		maxX, maxY = math.Max(maxX, p.GetX()), math.Max(maxY, p.GetY())
	}
	fw, fh := float64(w), float64(h)
	return max(minX/fw, (fw-maxX)/fw, minY/fh, (fh-maxY)/fh) >= 0.4
}

func (d *imageDecoder) result() []Code {
	if d.codes == nil {
		d.codes = []Code{}
	}
	return d.codes
}

// rotate45 returns the luminance of src turned by 45° (dir 1 counter-
// clockwise, -1 clockwise) on a canvas that holds all of it, the corners
// filled with white. Sampling is bilinear: nearest-neighbour stair-steps
// the bars enough to defeat the quick row scan.
func rotate45(src gozxing.LuminanceSource, dir float64) *image.Gray {
	w, h := src.GetWidth(), src.GetHeight()
	lum := src.GetMatrix()
	side := int(float64(w+h)*math.Sqrt2/2) + 2
	out := image.NewGray(image.Rect(0, 0, side, side))
	c := math.Sqrt2 / 2
	sin, cos := dir*c, c
	cx, cy := float64(w)/2, float64(h)/2
	half := float64(side) / 2
	// Fixed point, 16 fraction bits, stepped along each output row.
	const one = 1 << 16
	dxX, dxY := int64(cos*one), int64(sin*one)
	maxX, maxY := int64(w-1)*one, int64(h-1)*one
	for y := 0; y < side; y++ {
		dy := float64(y) - half
		fx := int64((cos*(-half)-sin*dy+cx)*one + 0.5)
		fy := int64((sin*(-half)+cos*dy+cy)*one + 0.5)
		row := out.Pix[y*out.Stride : y*out.Stride+side]
		for x := range row {
			if fx < 0 || fy < 0 || fx > maxX || fy > maxY {
				row[x] = 255
			} else {
				x0, y0 := int(fx>>16), int(fy>>16)
				ax, ay := fx&(one-1), fy&(one-1)
				i := y0*w + x0
				p00 := int64(lum[i])
				p01, p10, p11 := p00, p00, p00
				if x0+1 < w {
					p01 = int64(lum[i+1])
				}
				if y0+1 < h {
					p10 = int64(lum[i+w])
					p11 = p10
					if x0+1 < w {
						p11 = int64(lum[i+w+1])
					}
				}
				top := p00*one + (p01-p00)*ax
				bot := p10*one + (p11-p10)*ax
				row[x] = uint8((top*one + (bot-top)*ay + one*one/2) >> 32)
			}
			fx += dxX
			fy += dxY
		}
	}
	return out
}

// imageDecoder collects the codes of one image.
type imageDecoder struct {
	codes            []Code
	seen             map[Code]bool
	found1D, found2D bool
	// points: the result points of the codes found in the image as it is (not turned).
	points []gozxing.ResultPoint
	// windows: Data Matrix and Aztec are also looked for in parts of the image (tryWindows).
	windows bool
	// strong1D: the 1D pass runs only the readers whose symbols carry check characters that
	// noise and a 2D code's modules do not pass (Code 128, Code 93).
	strong1D bool
}

// run applies the chosen readers to one luminance source (turned: a copy turned by 45°).
func (d *imageDecoder) run(bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}, do1D, do2D, turned bool) error {
	_, harderHint := hints[gozxing.DecodeHintType_TRY_HARDER]
	stage := func(kind string) func() {
		if passHook == nil {
			return func() {}
		}
		start, n := time.Now(), len(d.codes)
		name := "quick"
		if harderHint {
			name = "harder"
		}
		if d.strong1D {
			name = "strong"
		}
		if turned {
			name = "turned"
		}
		return func() { passHook(name+kind, time.Since(start), d.codes[n:]) }
	}
	if do2D {
		done := stage("2D")
		_, harder := hints[gozxing.DecodeHintType_TRY_HARDER]
		if !turned {
			if results, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints); err == nil {
				for _, r := range results {
					d.add(r, false)
				}
			}
			if !d.found2D {
				d.try(qrcode.NewQRCodeReader(), bmp, hints, false)
			}
		}
		// Data Matrix and Aztec ignore TRY_HARDER, and the black matrix is the same: the
		// second pass would only repeat them. QR and Aztec codes read at any angle, so a copy
		// turned by 45° is for Data Matrix alone.
		if !harder && !d.found2D {
			d.tryWindows(datamatrix.NewDataMatrixReader(), bmp, hints)
		}
		if !harder && !turned && !d.found2D {
			d.tryWindows(aztec.NewAztecReader(), bmp, hints)
		}
		done()
	}
	if do1D {
		defer stage("1D")()
		// Without TRY_HARDER gozxing's 1D readers look only at rows around
		// the middle, so the quick pass also looks at the top and bottom
		// halves on their own.
		bitmaps := []*gozxing.BinaryBitmap{bmp}
		if _, harder := hints[gozxing.DecodeHintType_TRY_HARDER]; !harder && bmp.IsCropSupported() && bmp.GetHeight() >= 2*minCropSide {
			w, h := bmp.GetWidth(), bmp.GetHeight()
			for _, top := range []int{0, h / 2} {
				if c, err := bmp.Crop(0, top, w, h/2); err == nil {
					bitmaps = append(bitmaps, c)
				}
			}
		}
		r := oned.NewOneDReader(rows1D{
			oned.NewCode128Reader().(oned.RowDecoder),
			oned.NewCode93Reader().(oned.RowDecoder),
		})
		if !d.strong1D {
			r = oned.NewOneDReader(rows1D{
				oned.NewMultiFormatUPCEANReader(hints).(oned.RowDecoder),
				oned.NewCode128Reader().(oned.RowDecoder),
				code39FullASCII{oned.NewCode39ReaderWithFlags(false, true), oned.NewCode39Reader()},
				oned.NewCode93Reader().(oned.RowDecoder),
				oned.NewITFReader().(oned.RowDecoder),
				oned.NewCodaBarReader().(oned.RowDecoder),
				rss.NewRSS14Reader().(oned.RowDecoder),
			})
		}
		for _, b := range bitmaps {
			d.tryAround(r, b, hints, 0)
		}
	}
	return nil
}

// passHook, when set (by tests), is told the time and the new codes of each pass.
var passHook func(pass string, took time.Duration, found []Code)

// try runs one reader; gozxing reports "nothing here" as an error, which
// is not one for us.
func (d *imageDecoder) try(r gozxing.Reader, bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}, oneD bool) {
	res, err := r.Decode(bmp, hints)
	if err != nil || res == nil {
		return
	}
	d.add(res, oneD)
}

// tryWindows runs a Data Matrix or Aztec reader on the image and, when it finds nothing there,
// on nine overlapping windows of half its width and height (a 3×3 grid at quarter steps): both
// detectors grow a white rectangle from the middle of the image, so a code away from the middle
// of a photo is missed unless a window puts it in the middle (ZXing's ByQuadrantReader does
// this with four quadrants and the centre, which miss a code across a quadrant's edge). The
// windows share the image's black matrix: no window is binarized again.
func (d *imageDecoder) tryWindows(r gozxing.Reader, bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) {
	if !d.windows {
		if res, err := r.Decode(bmp, hints); err == nil && res != nil {
			d.add(res, false)
		}
		return
	}
	w, h := bmp.GetWidth(), bmp.GetHeight()
	if w < 2*minCropSide || h < 2*minCropSide {
		return
	}
	m, err := bmp.GetBlackMatrix()
	if err != nil {
		return
	}
	hw, hh := w/2, h/2
	for _, y0 := range []int{0, hh / 2, hh} {
		for _, x0 := range []int{0, hw / 2, hw} {
			win, err := gozxing.NewBinaryBitmap(&matrixWindow{m: m, x0: x0, y0: y0, w: min(hw, w-x0), h: min(hh, h-y0)})
			if err != nil {
				continue
			}
			if res, err := r.Decode(win, hints); err == nil && res != nil {
				n := len(d.points)
				d.add(res, false)
				for i := n; i < len(d.points); i++ { // in the image's coordinates
					d.points[i] = gozxing.NewResultPoint(d.points[i].GetX()+float64(x0), d.points[i].GetY()+float64(y0))
				}
				return
			}
		}
	}
}

// matrixWindow is a gozxing.Binarizer over a rectangle of an already binarized image.
type matrixWindow struct {
	m            *gozxing.BitMatrix
	x0, y0, w, h int
	window       *gozxing.BitMatrix
}

func (b *matrixWindow) GetLuminanceSource() gozxing.LuminanceSource { return nil }
func (b *matrixWindow) GetWidth() int                               { return b.w }
func (b *matrixWindow) GetHeight() int                              { return b.h }

func (b *matrixWindow) CreateBinarizer(gozxing.LuminanceSource) gozxing.Binarizer { return b }

func (b *matrixWindow) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	if row == nil || row.GetSize() < b.w {
		row = gozxing.NewBitArray(b.w)
	} else {
		row.Clear()
	}
	for x := 0; x < b.w; x++ {
		if b.m.Get(b.x0+x, b.y0+y) {
			row.Set(x)
		}
	}
	return row, nil
}

func (b *matrixWindow) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	if b.window != nil {
		return b.window, nil
	}
	win, err := gozxing.NewBitMatrix(b.w, b.h)
	if err != nil {
		return nil, err
	}
	// Copy 32 bits at a time: each window word is two source words shifted.
	src, dst := gozxing.NewBitArray(b.m.GetWidth()), gozxing.NewBitArray(b.w)
	first, shift := b.x0/32, uint(b.x0%32)
	for y := 0; y < b.h; y++ {
		sw := b.m.GetRow(b.y0+y, src).GetBitArray()
		dw := dst.GetBitArray()
		for j := range dw {
			var v uint32
			if i := first + j; i < len(sw) {
				v = sw[i] >> shift
				if shift > 0 && i+1 < len(sw) {
					v |= sw[i+1] << (32 - shift)
				}
			}
			dw[j] = v
		}
		if r := b.w % 32; r != 0 {
			dw[len(dw)-1] &= 1<<uint(r) - 1
		}
		win.SetRow(y, dst)
	}
	b.window = win
	return win, nil
}

// Around a 1D code that was found, the parts of the image left, right,
// above and below it are searched again, to find several codes of one
// kind (the approach of ZXing's GenericMultipleBarcodeReader).
const (
	maxCropDepth = 2
	minCropSide  = 100
)

// tryAround runs a 1D reader and, when it finds a code, runs it again on
// the rest of the image.
func (d *imageDecoder) tryAround(r gozxing.Reader, bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}, depth int) {
	res, err := r.Decode(bmp, hints)
	if err != nil || res == nil {
		return
	}
	if !confirm1D(r, bmp, res, hints) && (depth > 0 || !selfChecking(res)) {
		return
	}
	d.add(res, true)
	pts := res.GetResultPoints()
	if depth >= maxCropDepth || len(pts) == 0 || !bmp.IsCropSupported() {
		return
	}
	w, h := bmp.GetWidth(), bmp.GetHeight()
	minX, minY, maxX, maxY := w, h, 0, 0
	for _, p := range pts {
		if p == nil {
			continue
		}
		x, y := int(p.GetX()), int(p.GetY())
		minX, minY = max(0, min(minX, x)), max(0, min(minY, y))
		maxX, maxY = min(w, max(maxX, x)), min(h, max(maxY, y))
	}
	crop := func(left, top, cw, ch int) {
		if cw < minCropSide || ch < minCropSide {
			return
		}
		if c, err := bmp.Crop(left, top, cw, ch); err == nil {
			d.tryAround(r, c, hints, depth+1)
		}
	}
	if minX > minCropSide {
		crop(0, 0, minX, h)
	}
	if minY > minCropSide {
		crop(0, 0, w, minY)
	}
	if maxX < w-minCropSide {
		crop(maxX, 0, w-maxX, h)
	}
	if maxY < h-minCropSide {
		crop(0, maxY, w, h-maxY)
	}
}

func (d *imageDecoder) add(r *gozxing.Result, oneD bool) {
	c, ok := codeFromResult(r)
	if !ok || d.seen[c] {
		return
	}
	d.seen[c] = true
	d.codes = append(d.codes, c)
	for _, p := range r.GetResultPoints() {
		if p != nil {
			d.points = append(d.points, p)
		}
	}
	if oneD {
		d.found1D = true
	} else {
		d.found2D = true
	}
}

// codeFromResult maps a gozxing result to a Code, naming GS1 variants by
// the symbology identifier gozxing records.
func codeFromResult(r *gozxing.Result) (Code, bool) {
	text := r.GetText()
	if text == "" {
		return Code{}, false
	}
	id, _ := r.GetResultMetadata()[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string)
	switch r.GetBarcodeFormat() {
	case gozxing.BarcodeFormat_QR_CODE:
		if id == "]Q3" || id == "]Q4" {
			return Code{GS1QR, text}, true
		}
		return Code{QR, text}, true
	case gozxing.BarcodeFormat_DATA_MATRIX:
		if id == "]d2" || id == "]d5" {
			return Code{GS1DataMatrix, text}, true
		}
		return Code{DataMatrix, text}, true
	case gozxing.BarcodeFormat_AZTEC:
		return Code{Aztec, text}, true
	case gozxing.BarcodeFormat_EAN_13:
		// A UPC-A symbol is an EAN-13 with a leading 0 (GS1 General
		// Specifications 5.2.1.2); name it as the symbol it is.
		if len(text) == 13 && text[0] == '0' {
			return Code{UPCA, text[1:]}, true
		}
		return Code{EAN13, text}, true
	case gozxing.BarcodeFormat_EAN_8:
		return Code{EAN8, text}, true
	case gozxing.BarcodeFormat_UPC_A:
		return Code{UPCA, text}, true
	case gozxing.BarcodeFormat_UPC_E:
		return Code{UPCE, text}, true
	case gozxing.BarcodeFormat_CODE_128:
		// With ASSUME_GS1 the reader puts "]C1" before a GS1-128's data.
		if rest, ok := strings.CutPrefix(text, "]C1"); ok {
			return Code{GS1128, rest}, true
		}
		return Code{Code128, latin1ToUTF8(text)}, true
	case gozxing.BarcodeFormat_CODE_39:
		return Code{Code39, text}, true
	case gozxing.BarcodeFormat_CODE_93:
		return Code{Code93, text}, true
	case gozxing.BarcodeFormat_ITF:
		return Code{ITF, text}, true
	case gozxing.BarcodeFormat_CODABAR:
		return Code{Codabar, text}, true
	case gozxing.BarcodeFormat_RSS_14:
		// DataBar Omnidirectional carries a GTIN; give it as AI (01).
		return Code{GS1DataBar, "01" + text}, true
	}
	return Code{Unknown, text}, true
}

// latin1ToUTF8 turns Code 128's extended characters (FNC4: ISO/IEC 8859-1, ISO/IEC 15417 4.3.4),
// which gozxing returns as raw bytes, into UTF-8. Text that is valid UTF-8 is already right.
func latin1ToUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

// rows1D tries each 1D reader on a scan line: one gozxing OneDReader over it reads and
// binarizes each line once for all the readers (a reader each read every line seven times).
// A line with too few bars for any of them (the shortest, an EAN-8 or a one-character Code 39,
// has 20 edges or more) is not given to the readers at all: each failed reader costs an
// error value with a stack trace in gozxing.
type rows1D []oned.RowDecoder

// minEdges1D is the fewest black/white edges a line across any 1D code has.
const minEdges1D = 20

// DecodeRow implements oned.RowDecoder: the first reader's code on the line.
func (rs rows1D) DecodeRow(n int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if edges(row) < minEdges1D {
		return nil, errNoBars
	}
	var first error
	for _, r := range rs {
		res, err := r.DecodeRow(n, row, hints)
		if err == nil {
			return res, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// errNoBars is rows1D's "nothing on this line": a gozxing NotFoundException, so that the
// reader goes on to the next line, made once.
var errNoBars = gozxing.NewNotFoundException()

// edges counts the black/white changes along a line.
func edges(row *gozxing.BitArray) int {
	words, size := row.GetBitArray(), row.GetSize()
	n := 0
	var carry uint32
	for i, w := range words {
		// bit j differs from bit j-1 (the previous word's top bit for j = 0)
		x := w ^ (w<<1 | carry)
		if i == 0 {
			x &^= 1
		}
		if last := size - 32*i; last < 32 {
			x &= 1<<uint(max(0, last)) - 1 // nothing past the line's end
		}
		n += bits.OnesCount32(x)
		carry = w >> 31
	}
	return n
}

// code39FullASCII reads Code 39 as Full ASCII ("+A" is "a", ISO/IEC 16388 annex G) and, for data
// whose pairs are not valid Full ASCII (which the extended reader refuses), as plain Code 39: one
// result per symbol either way.
type code39FullASCII struct{ extended, plain gozxing.Reader }

// Decode implements gozxing.Reader.
func (c code39FullASCII) Decode(bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if res, err := c.extended.Decode(bmp, hints); err == nil {
		return res, nil
	}
	return c.plain.Decode(bmp, hints)
}

// DecodeRow implements oned.RowDecoder, as Decode does.
func (c code39FullASCII) DecodeRow(n int, row *gozxing.BitArray, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	if rd, ok := c.extended.(oned.RowDecoder); ok {
		if res, err := rd.DecodeRow(n, row, hints); err == nil {
			return res, nil
		}
	}
	if rd, ok := c.plain.(oned.RowDecoder); ok {
		return rd.DecodeRow(n, row, hints)
	}
	return nil, gozxing.NewNotFoundException()
}

// DecodeWithoutHints implements gozxing.Reader.
func (c code39FullASCII) DecodeWithoutHints(bmp *gozxing.BinaryBitmap) (*gozxing.Result, error) {
	return c.Decode(bmp, nil)
}

// Reset implements gozxing.Reader.
func (c code39FullASCII) Reset() {
	c.extended.Reset()
	c.plain.Reset()
}

// selfChecking reports whether a 1D result may stand without a second scan line: a Code 128
// (a mod-103 check character and a fixed pattern per character), found in the image itself,
// not in a re-search around another code. Real photos (ZXing's code128/11.png and 12.png) hold
// Code 128s that only one line reads. EAN-13 and UPC-A may not: on upca/4.png and upca/19.png
// (which ZXing misreads too) one line gave a second, wrong GTIN with a valid check digit.
func selfChecking(res *gozxing.Result) bool {
	return res.GetBarcodeFormat() == gozxing.BarcodeFormat_CODE_128
}

// confirm1D reports whether a 1D result is read again, with the same text, on another scan line
// across the same bars: a line a few pixels above or below the one it was found on (for a code
// found turned by 90°, beside it). Bars are tall and read the same on every line through them;
// a "code" that sensor noise, text or the modules of a QR code happened to form on one line
// (UPC-E and EAN-8 carry only a check digit, one in ten random patterns passes) is not there
// on the next. It also drops a misreading of one line through a real code (a second GTIN with
// a valid check digit). Readers without a row decoder are trusted as they are.
func confirm1D(r gozxing.Reader, bmp *gozxing.BinaryBitmap, res *gozxing.Result, hints map[gozxing.DecodeHintType]interface{}) bool {
	rd, ok := r.(oned.RowDecoder)
	pts := res.GetResultPoints()
	if !ok || len(pts) < 2 || pts[0] == nil || pts[len(pts)-1] == nil {
		return true
	}
	first, last := pts[0], pts[len(pts)-1]
	target, row := bmp, int(first.GetY()+0.5)
	length := math.Abs(last.GetX() - first.GetX())
	if o, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_ORIENTATION].(int); o == 90 || o == 270 {
		// Found in the copy turned 90° counter-clockwise: the row there is the column here.
		if !bmp.IsRotateSupported() {
			return true
		}
		rot, err := bmp.RotateCounterClockwise()
		if err != nil {
			return true
		}
		target, row = rot, bmp.GetWidth()-1-int(first.GetX()+0.5)
		length = math.Abs(last.GetY() - first.GetY())
	}
	// From 3 pixels on (a camera's blur joins neighbouring lines) to an eighth of the code's
	// length, both sides.
	for _, dist := range []int{3, 4, 5, 6, 8, 10, 14, max(3, int(length/12)), max(3, int(length/8))} {
		if err := confirmAt(rd, target, row-dist, res, hints); err == nil {
			return true
		}
		if err := confirmAt(rd, target, row+dist, res, hints); err == nil {
			return true
		}
	}
	return false
}

// confirmAt decodes line y of bmp both ways and reports nil when it gives res again.
func confirmAt(rd oned.RowDecoder, bmp *gozxing.BinaryBitmap, y int, res *gozxing.Result, hints map[gozxing.DecodeHintType]interface{}) error {
	if y < 0 || y >= bmp.GetHeight() {
		return errNotConfirmed
	}
	bits, err := bmp.GetBlackRow(y, nil)
	if err != nil {
		return errNotConfirmed
	}
	for range 2 {
		again, err := rd.DecodeRow(y, bits, hints)
		if err == nil && again.GetText() == res.GetText() && again.GetBarcodeFormat() == res.GetBarcodeFormat() {
			return nil
		}
		bits.Reverse()
	}
	return errNotConfirmed
}

var errNotConfirmed = errors.New("not read again")
