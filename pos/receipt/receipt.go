package receipt

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/storeagent/storeagent/devices/escpos"
)

// Receipt is everything a printed receipt shows. Money is in minor units, tax rates in basis
// points (2200 = 22 %), as in the sale the agent stores.
type Receipt struct {
	StoreName    string
	StoreAddress string
	StoreVATID   string
	// ReceiptNo is the sale's receipt number as the store shows it.
	ReceiptNo string
	Terminal  string
	Cashier   string
	SaleID    string
	// CompletedAt is printed in Timezone (the store's; UTC when nil).
	CompletedAt time.Time
	Timezone    *time.Location
	// Locale is a BCP 47 tag (it-IT, fr-FR, fi-FI, en-GB …); Currency an ISO 4217 code.
	Locale   string
	Currency string
	Lines    []Line
	Taxes    []Tax
	// TotalMinor is the sum of the lines; RoundingMinor the cash rounding added to it (e.g. -2),
	// so the customer pays TotalMinor + RoundingMinor.
	TotalMinor    int64
	RoundingMinor int64
	Payments      []Payment
	ChangeMinor   int64
	// Copy marks a reprint.
	Copy bool
	// FooterURL is printed as a QR code at the foot (links.receipt); "{sale_id}" in it is
	// replaced by SaleID. Empty prints no code.
	FooterURL string
	// OpenDrawer adds a cash-drawer kick (only for the first print of a cash sale).
	OpenDrawer bool
	// Fiscal holds the French legal mentions (nil: the receipt is non-fiscal).
	Fiscal *Fiscal
}

// Fiscal is what a French receipt must show besides the sale (CGI art. 286-I-3° bis).
type Fiscal struct {
	// TicketNo is the sale's seq in the ticket (or training) chain.
	TicketNo int64
	SIRET    string
	// Signature is the record's signature; the receipt prints its first 4 and last 4 characters.
	Signature string
	// Training prints "MODE ÉCOLE — FACTICE".
	Training bool
	// Duplicate is N of "DUPLICATA n° N" (0: the original).
	Duplicate int64
}

// Line is one sold item. WeightG is set for weighed items, whose UnitPriceMinor is per kg.
type Line struct {
	Name           string
	Qty            int64
	WeightG        *int64
	UnitPriceMinor int64
	AmountMinor    int64
	TaxRateBP      int64
	// Discounts are the promotions on the line; AmountMinor is what is paid after them.
	Discounts []Discount
}

// Discount is what one promotion took off a line, printed under it.
type Discount struct {
	Name        string
	AmountMinor int64
}

// Tax is the VAT of one rate: the gross (tax-inclusive) sum of its lines and the tax in it.
type Tax struct {
	TaxRateBP  int64
	GrossMinor int64
	TaxMinor   int64
}

// Payment is one tender: method cash, card, voucher, prepaid or other.
type Payment struct {
	Method      string
	AmountMinor int64
	// CardMasked, Scheme and AuthCode are the payment terminal's slip data of a card payment
	// (empty for a typed card amount): printed under the payment.
	CardMasked, Scheme, AuthCode string
}

// minColumns is the narrowest line Build lays out (58 mm paper in Font A has 32).
const minColumns = 24

// Build lays r out for profile p (Font A, the profile's columns) and returns the ESC/POS bytes:
// init, the receipt, a partial cut, and a drawer kick right after init when r.OpenDrawer.
func Build(r Receipt, p escpos.Profile) ([]byte, error) {
	cols := p.Columns(0)
	if cols < minColumns {
		return nil, fmt.Errorf("build receipt %s: profile %s has %d columns, need at least %d", r.SaleID, p.ID, cols, minColumns)
	}
	loc, err := newLocale(r.Locale, r.Currency)
	if err != nil {
		return nil, fmt.Errorf("build receipt %s: %w", r.SaleID, err)
	}
	w := &writer{e: escpos.NewEncoder(p), cols: cols, l: loc}
	if err := w.receipt(r); err != nil {
		return nil, fmt.Errorf("build receipt %s: %w", r.SaleID, err)
	}
	return w.e.Bytes(), nil
}

// writer lays text out in columns on an Encoder.
type writer struct {
	e    *escpos.Encoder
	cols int
	l    *locale
}

