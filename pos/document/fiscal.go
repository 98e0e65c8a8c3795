package document

import "time"

// Fiscal is what a fiscal device (the Italian Registratore Telematico) registers for a document:
// not how it looks, but what it is. A receipt Document carries one when the store is fiscal; the
// RT driver renders it to its own protocol (fpmate XML), other drivers ignore it.
//
// Money is in minor units (cents), tax-inclusive; quantities in thousandths (1 piece = 1000,
// 0,350 kg = 350); rates in basis points (2200 = 22 %).
type Fiscal struct {
	// Kind is "sale", "refund" (reso) or "void" (annullo).
	Kind string
	// Operator is the RT operator number as text ("1" when unset).
	Operator string
	Items    []FiscalItem
	// Adjustments are discounts and surcharges on the subtotal (cash rounding among them).
	Adjustments []FiscalAdjustment
	Payments    []FiscalPayment
	// TotalMinor is what the document registers: the sum of the items plus the adjustments,
	// which equals the sum of the payments minus the change.
	TotalMinor int64
	// LotteryCode is the customer's lotteria degli scontrini code ("" none).
	LotteryCode string
	// Ref names the original document of a refund or void (nil for a sale).
	Ref *FiscalRef
	// Header and Footer are free text lines printed before and after the fiscal part.
	Header, Footer []string
}

// FiscalItem is one sold (or, in a refund, returned) line.
type FiscalItem struct {
	Description string
	QtyMilli    int64
	// UnitPriceMinor is the VAT-inclusive price of one unit (of one kg for weighed items).
	UnitPriceMinor int64
	// AmountMinor is what the line charges before its discounts (= qty × unit price, rounded
	// half up to the cent for weights).
	AmountMinor int64
	TaxRateBP   int64
	// Discounts taken off this line (each > 0).
	Discounts []FiscalDiscount
}

// FiscalDiscount is one promotion's discount on a line.
type FiscalDiscount struct {
	Description string
	AmountMinor int64
}

// FiscalAdjustment is a subtotal adjustment: AmountMinor < 0 lowers the total (a discount or a
// rounding down), > 0 raises it (a rounding up).
type FiscalAdjustment struct {
	Description string
	AmountMinor int64
}

// FiscalPayment is one tender. Method is the sale's (cash, card, voucher, prepaid, other); the
// driver maps it to the RT's payment type and index from config.
type FiscalPayment struct {
	Method      string
	Description string
	AmountMinor int64
}

// FiscalRef identifies a document registered on an RT.
type FiscalRef struct {
	ZNo, DocNo int
	Date       time.Time
	Serial     string
}
