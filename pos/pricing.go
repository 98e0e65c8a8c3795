package pos

import (
	"context"
	"errors"
	"github.com/google/uuid"
	"net/http"
	"strings"
)

// priced is a basket priced from the replica.
type priced struct {
	lines    []Line
	total    int64
	taxes    []TaxLine
	tax      int64
	warnings []Warning
	// saving and promotions are what promotions took off and which ones did.
	saving     int64
	promotions []UsedPromotion
}

// reservationPrices maps SKU to the unit price a reservation fixed (collection by a sale).
type reservationPrices map[string]int64

// priceLines prices the request's lines from the replica through q (the writer transaction for a
// sale, the read pool for a quote). Every problem is a 422 naming the line.
func (s *Service) priceLines(ctx context.Context, q querier, reqs []LineRequest, resv reservationPrices, tier string) (priced, error) {
	var out priced
	if len(reqs) == 0 {
		return out, unprocessable("no_lines", "a sale needs at least one line")
	}
	if len(reqs) > maxLines {
		return out, unprocessable("too_many_lines", "a sale has at most %d lines, got %d", maxLines, len(reqs))
	}
	for i, r := range reqs {
		l, err := s.priceLine(ctx, q, i, r, resv)
		if err != nil {
			return out, err
		}
		out.lines = append(out.lines, l)
		out.total += l.AmountMinor
	}
	if out.total > maxAmountMinor {
		return out, unprocessable("total_too_large", "the total %d is larger than a sale may be", out.total)
	}
	if err := s.applyPromotions(ctx, q, &out, tier); err != nil {
		return out, err
	}
	out.taxes, out.tax = Taxes(out.lines)
	return out, nil
}

func (s *Service) priceLine(ctx context.Context, q querier, i int, r LineRequest, resv reservationPrices) (Line, error) {
	if strings.TrimSpace(r.Code) == "" {
		return Line{}, lineErr(i, "invalid_line", "code is required")
	}
	qty := int64(1)
	if r.Qty != nil {
		qty = *r.Qty
	}
	if qty <= 0 || qty > maxQty {
		return Line{}, lineErr(i, "bad_quantity", "qty %d is not between 1 and %d", qty, maxQty)
	}
	if r.WeightG != nil && (*r.WeightG <= 0 || *r.WeightG > maxWeightG) {
		return Line{}, lineErr(i, "bad_quantity", "weight_g %d is not between 1 and %d", *r.WeightG, maxWeightG)
	}
	p, err := s.resolve(ctx, q, r.Code)
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) && re.Status == http.StatusNotFound && badCheckDigit(r.Code) {
			return Line{}, lineErr(i, "bad_check_digit", "%s", re.Message)
		}
		if errors.As(err, &re) && re.Status == http.StatusNotFound {
			return Line{}, lineErr(i, "unknown_code", "unknown code %q", truncate(r.Code, 40))
		}
		return Line{}, err
	}
	if !p.Active {
		return Line{}, lineErr(i, "inactive", "%s (%s) is no longer sold", p.SKU, p.Name).named(p.Name)
	}
	if p.Currency != s.opts.Currency {
		return Line{}, lineErr(i, "currency_mismatch", "%s is priced in %s, the store sells in %s", p.SKU, p.Currency, s.opts.Currency)
	}
	l := Line{SKU: p.SKU, Name: p.Name, Qty: qty, UnitPriceMinor: p.PriceMinor, TaxRateBP: p.TaxRateBP, unit: p.Unit,
		category: p.Category, Discounts: []LineDiscount{}}
	if price, ok := resv[p.SKU]; ok {
		l.UnitPriceMinor = price
	}
	emb := p.Embedded
	switch {
	case emb != nil && emb.PriceMinor != nil:
		// The label printed the price: it is the amount, whatever the shelf price says now.
		if r.WeightG != nil || qty != 1 {
			return Line{}, lineErr(i, "bad_quantity", "a price-embedded code is one item: no qty or weight_g")
		}
		if *emb.PriceMinor <= 0 {
			return Line{}, lineErr(i, "embedded_zero", "%s (%s): the label's embedded price is 0; weigh or price it again", p.SKU, p.Name)
		}
		l.AmountMinor = *emb.PriceMinor
		l.stockDelta = 1
		if p.Weighed() && p.PriceMinor > 0 {
			g := roundDiv(*emb.PriceMinor*1000, p.PriceMinor)
			l.WeightG = &g
			l.stockDelta = g
		}
	case emb != nil && emb.WeightG != nil:
		if r.WeightG != nil || qty != 1 {
			return Line{}, lineErr(i, "bad_quantity", "a weight-embedded code is one item: no qty or weight_g")
		}
		if *emb.WeightG <= 0 {
			return Line{}, lineErr(i, "embedded_zero", "%s (%s): the label's embedded weight is 0; weigh it again", p.SKU, p.Name)
		}
		g := *emb.WeightG
		l.WeightG = &g
		l.AmountMinor = WeighedAmount(l.UnitPriceMinor, g)
		l.stockDelta = g
	case p.Weighed():
		if r.WeightG == nil {
			return Line{}, lineErr(i, "weight_required", "%s (%s) is sold by weight: give weight_g", p.SKU, p.Name).named(p.Name)
		}
		if qty != 1 {
			return Line{}, lineErr(i, "bad_quantity", "%s is sold by weight: qty must be 1", p.SKU)
		}
		g := *r.WeightG
		l.WeightG = &g
		l.AmountMinor = WeighedAmount(l.UnitPriceMinor, g)
		l.stockDelta = g
	default:
		if r.WeightG != nil {
			return Line{}, lineErr(i, "bad_quantity", "%s (%s) is sold by the piece: weight_g is not allowed", p.SKU, p.Name)
		}
		l.AmountMinor = l.UnitPriceMinor * qty
		l.stockDelta = qty
	}
	return l, nil
}

