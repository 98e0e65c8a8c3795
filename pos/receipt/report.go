package receipt

import (
	"fmt"
	"strings"
	"time"

	"github.com/storeagent/storeagent/pos/document"
)

// TillReport is a printed till report. Kind is "x" (an open session's reading), "z" (a closed
// session's closing report) or "day" (the business day across the store's terminals).
type TillReport struct {
	Kind                                string
	StoreName, StoreAddress, StoreVATID string
	Terminal                            string // empty for a day report
	SessionID                           string
	ZNo                                 int64     // the session's Z number (x and z)
	Implicit                            bool      // opened by a sale, without a counted float
	Date                                string    // the business day, YYYY-MM-DD (day reports)
	OpenedAt, ClosedAt, PrintedAt       time.Time // zero ClosedAt: still open
	OpenedBy, ClosedBy                  string
	Timezone                            *time.Location
	Locale, Currency                    string
	FloatMinor                          int64
	SalesCount                          int64
	SalesGrossMinor, SalesTaxMinor      int64
	RoundingMinor                       int64 // cash rounding of the period's sales
	RefundsCount                        int64
	RefundsGrossMinor                   int64
	Taxes                               []Tax // net of refunds, per rate
	Tenders                             []Tender
	CashCounted                         []Denomination  // the cash count by denomination (z), may be empty
	Sessions                            []ReportSession // day reports: each session of the day
	Reason                              string          // the reason given for a difference
	Copy                                bool
}

// Tender is one payment method's line of a till report.
type Tender struct {
	Method                                       string // cash, card, voucher, prepaid, other
	SalesMinor, RefundsMinor                     int64
	PayInMinor, PayOutMinor, DropsMinor          int64
	ExpectedMinor, CountedMinor, DifferenceMinor int64
	Counted                                      bool // false: not counted (x reports; uncounted non-cash)
}

// Denomination is a count of one note or coin value.
type Denomination struct{ ValueMinor, Count int64 }

// ReportSession is one session on a day report.
type ReportSession struct {
	Terminal        string
	ZNo             int64
	Status          string // open | closed
	DifferenceMinor int64  // cash difference (closed sessions)
}

// BuildReport lays a till report out as a report Document in the locale's language (English
// for languages without texts, like receipts): the report and a partial cut. It never kicks
// the drawer. Times print in
// r.Timezone (UTC when nil); money in the locale's format, differences signed ("-2,50 €" short,
// "+1,00 €" over).
func BuildReport(r TillReport) (document.Document, error) {
	title, ok := map[string]string{"x": "title_x", "z": "title_z", "day": "title_day"}[r.Kind]
	if !ok {
		return document.Document{}, fmt.Errorf("build till report %s: unknown kind %q (want x, z or day)", r.SessionID, r.Kind)
	}
	loc, err := newLocale(r.Locale, r.Currency)
	if err != nil {
		return document.Document{}, fmt.Errorf("build till report %s: %w", r.SessionID, err)
	}
	var day time.Time
	if r.Kind == "day" {
		if day, err = time.Parse(time.DateOnly, r.Date); err != nil {
			return document.Document{}, fmt.Errorf("build till report: business day %q: want YYYY-MM-DD", r.Date)
		}
	}
	w := &writer{l: loc}
	w.report(r, title, day)
	return document.Document{Kind: document.KindReport, Locale: r.Locale, Blocks: w.out}, nil
}

