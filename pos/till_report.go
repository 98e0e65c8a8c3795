package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/storeagent/storeagent/sync/db"
)

// errTillNotOpen answers a request that needs an open session on a terminal that has none.
func errTillNotOpen(terminal string) error {
	return reqErr(http.StatusConflict, "till_not_open", "terminal %s has no open till session: open one with POST /api/v1/till/open", terminal)
}

// openSessionID returns the terminal's open session, or "" when none is open.
func openSessionID(ctx context.Context, q querier, terminal string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT session_id FROM till_sessions WHERE terminal = ?1 AND status = 'open'`, terminal).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.Explain(err)
	}
	return id, nil
}

// TillX returns the X report of the terminal's open session; 404 till_not_open when none is.
func (s *Service) TillX(ctx context.Context, term Terminal) (TillReport, error) {
	id, err := openSessionID(ctx, s.r(), term.ID)
	if err != nil {
		return TillReport{}, err
	}
	if id == "" {
		return TillReport{}, reqErr(http.StatusNotFound, "till_not_open", "terminal %s has no open till session", term.ID)
	}
	return s.sessionReport(ctx, s.r(), id)
}

// TillSession returns a stored session's report: the Z as stored when closed, else a fresh X. A
// terminal sees its own sessions only.
func (s *Service) TillSession(ctx context.Context, term Terminal, id string) (TillReport, []byte, error) {
	var terminal, status string
	var zBody []byte
	err := s.r().QueryRowContext(ctx, `SELECT terminal, status, z_body FROM till_sessions WHERE session_id = ?1`, id).Scan(&terminal, &status, &zBody)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && terminal != term.ID) {
		return TillReport{}, nil, reqErr(http.StatusNotFound, "not_found", "no till session %q on terminal %s", truncate(id, 40), term.ID)
	}
	if err != nil {
		return TillReport{}, nil, db.Explain(err)
	}
	if status == "closed" {
		var rep TillReport
		if err := json.Unmarshal(zBody, &rep); err != nil {
			return TillReport{}, nil, fmt.Errorf("stored Z of session %s: %w", id, err)
		}
		return rep, zBody, nil
	}
	rep, err := s.sessionReport(ctx, s.r(), id)
	return rep, nil, err
}

// sessionReport builds a session's report from its running totals. For an open session that is
// the X report; Close adds the counts to it to make the Z.
func (s *Service) sessionReport(ctx context.Context, q querier, id string) (TillReport, error) {
	var r TillReport
	var implicit int
	var floatJSON string
	var closedAt, closedBy string
	err := q.QueryRowContext(ctx, `SELECT terminal, status, implicit, z_no, opened_at, opened_by, closed_at, closed_by,
		float_minor, float_json, sales_count, sales_gross_minor, sales_tax_minor, rounding_minor,
		refunds_count, refunds_gross_minor, refunds_tax_minor FROM till_sessions WHERE session_id = ?1`, id).Scan(
		&r.Terminal, &r.Status, &implicit, &r.ZNo, &r.OpenedAt, &r.OpenedBy, &closedAt, &closedBy,
		&r.FloatMinor, &floatJSON, &r.Sales.Count, &r.Sales.GrossMinor, &r.Sales.TaxMinor, &r.Sales.RoundingMinor,
		&r.Refunds.Count, &r.Refunds.GrossMinor, &r.Refunds.TaxMinor)
	if errors.Is(err, sql.ErrNoRows) {
		return r, reqErr(http.StatusNotFound, "not_found", "no till session %q", truncate(id, 40))
	}
	if err != nil {
		return r, db.Explain(err)
	}
	r.SessionID, r.Implicit, r.Currency = id, implicit == 1, s.opts.Currency
	if closedAt != "" {
		r.ClosedAt, r.ClosedBy = &closedAt, &closedBy
	}
	if err := json.Unmarshal([]byte(floatJSON), &r.Float); err != nil {
		return r, fmt.Errorf("session %s float: %w", id, err)
	}
	r.CashCounted = []Denomination{}
	r.ReportedAt = s.now().Format(time.RFC3339Nano)
	if r.Taxes, err = sessionTaxes(ctx, q, id); err != nil {
		return r, err
	}
	if r.Tenders, err = sessionTenders(ctx, q, id, r.FloatMinor); err != nil {
		return r, err
	}
	return r, nil
}

// sessionTaxes reads a session's VAT per rate, net of refunds.
func sessionTaxes(ctx context.Context, q querier, id string) ([]TaxLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT tax_rate_bp, sales_gross_minor - refunds_gross_minor, sales_tax_minor - refunds_tax_minor
		FROM till_taxes WHERE session_id = ?1 ORDER BY tax_rate_bp`, id)
	if err != nil {
		return nil, db.Explain(err)
	}
	defer rows.Close()
	out := []TaxLine{}
	for rows.Next() {
		var t TaxLine
		if err := rows.Scan(&t.TaxRateBP, &t.GrossMinor, &t.TaxMinor); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// sessionTenders reads a session's tenders, cash first (always there: the float is cash), with
// what each is expected to hold.
func sessionTenders(ctx context.Context, q querier, id string, floatMinor int64) ([]TillTender, error) {
	rows, err := q.QueryContext(ctx, `SELECT method, sales_minor, refunds_minor, pay_in_minor, pay_out_minor, drops_minor
		FROM till_tenders WHERE session_id = ?1`, id)
	if err != nil {
		return nil, db.Explain(err)
	}
	defer rows.Close()
	byMethod := map[string]TillTender{"cash": {Method: "cash"}}
	for rows.Next() {
		var t TillTender
		if err := rows.Scan(&t.Method, &t.SalesMinor, &t.RefundsMinor, &t.PayInMinor, &t.PayOutMinor, &t.DropsMinor); err != nil {
			return nil, err
		}
		byMethod[t.Method] = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]TillTender, 0, len(byMethod))
	for _, m := range tenderOrder {
		if t, ok := byMethod[m]; ok {
			t.ExpectedMinor = expectedOf(t, floatMinor)
			out = append(out, t)
		}
	}
	return out, nil
}

// expectedOf is what a tender should hold: for cash the float + cash taken (payments minus
// change, after rounding) − cash refunds + pay-ins − pay-outs − drops; for the others what was
// taken minus refunds.
func expectedOf(t TillTender, floatMinor int64) int64 {
	e := t.SalesMinor - t.RefundsMinor
	if t.Method == "cash" {
		e += floatMinor + t.PayInMinor - t.PayOutMinor - t.DropsMinor
	}
	return e
}

// countTotal sums a count by denomination, refusing values not in the store's denominations.
func (s *Service) countTotal(field string, ds []Denomination) (int64, error) {
	if len(ds) > 100 {
		return 0, unprocessable("invalid_count", "%s: at most 100 entries", field)
	}
	var total int64
	for i, d := range ds {
		if d.ValueMinor <= 0 || (len(s.opts.Till.Denominations) > 0 && !slices.Contains(s.opts.Till.Denominations, d.ValueMinor)) {
			return 0, unprocessable("invalid_denomination", "%s[%d].value_minor: %d is not one of the store's denominations %v",
				field, i, d.ValueMinor, s.opts.Till.Denominations)
		}
		if d.Count < 0 || d.Count > maxDenomCount {
			return 0, unprocessable("invalid_count", "%s[%d].count: %d is not between 0 and %d", field, i, d.Count, maxDenomCount)
		}
		total += d.ValueMinor * d.Count
		if total > maxAmountMinor {
			return 0, unprocessable("invalid_count", "%s: the total is more than %d", field, int64(maxAmountMinor))
		}
	}
	return total, nil
}
