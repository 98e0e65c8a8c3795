package promo

import (
	"errors"
	"fmt"
	"strings"
)

// Limits on what the engine accepts; they bound its work and keep every product in an int64.
const (
	MaxAmountMinor = 100_000_000_000
	MaxQty         = 9999
	MaxWeightG     = 1_000_000
	MaxLines       = 500
	// MaxUnits is the most units (pieces, or one per weighed line) a basket may have for promotions.
	MaxUnits    = 20_000
	maxListLen  = 5000
	maxGroups   = 20
	maxPriority = 1_000_000
)

// ErrTooManyUnits is returned for a basket with more than MaxUnits units.
var ErrTooManyUnits = errors.New("promo: basket has too many units for promotions")

// Validate checks a promotion and names the first bad field.
func (p Promotion) Validate() error {
	if p.ID == "" || len(p.ID) > 64 {
		return fmt.Errorf("promotion_id %q: 1 to 64 characters", trunc(p.ID))
	}
	if p.Version < 1 {
		return fmt.Errorf("promotion %s: version %d is not positive", p.ID, p.Version)
	}
	if len(p.Name) == 0 {
		return fmt.Errorf("promotion %s: name needs at least one language", p.ID)
	}
	for lang, n := range p.Name {
		if len(lang) > 8 || len(n) > 200 || strings.TrimSpace(n) == "" {
			return fmt.Errorf("promotion %s: name[%q] is empty or too long", p.ID, trunc(lang))
		}
	}
	if len(p.SKUs) > maxListLen || len(p.Categories) > maxListLen || len(p.CustomerTiers) > 64 {
		return fmt.Errorf("promotion %s: skus, categories or customer_tiers too long", p.ID)
	}
	if p.Priority < -maxPriority || p.Priority > maxPriority {
		return fmt.Errorf("promotion %s: priority %d out of range", p.ID, p.Priority)
	}
	if p.StartsAt != nil && p.EndsAt != nil && !p.EndsAt.After(*p.StartsAt) {
		return fmt.Errorf("promotion %s: ends_at is not after starts_at", p.ID)
	}
	pr := p.Params
	for _, v := range []int64{pr.AmountMinor, pr.PriceMinor, pr.ThresholdMinor} {
		if v < 0 || v > MaxAmountMinor {
			return fmt.Errorf("promotion %s: an amount in params is out of range", p.ID)
		}
	}
	if pr.PercentBP < 0 || pr.PercentBP > 10000 {
		return fmt.Errorf("promotion %s: params.percent_bp %d is not 0..10000", p.ID, pr.PercentBP)
	}
	if p.Kind != MixMatch && len(pr.Groups) > 0 {
		return fmt.Errorf("promotion %s: params.groups is only for mix_match", p.ID)
	}
	switch p.Kind {
	case Percent:
		if pr.PercentBP == 0 {
			return fmt.Errorf("promotion %s: percent needs params.percent_bp", p.ID)
		}
	case AmountOff:
		if pr.AmountMinor == 0 {
			return fmt.Errorf("promotion %s: amount_off needs params.amount_minor", p.ID)
		}
	case FixedPrice:
		if pr.PriceMinor == 0 && pr.PercentBP == 0 && pr.AmountMinor == 0 {
			// A fixed price of zero is a gift: allowed, but say so with price_minor 0 and nothing else.
			return nil
		}
		if pr.PercentBP != 0 || pr.AmountMinor != 0 {
			return fmt.Errorf("promotion %s: fixed_price takes only params.price_minor", p.ID)
		}
	case Multibuy:
		if pr.Buy < 2 || pr.Buy > MaxQty {
			return fmt.Errorf("promotion %s: multibuy needs params.buy of at least 2", p.ID)
		}
		if (pr.Pay == 0) == (pr.PriceMinor == 0) {
			return fmt.Errorf("promotion %s: multibuy needs exactly one of params.pay and params.price_minor", p.ID)
		}
		if pr.Pay < 0 || pr.Pay >= pr.Buy {
			return fmt.Errorf("promotion %s: params.pay %d must be below params.buy %d", p.ID, pr.Pay, pr.Buy)
		}
	case MixMatch:
		if len(pr.Groups) == 0 || len(pr.Groups) > maxGroups {
			return fmt.Errorf("promotion %s: mix_match needs 1 to %d params.groups", p.ID, maxGroups)
		}
		for i, g := range pr.Groups {
			if g.Qty < 1 || g.Qty > 100 || len(g.SKUs)+len(g.Categories) == 0 || len(g.SKUs) > maxListLen || len(g.Categories) > maxListLen {
				return fmt.Errorf("promotion %s: params.groups[%d] needs qty 1..100 and skus or categories", p.ID, i)
			}
		}
		if rewards(pr) != 1 {
			return fmt.Errorf("promotion %s: mix_match needs exactly one of price_minor, percent_bp, amount_minor", p.ID)
		}
	case Threshold:
		if pr.ThresholdMinor == 0 {
			return fmt.Errorf("promotion %s: threshold needs params.threshold_minor", p.ID)
		}
		if pr.PriceMinor != 0 || (pr.PercentBP == 0) == (pr.AmountMinor == 0) {
			return fmt.Errorf("promotion %s: threshold needs exactly one of percent_bp and amount_minor", p.ID)
		}
	default:
		return fmt.Errorf("promotion %s: kind %q is not one of percent, amount_off, fixed_price, multibuy, mix_match, threshold", p.ID, trunc(string(p.Kind)))
	}
	return nil
}

func rewards(pr Params) int {
	n := 0
	for _, v := range []int64{pr.PriceMinor, pr.PercentBP, pr.AmountMinor} {
		if v != 0 {
			n++
		}
	}
	return n
}

// validLine checks one basket line.
func validLine(i int, l Line) error {
	switch {
	case l.Qty < 1 || l.Qty > MaxQty:
		return fmt.Errorf("lines[%d]: qty %d is not 1..%d", i, l.Qty, MaxQty)
	case l.WeightG < 0 || l.WeightG > MaxWeightG || (l.WeightG > 0 && l.Qty != 1):
		return fmt.Errorf("lines[%d]: weight_g %d is not 1..%d with qty 1", i, l.WeightG, MaxWeightG)
	case l.AmountMinor < 0 || l.AmountMinor > MaxAmountMinor || l.UnitPriceMinor < 0 || l.UnitPriceMinor > MaxAmountMinor:
		return fmt.Errorf("lines[%d]: amount out of range", i)
	case l.TaxRateBP < 0 || l.TaxRateBP > 10000:
		return fmt.Errorf("lines[%d]: tax_rate_bp %d is not 0..10000", i, l.TaxRateBP)
	}
	return nil
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}
