package escpos

import (
	"fmt"
	"image"
	"strings"

	"github.com/storeagent/storeagent/pos/document"
)

// Render lays doc out for profile p and returns the ESC/POS bytes: ESC @, then the blocks in
// Font A at the profile's columns. Text is encoded through the profile's code pages; a QR code
// is sent natively or as a raster image (qr: raster), with 6-dot modules from 500 dots wide
// and 4-dot ones below unless the block asks for a size; a barcode the model cannot print
// (barcodes: false) is printed as its text; a cut is partial or full as the cutter allows
// (fed 3 dots); a drawer kick pulses the profile's drawer pin and is left out on a model
// without a drawer port. doc.Fiscal is not printed.
func Render(doc document.Document, p Profile) ([]byte, error) {
	cols := p.Columns(0)
	if cols < document.MinColumns {
		return nil, fmt.Errorf("render %s: profile %s has %d columns, need at least %d", doc.Kind, p.ID, cols, document.MinColumns)
	}
	r := &docRenderer{e: NewEncoder(p), cols: cols, align: AlignLeft}
	r.e.Init()
	if err := r.blocks(doc.Blocks); err != nil {
		return nil, fmt.Errorf("render %s: %w", doc.Kind, err)
	}
	return r.e.Bytes(), nil
}

// RenderDocumentPNG draws doc as profile p would print it (Render, then RenderPNG).
func RenderDocumentPNG(doc document.Document, p Profile) (image.Image, error) {
	b, err := Render(doc, p)
	if err != nil {
		return nil, err
	}
	return RenderPNG(b, p)
}

type docRenderer struct {
	e     *Encoder
	cols  int
	align Alignment
	bold  bool
}

// spelled returns parts, printed on one line, with each character that the code page the
// encoder will choose for them lacks, and that it would spell with several ASCII characters
// ("€" → "EUR", "…" → "..."), spelled so already: the layout then counts the columns the
// paper shows. Other characters stay for the encoder, which prints each as one column (itself,
// its base letter or '?'). A line cut from them normally gets the same page; only a line mixing
// scripts of different pages could get another and see the encoder spell out more.
func (r *docRenderer) spelled(parts ...string) []string {
	long := false
	for _, s := range parts {
		long = long || strings.IndexFunc(s, spelledLong) >= 0
	}
	if !long {
		return parts
	}
	// The page the encoder keeps or picks for them (from the one in force, as it does).
	p := r.e.Profile()
	var cm codePage // nil: no page has any of their characters
	if n := choosePage(p, r.e.CodePage(), strings.Join(parts, " ")); n >= 0 {
		cm = lookupCharmap(p.CodePages[n])
	}
	out := make([]string, len(parts))
	for i, s := range parts {
		out[i] = s
		if strings.IndexFunc(s, func(c rune) bool { return spells(cm, c) }) < 0 {
			continue
		}
		var b strings.Builder
		for _, c := range s {
			if spells(cm, c) {
				fb, _ := asciiFallback(c)
				b.WriteString(fb)
				continue
			}
			b.WriteRune(c)
		}
		out[i] = b.String()
	}
	return out
}

// spelledLong reports whether the encoder spells c with several ASCII characters on a page
// without it.
func spelledLong(c rune) bool {
	if isPlainASCII(c) {
		return false
	}
	fb, ok := asciiFallback(c)
	return ok && len(fb) > 1
}

// spells reports whether the encoder spells c with several ASCII characters on page cm.
func spells(cm codePage, c rune) bool {
	if isPlainASCII(c) || cm != nil && covers(cm, c) {
		return false
	}
	fb, ok := asciiFallback(c)
	return ok && len(fb) > 1
}

func (r *docRenderer) blocks(bs []document.Block) error {
	for _, b := range bs {
		if err := r.block(b); err != nil {
			return err
		}
	}
	return nil
}

