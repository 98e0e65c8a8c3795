package pos

// Money rules of the contract: integer minor units, tax-inclusive prices, tax per rate rounded half
// up, cash rounding to a step. All functions here are pure so the table tests pin them down.

// roundDiv returns num/den rounded half away from zero (den > 0).
func roundDiv(num, den int64) int64 {
	if num >= 0 {
		return (2*num + den) / (2 * den)
	}
	return -((2*(-num) + den) / (2 * den))
}

// TaxOf returns the tax contained in a tax-inclusive gross amount at rate bp (2200 = 22 %):
// round half up of gross × bp / (10000 + bp). A negative gross (a refund) mirrors a positive one.
func TaxOf(grossMinor, bp int64) int64 {
	return roundDiv(grossMinor*bp, 10000+bp)
}

// WeighedAmount prices a weighed item: round half up of price per kg × grams / 1000.
func WeighedAmount(pricePerKgMinor, weightG int64) int64 {
	return roundDiv(pricePerKgMinor*weightG, 1000)
}

// RoundToStep rounds an amount to the nearest multiple of step, halves up; step 0 or 1 is a no-op.
func RoundToStep(amount, step int64) int64 {
	if step <= 1 {
		return amount
	}
	return roundDiv(amount, step) * step
}

// TaxLine is the VAT of one rate on a sale.
type TaxLine struct {
	TaxRateBP  int64 `json:"tax_rate_bp"`
	GrossMinor int64 `json:"gross_minor"`
	TaxMinor   int64 `json:"tax_minor"`
}

// Taxes groups priced lines by rate (ascending) and computes the tax of each rate's gross sum.
func Taxes(lines []Line) (taxes []TaxLine, total int64) {
	idx := map[int64]int{}
	for _, l := range lines {
		i, ok := idx[l.TaxRateBP]
		if !ok {
			i = len(taxes)
			idx[l.TaxRateBP] = i
			taxes = append(taxes, TaxLine{TaxRateBP: l.TaxRateBP})
		}
		taxes[i].GrossMinor += l.AmountMinor
	}
	sortTaxes(taxes)
	for i := range taxes {
		taxes[i].TaxMinor = TaxOf(taxes[i].GrossMinor, taxes[i].TaxRateBP)
		total += taxes[i].TaxMinor
	}
	if taxes == nil {
		taxes = []TaxLine{}
	}
	return taxes, total
}

// sortTaxes orders tax lines by rate (an insertion sort: a sale has a handful of rates).
func sortTaxes(ts []TaxLine) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].TaxRateBP < ts[j-1].TaxRateBP; j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// Payment methods the contract knows. Change is given only from cash.
var paymentMethods = map[string]bool{"cash": true, "card": true, "voucher": true, "prepaid": true, "other": true}

// Settlement is how payments settle a total.
type Settlement struct {
	RoundingMinor int64 // cash rounding added to the total (may be negative)
	DueMinor      int64 // total + rounding: what the customer pays
	ChangeMinor   int64 // returned in cash
}

// Settle checks payments against a total with cash rounding step. Cash rounding applies to the part
// paid in cash. It returns a *RequestError (422) when payments are short or a non-cash payment
// exceeds what is due.
func Settle(totalMinor int64, payments []Payment, step int64) (Settlement, error) {
	var cash, nonCash int64
	for i, p := range payments {
		if !paymentMethods[p.Method] {
			return Settlement{}, unprocessable("invalid_payment", "payments[%d].method: %q is not one of cash, card, voucher, prepaid, other", i, p.Method)
		}
		if p.AmountMinor <= 0 || p.AmountMinor > maxAmountMinor {
			return Settlement{}, unprocessable("invalid_payment", "payments[%d].amount_minor: %d is not a positive amount", i, p.AmountMinor)
		}
		if p.Method == "cash" {
			cash += p.AmountMinor
		} else {
			nonCash += p.AmountMinor
		}
	}
	if nonCash > totalMinor {
		return Settlement{}, unprocessable("non_cash_overpayment", "non-cash payments (%d) exceed the total (%d): change is given only from cash", nonCash, totalMinor)
	}
	if cash == 0 {
		if nonCash < totalMinor {
			return Settlement{}, unprocessable("payments_short", "payments (%d) are short of the total (%d)", nonCash, totalMinor)
		}
		return Settlement{DueMinor: totalMinor}, nil
	}
	cashDue := totalMinor - nonCash
	rounded := RoundToStep(cashDue, step)
	if cash < rounded {
		return Settlement{}, unprocessable("payments_short", "payments are short: %d due in cash, %d given", rounded, cash)
	}
	if change := cash - rounded; change > maxChangeMinor {
		return Settlement{}, unprocessable("change_too_large", "%d in change is more than %d: check the cash given (%d for %d due)", change, maxChangeMinor, cash, rounded)
	}
	return Settlement{RoundingMinor: rounded - cashDue, DueMinor: totalMinor + rounded - cashDue, ChangeMinor: cash - rounded}, nil
}

// maxChangeMinor bounds the change of one sale (issue 16, Low: 10^9 € of change was accepted): a
// mistyped cash amount is refused before the drawer opens. 1,000.00 in a two-decimal currency,
// more than two of the largest euro note.
const maxChangeMinor = 100_000
