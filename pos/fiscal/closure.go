package fiscal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Closure periods.
const (
	PeriodDay   = "day"
	PeriodMonth = "month"
	PeriodYear  = "year"
)

// Periods lists the closure periods in the order they are closed.
var Periods = []string{PeriodDay, PeriodMonth, PeriodYear}

// Closure is the data of a closure record: the period's totals per VAT rate, the period grand
// total and the perpetual grand total, and the last ticket it covers.
type Closure struct {
	Kind           string       `json:"kind"`
	Period         string       `json:"period"`
	From           string       `json:"from"`
	To             string       `json:"to"`
	Taxes          []ClosureTax `json:"taxes"`
	TotalMinor     int64        `json:"total_minor"`
	PerpetualMinor int64        `json:"perpetual_minor"`
	Tickets        int64        `json:"tickets"`
	LastTicketSeq  int64        `json:"last_ticket_seq"`
	LastTicketHash string       `json:"last_ticket_hash"`
}

// ClosureTax is one VAT rate's totals in a closure (refunds already subtracted).
type ClosureTax struct {
	TaxRateBP  int64 `json:"tax_rate_bp"`
	GrossMinor int64 `json:"gross_minor"`
	TaxMinor   int64 `json:"tax_minor"`
	NetMinor   int64 `json:"net_minor"`
}

// Calendar is the store's business calendar: the business day turns at DayStart (an offset from
// local midnight) in Location.
type Calendar struct {
	Location *time.Location
	DayStart time.Duration
}

// businessDate is the local date whose business day holds t.
func (c Calendar) businessDate(t time.Time) time.Time {
	l := t.In(c.loc()).Add(-c.DayStart)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, c.loc())
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// turn is the instant a business date's day starts.
func (c Calendar) turn(date time.Time) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, c.loc()).Add(c.DayStart)
}

// Start returns the start of the period of kind that holds t.
func (c Calendar) Start(kind string, t time.Time) time.Time {
	d := c.businessDate(t)
	switch kind {
	case PeriodMonth:
		d = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, c.loc())
	case PeriodYear:
		d = time.Date(d.Year(), 1, 1, 0, 0, 0, 0, c.loc())
	}
	return c.turn(d)
}

// End returns the end of the period of kind that starts at from (a period closed early by
// `fiscal close` leaves the rest of it to a period that ends at the usual turn).
func (c Calendar) End(kind string, from time.Time) time.Time {
	d := c.businessDate(from)
	switch kind {
	case PeriodMonth:
		d = time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, c.loc())
	case PeriodYear:
		d = time.Date(d.Year()+1, 1, 1, 0, 0, 0, 0, c.loc())
	default:
		d = d.AddDate(0, 0, 1)
	}
	return c.turn(d)
}

// Label names the period of kind that starts at from: 2026-12-01, 2026-12 or 2026.
func (c Calendar) Label(kind string, from time.Time) string {
	d := c.businessDate(from)
	switch kind {
	case PeriodMonth:
		return d.Format("2006-01")
	case PeriodYear:
		return d.Format("2006")
	}
	return d.Format("2006-01-02")
}

// lastClosure returns the last closure of kind, or nil.
func lastClosure(ctx context.Context, tx Tx, kind string) (*Closure, error) {
	var raw string
	err := tx.QueryRowContext(ctx, `SELECT data FROM fiscal_records WHERE chain = 'closure'
		AND json_extract(data, '$.kind') = ?1 ORDER BY seq DESC LIMIT 1`, kind).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fiscal last %s closure: %w", kind, err)
	}
	var c Closure
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return nil, fmt.Errorf("fiscal last %s closure: %w", kind, err)
	}
	return &c, nil
}

// ticketTotals sums the ticket records after seq afterSeq recorded before to: per VAT rate,
// the grand total, the count and the last one.
func ticketTotals(ctx context.Context, q Querier, afterSeq int64, to string) (Closure, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, hash, data FROM fiscal_records WHERE chain = 'ticket' AND seq > ?1
		AND julianday(recorded_at) < julianday(?2) ORDER BY seq`, afterSeq, to)
	if err != nil {
		return Closure{}, fmt.Errorf("fiscal ticket totals: %w", err)
	}
	defer rows.Close()
	c := Closure{LastTicketSeq: afterSeq}
	rates := map[int64]*ClosureTax{}
	for rows.Next() {
		var seq int64
		var hash, raw string
		if err := rows.Scan(&seq, &hash, &raw); err != nil {
			return Closure{}, err
		}
		var t struct {
			Kind string `json:"kind"`
			Body struct {
				TotalMinor int64 `json:"total_minor"`
				Taxes      []struct {
					TaxRateBP  int64 `json:"tax_rate_bp"`
					GrossMinor int64 `json:"gross_minor"`
					TaxMinor   int64 `json:"tax_minor"`
				} `json:"taxes"`
			} `json:"body"`
		}
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return Closure{}, fmt.Errorf("fiscal ticket %d: %w", seq, err)
		}
		sign := int64(1)
		if t.Kind == "refund" {
			sign = -1
		}
		c.TotalMinor += sign * t.Body.TotalMinor
		for _, x := range t.Body.Taxes {
			r := rates[x.TaxRateBP]
			if r == nil {
				r = &ClosureTax{TaxRateBP: x.TaxRateBP}
				rates[x.TaxRateBP] = r
			}
			r.GrossMinor += sign * x.GrossMinor
			r.TaxMinor += sign * x.TaxMinor
			r.NetMinor = r.GrossMinor - r.TaxMinor
		}
		c.Tickets++
		c.LastTicketSeq, c.LastTicketHash = seq, hash
	}
	c.Taxes = []ClosureTax{}
	for _, r := range rates {
		c.Taxes = append(c.Taxes, *r)
	}
	sort.Slice(c.Taxes, func(i, k int) bool { return c.Taxes[i].TaxRateBP < c.Taxes[k].TaxRateBP })
	return c, rows.Err()
}
