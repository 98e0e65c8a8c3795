package pos

import (
	"context"
	"image/png"
	"net/http"
	"strings"
)

// maxLabelSKUs bounds one label request: one A4 sheet.
const maxLabelSKUs = LabelsPerSheet

// labelSheet answers GET /api/v1/labels?sku=A&sku=B (or sku=A,B) with an A4 sheet PNG of those
// items' shelf labels. Staff only (the route needs a terminal token).
func (p *pages) labelSheet(w http.ResponseWriter, r *http.Request, _ Terminal) {
	if err := p.labeler.CheckAisleBase(); err != nil {
		writeError(w, reqErr(http.StatusServiceUnavailable, "not_configured", "%v", err))
		return
	}
	var codes []string
	for _, v := range r.URL.Query()["sku"] {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 {
		writeError(w, badRequest("name at least one item: ?sku=..."))
		return
	}
	if len(codes) > maxLabelSKUs {
		writeError(w, badRequest("at most %d labels per sheet", maxLabelSKUs))
		return
	}
	var prods []Product
	for _, c := range codes {
		prod, err := p.svc.Lookup(r.Context(), c)
		if err != nil {
			writeError(w, err)
			return
		}
		prods = append(prods, p.svc.LabelProduct(r.Context(), prod))
	}
	sheets, err := p.labeler.Sheets(prods)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	if err := png.Encode(w, sheets[0]); err != nil {
		p.svc.log.Warn("write label sheet", "err", err)
	}
}

// LabelProduct is prod as its shelf label shows it: with the promotion that lowers its price now
// (the promotion's price, its unit price and the 30-day lowest price), if any. A failure to read
// the promotions is logged and the label shows the shelf price.
func (s *Service) LabelProduct(ctx context.Context, prod Product) Product {
	if red, ok, err := s.ReductionOf(ctx, prod); err != nil {
		s.log.Warn("label reduction", "sku", prod.SKU, "err", err)
	} else if ok {
		prod.reduction = &red
	}
	return prod
}
