package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/storeagent/storeagent/pos/document"
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

// Build lays r out as a receipt Document, to be rendered by a printer's driver: a drawer kick
// first when r.OpenDrawer (a printer without a drawer port leaves it out), the receipt, and a
// partial cut. It fails on a locale or currency it cannot format.
func Build(r Receipt) (document.Document, error) {
	loc, err := newLocale(r.Locale, r.Currency)
	if err != nil {
		return document.Document{}, fmt.Errorf("build receipt %s: %w", r.SaleID, err)
	}
	w := &writer{l: loc}
	w.receipt(r)
	return document.Document{Kind: document.KindReceipt, Locale: r.Locale, Blocks: w.out}, nil
}

// writer collects a document's blocks.
type writer struct {
	out []document.Block
	l   *locale
}

func (w *writer) add(b ...document.Block) { w.out = append(w.out, b...) }

// style adds a Style holding the blocks f adds.
func (w *writer) style(s document.Style, f func()) {
	outer := w.out
	w.out = nil
	f()
	s.Blocks = w.out
	w.out = append(outer, s)
}

func (w *writer) bold(f func())   { w.style(document.Style{Bold: true}, f) }
func (w *writer) center(f func()) { w.style(document.Style{Align: document.AlignCenter}, f) }

func (w *writer) receipt(r Receipt) {
	l := w.l
	if r.OpenDrawer {
		w.add(document.Drawer{})
	}
	w.center(func() {
		if r.Copy {
			w.copyMark(r.Fiscal)
		}
		w.header(r.StoreName, r.StoreAddress, r.StoreVATID)
		if r.Fiscal != nil {
			w.wrapped("SIRET " + r.Fiscal.SIRET)
		}
	})
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
	w.bold(func() {
		w.add(document.Pair{Left: l.text("total"), Right: l.money(r.TotalMinor), Tall: true})
	})
	if r.RoundingMinor != 0 {
		w.pair(l.text("rounding"), l.money(r.RoundingMinor))
		w.bold(func() { w.pair(l.text("to_pay"), l.money(r.TotalMinor+r.RoundingMinor)) })
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
	w.add(document.Feed{})
	w.center(func() {
		w.bold(func() {
			switch {
			case r.Fiscal == nil:
				w.wrapped(l.text("non_fiscal"))
			case r.Fiscal.Training:
				w.wrapped("MODE ÉCOLE — FACTICE")
			}
		})
		if r.Fiscal != nil {
			w.wrapped("Signature " + sigExcerpt(r.Fiscal.Signature))
		}
		if r.Copy {
			w.copyMark(r.Fiscal)
		}
		if r.FooterURL != "" {
			w.add(document.Feed{}, document.QR{Data: strings.ReplaceAll(r.FooterURL, "{sale_id}", r.SaleID)}, document.Feed{})
		}
	})
	w.add(document.Cut{})
}

// header prints the store's name (bold, double height), address and VAT id, centred.
func (w *writer) header(name, address, vatID string) {
	w.bold(func() { w.add(document.Text{Text: name, Tall: true}) })
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
	w.bold(func() {
		if f != nil {
			w.wrapped(fmt.Sprintf("*** DUPLICATA n° %d ***", max(f.Duplicate, 1)))
		} else {
			w.wrapped("*** " + w.l.text("copy") + " ***")
		}
	})
}

// fiscalTotals prints, per VAT rate, the total excluding tax (HT) and including it (TTC).
func (w *writer) fiscalTotals(taxes []Tax) {
	l := w.l
	w.row("TVA", "HT", "TTC")
	for _, t := range taxes {
		w.row(l.rate(t.TaxRateBP), l.money(t.GrossMinor-t.TaxMinor), l.money(t.GrossMinor))
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
func (w *writer) rule() { w.add(document.Rule{}) }

// wrapped prints s word-wrapped to the columns; empty s prints nothing.
func (w *writer) wrapped(s string) { w.add(document.Text{Text: s}) }

// pair prints left and right on one line, right aligned to the edge (document.Pair).
func (w *writer) pair(left, right string) { w.add(document.Pair{Left: left, Right: right}) }

// row prints a table row: a label and right-aligned columns (document.Row).
func (w *writer) row(cells ...string) { w.add(document.Row{Cells: cells}) }

// id prints a label and an identifier (a UUID is 36 characters). If the identifier does not
// fit beside the label, it goes on the next line; if it does not fit a line at all (58 mm
// paper has 32 columns), a printer with a smaller font prints it in that font.
func (w *writer) id(label, value string) {
	w.add(document.Pair{Left: label, Right: value, SmallOverflow: true})
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
		w.add(document.Text{Text: "  " + l.weight(*ln.WeightG) + " x " + l.money(ln.UnitPriceMinor) + "/kg", NoWrap: true})
	case ln.Qty != 1:
		w.add(document.Text{Text: fmt.Sprintf("  %d x %s", ln.Qty, l.money(ln.UnitPriceMinor)), NoWrap: true})
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
	w.row(l.text("vat"), l.text("gross"), l.text("tax"))
	for _, t := range taxes {
		w.row(l.rate(t.TaxRateBP), l.money(t.GrossMinor), l.money(t.TaxMinor))
	}
}

// wrap breaks s into lines of at most width characters at spaces, splitting longer words.
func wrap(s string, width int) []string { return document.Wrap(s, width) }
