package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos/promo"
)

// historyStamp is the price_history timestamp format (the triggers' strftime('%Y-%m-%dT%H:%M:%fZ')),
// fixed width so that text order is time order.
const historyStamp = "2006-01-02T15:04:05.000Z"

// priorDays is how far back the lowest price before a reduction looks (EU Directive 98/6/EC art. 6a).
const priorDays = 30

// Reduction is a promotion lowering the price a shopper sees for one unit (one kg when weighed).
type Reduction struct {
	PriceMinor  int64 // the price with the promotion
	LowestMinor int64 // the lowest price in the 30 days before the reduction began
	PromotionID string
	Since       time.Time // when the reduction began
}

// ReductionOf prices one unit of prod against the live promotions at the store's clock (no customer
// tier: what every shopper gets) and, when that is lower than the shelf price, returns it with the
// lowest price of the 30 days before the reduction began: the promotion's starts_at, or when the
// store received it.
func (s *Service) ReductionOf(ctx context.Context, prod Product) (Reduction, bool, error) {
	q := s.r()
	ix, err := s.promotionIndex(ctx, q)
	if err != nil || ix.Len() == 0 {
		return Reduction{}, false, err
	}
	l := promo.Line{SKU: prod.SKU, Category: prod.Category, Qty: 1, UnitPriceMinor: prod.PriceMinor, AmountMinor: prod.PriceMinor, TaxRateBP: prod.TaxRateBP}
	if prod.Weighed() {
		l.WeightG = 1000
	}
	now := s.now()
	res, err := promo.PriceIndexed(promo.Basket{At: now, Lines: []promo.Line{l}}, ix)
	if err != nil || res.TotalMinor >= prod.PriceMinor || len(res.Lines[0].Discounts) == 0 {
		return Reduction{}, false, nil
	}
	id := res.Lines[0].Discounts[0].PromotionID
	since, err := reductionStart(ctx, q, id)
	if err != nil {
		return Reduction{}, false, err
	}
	lowest, err := LowestPrice(ctx, q, prod.SKU, since.Add(-priorDays*24*time.Hour), since)
	if err != nil {
		return Reduction{}, false, err
	}
	if lowest < 0 {
		lowest = prod.PriceMinor
	}
	return Reduction{PriceMinor: res.TotalMinor, LowestMinor: lowest, PromotionID: id, Since: since}, true, nil
}

// reductionStart is when a promotion began lowering prices: its starts_at, else when it was stored.
func reductionStart(ctx context.Context, q querier, id string) (time.Time, error) {
	var starts, updated string
	err := q.QueryRowContext(ctx, `SELECT starts_at, updated_at FROM promotions WHERE promotion_id = ?1`, id).Scan(&starts, &updated)
	if err != nil {
		return time.Time{}, fmt.Errorf("promotion %s: %w", id, err)
	}
	if starts == "" {
		starts = updated
	}
	return time.Parse(time.RFC3339Nano, starts)
}

// LowestPrice is the lowest price a SKU had in [from, to): the prices set in the window and the one
// already in force at its start. It is -1 when the history knows nothing of the SKU before to.
func LowestPrice(ctx context.Context, q querier, sku string, from, to time.Time) (int64, error) {
	var lowest sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT min(price_minor) FROM (
			SELECT price_minor FROM price_history WHERE sku = ?1 AND effective_at >= ?2 AND effective_at < ?3
			UNION ALL
			SELECT * FROM (SELECT price_minor FROM price_history WHERE sku = ?1 AND effective_at < ?2
				ORDER BY effective_at DESC LIMIT 1))`,
		sku, from.UTC().Format(historyStamp), to.UTC().Format(historyStamp)).Scan(&lowest)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !lowest.Valid) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("price history %s: %w", sku, err)
	}
	return lowest.Int64, nil
}
