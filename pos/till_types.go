package pos

import (
	"encoding/json"
	"time"
)

// TillOptions configure till sessions (config till:).
type TillOptions struct {
	// RequireOpen refuses a sale or refund on a terminal without an open session (409
	// till_not_open); false opens an implicit session with a zero float.
	RequireOpen bool
	// Denominations are the note and coin values a float or cash count may name; empty takes any.
	Denominations []int64
	// MaxDifferenceMinor is the largest cash difference a close may have without a reason.
	MaxDifferenceMinor int64
	// DayStart is the local time of day at which the business day turns (till.day_starts_at).
	DayStart time.Duration
	// Location is the store's time zone (nil: UTC).
	Location *time.Location
	// DrawerOpen, when set, tells whether the cash drawer of a terminal's printer is open now
	// (till.require_drawer_closed): a new sale on that terminal is refused with 409
	// drawer_open until it is closed. A retry of a stored sale is answered as before.
	DrawerOpen func(terminal string) bool
	// Off keeps sales out of till sessions altogether. It is not a config key: storebench
	// measures the sales path with and without the till's accounting in the same run.
	Off bool
}

// Till movement kinds.
const (
	MovePayIn  = "pay_in"
	MovePayOut = "pay_out"
	MoveDrop   = "drop"
)

// Limits on till requests.
const (
	maxReasonLen     = 500
	maxDenomCount    = 100_000
	maxTenderEntries = 10
)

// Denomination is a count of notes or coins of one value.
type Denomination struct {
	ValueMinor int64 `json:"value_minor"`
	Count      int64 `json:"count"`
}

// TillOpenRequest is the body of POST /api/v1/till/open: a float by denomination or as a sum.
type TillOpenRequest struct {
	SessionID  string          `json:"session_id"`
	Cashier    string          `json:"cashier"`
	Float      []Denomination  `json:"float,omitempty"`
	FloatMinor *int64          `json:"float_minor,omitempty"`
	Print      json.RawMessage `json:"print,omitempty"`
}

// TillMovementRequest is the body of POST /api/v1/till/movements.
type TillMovementRequest struct {
	MovementID  string `json:"movement_id"`
	Cashier     string `json:"cashier"`
	Kind        string `json:"kind"`
	AmountMinor int64  `json:"amount_minor"`
	Reason      string `json:"reason"`
}

// TillMovement is a stored pay-in, pay-out or safe drop, as answered and sent to central.
type TillMovement struct {
	MovementID  string `json:"movement_id"`
	SessionID   string `json:"session_id"`
	Terminal    string `json:"terminal"`
	Kind        string `json:"kind"`
	AmountMinor int64  `json:"amount_minor"`
	Reason      string `json:"reason"`
	Cashier     string `json:"cashier"`
	CreatedAt   string `json:"created_at"`
}

// CountedTender is what was counted of one method at a close: cash by denomination, any method
// as an amount.
type CountedTender struct {
	Method        string         `json:"method"`
	Denominations []Denomination `json:"denominations,omitempty"`
	AmountMinor   *int64         `json:"amount_minor,omitempty"`
}

// TillCloseRequest is the body of POST /api/v1/till/close.
type TillCloseRequest struct {
	SessionID string          `json:"session_id"`
	Cashier   string          `json:"cashier"`
	Counted   []CountedTender `json:"counted"`
	Reason    string          `json:"reason,omitempty"`
	Print     json.RawMessage `json:"print,omitempty"`
}

// TillReport is a session's X report while it is open and its Z report once closed.
type TillReport struct {
	SessionID  string         `json:"session_id"`
	Terminal   string         `json:"terminal"`
	Status     string         `json:"status"`
	Implicit   bool           `json:"implicit"`
	ZNo        int64          `json:"z_no"`
	OpenedAt   string         `json:"opened_at"`
	ClosedAt   *string        `json:"closed_at"`
	OpenedBy   string         `json:"opened_by"`
	ClosedBy   *string        `json:"closed_by"`
	Currency   string         `json:"currency"`
	FloatMinor int64          `json:"float_minor"`
	Float      []Denomination `json:"float"`
	Sales      TillSales      `json:"sales"`
	Refunds    TillRefunds    `json:"refunds"`
	// Taxes are per VAT rate, net of refunds (sales minus refunds).
	Taxes   []TaxLine    `json:"taxes"`
	Tenders []TillTender `json:"tenders"`
	// CashCounted is the cash count by denomination, when the close gave one.
	CashCounted []Denomination `json:"cash_counted"`
	Reason      string         `json:"reason"`
	// ReportedAt is when this X report was read (the close time for a Z).
	ReportedAt string    `json:"reported_at"`
	Print      *PrintRef `json:"print,omitempty"`
	// RTZNo is the RT's daily closure number (fiscal.country IT), once the RT made it.
	RTZNo *int64 `json:"rt_z_no,omitempty"`
	// RTZError says why the RT's closure failed or may not have happened.
	RTZError string `json:"rt_z_error,omitempty"`
}

// TillSales sums a session's sales: gross is the goods' value, rounding the cash rounding.
type TillSales struct {
	Count         int64 `json:"count"`
	GrossMinor    int64 `json:"gross_minor"`
	TaxMinor      int64 `json:"tax_minor"`
	RoundingMinor int64 `json:"rounding_minor"`
}

// TillRefunds sums a session's refunds.
type TillRefunds struct {
	Count      int64 `json:"count"`
	GrossMinor int64 `json:"gross_minor"`
	TaxMinor   int64 `json:"tax_minor"`
}

// TillTender is one payment method of a report. CountedMinor and DifferenceMinor are null while
// the method is not counted (an X report, or a non-cash method the close did not count).
type TillTender struct {
	Method          string `json:"method"`
	SalesMinor      int64  `json:"sales_minor"`
	RefundsMinor    int64  `json:"refunds_minor"`
	PayInMinor      int64  `json:"pay_in_minor"`
	PayOutMinor     int64  `json:"pay_out_minor"`
	DropsMinor      int64  `json:"drops_minor"`
	ExpectedMinor   int64  `json:"expected_minor"`
	CountedMinor    *int64 `json:"counted_minor"`
	DifferenceMinor *int64 `json:"difference_minor"`
}

// tenderOrder is the order methods appear in on reports.
var tenderOrder = []string{"cash", "card", "voucher", "prepaid", "other"}
