package main

import (
	"context"
	"fmt"

	"github.com/storeagent/storeagent/cmd/storebench/benchkit"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/posbench"
	"github.com/storeagent/storeagent/pos/promo"
)

// benchPromotions is how many live promotions the promotion measures run against.
const benchPromotions = 5000

// promotions measures the issue-18 budgets: a 50-line quote against 5,000 live promotions (p99 <
// 5 ms), and durable sales/s with those promotions against the same sales without any (≥ 0.8×,
// alternating runs on fresh databases, the median of each side).
func (b *bench) promotions(ctx context.Context) []Row {
	return []Row{b.promoQuote(ctx), b.promoSales(ctx)}
}

// promoService is tillService with benchPromotions promotions stored when with is true.
func (b *bench) promoService(ctx context.Context, name string, with bool) (*pos.Service, func(), error) {
	svc, done, err := b.tillService(ctx, name, false)
	if err != nil || !with {
		return svc, done, err
	}
	if err := svc.SeedPromotions(ctx, benchPromotionSet()); err != nil {
		done()
		return nil, nil, err
	}
	return svc, done, nil
}

// benchPromotionSet is benchPromotions promotions of five kinds over the bench catalogue, in three
// priorities.
func benchPromotionSet() []promo.Promotion {
	ps := make([]promo.Promotion, 0, benchPromotions)
	for i := range benchPromotions {
		item := i % tillItems
		sku := posbench.CatalogSKU(item)
		p := promo.Promotion{ID: fmt.Sprintf("bench-%05d", i), Version: 1, Active: true, Name: map[string]string{"en": "Bench"},
			SKUs: []string{sku}, Priority: int64(i % 3)}
		switch i % 5 {
		case 0:
			p.Kind, p.Params.PercentBP = promo.Percent, 1000
		case 1:
			p.Kind, p.Params.AmountMinor = promo.AmountOff, 5
		case 2:
			p.Kind, p.Params.PriceMinor = promo.FixedPrice, max(0, posbench.CatalogPrice(item)-10)
		case 3:
			p.Kind, p.Params.Buy, p.Params.Pay = promo.Multibuy, 3, 2
		default:
			p.Kind, p.SKUs = promo.MixMatch, nil
			p.Params.Groups = []promo.Group{{SKUs: []string{sku}, Qty: 1}, {SKUs: []string{posbench.CatalogSKU((item + 1) % tillItems)}, Qty: 1}}
			p.Params.PercentBP = 1500
		}
		ps = append(ps, p)
	}
	return ps
}

// quoteOf50 is a 50-line basket of the bench catalogue.
func quoteOf50() pos.SaleRequest {
	var lines []pos.LineRequest
	for k := range 50 {
		qty := int64(1 + k%3)
		lines = append(lines, pos.LineRequest{Code: posbench.CatalogSKU(k * 37 % tillItems), Qty: &qty})
	}
	return pos.SaleRequest{Terminal: "lane1", Lines: lines}
}

func (b *bench) promoQuote(ctx context.Context) Row {
	row := Row{Measure: fmt.Sprintf("quote of a 50-line basket against %d live promotions, p99 (in process)", benchPromotions), Unit: "ms",
		BaselineName: "the same quote without promotions (p99)", Goal: Goal{On: "value", Op: "<", Limit: 5, Label: "p99 < 5 ms"}}
	measure := func(name string, with bool) (benchkit.Result, int64, error) {
		svc, done, err := b.promoService(ctx, name, with)
		if err != nil {
			return benchkit.Result{}, 0, err
		}
		defer done()
		q, err := svc.Quote(ctx, "lane1", quoteOf50()) // also builds the promotion index once
		if err != nil {
			return benchkit.Result{}, 0, err
		}
		r := benchkit.Closed(ctx, 1, 2000, 0, func(int) error { _, err := svc.Quote(ctx, "lane1", quoteOf50()); return err })
		return r, q.SavingMinor, r.Err
	}
	r, saving, err := measure("promo-quote", true)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	if saving == 0 {
		row.Err = "the bench basket saved nothing: the promotions were not applied"
		return row
	}
	row.Value = r.P(0.99)
	if base, _, err := measure("promo-quote-none", false); err != nil {
		row.BaselineErr = err.Error()
	} else {
		row.Baseline = base.P(0.99)
	}
	row.Notes = fmt.Sprintf("2000 quotes; p50 %.3f ms; the basket saves %d cents", r.P(0.5), saving)
	return row
}

func (b *bench) promoSales(ctx context.Context) Row {
	row := Row{Measure: fmt.Sprintf("durable sales with %d live promotions, %d clients (in process)", benchPromotions, b.o.clients), Unit: "sales/s",
		BaselineName: "the same sales without promotions", Goal: AtLeastRatio(0.8)}
	var on, off []float64
	for run := range 3 {
		for _, with := range []bool{run%2 == 0, run%2 != 0} {
			svc, done, err := b.promoService(ctx, fmt.Sprintf("promo-sales-%d-%v", run, with), with)
			if err != nil {
				row.Err = err.Error()
				return row
			}
			r := runTillSales(ctx, svc, b.o.clients, b.o.salesDuration/3)
			done()
			if r.Err != nil {
				row.Err = fmt.Sprintf("%d sales failed: %v", r.Failed, r.Err)
				return row
			}
			if with {
				on = append(on, r.Rate())
			} else {
				off = append(off, r.Rate())
			}
		}
	}
	row.Value, row.Baseline = median(on), median(off)
	row.Notes = "median of 3 alternating runs each; the sales are the till rows' 3-line sales"
	return row
}