// Quote prices a basket without storing anything.
func (s *Service) Quote(ctx context.Context, term string, req SaleRequest) (Quote, error) {
	if req.Terminal == "" {
		req.Terminal = term // a quote may leave it out
	}
	if err := checkTerminal(term, req.Terminal); err != nil {
		return Quote{}, err
	}
	var resv reservationPrices
	if req.ReservationID != "" {
		r, err := loadReservationPrices(ctx, s.r(), req.ReservationID)
		if err != nil {
			return Quote{}, err
		}
		resv = r
	}
	p, err := s.priceLines(ctx, s.r(), req.Lines, resv, s.customerTier(ctx, req.CustomerID))
	if err != nil {
		return Quote{}, err
	}
	// The scale after the lines: a line that cannot be priced (a weighed item scanned without
	// its weight, for the screen to weigh) is said before the scale's state of the moment.
	if err := s.checkScale(ctx, term, req.Lines); err != nil {
		return Quote{}, err
	}
	rounded := RoundToStep(p.total, s.opts.CashRoundingMinor)
	q := Quote{
		Currency: s.opts.Currency, TotalMinor: p.total, RoundingMinor: rounded - p.total, CashDueMinor: rounded,
		TaxMinor: p.tax, Taxes: p.taxes, Lines: p.lines, SavingMinor: p.saving, Promotions: usedOrEmpty(p.promotions),
		Warnings: append([]Warning{}, p.warnings...),
	}
	s.tapQuote(term, q)
	return q, nil
}

func checkTerminal(auth, body string) error {
	if body == "" {
		return badRequest("terminal is required (this token is terminal %q)", auth)
	}
	if body != auth {
		return reqErr(http.StatusForbidden, "forbidden", "terminal %q may not act for terminal %q", auth, truncate(body, 40))
	}
	return nil
}

func validID(field, v string) error {
	if v == "" {
		return badRequest("%s is required", field)
	}
	if len(v) > maxIDLen {
		return badRequest("%s is longer than %d characters", field, maxIDLen)
	}
	for _, c := range v {
		if c < 0x21 || c > 0x7e {
			return badRequest("%s %q has characters other than printable ASCII", field, truncate(v, 40))
		}
	}
	return nil
}

func validUUID(field, v string) error {
	if err := validID(field, v); err != nil {
		return err
	}
	if _, err := uuid.Parse(v); err != nil || len(v) != 36 {
		return badRequest("%s %q is not a UUID", field, truncate(v, 40))
	}
	return nil
}