func (w *writer) receipt(r Receipt) error {
	e, l := w.e, w.l
	e.Init()
	if r.OpenDrawer {
		if err := e.KickDrawer(); err != nil {
			return err
		}
	}
	e.Align(escpos.AlignCenter)
	if r.Copy {
		w.copyMark(r.Fiscal)
	}
	w.header(r.StoreName, r.StoreAddress, r.StoreVATID)
	if r.Fiscal != nil {
		w.wrapped("SIRET " + r.Fiscal.SIRET)
	}
	e.Align(escpos.AlignLeft)
	w.rule()
	w.pair(l.text("receipt_no")+" "+r.ReceiptNo, l.when(r.CompletedAt, r.Timezone))
	if r.Fiscal != nil {
		w.pair(fmt.Sprintf("Ticket n° %d", r.Fiscal.TicketNo), "Caisse "+r.Terminal)
	}
	w.rule()
	for _, ln := range r.Lines {
		w.item(ln)
	}
	w.rule()
	if saving := savingOf(r.Lines); saving > 0 {
		w.pair(l.text("saving"), l.money(saving))
	}
	e.Bold(true)
	e.Size(1, 2)
	w.pair(l.text("total"), l.money(r.TotalMinor))
	e.Size(1, 1)
	e.Bold(false)
	if r.RoundingMinor != 0 {
		w.pair(l.text("rounding"), l.money(r.RoundingMinor))
		e.Bold(true)
		w.pair(l.text("to_pay"), l.money(r.TotalMinor+r.RoundingMinor))
		e.Bold(false)
	}
	for _, p := range r.Payments {
		w.pair(l.text(paymentKey(p.Method)), l.money(p.AmountMinor))
		if p.CardMasked != "" || p.AuthCode != "" {
			w.wrapped(strings.TrimSpace("  " + p.Scheme + " " + p.CardMasked))
			if p.AuthCode != "" {
				w.wrapped("  AUT " + p.AuthCode)
			}
		}
	}
	if r.ChangeMinor != 0 {
		w.pair(l.text("change"), l.money(r.ChangeMinor))
	}
	if len(r.Taxes) > 0 {
		w.rule()
		w.taxes(r.Taxes)
		if r.Fiscal != nil {
			w.fiscalTotals(r.Taxes)
		}
	}
	w.rule()
	w.id(l.text("sale_id"), r.SaleID)
	w.pair(l.text("cashier"), r.Cashier)
	w.pair(l.text("terminal"), r.Terminal)
	e.LineFeed()
	e.Align(escpos.AlignCenter)
	e.Bold(true)
	switch {
	case r.Fiscal == nil:
		w.wrapped(l.text("non_fiscal"))
	case r.Fiscal.Training:
		w.wrapped("MODE ÉCOLE — FACTICE")
	}
	e.Bold(false)
	if r.Fiscal != nil {
		w.wrapped("Signature " + sigExcerpt(r.Fiscal.Signature))
	}
	if r.Copy {
		w.copyMark(r.Fiscal)
	}
	if r.FooterURL != "" {
		e.LineFeed()
		url := strings.ReplaceAll(r.FooterURL, "{sale_id}", r.SaleID)
		size := 6
		if e.Profile().WidthDots < 500 {
			size = 4
		}
		if err := e.QR(url, size, escpos.QRLevelM); err != nil {
			return err
		}
		e.LineFeed()
	}
	e.Align(escpos.AlignLeft)
	e.Cut(escpos.CutPartial, 3)
	return nil
}

// header prints the store's name (bold, double height), address and VAT id, centred.
func (w *writer) header(name, address, vatID string) {
	e := w.e
	e.Bold(true)
	e.Size(1, 2)
	w.wrapped(name)
	e.Size(1, 1)
	e.Bold(false)
	w.wrapped(address)
	if vatID != "" {
		w.wrapped(w.l.text("vat_id") + " " + vatID)
	}
}

func paymentKey(method string) string {
	switch method {
	case "cash", "card", "voucher", "prepaid":
		return method
	}
	return "other"
}

// copyMark prints the reprint mark: "DUPLICATA n° N" on a French receipt.
func (w *writer) copyMark(f *Fiscal) {
	w.e.Bold(true)
	if f != nil {
		w.e.Line(fmt.Sprintf("*** DUPLICATA n° %d ***", max(f.Duplicate, 1)))
	} else {
		w.e.Line("*** " + w.l.text("copy") + " ***")
	}
	w.e.Bold(false)
}

// fiscalTotals prints, per VAT rate, the total excluding tax (HT) and including it (TTC).
func (w *writer) fiscalTotals(taxes []Tax) {
	l := w.l
	amt := (w.cols - 8) / 2
	row := func(a, b, c string) {
		w.e.Line(fitted(padRight(a, w.cols-2*amt)+padLeft(b, amt)+padLeft(c, amt), w.cols))
	}
	row("TVA", "HT", "TTC")
	for _, t := range taxes {
		row(l.rate(t.TaxRateBP), l.money(t.GrossMinor-t.TaxMinor), l.money(t.GrossMinor))
	}
}

