package promo

import "time"

// Kind is what a promotion does.
type Kind string

// The kinds of the contract.
const (
	Percent    Kind = "percent"
	AmountOff  Kind = "amount_off"
	FixedPrice Kind = "fixed_price"
	Multibuy   Kind = "multibuy"
	MixMatch   Kind = "mix_match"
	Threshold  Kind = "threshold"
)

// Promotion is one promotion as central sends it.
type Promotion struct {
	ID            string            `json:"promotion_id"`
	Version       int64             `json:"version"`
	Active        bool              `json:"active"`
	Name          map[string]string `json:"name"`
	Kind          Kind              `json:"kind"`
	SKUs          []string          `json:"skus,omitempty"`
	Categories    []string          `json:"categories,omitempty"`
	Params        Params            `json:"params"`
	Priority      int64             `json:"priority"`
	Exclusive     bool              `json:"exclusive"`
	CustomerTiers []string          `json:"customer_tiers,omitempty"`
	StartsAt      *time.Time        `json:"starts_at,omitempty"`
	EndsAt        *time.Time        `json:"ends_at,omitempty"`
}

// Params are the numbers of a promotion; which ones a kind uses is in the package doc.
type Params struct {
	PercentBP      int64   `json:"percent_bp,omitempty"`
	AmountMinor    int64   `json:"amount_minor,omitempty"`
	PriceMinor     int64   `json:"price_minor,omitempty"`
	Buy            int64   `json:"buy,omitempty"`
	Pay            int64   `json:"pay,omitempty"`
	ThresholdMinor int64   `json:"threshold_minor,omitempty"`
	Groups         []Group `json:"groups,omitempty"`
}

// Group is one part of a mix-and-match bundle: qty units among skus or categories.
type Group struct {
	SKUs       []string `json:"skus,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Qty        int64    `json:"qty"`
}

// Line is one priced basket line before promotions. AmountMinor is what the line costs without
// promotions (unit price × qty, or the weighed or label amount). A line with WeightG is one unit.
type Line struct {
	SKU            string `json:"sku"`
	Category       string `json:"category,omitempty"`
	Qty            int64  `json:"qty"`
	WeightG        int64  `json:"weight_g,omitempty"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	AmountMinor    int64  `json:"amount_minor"`
	TaxRateBP      int64  `json:"tax_rate_bp"`
}

// Basket is what is priced: the lines, the moment (store time) and the customer's tier, if any. Lang
// picks the promotion name the discounts carry (falling back to en, then the first language).
type Basket struct {
	At           time.Time `json:"at"`
	CustomerTier string    `json:"customer_tier,omitempty"`
	Lang         string    `json:"lang,omitempty"`
	Lines        []Line    `json:"lines"`
}

// Discount is what one promotion took off one line.
type Discount struct {
	PromotionID string `json:"promotion_id"`
	Version     int64  `json:"version"`
	Name        string `json:"name"`
	AmountMinor int64  `json:"amount_minor"`
}

// LineResult is a line after promotions, in the basket's order.
type LineResult struct {
	SKU           string     `json:"sku"`
	GrossMinor    int64      `json:"gross_minor"`
	DiscountMinor int64      `json:"discount_minor"`
	AmountMinor   int64      `json:"amount_minor"`
	Discounts     []Discount `json:"discounts"`
}

// Tax is the VAT of one rate on the discounted lines.
type Tax struct {
	TaxRateBP  int64 `json:"tax_rate_bp"`
	GrossMinor int64 `json:"gross_minor"`
	TaxMinor   int64 `json:"tax_minor"`
}

// Applied names a promotion the basket used and how much it saved: a sale stores these.
type Applied struct {
	PromotionID string `json:"promotion_id"`
	Version     int64  `json:"version"`
	AmountMinor int64  `json:"amount_minor"`
}

// Result is a priced basket.
type Result struct {
	Lines       []LineResult `json:"lines"`
	GrossMinor  int64        `json:"gross_minor"`
	SavingMinor int64        `json:"saving_minor"`
	TotalMinor  int64        `json:"total_minor"`
	Taxes       []Tax        `json:"taxes"`
	TaxMinor    int64        `json:"tax_minor"`
	Applied     []Applied    `json:"applied"`
}
