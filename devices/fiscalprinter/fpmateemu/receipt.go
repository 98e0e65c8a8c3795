package fpmateemu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

var refRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(REFUND|VOID) ([0-9]{4}) ([0-9]{4}) ([0-9]{8}) ([0-9A-Z]{11})$`)
})

// receiptError is a refusal while reading a receipt.
type receiptError struct{ code, status, why string }

func (r receiptError) answer() string { return refuse(r.code, r.status) }

func seqErr(why string) *receiptError {
	return &receiptError{code: "PRINTER ERROR", status: "11", why: why}
}
func valErr(why string) *receiptError {
	return &receiptError{code: "PRINTER ERROR", status: "13", why: why}
}

// parseDec reads "1.20", "1,2", "2" or "0.350" as an integer scaled by 10^places.
func parseDec(s string, places int) (int64, bool) {
	if s == "" || len(s) > 15 {
		return 0, false
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(frac) > places {
		return 0, false
	}
	var n int64
	for _, c := range whole + frac + strings.Repeat("0", places-len(frac)) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Receipt is what the emulator understood of a printerFiscalReceipt; TotalOf exposes it to
// tests (the recomputed total of a rendered document).
type Receipt struct {
	Kind                  string // sale, refund, void
	RefZ, RefDoc          int
	RefDate, RefSerial    string
	Items                 int
	TotalMinor, PaidMinor int64
	Lottery               string
}

// TotalOf parses a request body and recomputes the receipt's total from its items and
// adjustments the way the emulator does (quantity × unit price rounded half up to the cent).
func TotalOf(body []byte) (Receipt, error) {
	cmd, err := parseRequest(body)
	if err != nil {
		return Receipt{}, err
	}
	if cmd.name != "printerFiscalReceipt" {
		return Receipt{}, fmt.Errorf("root %q is not printerFiscalReceipt", cmd.name)
	}
	rc, rerr := readReceipt(cmd)
	if rerr != nil {
		return rc, fmt.Errorf("%s status %s: %s", rerr.code, rerr.status, rerr.why)
	}
	return rc, nil
}

func readReceipt(cmd *elem) (Receipt, *receiptError) {
	rc := Receipt{Kind: "sale"}
	phase := 0 // 0 before begin, 1 body, 2 payments, 3 after end
	lastItem := false
	for _, k := range cmd.kids {
		switch phase {
		case 0:
			switch k.name {
			case "printRecMessage":
				switch k.attr("messageType") {
				case "1":
				case "4":
					m := refRE().FindStringSubmatch(k.attr("message"))
					if m == nil || rc.Kind != "sale" {
						return rc, &receiptError{code: "PRINTER ERROR", status: "41", why: "bad reference message " + strconv.Quote(k.attr("message"))}
					}
					rc.Kind = strings.ToLower(m[1])
					rc.RefZ, _ = strconv.Atoi(m[2])
					rc.RefDoc, _ = strconv.Atoi(m[3])
					rc.RefDate, rc.RefSerial = m[4], m[5]
				default:
					return rc, seqErr("message type " + k.attr("messageType") + " before beginFiscalReceipt")
				}
			case "displayText":
			case "beginFiscalReceipt":
				phase = 1
			default:
				return rc, seqErr(k.name + " before beginFiscalReceipt")
			}
		case 1, 2:
			if phase == 2 && k.name != "printRecTotal" && k.name != "printRecMessage" && k.name != "endFiscalReceipt" {
				return rc, seqErr(k.name + " after printRecTotal")
			}
			switch k.name {
			case "printRecItem", "printRecRefund", "printRecVoid":
				if (k.name == "printRecItem") != (rc.Kind == "sale") || (k.name == "printRecVoid" && rc.Kind != "void") {
					return rc, seqErr(k.name + " in a " + rc.Kind)
				}
				q, ok1 := parseDec(k.attr("quantity"), 3)
				p, ok2 := parseDec(k.attr("unitPrice"), 2)
				if !ok1 || !ok2 || q <= 0 {
					return rc, valErr(fmt.Sprintf("%s quantity %q unitPrice %q", k.name, k.attr("quantity"), k.attr("unitPrice")))
				}
				if dep, err := strconv.Atoi(k.attr("department")); err != nil || dep < 1 || dep > 99 {
					return rc, valErr("department " + strconv.Quote(k.attr("department")))
				}
				if len(k.attr("description")) > 38 {
					return rc, valErr("description over 38 bytes")
				}
				rc.TotalMinor += (q*p + 500) / 1000
				rc.Items++
				lastItem = true
				continue
			case "printRecItemAdjustment":
				a, good := parseDec(k.attr("amount"), 2)
				if !lastItem || !good {
					return rc, valErr("item adjustment without an item or amount")
				}
				switch k.attr("adjustmentType") {
				case "0", "1", "2", "3":
					rc.TotalMinor -= a
				case "5", "6", "7", "8":
					rc.TotalMinor += a
				default:
					return rc, valErr("item adjustmentType " + k.attr("adjustmentType"))
				}
				continue
			case "printRecSubtotalAdjustment":
				a, good := parseDec(k.attr("amount"), 2)
				if !good {
					return rc, valErr("subtotal adjustment amount")
				}
				switch k.attr("adjustmentType") {
				case "1", "2":
					rc.TotalMinor -= a
				case "6", "7":
					rc.TotalMinor += a
				default:
					return rc, valErr("subtotal adjustmentType " + k.attr("adjustmentType"))
				}
			case "printRecSubtotal", "printRecMessage", "displayText":
			case "directIO":
				if k.attr("command") != "1135" || rc.Kind != "sale" {
					return rc, seqErr("directIO " + k.attr("command") + " in a receipt")
				}
				d := k.attr("data")
				code := strings.TrimRight(safeSlice(d, 2, 18), " ")
				tail := safeSlice(d, 18, len(d))
				if len(d) != 22 || !alnum8(code) || (tail != "0000" && tail != "    ") {
					return rc, &receiptError{code: "PRINTER ERROR", status: "30", why: "lottery data " + strconv.Quote(d)}
				}
				rc.Lottery = code
			case "printRecTotal":
				a, good := parseDec(k.attr("payment"), 2)
				t, err := strconv.Atoi(k.attr("paymentType"))
				if !good || err != nil || t < 0 || t > 6 {
					return rc, valErr("payment " + strconv.Quote(k.attr("payment")) + " type " + strconv.Quote(k.attr("paymentType")))
				}
				rc.PaidMinor += a
				phase = 2
			case "endFiscalReceipt":
				if phase != 2 {
					return rc, seqErr("endFiscalReceipt before any printRecTotal")
				}
				phase = 3
			default:
				return rc, seqErr(k.name + " in a receipt")
			}
			lastItem = false
		case 3:
			return rc, seqErr(k.name + " after endFiscalReceipt")
		}
	}
	if phase == 0 {
		return rc, seqErr("no beginFiscalReceipt")
	}
	if phase != 3 {
		return rc, &receiptError{code: "INCOMPLETE FILE", why: "no endFiscalReceipt"}
	}
	if rc.Items == 0 && rc.Kind != "void" {
		return rc, valErr("no items")
	}
	return rc, nil
}

func safeSlice(s string, i, j int) string {
	if i > len(s) {
		return ""
	}
	if j > len(s) {
		j = len(s)
	}
	return s[i:j]
}

func alnum8(s string) bool {
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

// receipt registers a printerFiscalReceipt. Called with e.mu held.
func (e *Emulator) receipt(cmd *elem, forceLow bool) string {
	switch {
	case e.docOpen:
		return refuse("PRINTER ERROR", "11")
	case e.paperEnd || e.cover:
		return refuse("EPTR_REC_EMPTY", "3")
	case e.journal == '5':
		return refuse("PRINTER ERROR", "")
	}
	now := e.now()
	if now.Before(e.lastZAt) {
		return refuse("PRINTER ERROR", "9")
	}
	rc, rerr := readReceipt(cmd)
	if rerr != nil {
		return rerr.answer()
	}
	var orig *Document
	if rc.Kind != "sale" {
		for i := range e.docs {
			if e.docs[i].ZNo == rc.RefZ && e.docs[i].DocNo == rc.RefDoc {
				orig = &e.docs[i]
			}
		}
		switch {
		case orig == nil || rc.RefSerial != e.serial || orig.At.Format("02012006") != rc.RefDate:
			return refuse("PRINTER ERROR", "42") // unknown reference
		case orig.Kind != "sale":
			return refuse("PRINTER ERROR", "41")
		case orig.Voided:
			return refuse("PRINTER ERROR", "39")
		case rc.Kind == "void" && orig.Refunded > 0:
			return refuse("PRINTER ERROR", "40")
		case rc.Kind == "refund" && orig.Refunded+rc.TotalMinor > orig.AmountMinor:
			return refuse("PRINTER ERROR", "40")
		case rc.Kind == "void" && rc.Items > 0 && rc.TotalMinor != orig.AmountMinor:
			return refuse("PRINTER ERROR", "13")
		}
		if rc.Kind == "void" && rc.Items == 0 {
			rc.TotalMinor = orig.AmountMinor
		}
	}
	if rc.TotalMinor <= 0 {
		return refuse("PRINTER ERROR", "13")
	}
	if rc.PaidMinor < rc.TotalMinor {
		return refuse("PRINTER ERROR", "13")
	}
	e.doc++
	d := Document{Kind: rc.Kind, ZNo: e.z, DocNo: e.doc, AmountMinor: rc.TotalMinor, At: now, Lottery: rc.Lottery,
		RefZNo: rc.RefZ, RefDocNo: rc.RefDoc}
	if orig != nil {
		if rc.Kind == "void" {
			orig.Voided = true
		} else {
			orig.Refunded += rc.TotalMinor
		}
	}
	e.docs = append(e.docs, d)
	status := "0"
	if e.paperLow || forceLow {
		status = "2"
	}
	return ok(status, "lastCommand", "74", "printerStatus", e.fpStatus(forceLow), "fiscalReceiptNumber", strconv.Itoa(d.DocNo),
		"fiscalReceiptAmount", cents(d.AmountMinor), "fiscalReceiptDate", now.Format("2/1/2006"),
		"fiscalReceiptTime", now.Format("15:04"), "zRepNumber", strconv.Itoa(d.ZNo))
}
