package fiscal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// VerifyClosures recomputes every closure from the ticket chain: each period starts where the
// previous one of its kind ended, holds exactly the tickets recorded inside it with the totals
// it states, and its perpetual total is the previous one plus its own. No ticket after the last
// closure may be dated inside it. A failure is a *BrokenError naming the closure record.
func VerifyClosures(ctx context.Context, q Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT seq, data FROM fiscal_records WHERE chain = 'closure' ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("fiscal closures: %w", err)
	}
	type rec struct {
		seq int64
		c   Closure
	}
	var all []rec
	for rows.Next() {
		var r rec
		var raw string
		if err := rows.Scan(&r.seq, &raw); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal([]byte(raw), &r.c); err != nil {
			rows.Close()
			return &BrokenError{Chain: ChainClosure, Seq: r.seq, What: "data is not a closure"}
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	prev := map[string]*Closure{}
	for _, r := range all {
		bad := func(format string, args ...any) error {
			return &BrokenError{Chain: ChainClosure, Seq: r.seq, What: fmt.Sprintf("%s closure %s: ", r.c.Kind, r.c.Period) + fmt.Sprintf(format, args...)}
		}
		p := prev[r.c.Kind]
		var after, perpetual int64
		if p != nil {
			after, perpetual = p.LastTicketSeq, p.PerpetualMinor
			if r.c.From != p.To {
				return bad("starts at %s, but the previous one ended at %s", r.c.From, p.To)
			}
		}
		got, err := ticketTotals(ctx, q, after, r.c.To)
		if err != nil {
			return err
		}
		switch {
		case got.Tickets != r.c.Tickets || got.LastTicketSeq != r.c.LastTicketSeq:
			return bad("covers tickets %d..%d, but the ticket chain has %d..%d inside the period", after+1, r.c.LastTicketSeq, after+1, got.LastTicketSeq)
		case got.TotalMinor != r.c.TotalMinor:
			return bad("total_minor %d, but its tickets sum to %d", r.c.TotalMinor, got.TotalMinor)
		case !slices.Equal(got.Taxes, r.c.Taxes):
			return bad("the totals per VAT rate differ from its tickets")
		case r.c.PerpetualMinor != perpetual+r.c.TotalMinor:
			return bad("perpetual_minor %d is not the previous %d plus the period's %d", r.c.PerpetualMinor, perpetual, r.c.TotalMinor)
		}
		c := r.c
		prev[r.c.Kind] = &c
	}
	if p := prev[PeriodDay]; p != nil {
		var seq int64
		row := queryRow(ctx, q, `SELECT seq FROM fiscal_records WHERE chain = 'ticket' AND seq > ?1
			AND julianday(recorded_at) < julianday(?2) ORDER BY seq LIMIT 1`, p.LastTicketSeq, p.To)
		if e := row(&seq); e == nil {
			return &BrokenError{Chain: ChainTicket, Seq: seq, What: fmt.Sprintf("dated inside the closed day %s", p.Period)}
		} else if !errors.Is(e, sql.ErrNoRows) {
			return e
		}
	}
	return nil
}

// queryRow runs a one-row query through a Querier and returns its scanner.
func queryRow(ctx context.Context, q Querier, query string, args ...any) func(dest ...any) error {
	return func(dest ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return rows.Scan(dest...)
	}
}