// sigExcerpt is a signature's first 4 and last 4 characters.
func sigExcerpt(s string) string {
	if len(s) <= 8 {
		return s
	}
	return s[:4] + "…" + s[len(s)-4:]
}

// rule prints a line of dashes across the paper.
func (w *writer) rule() { w.e.Line(strings.Repeat("-", w.cols)) }

// wrapped prints s word-wrapped to the columns; empty s prints nothing.
func (w *writer) wrapped(s string) {
	for _, ln := range wrap(s, w.cols) {
		w.e.Line(ln)
	}
}

// pair prints left and right on one line, right aligned to the edge; when they do not fit,
// left wraps and right goes on the last line, or on a line of its own.
func (w *writer) pair(left, right string) {
	rw := utf8.RuneCountInString(right)
	if rw >= w.cols {
		w.wrapped(left)
		w.wrapped(right)
		return
	}
	if longestWord(left) > w.cols-rw-1 {
		// Wrapping left beside right would split its words: right goes on its own line.
		w.wrapped(left)
		w.e.Line(padLeft(right, w.cols))
		return
	}
	lines := wrap(left, w.cols-rw-1)
	if len(lines) == 0 {
		lines = []string{""}
	}
	for _, ln := range lines[:len(lines)-1] {
		w.e.Line(ln)
	}
	last := lines[len(lines)-1]
	pad := w.cols - utf8.RuneCountInString(last) - rw
	w.e.Line(last + strings.Repeat(" ", pad) + right)
}

// id prints a label and an identifier (a UUID is 36 characters). If the identifier does not
// fit beside the label, it goes on the next line; if it does not fit a line of Font A (58 mm
// paper has 32 columns), it is printed in the smaller Font B when that fits.
func (w *writer) id(label, value string) {
	n := utf8.RuneCountInString(value)
	if n < w.cols {
		w.pair(label, value)
		return
	}
	w.wrapped(label)
	if fb := w.e.Profile().Columns(1); fb >= n {
		w.e.Font(1)
		w.e.Line(padLeft(value, fb))
		w.e.Font(0)
		return
	}
	w.wrapped(value)
}

// item prints a sale line: the name with the amount on the right, then "qty x unit price" or
// "weight x price per kg" when there is more than one unit or a weight.
// A discounted line shows its shelf amount, then each promotion as a negative amount, so the
// column adds up to the total.
func (w *writer) item(ln Line) {
	l := w.l
	var off int64
	for _, d := range ln.Discounts {
		off += d.AmountMinor
	}
	w.pair(ln.Name, l.money(ln.AmountMinor+off))
	switch {
	case ln.WeightG != nil:
		w.e.Line(fitted("  "+l.weight(*ln.WeightG)+" x "+l.money(ln.UnitPriceMinor)+"/kg", w.cols))
	case ln.Qty != 1:
		w.e.Line(fitted(fmt.Sprintf("  %d x %s", ln.Qty, l.money(ln.UnitPriceMinor)), w.cols))
	}
	for _, d := range ln.Discounts {
		w.pair("  "+d.Name, l.money(-d.AmountMinor))
	}
}

// savingOf is what the promotions took off the lines.
func savingOf(lines []Line) int64 {
	var s int64
	for _, ln := range lines {
		for _, d := range ln.Discounts {
			s += d.AmountMinor
		}
	}
	return s
}

// taxes prints the VAT breakdown: rate, gross and tax, the amounts in right-aligned columns.
func (w *writer) taxes(taxes []Tax) {
	l := w.l
	amt := (w.cols - 8) / 2
	row := func(a, b, c string) {
		w.e.Line(fitted(padRight(a, w.cols-2*amt)+padLeft(b, amt)+padLeft(c, amt), w.cols))
	}
	row(l.text("vat"), l.text("gross"), l.text("tax"))
	for _, t := range taxes {
		row(l.rate(t.TaxRateBP), l.money(t.GrossMinor), l.money(t.TaxMinor))
	}
}

// wrap breaks s into lines of at most width characters at spaces, splitting longer words.
func wrap(s string, width int) []string {
	width = max(width, 1)
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		for len(wr) > width {
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(wr[:width]))
			wr = wr[width:]
		}
		switch {
		case len(cur) == 0:
			cur = wr
		case len(cur)+1+len(wr) <= width:
			cur = append(append(cur, ' '), wr...)
		default:
			lines = append(lines, string(cur))
			cur = wr
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

func longestWord(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		n = max(n, utf8.RuneCountInString(f))
	}
	return n
}

func fitted(s string, width int) string {
	r := []rune(s)
	if len(r) > width {
		return string(r[:width])
	}
	return s
}

func padLeft(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

func padRight(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}
