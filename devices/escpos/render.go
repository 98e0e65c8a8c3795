package escpos

import (
	"fmt"
	"image"
	"image/draw"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// RenderPNG renders an ESC/POS stream as profile p would print it, as a greyscale image the
// width of p's printable area (WidthDots): text in a monospace bitmap font (basicfont 7×13
// scaled to the profile's character cell; accented letters drawn as the base letter with a
// mark above), bold, underline, double width and height, alignment, raster images, native QR
// codes (drawn with gozxing's encoder), EAN-13 and Code 128 barcodes with their human-readable
// text, and a dashed line where the paper is cut. Encode the result with image/png.
func RenderPNG(b []byte, p Profile) (image.Image, error) {
	doc, err := DecodeProfile(b, p)
	if err != nil {
		return nil, fmt.Errorf("render receipt: %w", err)
	}
	r := newRenderer(p)
	for _, op := range doc.Ops {
		if err := r.apply(op); err != nil {
			return nil, fmt.Errorf("render receipt: %s: %w", op, err)
		}
	}
	r.flushLine(false)
	return r.compose(), nil
}

type glyph struct {
	r         rune
	w, h      int // cell size in dots
	bold      bool
	underline int
}

type renderer struct {
	p            Profile
	width        int
	align        Alignment
	bold         bool
	underline    int
	sw, sh, font int
	line         []glyph
	lineAlign    Alignment
	strips       []*image.Gray
}

func newRenderer(p Profile) *renderer {
	w := p.WidthDots
	if w <= 0 {
		w = 576
	}
	return &renderer{p: p, width: w, sw: 1, sh: 1}
}

// cell returns the character cell of font n at size 1×1: the paper width divided by the
// font's columns, twice as tall as wide (Epson Font A is 12×24 dots).
func (r *renderer) cell(font int) (int, int) {
	cols := r.p.Columns(font)
	if cols == 0 {
		cols = r.p.Columns(0)
	}
	if cols == 0 {
		cols = 48
	}
	cw := max(r.width/cols, 4)
	return cw, 2 * cw
}

func (r *renderer) apply(op Op) error {
	arg := func(i int) int {
		if i < len(op.Args) {
			return op.Args[i]
		}
		return 0
	}
	switch op.Kind {
	case OpText:
		if len(r.line) == 0 {
			r.lineAlign = r.align
		}
		cw, ch := r.cell(r.font)
		for _, c := range op.Text {
			r.line = append(r.line, glyph{r: c, w: cw * r.sw, h: ch * r.sh, bold: r.bold, underline: r.underline})
		}
	case OpNewline:
		r.flushLine(true)
	case OpFeed:
		r.flushLine(true)
		for i := 1; i < arg(0); i++ {
			r.flushLine(true)
		}
	case OpInit:
		r.align, r.bold, r.underline, r.sw, r.sh, r.font = AlignLeft, false, 0, 1, 1, 0
	case OpAlign:
		r.align = Alignment(arg(0))
	case OpBold:
		r.bold = arg(0) == 1
	case OpUnderline:
		r.underline = arg(0)
	case OpSize:
		r.sw, r.sh = arg(0), arg(1)
	case OpFont:
		r.font = arg(0)
	case OpImage:
		r.flushLine(false)
		r.block(op.Image)
	case OpQR:
		r.flushLine(false)
		img, err := QRImage(op.Text, clamp(arg(1), 1, 16), QRLevel(arg(2)))
		if err != nil {
			return err
		}
		r.block(img)
	case OpBarcode:
		r.flushLine(false)
		return r.barcode(op)
	case OpCut:
		r.flushLine(false)
		r.cut()
	}
	return nil
}

// flushLine prints the pending glyphs as one or more rows (the printer wraps at the paper
// edge). A line feed on an empty line prints an empty row of the current size.
func (r *renderer) flushLine(feed bool) {
	if len(r.line) == 0 {
		if feed {
			_, ch := r.cell(r.font)
			r.strips = append(r.strips, blank(r.width, ch*r.sh+lineGap))
		}
		return
	}
	for len(r.line) > 0 {
		n, w := 0, 0
		for n < len(r.line) && w+r.line[n].w <= r.width {
			w += r.line[n].w
			n++
		}
		n = max(n, 1)
		r.strips = append(r.strips, r.drawRow(r.line[:n], w))
		r.line = r.line[n:]
	}
	r.line = nil
}

const lineGap = 6

func (r *renderer) drawRow(gs []glyph, w int) *image.Gray {
	h := 0
	for _, g := range gs {
		h = max(h, g.h)
	}
	img := blank(r.width, h+lineGap)
	x := r.offset(w, r.lineAlign)
	for _, g := range gs {
		drawGlyph(img, x, h-g.h, g)
		x += g.w
	}
	return img
}

func (r *renderer) offset(w int, a Alignment) int {
	switch a {
	case AlignCenter:
		return max((r.width-w)/2, 0)
	case AlignRight:
		return max(r.width-w, 0)
	}
	return 0
}

// block prints an image as its own rows, aligned.
func (r *renderer) block(src *image.Gray) {
	img := blank(r.width, src.Rect.Dy())
	x := r.offset(src.Rect.Dx(), r.align)
	draw.Draw(img, image.Rect(x, 0, x+src.Rect.Dx(), src.Rect.Dy()), src, src.Rect.Min, draw.Src)
	r.strips = append(r.strips, img)
}

func (r *renderer) barcode(op Op) error {
	system, bw, bh, hri := op.Args[0], clamp(op.Args[1], 1, 6), max(op.Args[2], 1), op.Args[3]
	var (
		m   *gozxing.BitMatrix
		err error
	)
	switch system {
	case 2, 67:
		m, err = oned.NewEAN13Writer().Encode(op.Text, gozxing.BarcodeFormat_EAN_13, 1, 1, nil)
	case 73:
		m, err = oned.NewCode128Writer().Encode(op.Text, gozxing.BarcodeFormat_CODE_128, 1, 1, nil)
	default:
		return fmt.Errorf("barcode system %d not rendered", system)
	}
	if err != nil {
		return err
	}
	mw := m.GetWidth()
	bars := image.NewGray(image.Rect(0, 0, mw*bw, bh))
	for x := range mw * bw {
		v := uint8(255)
		if m.Get(x/bw, 0) {
			v = 0
		}
		for y := range bh {
			bars.Pix[y*bars.Stride+x] = v
		}
	}
	saved := r.align
	r.block(bars)
	if hri == HRIBelow || hri == HRIBoth {
		r.lineAlign = r.align
		cw, ch := r.cell(0)
		for _, c := range op.Text {
			r.line = append(r.line, glyph{r: c, w: cw, h: ch})
		}
		r.flushLine(false)
	}
	r.align = saved
	return nil
}

func (r *renderer) cut() {
	img := blank(r.width, 24)
	for x := 0; x < r.width; x++ {
		if x/8%2 == 0 {
			img.Pix[12*img.Stride+x] = 0
			img.Pix[13*img.Stride+x] = 0
		}
	}
	r.strips = append(r.strips, img)
}

func (r *renderer) compose() *image.Gray {
	const margin = 8
	h := 2 * margin
	for _, s := range r.strips {
		h += s.Rect.Dy()
	}
	out := blank(r.width, h)
	y := margin
	for _, s := range r.strips {
		draw.Draw(out, image.Rect(0, y, r.width, y+s.Rect.Dy()), s, image.Point{}, draw.Src)
		y += s.Rect.Dy()
	}
	return out
}

func blank(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return img
}

// drawGlyph draws g's character in its cell at x,y, scaling basicfont's 7×13 glyph.
func drawGlyph(img *image.Gray, x, y int, g glyph) {
	base, accent := glyphBase(g.r)
	face := basicfont.Face7x13
	_, mask, mp, _, ok := face.Glyph(fixed.P(0, face.Ascent), base)
	if !ok {
		_, mask, mp, _, _ = face.Glyph(fixed.P(0, face.Ascent), '?')
	}
	alpha := mask.(*image.Alpha)
	top := g.h / 8 // room for accents
	srcH := face.Ascent + face.Descent
	set := func(px, py int) {
		if image.Pt(px, py).In(img.Rect) {
			img.Pix[py*img.Stride+px] = 0
		}
	}
	for cy := 0; cy < g.h-top; cy++ {
		sy := cy * srcH / (g.h - top)
		for cx := range g.w {
			sx := cx * face.Advance / g.w
			if sx >= face.Width {
				continue
			}
			if alpha.AlphaAt(mp.X+sx, mp.Y+sy).A >= 0x80 {
				set(x+cx, y+top+cy)
				if g.bold {
					set(x+cx+1, y+top+cy)
				}
			}
		}
	}
	if g.r == '€' {
		// The bitmap font has no euro sign: a C with two bars.
		for _, fy := range []int{(g.h - top) * 5 / 13, (g.h - top) * 7 / 13} {
			for cx := 0; cx < g.w*4/7; cx++ {
				set(x+cx, y+top+fy)
			}
		}
		accent = false
	}
	if accent {
		for cx := g.w / 3; cx < g.w*2/3; cx++ {
			for cy := 0; cy < max(top/2, 1); cy++ {
				set(x+cx, y+cy)
			}
		}
	}
	for i := 0; i < g.underline; i++ {
		for cx := range g.w {
			set(x+cx, y+g.h-1-i)
		}
	}
}

// glyphBase maps r to an ASCII character the bitmap font has, and whether it carries a mark.
func glyphBase(r rune) (rune, bool) {
	if r < 0x80 {
		return r, false
	}
	if d := norm.NFD.String(string(r)); d != string(r) {
		b, _ := utf8.DecodeRuneInString(d)
		if b < 0x80 {
			return b, true
		}
	}
	if fb, ok := asciiFallback(r); ok && fb != "" {
		if r == '€' {
			return 'C', true
		}
		return rune(fb[0]), false
	}
	return '?', false
}