func (r *docRenderer) block(b document.Block) error {
	e := r.e
	switch b := b.(type) {
	case document.Style:
		return r.style(b)
	case document.Text:
		b.Text = r.spelled(b.Text)[0]
		lines, wide := b.Lines(r.cols)
		w, h := 1, 1
		if wide {
			w = 2
		}
		if b.Tall {
			h = 2
		}
		r.sized(w, h, func() { r.lines(lines) })
	case document.Pair:
		lr := r.spelled(b.Left, b.Right)
		b.Left, b.Right = lr[0], lr[1]
		h := 1
		if b.Tall {
			h = 2
		}
		r.sized(1, h, func() { r.pair(b) })
	case document.Row:
		e.Line(document.Row{Cells: r.spelled(b.Cells...)}.Line(r.cols))
	case document.Rule:
		e.Line(document.RuleLine(r.cols))
	case document.Feed:
		for range max(b.Lines, 1) {
			e.LineFeed()
		}
	case document.QR:
		size := b.Module
		if size <= 0 {
			size = 6
			if e.Profile().WidthDots < 500 {
				size = 4
			}
		}
		return e.QR(b.Data, size, QRLevelM)
	case document.Barcode:
		return r.barcode(b)
	case document.Cut:
		mode := CutPartial
		if b.Full {
			mode = CutFull
		}
		e.Cut(mode, 3)
	case document.Drawer:
		if len(e.Profile().Drawer.Pins) > 0 {
			return e.KickDrawer()
		}
	default:
		return fmt.Errorf("unknown block %T", b)
	}
	return nil
}

// style switches alignment, then bold, on before the blocks and back after them, bold first.
func (r *docRenderer) style(s document.Style) error {
	prevAlign, prevBold := r.align, r.bold
	if s.Align != document.AlignKeep {
		r.align = map[document.Align]Alignment{document.AlignLeft: AlignLeft, document.AlignCenter: AlignCenter, document.AlignRight: AlignRight}[s.Align]
		r.e.Align(r.align)
	}
	if s.Bold {
		r.bold = true
		r.e.Bold(true)
	}
	err := r.blocks(s.Blocks)
	if s.Bold {
		r.bold = prevBold
		r.e.Bold(prevBold)
	}
	if s.Align != document.AlignKeep {
		r.align = prevAlign
		r.e.Align(prevAlign)
	}
	return err
}

// sized runs f at character size w×h (GS !), back to 1×1 after; at 1×1 it sends nothing.
func (r *docRenderer) sized(w, h int, f func()) {
	if w == 1 && h == 1 {
		f()
		return
	}
	r.e.Size(w, h)
	f()
	r.e.Size(1, 1)
}

func (r *docRenderer) lines(ls []string) {
	for _, l := range ls {
		r.e.Line(l)
	}
}

// pair prints a Pair; a Right too long for a line of Font A goes in Font B when the pair allows
// it and Font B holds it.
func (r *docRenderer) pair(p document.Pair) {
	fb := r.e.Profile().Columns(1)
	n := len([]rune(strings.Map(cleanRune, p.Right)))
	if p.SmallOverflow && p.Overflows(r.cols) && fb >= n {
		r.lines(document.Wrap(p.Left, r.cols))
		r.e.Font(1)
		r.e.Line(strings.Repeat(" ", fb-n) + strings.Map(cleanRune, p.Right))
		r.e.Font(0)
		return
	}
	r.lines(p.Lines(r.cols))
}

func cleanRune(c rune) rune {
	if c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 {
		return ' '
	}
	return c
}

// barcode prints a Barcode with GS k, or its text on a model without barcodes.
func (r *docRenderer) barcode(b document.Barcode) error {
	if !r.e.Profile().Barcodes {
		r.lines(document.Wrap(b.Data, r.cols))
		return nil
	}
	switch b.Symbology {
	case document.EAN13:
		return r.e.EAN13(b.Data, BarcodeOptions{})
	case document.Code128:
		return r.e.Code128(b.Data, BarcodeOptions{})
	}
	return fmt.Errorf("barcode: unknown symbology %q (want %s or %s)", b.Symbology, document.EAN13, document.Code128)
}
