package receipt

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/currency"

	"github.com/storeagent/storeagent/scanner"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// locale formats money, numbers, dates and the receipt's texts for one store locale.
type locale struct {
	tag      language.Tag
	lang     string // it, en, fr or fi: the message table used
	printer  *message.Printer
	unit     currency.Unit
	symbol   string
	scale    int
	decSep   string // decimal separator
	msgs     map[string]string
	dateTime string // time.Format layout
}

// newLocale returns the formatter for a BCP 47 locale ("it-IT") and an ISO 4217 currency ("EUR").
// Languages without a message table print English texts with the locale's number format.
func newLocale(loc, cur string) (*locale, error) {
	tag, err := language.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("locale %q: %w", loc, err)
	}
	iso, ok := scanner.LookupCurrency(cur)
	if !ok {
		return nil, fmt.Errorf("currency %q is not an ISO 4217 currency code", cur)
	}
	if iso.Exponent < 0 {
		return nil, fmt.Errorf("currency %q has no minor unit (not money a store takes)", cur)
	}
	// x/text gives the locale's symbol; it lacks a few current codes (VES, UYW, ZWG), whose
	// symbol is then the code itself.
	unit, unitErr := currency.ParseISO(cur)
	base, _ := tag.Base()
	l := &locale{tag: tag, lang: base.String(), printer: message.NewPrinter(tag), unit: unit}
	l.msgs = messages(l.lang)
	if l.msgs == nil {
		l.lang = "en"
		l.msgs = messages("en")
	}
	l.decSep = string([]rune(spaces(l.printer.Sprint(number.Decimal(1.5, number.Scale(1)))))[1:2])
	l.symbol = cur
	if unitErr == nil {
		l.symbol = spaces(l.printer.Sprint(currency.Symbol(unit)))
	}
	// Amounts are in the currency's minor unit, so the ISO 4217 exponent is the number of
	// decimals (JPY 0, EUR 2, KWD 3), not CLDR's display digits (which say 0 for IQD).
	l.scale = iso.Exponent
	region, _ := tag.Region()
	switch {
	case l.lang == "fi":
		l.dateTime = "2.1.2006 15.04"
	case region.String() == "US":
		l.dateTime = "01/02/2006 3:04 PM"
	default:
		l.dateTime = "02/01/2006 15:04"
	}
	return l, nil
}

// spaces turns the no-break and narrow no-break spaces CLDR puts in numbers (fr: "1 234,50",
// fi: "1 234,50") into plain spaces: receipt printers' code pages lack U+202F, and column
// layout counts one cell per character either way.
func spaces(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009':
			return ' '
		}
		return r
	}, s)
}

// text returns the message for key in the locale's language.
func (l *locale) text(key string) string {
	if s, ok := l.msgs[key]; ok {
		return s
	}
	return messages("en")[key]
}

// decimal formats v/10^scale with exactly scale fraction digits and the locale's separators.
func (l *locale) decimal(v int64, scale int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	div := int64(1)
	for range scale {
		div *= 10
	}
	// Whole part with grouping from x/text; the fraction appended exactly, so no float rounding.
	whole := spaces(l.printer.Sprint(number.Decimal(v / div)))
	s := whole
	if scale > 0 {
		s += l.decSep + fmt.Sprintf("%0*d", scale, v%div)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// money formats an amount in minor units: it-IT "4,98 €", fr-FR "4,98 €", fi-FI "4,98 €",
// en-GB "€4.98"; negative amounts lead with a minus sign.
func (l *locale) money(minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	n := l.decimal(minor, l.scale)
	var s string
	if l.lang == "en" {
		s = l.symbol + n
	} else {
		s = n + " " + l.symbol
	}
	if neg {
		s = "-" + s
	}
	return s
}

// weight formats grams as kilograms with three decimals: "0,512 kg".
func (l *locale) weight(g int64) string { return l.decimal(g, 3) + " kg" }

// rate formats basis points as a percentage: 2200 → "22%", 550 → "5,5%".
func (l *locale) rate(bp int64) string {
	if bp%100 == 0 {
		return l.decimal(bp/100, 0) + "%"
	}
	if bp%10 == 0 {
		return l.decimal(bp/10, 1) + "%"
	}
	return l.decimal(bp, 2) + "%"
}

// when formats t in the store's time zone.
func (l *locale) when(t time.Time, tz *time.Location) string {
	if tz == nil {
		tz = time.UTC
	}
	return t.In(tz).Format(l.dateTime)
}

// Money formats amounts in minor units for a locale and currency exactly as receipts print them
// ("4,98 €" for it-IT, "€4.98" for en-GB), so the shopper's page and the receipt agree.
type Money struct{ l *locale }

// NewMoney returns the formatter for a BCP 47 locale and an ISO 4217 currency.
func NewMoney(loc, cur string) (*Money, error) {
	l, err := newLocale(loc, cur)
	if err != nil {
		return nil, err
	}
	return &Money{l: l}, nil
}

// Format formats an amount in minor units.
func (m *Money) Format(minor int64) string { return m.l.money(minor) }
