package receipt

import (
	"fmt"

	"github.com/storeagent/storeagent/pos/document"
)

// BuildFiscal is what a fiscal printer (the Italian RT) registers for the sale r: each line
// with its quantity in thousandths (pieces × 1000; a weighed line's weight in grams, priced per
// kg), its amount before discounts and its promotions as discounts; the cash rounding as a
// subtotal adjustment; the payments; and TotalMinor, what the customer pays. Descriptions are
// in r's locale. The caller puts it in the receipt Document (doc.Fiscal) for the RT driver.
//
// It refuses a sale whose parts do not add up — lines after discounts to r.TotalMinor, payments
// less change to r.TotalMinor + r.RoundingMinor — since a fiscal printer registers the sums it
// is sent, and a negative or zero-quantity line or a negative discount.
func BuildFiscal(r Receipt) (*document.Fiscal, error) {
	l, err := newLocale(r.Locale, r.Currency)
	if err != nil {
		return nil, fmt.Errorf("fiscal part of sale %s: %w", r.SaleID, err)
	}
	f := &document.Fiscal{Kind: "sale", Operator: "1", TotalMinor: r.TotalMinor + r.RoundingMinor}
	var lines int64
	for i, ln := range r.Lines {
		it := document.FiscalItem{Description: ln.Name, QtyMilli: ln.Qty * 1000, UnitPriceMinor: ln.UnitPriceMinor,
			AmountMinor: ln.AmountMinor, TaxRateBP: ln.TaxRateBP}
		if ln.WeightG != nil {
			it.QtyMilli = *ln.WeightG
		}
		if it.QtyMilli <= 0 || ln.UnitPriceMinor < 0 || ln.AmountMinor < 0 {
			return nil, fmt.Errorf("fiscal part of sale %s: line %d (%s): quantity %d thousandths, price %d, amount %d: want a positive quantity and no negative amount",
				r.SaleID, i, ln.Name, it.QtyMilli, ln.UnitPriceMinor, ln.AmountMinor)
		}
		for _, d := range ln.Discounts {
			if d.AmountMinor < 0 {
				return nil, fmt.Errorf("fiscal part of sale %s: line %d (%s): discount %q of %d: want a positive amount", r.SaleID, i, ln.Name, d.Name, d.AmountMinor)
			}
			if d.AmountMinor == 0 {
				continue
			}
			it.AmountMinor += d.AmountMinor
			it.Discounts = append(it.Discounts, document.FiscalDiscount{Description: d.Name, AmountMinor: d.AmountMinor})
		}
		lines += ln.AmountMinor
		f.Items = append(f.Items, it)
	}
	if lines != r.TotalMinor {
		return nil, fmt.Errorf("fiscal part of sale %s: the lines add up to %d, the total is %d", r.SaleID, lines, r.TotalMinor)
	}
	if r.RoundingMinor != 0 {
		f.Adjustments = append(f.Adjustments, document.FiscalAdjustment{Description: l.text("rounding"), AmountMinor: r.RoundingMinor})
	}
	var paid int64
	for _, p := range r.Payments {
		if p.AmountMinor <= 0 {
			return nil, fmt.Errorf("fiscal part of sale %s: %s payment of %d: want a positive amount", r.SaleID, p.Method, p.AmountMinor)
		}
		paid += p.AmountMinor
		f.Payments = append(f.Payments, document.FiscalPayment{Method: p.Method, Description: l.text(paymentKey(p.Method)), AmountMinor: p.AmountMinor})
	}
	if paid-r.ChangeMinor != f.TotalMinor {
		return nil, fmt.Errorf("fiscal part of sale %s: payments %d less change %d are %d, the sale is %d", r.SaleID, paid, r.ChangeMinor, paid-r.ChangeMinor, f.TotalMinor)
	}
	return f, nil
}