func (w *writer) report(r TillReport, title string, day time.Time) {
	l := w.l
	w.center(func() {
		if r.Copy {
			w.copyMark(nil)
		}
		w.header(r.StoreName, r.StoreAddress, r.StoreVATID)
		w.add(document.Feed{})
		w.title(l.text(title))
	})
	w.rule()

	// The period: session or business day, who and when.
	if r.Kind == "day" {
		w.pair(l.text("business_day"), day.Format(l.dateLayout()))
	} else {
		w.pair(l.text("z_no"), fmt.Sprint(r.ZNo))
	}
	if r.Terminal != "" {
		w.pair(l.text("terminal"), r.Terminal)
	}
	if r.SessionID != "" {
		w.id(l.text("session_id"), r.SessionID)
	}
	if !r.OpenedAt.IsZero() {
		w.pair(l.text("opened"), l.when(r.OpenedAt, r.Timezone))
	}
	if r.OpenedBy != "" {
		w.pair(l.text("opened_by"), r.OpenedBy)
	}
	if !r.ClosedAt.IsZero() {
		w.pair(l.text("closed"), l.when(r.ClosedAt, r.Timezone))
	}
	if r.ClosedBy != "" {
		w.pair(l.text("closed_by"), r.ClosedBy)
	}
	if r.Implicit {
		w.wrapped("* " + l.text("implicit"))
	}
	if r.Kind != "day" || r.FloatMinor != 0 {
		w.pair(l.text("float"), l.money(r.FloatMinor))
	}

	// Sales and refunds.
	w.rule()
	w.heading(l.text("sales"))
	w.pair(l.text("count"), fmt.Sprint(r.SalesCount))
	w.pair(l.text("gross_total"), l.money(r.SalesGrossMinor))
	w.pair(l.text("tax_total"), l.money(r.SalesTaxMinor))
	if r.RoundingMinor != 0 {
		w.pair(l.text("rounding"), l.money(r.RoundingMinor))
	}
	w.heading(l.text("refunds"))
	w.pair(l.text("count"), fmt.Sprint(r.RefundsCount))
	w.pair(l.text("gross_total"), l.money(r.RefundsGrossMinor))
	if len(r.Taxes) > 0 {
		w.rule()
		w.heading(l.text("taxes_net"))
		w.taxes(r.Taxes)
	}

	// Tenders: what each method should hold, what was counted and the difference.
	// Only a Z counts; a day report shows each method's net for the day (nothing is counted there).
	counted := r.Kind == "z"
	expected := "expected"
	if r.Kind == "day" {
		expected = "day_net"
	}
	for _, t := range r.Tenders {
		w.rule()
		w.heading(strings.ToUpper(l.text(paymentKey(t.Method))))
		if t.Method == "cash" && r.FloatMinor != 0 {
			w.pair(l.text("float"), l.money(r.FloatMinor))
		}
		for _, ln := range []struct {
			key   string
			minor int64
		}{
			{"t_sales", t.SalesMinor}, {"t_refunds", -t.RefundsMinor}, {"pay_in", t.PayInMinor},
			{"pay_out", -t.PayOutMinor}, {"drops", -t.DropsMinor},
		} {
			if ln.minor != 0 {
				w.pair(l.text(ln.key), l.money(ln.minor))
			}
		}
		w.bold(func() { w.pair(l.text(expected), l.money(t.ExpectedMinor)) })
		switch {
		case t.Counted:
			w.pair(l.text("counted"), l.money(t.CountedMinor))
			w.bold(func() { w.pair(l.text("difference"), l.signed(t.DifferenceMinor)) })
		case counted:
			w.pair(l.text("counted"), l.text("not_counted"))
		}
	}

	// The cash count by denomination.
	if len(r.CashCounted) > 0 {
		w.rule()
		w.heading(l.text("cash_count"))
		var sum int64
		for _, d := range r.CashCounted {
			w.pair(fmt.Sprintf("%s x %d", l.money(d.ValueMinor), d.Count), l.money(d.ValueMinor*d.Count))
			sum += d.ValueMinor * d.Count
		}
		w.bold(func() { w.pair(l.text("counted_total"), l.money(sum)) })
	}
	if r.Reason != "" {
		w.rule()
		w.wrapped(l.text("reason") + ": " + r.Reason)
	}

	// Day reports: each session of the day.
	if len(r.Sessions) > 0 {
		w.rule()
		w.heading(l.text("sessions"))
		for _, s := range r.Sessions {
			left := fmt.Sprintf("%s %s %d", s.Terminal, l.text("z_no"), s.ZNo)
			if s.Status == "closed" {
				w.pair(left+" "+l.text("closed_status"), l.signed(s.DifferenceMinor))
			} else {
				w.wrapped(left + " " + l.text("open"))
			}
		}
	}

	w.rule()
	if !r.PrintedAt.IsZero() {
		w.pair(l.text("printed"), l.when(r.PrintedAt, r.Timezone))
	}
	w.add(document.Feed{})
	w.center(func() {
		w.bold(func() { w.wrapped(l.text("report_non_fiscal")) })
		if r.Copy {
			w.copyMark(nil)
		}
	})
	w.add(document.Cut{})
}

// title prints a report's title big and bold: double width and height when it fits the line,
// double height otherwise.
func (w *writer) title(s string) {
	w.bold(func() { w.add(document.Text{Text: s, Wide: true, Tall: true}) })
}

// heading prints a section's heading in bold.
func (w *writer) heading(s string) { w.bold(func() { w.wrapped(s) }) }

// signed formats a difference: "-2,50 €" short, "+1,00 €" over, "0,00 €" even.
func (l *locale) signed(minor int64) string {
	if minor > 0 {
		return "+" + l.money(minor)
	}
	return l.money(minor)
}

// dateLayout is the date part of the locale's date and time layout ("02/01/2006").
func (l *locale) dateLayout() string {
	d, _, _ := strings.Cut(l.dateTime, " ")
	return d
}
