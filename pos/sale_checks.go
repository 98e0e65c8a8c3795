package pos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// customerLookupCap bounds how long a sale waits for central to confirm its customer_id; the
// directory's own lookup_timeout applies within it, and offline it answers from the cache at once.
const customerLookupCap = time.Second

// customerTier is the loyalty tier of a quote's customer ("" when unknown), for tier promotions.
func (s *Service) customerTier(ctx context.Context, id string) string {
	tier, _ := s.customerWarnings(ctx, id)
	return tier
}

// customerWarnings checks a sale's customer_id with the loyalty directory before the sale is
// stored and returns the customer's tier (for tier promotions). A sale is never refused for it: an
// id central does not know, or one that could not be checked, becomes a warning the cashier sees.
func (s *Service) customerWarnings(ctx context.Context, id string) (string, []Warning) {
	if id == "" || s.opts.Customers == nil {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, customerLookupCap)
	defer cancel()
	c, err := s.opts.Customers.Lookup(ctx, id)
	switch {
	case err == nil:
		return c.Tier, nil
	case errors.Is(err, ErrCustomerNotFound):
		return "", []Warning{{Code: "unknown_customer", Message: fmt.Sprintf("central knows no loyalty customer %q: the sale is stored with the id as given; check the card", truncate(id, 40))}}
	default:
		return "", []Warning{{Code: "customer_unverified", Message: fmt.Sprintf("loyalty customer %q could not be checked (central did not answer and it is not cached)", truncate(id, 40))}}
	}
}

// refundMethodAllowed checks a refund's method against how the sale was paid: money goes back the
// way it came, so a cash sale is not refunded to a card. tendered are the sale's payment methods.
func refundMethodAllowed(method string, tendered []string) error {
	for _, m := range tendered {
		if m == method {
			return nil
		}
	}
	if len(tendered) == 0 { // nothing was paid (a zero total): any method returns nothing
		return nil
	}
	return unprocessable("refund_method", "method %q was not a tender of the sale: refund to %s",
		truncate(method, 20), strings.Join(tendered, " or "))
}

// saleTenders returns the distinct payment methods of a stored sale, in payment order.
func saleTenders(ctx context.Context, q querier, saleID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT method FROM sale_payments WHERE sale_id = ?1 ORDER BY idx`, saleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	seen := map[string]bool{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

// refundSKU turns what a refund line names into the SKU of the sale's line: the SKU itself, or any
// code a scan of the returned item gives (GTIN/EAN/UPC, a variable-measure code). A code that
// resolves to nothing is left as it is, so takeFromSale says it is not in the sale.
func (s *Service) refundSKU(ctx context.Context, q querier, sold []*soldLine, code string) string {
	for _, l := range sold {
		if l.SKU == code {
			return code
		}
	}
	if p, err := s.resolve(ctx, q, code); err == nil {
		return p.SKU
	}
	return code
}

// maxAdjustUnits bounds one stock adjustment of an item counted in units; items sold by weight
// are counted in grams, up to maxWeightG.
const maxAdjustUnits = 10_000

// adjustmentBound refuses an adjustment larger than one plausible movement of p: a typo such as
// −100000 for −10 would otherwise wipe out the replica's stock.
func adjustmentBound(p Product, delta int64) error {
	if p.Weighed() {
		return nil // grams: Adjust already bounds them at one tonne
	}
	if delta > maxAdjustUnits || delta < -maxAdjustUnits {
		return unprocessable("bad_quantity", "delta %d for %s (counted in units) is beyond ±%d: split a larger movement or check the number", delta, p.SKU, maxAdjustUnits)
	}
	return nil
}
