package pos

import (
	"context"
	"errors"
	"net/http"
)

// ScaleReading is the body of GET /api/v1/scale: the terminal's scanner-scale now.
type ScaleReading struct {
	Device string `json:"device"`
	// Status is stable, zero, unstable, over_capacity, under_zero or no_zero.
	Status  string `json:"status"`
	WeightG int64  `json:"weight_g"`
	Stable  bool   `json:"stable"`
}

// ErrNoScale is returned by a ScaleReader for a terminal without a scanner-scale.
var ErrNoScale = errors.New("no scale")

// ScaleReader reads the scanner-scale of a terminal.
type ScaleReader interface {
	ReadScale(ctx context.Context, terminal string) (ScaleReading, error)
}

// RegisterScaleRoute serves GET /api/v1/scale for the terminal's scanner-scale: 200 with the
// reading, 404 no_scale, 503 scale_unavailable when it does not answer.
func RegisterScaleRoute(srv *Server) {
	srv.Handle("GET /api/v1/scale", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		rd, err := srv.svc.readScale(r.Context(), term.ID)
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rd)
	})
}

func (s *Service) readScale(ctx context.Context, term string) (ScaleReading, error) {
	if s.opts.Scale == nil {
		return ScaleReading{}, reqErr(http.StatusNotFound, "no_scale", "terminal %s has no scanner-scale", term)
	}
	rd, err := s.opts.Scale.ReadScale(ctx, term)
	switch {
	case errors.Is(err, ErrNoScale):
		return ScaleReading{}, reqErr(http.StatusNotFound, "no_scale", "terminal %s has no scanner-scale", term)
	case err != nil:
		return ScaleReading{}, reqErr(http.StatusServiceUnavailable, "scale_unavailable", "the scale of terminal %s does not answer: %v", term, err)
	}
	return rd, nil
}

// checkScale refuses a basket whose newest line (the last) is sold by weight while the terminal's
// scanner-scale says its weight cannot be sold by: unstable (422 scale_unstable), negative
// (scale_negative), over capacity (scale_over_capacity) or not zeroed (scale_not_zeroed). Only the
// newest line is the one on the scale now: a line weighed earlier was checked when it was added, and
// the next item moving on the platter must not refuse it (nor the payment). A terminal without a
// scale, or a scale that does not answer, refuses nothing (the weight then comes from the barcode or
// the cashier).
func (s *Service) checkScale(ctx context.Context, term string, lines []LineRequest) error {
	if s.opts.Scale == nil || len(lines) == 0 || lines[len(lines)-1].WeightG == nil {
		return nil
	}
	last := len(lines) - 1
	rd, err := s.opts.Scale.ReadScale(ctx, term)
	if err != nil {
		if !errors.Is(err, ErrNoScale) {
			s.log.Warn("scale check", "terminal", term, "err", err)
		}
		return nil
	}
	switch rd.Status {
	case "unstable":
		return lineErr(last, "scale_unstable", "the scale %s is not stable: wait until the weight settles", rd.Device)
	case "under_zero":
		return lineErr(last, "scale_negative", "the scale %s shows a negative weight: empty it and zero it", rd.Device)
	case "over_capacity":
		return lineErr(last, "scale_over_capacity", "the scale %s is over capacity", rd.Device)
	case "no_zero":
		return lineErr(last, "scale_not_zeroed", "the scale %s cannot find zero: restart or calibrate it", rd.Device)
	}
	return nil
}

// checkScaleForSale is checkScale for a new sale; a sale already stored under the id is answered
// as stored, whatever the scale says now.
func (s *Service) checkScaleForSale(ctx context.Context, term string, req SaleRequest) error {
	if s.opts.Scale == nil {
		return nil
	}
	var n int
	if err := s.r().QueryRowContext(ctx, `SELECT count(*) FROM sales WHERE sale_id = ?1`, req.SaleID).Scan(&n); err == nil && n > 0 {
		return nil
	}
	return s.checkScale(ctx, term, req.Lines)
}
