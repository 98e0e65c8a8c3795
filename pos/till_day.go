package pos

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// DayReport is the business day across the store's terminals (GET /api/v1/till/day): what was
// sold, refunded and moved between StartsAt and EndsAt, per tender and per VAT rate, and the
// sessions that were open during the day.
type DayReport struct {
	Date     string      `json:"date"`
	StartsAt string      `json:"starts_at"`
	EndsAt   string      `json:"ends_at"`
	Currency string      `json:"currency"`
	Sales    TillSales   `json:"sales"`
	Refunds  TillRefunds `json:"refunds"`
	// Taxes are per VAT rate, net of refunds.
	Taxes []TaxLine `json:"taxes"`
	// Tenders: expected_minor is the day's net per method (for cash without the floats:
	// taken − refunded + pay-ins − pay-outs − drops); nothing is counted on a day report.
	Tenders  []TillTender `json:"tenders"`
	Sessions []DaySession `json:"sessions"`
	// Closed is true when every session of the day is closed.
	Closed     bool   `json:"closed"`
	ReportedAt string `json:"reported_at"`
}

// DaySession is one session of a business day.
type DaySession struct {
	SessionID string  `json:"session_id"`
	Terminal  string  `json:"terminal"`
	ZNo       int64   `json:"z_no"`
	Status    string  `json:"status"`
	Implicit  bool    `json:"implicit"`
	OpenedAt  string  `json:"opened_at"`
	ClosedAt  *string `json:"closed_at"`
	// CashDifferenceMinor is the cash difference of the session's Z (null while open).
	CashDifferenceMinor *int64 `json:"cash_difference_minor"`
}

// BusinessDay returns the UTC bounds of the business day date (YYYY-MM-DD) in the store's zone:
// from till.day_starts_at on that date to the same time the next day.
func (s *Service) BusinessDay(date string) (start, end time.Time, err error) {
	loc := s.opts.Till.Location
	if loc == nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation("2006-01-02", date, loc)
	if err != nil {
		return start, end, badRequest("date: %q is not a date YYYY-MM-DD", truncate(date, 20))
	}
	h, m := int(s.opts.Till.DayStart/time.Hour), int(s.opts.Till.DayStart%time.Hour/time.Minute)
	start = time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
	end = time.Date(d.Year(), d.Month(), d.Day()+1, h, m, 0, 0, loc)
	return start.UTC(), end.UTC(), nil
}

// Today returns the business day the store is in now, YYYY-MM-DD.
func (s *Service) Today() string {
	loc := s.opts.Till.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.now().In(loc).Add(-s.opts.Till.DayStart).Format("2006-01-02")
}

