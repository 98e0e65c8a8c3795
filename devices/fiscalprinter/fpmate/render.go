package fpmate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/storeagent/storeagent/pos/document"
)

// Limits on what a rendered document may hold; beyond them rendering fails with an error naming
// the value (the RT would refuse it, or it is a bug upstream).
const (
	MaxDescription = 38          // bytes of a line, discount or payment description (RT line width)
	MaxMessage     = 46          // bytes of a header/footer line
	maxLines       = 500         // items per document
	maxMessages    = 20          // header or footer lines
	maxAmount      = 999_999_999 // cents: the 9 digits of the 1387 amount field
	maxQtyMilli    = 99_999_999  // 99 999.999 units
)

const envelopeOpen = `<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
<s:Body>
`
const envelopeClose = `</s:Body>
</s:Envelope>
`

// RenderReceipt renders a fiscal document (sale, refund or void) as the SOAP request body of a
// printerFiscalReceipt. It fails, naming the value, on a rate without a department, a payment
// method without a mapping, amounts that do not add up to f.TotalMinor, or a refund/void
// without its reference. The output is deterministic (golden files compare it byte for byte).
func RenderReceipt(f document.Fiscal, cfg Config) ([]byte, error) {
	op := f.Operator
	if op == "" {
		op = cfg.Operator
	}
	if op == "" {
		op = "1"
	}
	if n, err := strconv.Atoi(op); err != nil || n < 1 || n > 99 {
		return nil, fmt.Errorf("operator %q is not a number 1..99", op)
	}
	if len(f.Items) == 0 {
		return nil, fmt.Errorf("%s has no items", kindName(f.Kind))
	}
	if len(f.Items) > maxLines {
		return nil, fmt.Errorf("%d items: more than %d", len(f.Items), maxLines)
	}
	if len(f.Payments) == 0 {
		return nil, fmt.Errorf("%s has no payments", kindName(f.Kind))
	}
	if len(f.Header) > maxMessages || len(f.Footer) > maxMessages {
		return nil, fmt.Errorf("more than %d header or footer lines", maxMessages)
	}
	var w writer
	w.op = op
	w.WriteString(envelopeOpen)
	w.WriteString("<printerFiscalReceipt>\n")
	var err error
	switch f.Kind {
	case "sale", "":
		err = w.sale(f, cfg)
	case "refund", "void":
		err = w.refund(f, cfg)
	default:
		err = fmt.Errorf("unknown document kind %q", f.Kind)
	}
	if err != nil {
		return nil, err
	}
	w.WriteString("</printerFiscalReceipt>\n")
	w.WriteString(envelopeClose)
	return w.Bytes(), nil
}

func kindName(k string) string {
	if k == "" {
		return "sale"
	}
	return k
}

type writer struct {
	bytes.Buffer
	op string
}

// el writes one empty element with attributes given as name, value pairs (values escaped).
func (w *writer) el(name string, attrs ...string) {
	w.WriteString(" <")
	w.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.WriteString(" ")
		w.WriteString(attrs[i])
		w.WriteString(`="`)
		w.WriteString(escapeAttr(attrs[i+1]))
		w.WriteString(`"`)
	}
	w.WriteString(" />\n")
}

func (w *writer) messages(lines []string, messageType string) {
	for i, m := range lines {
		w.el("printRecMessage", "operator", w.op, "messageType", messageType, "message", cut(m, MaxMessage),
			"font", "1", "index", strconv.Itoa(i+1))
	}
}

// line is one printed item line: what the RT multiplies.
type line struct {
	desc     string
	qty      string
	price    string
	dept     string
	amount   int64 // what qty × price makes
	discount []document.FiscalDiscount
}

// itemLine maps an item to the RT's quantity × unit price. When QtyMilli × UnitPriceMinor
// is exactly AmountMinor (whole pieces, or a weight whose price multiplies out to the cent) the
// line is sent as it is; otherwise (a weight whose amount was rounded) it is sent as quantity 1
// at AmountMinor, so the RT's own multiplication gives exactly the sale's amount.
func itemLine(it document.FiscalItem, cfg Config, n int) (line, error) {
	if it.QtyMilli <= 0 || it.QtyMilli > maxQtyMilli {
		return line{}, fmt.Errorf("item %d (%q): quantity %d thousandths is outside 1..%d", n, it.Description, it.QtyMilli, maxQtyMilli)
	}
	if it.UnitPriceMinor < 0 || it.UnitPriceMinor > maxAmount || it.AmountMinor <= 0 || it.AmountMinor > maxAmount {
		return line{}, fmt.Errorf("item %d (%q): unit price %d / amount %d cents outside 0..%d / 1..%d", n, it.Description, it.UnitPriceMinor, it.AmountMinor, maxAmount, maxAmount)
	}
	dept, ok := cfg.Departments[it.TaxRateBP]
	if !ok {
		return line{}, fmt.Errorf("item %d (%q): VAT rate %d bp has no RT department in fiscal.printer.departments", n, it.Description, it.TaxRateBP)
	}
	l := line{desc: cut(it.Description, MaxDescription), dept: strconv.Itoa(dept), amount: it.AmountMinor, discount: it.Discounts}
	if p := it.QtyMilli * it.UnitPriceMinor; p%1000 == 0 && p/1000 == it.AmountMinor {
		l.qty, l.price = qty(it.QtyMilli), money(it.UnitPriceMinor)
	} else {
		l.qty, l.price = qty(1000), money(it.AmountMinor)
	}
	var disc int64
	for _, d := range it.Discounts {
		if d.AmountMinor <= 0 || d.AmountMinor > maxAmount {
			return line{}, fmt.Errorf("item %d (%q): discount %d cents is outside 1..%d", n, it.Description, d.AmountMinor, maxAmount)
		}
		disc += d.AmountMinor
	}
	if disc >= it.AmountMinor {
		return line{}, fmt.Errorf("item %d (%q): discounts %d cents take the whole amount %d", n, it.Description, disc, it.AmountMinor)
	}
	return l, nil
}

