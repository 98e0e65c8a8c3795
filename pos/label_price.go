package pos

import (
	"fmt"
	"net/url"

	"golang.org/x/image/font"
)

// labelText is one run of text on a label's price area: its face, its offset from the text
// column's left edge and its baseline's distance from the label's bottom edge.
type labelText struct {
	face       font.Face
	text       string
	dx         int
	fromBottom int
}

// priceTexts lays out the price and the unit price within w px. The unit ("/kg") and the unit
// price are legally required (Directive 98/6/EC), so they are never cut: a price too wide for the
// large face puts its unit in the small face beside it, and a still wider one steps the whole price
// down to the name's face; a unit price too wide for the small face is drawn in the tiny one.
func (l *Labeler) priceTexts(p Product, w int) []labelText {
	price := p.PriceMinor
	if p.reduction != nil {
		price = p.reduction.PriceMinor // the unit price below is recomputed from it
	}
	amount := l.loc.money(price)
	unit := ""
	if p.Weighed() {
		unit = "/kg"
	}
	priceY, unitY := 6*labelPxPerMM, 2*labelPxPerMM
	var out []labelText
	switch aw := font.MeasureString(l.price, amount).Ceil(); {
	case font.MeasureString(l.price, amount+unit).Ceil() <= w:
		out = append(out, labelText{l.price, amount + unit, 0, priceY})
	case unit != "" && aw+font.MeasureString(l.small, unit).Ceil() <= w:
		out = append(out, labelText{l.price, amount, 0, priceY}, labelText{l.small, unit, aw, priceY})
	default:
		out = append(out, labelText{l.name, amount + unit, 0, priceY})
	}
	if up := l.loc.unitPrice(p, price); up != "" {
		face := l.small
		if font.MeasureString(l.small, up).Ceil() > w {
			face = l.tiny
		}
		out = append(out, labelText{face, up, 0, unitY})
	}
	if red := p.reduction; red != nil {
		// The lowest price of the 30 days before the reduction, above the price, on two tiny lines
		// at most (Directive 98/6/EC art. 6a).
		lowest := fmt.Sprintf(l.loc.text.Lowest30, l.loc.money(red.LowestMinor)+unit)
		lines := wrap(l.tiny, lowest, w, 2)
		for i, line := range lines {
			out = append(out, labelText{l.tiny, line, 0, 14*labelPxPerMM - i*5*labelPxPerMM/2})
		}
	}
	return out
}

// CheckAisleBase reports why the labels' QR codes could not be opened by a phone: without an
// absolute links.aisle_base they would hold a bare path such as /p/0800…, which no camera app
// can follow.
func (l *Labeler) CheckAisleBase() error {
	u, err := url.Parse(l.aisleBase)
	if l.aisleBase == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("links.aisle_base is %q: shelf-label QR codes need the absolute URL phones reach the store's aisle pages at (e.g. http://store.local:8080); set it in the config", l.aisleBase)
	}
	return nil
}