// TillDay builds the day report of the business day date.
func (s *Service) TillDay(ctx context.Context, date string) (DayReport, error) {
	start, end, err := s.BusinessDay(date)
	if err != nil {
		return DayReport{}, err
	}
	r := DayReport{Date: date, StartsAt: start.Format(time.RFC3339), EndsAt: end.Format(time.RFC3339),
		Currency: s.opts.Currency, Taxes: []TaxLine{}, Sessions: []DaySession{}, Closed: true,
		ReportedAt: s.now().Format(time.RFC3339Nano)}
	tenders := map[string]*TillTender{"cash": {Method: "cash"}}
	tender := func(m string) *TillTender {
		if tenders[m] == nil {
			tenders[m] = &TillTender{Method: m}
		}
		return tenders[m]
	}
	taxes := map[int64]*TaxLine{}
	tax := func(bp int64) *TaxLine {
		if taxes[bp] == nil {
			taxes[bp] = &TaxLine{TaxRateBP: bp}
		}
		return taxes[bp]
	}
	// Stored times are RFC 3339 with trimmed fractions, which do not sort as text within a
	// second: read a second either side and compare parsed times.
	lo, hi := start.Add(-time.Second).Format(time.RFC3339), end.Add(time.Second).Format(time.RFC3339)
	in := func(at string) bool {
		t, err := time.Parse(time.RFC3339Nano, at)
		return err == nil && !t.Before(start) && t.Before(end)
	}
	err = s.eachBody(ctx, `SELECT body FROM sales WHERE completed_at >= ?1 AND completed_at < ?2`, lo, hi, func(b []byte) error {
		var sale Sale
		if err := json.Unmarshal(b, &sale); err != nil || !in(sale.CompletedAt) {
			return err
		}
		r.Sales.Count++
		r.Sales.GrossMinor += sale.TotalMinor
		r.Sales.TaxMinor += sale.TaxMinor
		r.Sales.RoundingMinor += sale.RoundingMinor
		for _, p := range sale.Payments {
			tender(p.Method).SalesMinor += p.AmountMinor
		}
		tender("cash").SalesMinor -= sale.ChangeMinor
		for _, t := range sale.Taxes {
			tax(t.TaxRateBP).GrossMinor += t.GrossMinor
			tax(t.TaxRateBP).TaxMinor += t.TaxMinor
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	err = s.eachBody(ctx, `SELECT body FROM refunds WHERE created_at >= ?1 AND created_at < ?2`, lo, hi, func(b []byte) error {
		var ref Refund
		if err := json.Unmarshal(b, &ref); err != nil || !in(ref.RefundedAt) {
			return err
		}
		r.Refunds.Count++
		r.Refunds.GrossMinor += ref.TotalMinor
		r.Refunds.TaxMinor += ref.TaxMinor
		tender(ref.Method).RefundsMinor += ref.TotalMinor
		for _, t := range ref.Taxes {
			tax(t.TaxRateBP).GrossMinor -= t.GrossMinor
			tax(t.TaxRateBP).TaxMinor -= t.TaxMinor
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	err = s.eachBody(ctx, `SELECT body FROM till_movements WHERE created_at >= ?1 AND created_at < ?2`, lo, hi, func(b []byte) error {
		var m TillMovement
		if err := json.Unmarshal(b, &m); err != nil || !in(m.CreatedAt) {
			return err
		}
		switch c := tender("cash"); m.Kind {
		case MovePayIn:
			c.PayInMinor += m.AmountMinor
		case MovePayOut:
			c.PayOutMinor += m.AmountMinor
		case MoveDrop:
			c.DropsMinor += m.AmountMinor
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	for _, m := range tenderOrder {
		if t := tenders[m]; t != nil {
			t.ExpectedMinor = expectedOf(*t, 0)
			r.Tenders = append(r.Tenders, *t)
		}
	}
	for bp := range taxes {
		r.Taxes = append(r.Taxes, *taxes[bp])
	}
	sortTaxes(r.Taxes)
	if err := s.daySessions(ctx, &r, start, end); err != nil {
		return r, err
	}
	return r, nil
}

// daySessions lists the sessions open at any moment of the day.
func (s *Service) daySessions(ctx context.Context, r *DayReport, start, end time.Time) error {
	rows, err := s.r().QueryContext(ctx, `SELECT session_id, terminal, z_no, status, implicit, opened_at, closed_at, z_body
		FROM till_sessions WHERE opened_at < ?1 AND (status = 'open' OR closed_at >= ?2) ORDER BY terminal, z_no`,
		end.Add(time.Second).Format(time.RFC3339), start.Add(-time.Second).Format(time.RFC3339))
	if err != nil {
		return db.Explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DaySession
		var implicit int
		var closedAt string
		var zBody []byte
		if err := rows.Scan(&d.SessionID, &d.Terminal, &d.ZNo, &d.Status, &implicit, &d.OpenedAt, &closedAt, &zBody); err != nil {
			return err
		}
		d.Implicit = implicit == 1
		if d.Status == "closed" {
			d.ClosedAt = &closedAt
			var z TillReport
			if err := json.Unmarshal(zBody, &z); err != nil {
				return fmt.Errorf("stored Z of session %s: %w", d.SessionID, err)
			}
			if len(z.Tenders) > 0 {
				d.CashDifferenceMinor = z.Tenders[0].DifferenceMinor
			}
		} else {
			r.Closed = false
		}
		r.Sessions = append(r.Sessions, d)
	}
	return rows.Err()
}

// eachBody calls fn with each body a two-parameter query returns.
func (s *Service) eachBody(ctx context.Context, query, a, b string, fn func([]byte) error) error {
	rows, err := s.r().QueryContext(ctx, query, a, b)
	if err != nil {
		return db.Explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return err
		}
		if err := fn(body); err != nil {
			return err
		}
	}
	return rows.Err()
}
