package pos

import "encoding/json"

// Limits on what one request may carry.
const (
	maxLines       = 500
	maxQty         = 9999
	maxWeightG     = 1_000_000 // one tonne
	maxAmountMinor = 100_000_000_000
	maxIDLen       = 64
)

// LineRequest is one line of a sale or quote: a code (GTIN, SKU or variable-measure code), a
// quantity (default 1) and, for an item sold by weight without the weight in its barcode, grams.
type LineRequest struct {
	Code    string `json:"code"`
	Qty     *int64 `json:"qty,omitempty"`
	WeightG *int64 `json:"weight_g,omitempty"`
}

// Payment is one tender.
type Payment struct {
	Method      string `json:"method"`
	AmountMinor int64  `json:"amount_minor"`
	// PaymentID names the approved terminal payment of a card tender (POST /api/v1/payments).
	PaymentID string `json:"payment_id,omitempty"`
	// Card is the terminal's slip data of the payment_id, filled in by the agent (what a
	// request sends here is ignored).
	Card *PaymentCard `json:"card,omitempty"`
}

// PaymentCard is what a sale keeps of its card payment's terminal answer, for the receipt.
type PaymentCard struct {
	CardMasked string `json:"card_masked"`
	Scheme     string `json:"scheme"`
	AuthCode   string `json:"auth_code"`
	EntryMode  string `json:"entry_mode"`
}

// SaleRequest is the body of POST /api/v1/sales (and, without payments, of the quote).
type SaleRequest struct {
	SaleID        string          `json:"sale_id"`
	Terminal      string          `json:"terminal"`
	Cashier       string          `json:"cashier"`
	Lines         []LineRequest   `json:"lines"`
	Payments      []Payment       `json:"payments"`
	CustomerID    string          `json:"customer_id,omitempty"`
	ReservationID string          `json:"reservation_id,omitempty"`
	Print         json.RawMessage `json:"print,omitempty"`
	// Training marks a sale made in training mode (fiscal: its own chain, no totals).
	Training bool `json:"training,omitempty"`
	// LotteryCode is the customer's lotteria degli scontrini code (Italy: 8 letters or digits),
	// sent to the RT with the sale.
	LotteryCode string `json:"lottery_code,omitempty"`
}