func (w *writer) sale(f document.Fiscal, cfg Config) error {
	if f.Ref != nil {
		return fmt.Errorf("a sale carries no reference (got Z %d doc %d)", f.Ref.ZNo, f.Ref.DocNo)
	}
	lines, sum, err := itemLines(f, cfg)
	if err != nil {
		return err
	}
	for _, a := range f.Adjustments {
		if a.AmountMinor == 0 || a.AmountMinor < -maxAmount || a.AmountMinor > maxAmount {
			return fmt.Errorf("adjustment %q: %d cents is zero or too large", a.Description, a.AmountMinor)
		}
		sum += a.AmountMinor
	}
	if sum != f.TotalMinor {
		return fmt.Errorf("items and adjustments make %d cents, the document's total is %d", sum, f.TotalMinor)
	}
	if f.TotalMinor <= 0 {
		return fmt.Errorf("total %d cents is not positive", f.TotalMinor)
	}
	payments, err := paymentLines(f, cfg)
	if err != nil {
		return err
	}
	w.messages(f.Header, "1")
	w.el("beginFiscalReceipt", "operator", w.op)
	for _, l := range lines {
		w.el("printRecItem", "operator", w.op, "description", l.desc, "quantity", l.qty, "unitPrice", l.price,
			"department", l.dept, "justification", "1")
		for _, d := range l.discount {
			w.el("printRecItemAdjustment", "operator", w.op, "adjustmentType", "0", "description", cut(d.Description, MaxDescription),
				"amount", money(d.AmountMinor), "department", l.dept, "justification", "2")
		}
	}
	for _, a := range f.Adjustments {
		typ, amt := "1", -a.AmountMinor // 1: discount on the subtotal, subtotal printed
		if a.AmountMinor > 0 {
			typ, amt = "6", a.AmountMinor // 6: surcharge on the subtotal, subtotal printed
		}
		w.el("printRecSubtotalAdjustment", "operator", w.op, "adjustmentType", typ, "description", cut(a.Description, MaxDescription),
			"amount", money(amt), "justification", "2")
	}
	if len(f.Adjustments) > 0 {
		w.el("printRecSubtotal", "operator", w.op, "option", "1")
	}
	w.messages(f.Footer, "3")
	if f.LotteryCode != "" {
		if !validLottery(f.LotteryCode) {
			return fmt.Errorf("lottery code %q is not 8 letters or digits", f.LotteryCode)
		}
		// 1135: operator (2) + code padded to 16 + "0000" (OCA fiscal_epos_print).
		opn, _ := strconv.Atoi(w.op)
		w.el("directIO", "command", "1135", "data", fmt.Sprintf("%02d%-16s0000", opn, f.LotteryCode))
	}
	w.payments(payments)
	w.el("endFiscalReceipt", "operator", w.op)
	return nil
}

