package pos

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Label geometry at 8 px/mm (203 dpi, the common thermal label printer resolution). A label is
// 70 × 37 mm; an A4 sheet (210 × 297 mm) holds 3 × 8 of them, the layout of standard 24-up
// label stock such as Avery 3474 (70 × 37 mm, https://www.avery.co.uk/product/multipurpose-labels-3474).
const (
	labelPxPerMM = 8
	LabelWidth   = 70 * labelPxPerMM // px
	LabelHeight  = 37 * labelPxPerMM // px
	SheetWidth   = 210 * labelPxPerMM
	SheetHeight  = 297 * labelPxPerMM
	sheetCols    = 3
	sheetRows    = 8
	// LabelsPerSheet is how many labels an A4 sheet holds.
	LabelsPerSheet = sheetCols * sheetRows
)

// Labeler draws shelf labels: name, price, unit price and a QR code of the item's aisle page.
type Labeler struct {
	loc       *pageLocale
	aisleBase string
	name      font.Face
	price     font.Face
	small     font.Face
	tiny      font.Face
}

// NewLabeler returns a labeler for opts (Locale, Currency and AisleBase are used).
func NewLabeler(opts PageOptions) (*Labeler, error) {
	locs, err := newPageLocales(opts.Locale, opts.Currency)
	if err != nil {
		return nil, err
	}
	reg, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	face := func(f *opentype.Font, size float64) (font.Face, error) {
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	}
	l := &Labeler{loc: locs.store, aisleBase: strings.TrimRight(opts.AisleBase, "/")}
	if l.name, err = face(bold, 24); err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	if l.price, err = face(bold, 56); err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	if l.small, err = face(reg, 20); err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	if l.tiny, err = face(reg, 15); err != nil {
		return nil, fmt.Errorf("label font: %w", err)
	}
	return l, nil
}

// AisleURL is what the label's QR code holds: <aisle_base>/p/<gtin> (the SKU when there is no GTIN).
func (l *Labeler) AisleURL(p Product) string { return l.aisleBase + aisleHref(p) }

// Label draws one label.
func (l *Labeler) Label(p Product) (*image.Gray, error) {
	img := image.NewGray(image.Rect(0, 0, LabelWidth, LabelHeight))
	if err := l.drawLabel(img, image.Point{}, p); err != nil {
		return nil, err
	}
	return img, nil
}

// Sheets draws the products' labels on as many A4 sheets as they need, 24 to a sheet.
func (l *Labeler) Sheets(ps []Product) ([]*image.Gray, error) {
	var sheets []*image.Gray
	for i, p := range ps {
		if i%LabelsPerSheet == 0 {
			s := image.NewGray(image.Rect(0, 0, SheetWidth, SheetHeight))
			draw.Draw(s, s.Bounds(), image.White, image.Point{}, draw.Src)
			sheets = append(sheets, s)
		}
		k := i % LabelsPerSheet
		// Sheets have a 0.5 mm top/bottom margin: (297 - 8×37) / 2.
		at := image.Pt((k%sheetCols)*LabelWidth, labelPxPerMM/2+(k/sheetCols)*LabelHeight)
		if err := l.drawLabel(sheets[len(sheets)-1], at, p); err != nil {
			return nil, err
		}
	}
	return sheets, nil
}

// drawLabel draws p's label with its top-left corner at at.
func (l *Labeler) drawLabel(dst *image.Gray, at image.Point, p Product) error {
	r := image.Rect(0, 0, LabelWidth, LabelHeight).Add(at)
	draw.Draw(dst, r, image.White, image.Point{}, draw.Src)
	// A thin cut guide.
	grey := image.NewUniform(color.Gray{Y: 0xb0})
	draw.Draw(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), grey, image.Point{}, draw.Src)
	draw.Draw(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), grey, image.Point{}, draw.Src)

	qrSize := LabelHeight - 2*labelPxPerMM*2 // 33 mm with 2 mm margins
	m, err := qrcode.NewQRCodeWriter().Encode(l.AisleURL(p), gozxing.BarcodeFormat_QR_CODE, qrSize, qrSize,
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 1})
	if err != nil {
		return fmt.Errorf("label QR for %s: %w", p.SKU, err)
	}
	qx := r.Max.X - m.GetWidth() - 2*labelPxPerMM
	qy := r.Min.Y + (LabelHeight-m.GetHeight())/2
	for y := 0; y < m.GetHeight(); y++ {
		for x := 0; x < m.GetWidth(); x++ {
			if m.Get(x, y) {
				dst.SetGray(qx+x, qy+y, color.Gray{})
			}
		}
	}
	textW := qx - r.Min.X - 3*labelPxPerMM
	left := r.Min.X + 2*labelPxPerMM
	y := r.Min.Y + 3*labelPxPerMM + 18
	for _, line := range wrap(l.name, p.Name, textW, 3) {
		drawText(dst, l.name, left, y, line)
		y += 28
	}
	for _, t := range l.priceTexts(p, textW) {
		drawText(dst, t.face, left+t.dx, r.Max.Y-t.fromBottom, t.text)
	}
	return nil
}

func drawText(dst draw.Image, f font.Face, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.Black, Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// wrap breaks s into at most n lines of width w px, the last one cut with an ellipsis.
func wrap(f font.Face, s string, w, n int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if len(lines) > n {
			break // the rest is cut anyway
		}
		next := strings.TrimSpace(cur + " " + word)
		if cur != "" && font.MeasureString(f, next).Ceil() > w {
			lines = append(lines, cur)
			cur = word
			continue
		}
		cur = next
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] += " …"
	}
	for i := range lines {
		lines[i] = fit(f, lines[i], w)
	}
	return lines
}

// fit cuts s with an ellipsis until it is at most w px wide. The cut is found by binary search
// over the rune count (width grows with it), so a long name costs O(n log n), not O(n²).
func fit(f font.Face, s string, w int) string {
	if font.MeasureString(f, s).Ceil() <= w {
		return s
	}
	r := []rune(s)
	// The longest prefix r[:k] with r[:k]+"…" at most w wide; k = 0 when none fits.
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if font.MeasureString(f, string(r[:mid])+"…").Ceil() <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}