// Line is a priced line.
type Line struct {
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Qty            int64  `json:"qty"`
	WeightG        *int64 `json:"weight_g,omitempty"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	AmountMinor    int64  `json:"amount_minor"`
	TaxRateBP      int64  `json:"tax_rate_bp"`
	// Discounts are the promotions on the line; AmountMinor is what is paid after them.
	Discounts []LineDiscount `json:"discounts"`
	// stockDelta is what the line takes from stock in the item's base unit.
	stockDelta int64
	unit       string
	category   string
}

// Warning is something the cashier should know about a completed sale; it never blocks it.
type Warning struct {
	Code    string `json:"code"`
	SKU     string `json:"sku,omitempty"`
	Message string `json:"message"`
}

// Sale is a completed sale as the API returns it and the sales event carries it.
type Sale struct {
	SaleID        string    `json:"sale_id"`
	ReceiptNo     string    `json:"receipt_no"`
	Status        string    `json:"status"`
	Terminal      string    `json:"terminal"`
	TillSessionID string    `json:"till_session_id"`
	Cashier       string    `json:"cashier"`
	CompletedAt   string    `json:"completed_at"`
	Currency      string    `json:"currency"`
	TotalMinor    int64     `json:"total_minor"`
	RoundingMinor int64     `json:"rounding_minor"`
	DueMinor      int64     `json:"due_minor"`
	TaxMinor      int64     `json:"tax_minor"`
	Taxes         []TaxLine `json:"taxes"`
	ChangeMinor   int64     `json:"change_minor"`
	Lines         []Line    `json:"lines"`
	SavingMinor   int64     `json:"saving_minor"`
	// Promotions are the promotions (id, version) the sale used.
	Promotions    []UsedPromotion `json:"promotions"`
	Payments      []Payment       `json:"payments"`
	CustomerID    string          `json:"customer_id"`
	ReservationID string          `json:"reservation_id"`
	Warnings      []Warning       `json:"warnings"`
	Print         *PrintRef       `json:"print,omitempty"`
	Training      bool            `json:"training,omitempty"`
	LotteryCode   string          `json:"lottery_code,omitempty"`
	// Fiscal is the sale's fiscal journal record (fiscal stores only).
	Fiscal *FiscalRef `json:"fiscal,omitempty"`
}

// PrintRef names the print job a sale asked for.
type PrintRef struct {
	JobID   string `json:"job_id"`
	Printer string `json:"printer"`
}

// Quote is a priced basket: nothing stored.
type Quote struct {
	Currency      string    `json:"currency"`
	TotalMinor    int64     `json:"total_minor"`
	RoundingMinor int64     `json:"rounding_minor"` // if paid entirely in cash
	CashDueMinor  int64     `json:"cash_due_minor"`
	TaxMinor      int64     `json:"tax_minor"`
	Taxes         []TaxLine `json:"taxes"`
	Lines         []Line    `json:"lines"`
	SavingMinor   int64     `json:"saving_minor"`
	// Promotions are the promotions (id, version) the quote used.
	Promotions []UsedPromotion `json:"promotions"`
	Warnings   []Warning       `json:"warnings"`
}

// RefundRequest is the body of POST /api/v1/refunds.
type RefundRequest struct {
	RefundID string              `json:"refund_id"`
	SaleID   string              `json:"sale_id"`
	Lines    []RefundLineRequest `json:"lines"`
	Method   string              `json:"method"`
	Cashier  string              `json:"cashier"`
	Terminal string              `json:"terminal"`
	// PaymentID names the approved terminal refund (kind refund) of a card refund.
	PaymentID string `json:"payment_id,omitempty"`
}

// RefundLineRequest returns qty units of a SKU of the sale.
type RefundLineRequest struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// RefundLine is a priced refund line.
type RefundLine struct {
	SKU         string `json:"sku"`
	Qty         int64  `json:"qty"`
	AmountMinor int64  `json:"amount_minor"`
	TaxRateBP   int64  `json:"tax_rate_bp"`
}

// Refund is a stored refund.
type Refund struct {
	RefundID string `json:"refund_id"`
	SaleID   string `json:"sale_id"`
	Status   string `json:"status"`
	Terminal string `json:"terminal"`
	// TillSessionID is the session of the terminal that paid the refund out.
	TillSessionID string       `json:"till_session_id"`
	Cashier       string       `json:"cashier"`
	Method        string       `json:"method"`
	Currency      string       `json:"currency"`
	RefundedAt    string       `json:"refunded_at"`
	TotalMinor    int64        `json:"total_minor"`
	TaxMinor      int64        `json:"tax_minor"`
	Taxes         []TaxLine    `json:"taxes"`
	Lines         []RefundLine `json:"lines"`
	// Void marks the same-day void of the whole sale (POST /api/v1/sales/{id}/void).
	Void bool `json:"void,omitempty"`
	// Fiscal is the refund's fiscal journal record (fiscal stores only).
	Fiscal *FiscalRef `json:"fiscal,omitempty"`
	// PaymentID is the terminal refund that credited the card (card refunds through a terminal).
	PaymentID string `json:"payment_id,omitempty"`
}

// AdjustmentRequest is the body of POST /api/v1/stock/adjustments.
type AdjustmentRequest struct {
	MovementID string `json:"movement_id"`
	SKU        string `json:"sku"`
	Delta      int64  `json:"delta"`
	Reason     string `json:"reason"`
}

// Movement is a stock movement as the stock/movements event carries it.
type Movement struct {
	MovementID string `json:"movement_id"`
	SKU        string `json:"sku"`
	Delta      int64  `json:"delta"`
	Reason     string `json:"reason"`
	Ref        string `json:"ref"`
	OccurredAt string `json:"occurred_at"`
	// Terminal is the lane the movement was made at (adjustments, sales); "" for others.
	Terminal string `json:"terminal,omitempty"`
}

// StockLevel is a SKU's stock here.
type StockLevel struct {
	OnHand    int64 `json:"on_hand"`
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
}

// Adjustment is the answer to a stock adjustment.
type Adjustment struct {
	Movement
	Stock StockLevel `json:"stock"`
}