// refund renders a reso or an annullo: the reference message before beginFiscalReceipt, one
// printRecRefund per line at its net amount (the line's discounts taken off, the subtotal
// adjustments folded into the last line: the RT takes no adjustments on a refund in the public
// code we read), then the payments.
func (w *writer) refund(f document.Fiscal, cfg Config) error {
	if f.Ref == nil {
		return fmt.Errorf("%s without the reference of the original document", f.Kind)
	}
	r := f.Ref
	if r.ZNo < 1 || r.ZNo > 9999 || r.DocNo < 1 || r.DocNo > 9999 || r.Date.IsZero() || !validSerial(r.Serial) {
		return fmt.Errorf("%s reference Z %d doc %d date %v serial %q is not a valid RT document", f.Kind, r.ZNo, r.DocNo, r.Date, r.Serial)
	}
	if f.LotteryCode != "" {
		return fmt.Errorf("a %s carries no lottery code", f.Kind)
	}
	lines, sum, err := itemLines(f, cfg)
	if err != nil {
		return err
	}
	nets := make([]int64, len(lines))
	for i, l := range lines {
		nets[i] = l.amount
		for _, d := range l.discount {
			nets[i] -= d.AmountMinor
		}
	}
	var adj int64
	for _, a := range f.Adjustments {
		adj += a.AmountMinor
	}
	sum += adj
	if sum != f.TotalMinor {
		return fmt.Errorf("items and adjustments make %d cents, the document's total is %d", sum, f.TotalMinor)
	}
	if f.TotalMinor <= 0 {
		return fmt.Errorf("total %d cents is not positive", f.TotalMinor)
	}
	last := len(lines) - 1
	nets[last] += adj
	if nets[last] <= 0 {
		return fmt.Errorf("adjustments of %d cents take the whole last line", adj)
	}
	payments, err := paymentLines(f, cfg)
	if err != nil {
		return err
	}
	prefix := "REFUND"
	if f.Kind == "void" {
		prefix = "VOID"
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	// The date as the printer's clock wrote it, whatever zone the caller kept it in.
	ref := fmt.Sprintf("%s %04d %04d %s %s", prefix, r.ZNo, r.DocNo, r.Date.In(loc).Format("02012006"), r.Serial)
	w.el("printRecMessage", "operator", w.op, "messageType", "4", "message", ref, "font", "1", "index", "1")
	if f.Kind == "refund" {
		w.messages(f.Header, "1")
	}
	w.el("beginFiscalReceipt", "operator", w.op)
	for i, l := range lines {
		q, p := l.qty, l.price
		if nets[i] != l.amount {
			q, p = qty(1000), money(nets[i])
		}
		w.el("printRecRefund", "operator", w.op, "description", l.desc, "quantity", q, "unitPrice", p,
			"department", l.dept, "justification", "1")
	}
	w.messages(f.Footer, "3")
	w.payments(payments)
	w.el("endFiscalReceipt", "operator", w.op)
	return nil
}

func itemLines(f document.Fiscal, cfg Config) ([]line, int64, error) {
	lines := make([]line, 0, len(f.Items))
	var sum int64
	for i, it := range f.Items {
		l, err := itemLine(it, cfg, i+1)
		if err != nil {
			return nil, 0, err
		}
		sum += l.amount
		for _, d := range l.discount {
			sum -= d.AmountMinor
		}
		lines = append(lines, l)
	}
	return lines, sum, nil
}

type payment struct {
	desc       string
	amount     int64
	typ, index int
}

func paymentLines(f document.Fiscal, cfg Config) ([]payment, error) {
	var paid int64
	out := make([]payment, 0, len(f.Payments))
	for _, p := range f.Payments {
		m, ok := cfg.Payments[p.Method]
		if !ok {
			return nil, fmt.Errorf("payment method %q has no RT payment type in fiscal.printer.payments", p.Method)
		}
		if p.AmountMinor <= 0 || p.AmountMinor > maxAmount {
			return nil, fmt.Errorf("payment %q: %d cents is outside 1..%d", p.Method, p.AmountMinor, maxAmount)
		}
		d := p.Description
		if d == "" {
			d = p.Method
		}
		paid += p.AmountMinor
		out = append(out, payment{desc: cut(d, MaxDescription), amount: p.AmountMinor, typ: m[0], index: m[1]})
	}
	if paid < f.TotalMinor {
		return nil, fmt.Errorf("payments make %d cents, less than the total %d", paid, f.TotalMinor)
	}
	return out, nil
}

func (w *writer) payments(ps []payment) {
	for _, p := range ps {
		w.el("printRecTotal", "operator", w.op, "description", p.desc, "payment", money(p.amount),
			"paymentType", strconv.Itoa(p.typ), "index", strconv.Itoa(p.index), "justification", "2")
	}
}

// money formats cents with a decimal point: 120 → "1.20".
func money(c int64) string {
	neg := ""
	if c < 0 {
		neg, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", neg, c/100, c%100)
}

// qty formats thousandths with a decimal point: 350 → "0.350", 2000 → "2.000".
func qty(m int64) string { return fmt.Sprintf("%d.%03d", m/1000, m%1000) }

// cut trims s to at most n bytes on a rune boundary, after dropping control characters (which
// XML 1.0 cannot carry) and invalid UTF-8.
func cut(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffe || r == 0xffff {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > n {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func escapeAttr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func validLottery(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// validSerial reports whether s looks like an RT serial: 11 letters or digits (e.g. 99MEY012345).
func validSerial(s string) bool {
	if len(s) != 11 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// renderCommand wraps one root element with its children (already escaped XML) in the envelope.
func renderCommand(root, body string) []byte {
	return []byte(envelopeOpen + "<" + root + ">\n" + body + "</" + root + ">\n" + envelopeClose)
}
