package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// counted is a validated close count: per method the amount, and cash's denominations.
type counted struct {
	amounts map[string]int64
	cash    []Denomination
}

// validCount checks a close's counted list: known methods, each once, cash by denominations or
// as an amount, and cash always counted (the drawer is what a close counts).
func (s *Service) validCount(list []CountedTender) (counted, error) {
	c := counted{amounts: map[string]int64{}, cash: []Denomination{}}
	if len(list) > maxTenderEntries {
		return c, unprocessable("invalid_count", "counted: at most %d entries", maxTenderEntries)
	}
	for i, t := range list {
		if !paymentMethods[t.Method] {
			return c, unprocessable("invalid_payment", "counted[%d].method: %q is not one of cash, card, voucher, prepaid, other", i, truncate(t.Method, 20))
		}
		if _, dup := c.amounts[t.Method]; dup {
			return c, unprocessable("invalid_count", "counted[%d].method: %s is counted twice", i, t.Method)
		}
		switch {
		case t.Denominations != nil && t.AmountMinor != nil:
			return c, badRequest("counted[%d]: give denominations or amount_minor, not both", i)
		case t.Denominations != nil:
			if t.Method != "cash" {
				return c, unprocessable("invalid_count", "counted[%d].denominations: only cash is counted by denomination", i)
			}
			n, err := s.countTotal("counted["+itoa(i)+"].denominations", t.Denominations)
			if err != nil {
				return c, err
			}
			c.amounts[t.Method], c.cash = n, t.Denominations
		case t.AmountMinor != nil:
			if *t.AmountMinor < 0 || *t.AmountMinor > maxAmountMinor {
				return c, unprocessable("invalid_amount", "counted[%d].amount_minor: %d is not between 0 and %d", i, *t.AmountMinor, int64(maxAmountMinor))
			}
			c.amounts[t.Method] = *t.AmountMinor
		default:
			return c, badRequest("counted[%d]: denominations or amount_minor is required", i)
		}
	}
	if _, ok := c.amounts["cash"]; !ok {
		return c, unprocessable("invalid_count", "counted: the cash in the drawer must be counted (method cash)")
	}
	return c, nil
}

// CloseTill closes a session with what was counted and returns its Z report. A second close of
// the same session with the same body answers the stored Z (200); with another body 409.
func (s *Service) CloseTill(ctx context.Context, term Terminal, req TillCloseRequest) (TillResult, error) {
	if req.SessionID == "" {
		return TillResult{}, badRequest("session_id is required: the session being closed (GET /api/v1/till names it)")
	}
	if err := validUUID("session_id", req.SessionID); err != nil {
		return TillResult{}, err
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return TillResult{}, err
	}
	if err := validReason("reason", req.Reason, false); err != nil {
		return TillResult{}, err
	}
	cnt, err := s.validCount(req.Counted)
	if err != nil {
		return TillResult{}, err
	}
	printer, err := parsePrint(req.Print, term)
	if err != nil {
		return TillResult{}, err
	}
	hashed := req
	hashed.Print = nil
	hash := requestHash(hashed)
	var res TillResult
	err = s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		var terminal, status, closeHash string
		var zBody []byte
		err := tx.QueryRowContext(ctx, `SELECT terminal, status, close_hash, z_body FROM till_sessions WHERE session_id = ?1`,
			req.SessionID).Scan(&terminal, &status, &closeHash, &zBody)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return reqErr(http.StatusNotFound, "not_found", "session_id: no till session %s", req.SessionID)
		case err != nil:
			return db.Explain(err)
		case terminal != term.ID:
			return reqErr(http.StatusForbidden, "forbidden", "session_id: session %s belongs to terminal %s, not %s", req.SessionID, terminal, term.ID)
		case status == "closed" && closeHash == hash:
			res.Body = zBody
			return nil
		case status == "closed":
			return reqErr(http.StatusConflict, "conflict", "session_id: session %s is already closed with a different count; GET /api/v1/till/sessions/%s shows its Z", req.SessionID, req.SessionID)
		}
		z, err := s.sessionReport(ctx, tx, req.SessionID)
		if err != nil {
			return err
		}
		at := s.now().Format(time.RFC3339Nano)
		z.Status, z.ClosedAt, z.ClosedBy, z.ReportedAt, z.Reason, z.CashCounted = "closed", &at, &req.Cashier, at, req.Reason, cnt.cash
		z.Tenders = withCounts(z.Tenders, cnt.amounts)
		if d := *z.Tenders[0].DifferenceMinor; (d > s.opts.Till.MaxDifferenceMinor || -d > s.opts.Till.MaxDifferenceMinor) && req.Reason == "" {
			return unprocessable("reason_required", "reason: the cash difference is %d (more than %d either way): say why", d, s.opts.Till.MaxDifferenceMinor)
		}
		if printer != "" {
			if z.Print, err = s.enqueueReport(ctx, rawTx, printer, z); err != nil {
				return err
			}
		}
		if _, err := s.journal(ctx, rawTx, JournalTillClose, false, z); err != nil {
			return err
		}
		body, err := json.Marshal(z)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE till_sessions SET status = 'closed', closed_at = ?2, closed_by = ?3,
			close_hash = ?4, z_body = ?5 WHERE session_id = ?1`, req.SessionID, at, req.Cashier, hash, string(body)); err != nil {
			return db.Explain(err)
		}
		if _, err := s.out.Append(ctx, tx, outbox.TopicTill, TypeTillClosed, newID(), s.now(), json.RawMessage(body)); err != nil {
			return err
		}
		if err := s.closeOnRT(ctx, tx, req.SessionID); err != nil {
			return err
		}
		res = TillResult{Body: body, Created: true}
		return nil
	})
	if err != nil {
		return TillResult{}, db.Explain(err)
	}
	if res.Created {
		s.opts.RT.Wake()
	}
	s.afterTill(res.Created, printer)
	return res, nil
}

// withCounts fills in each tender's count and difference; a counted method the session never
// took is added with nothing expected, so money found is shown.
func withCounts(tenders []TillTender, amounts map[string]int64) []TillTender {
	have := map[string]bool{}
	for _, t := range tenders {
		have[t.Method] = true
	}
	for _, m := range tenderOrder {
		if _, ok := amounts[m]; ok && !have[m] {
			tenders = append(tenders, TillTender{Method: m})
		}
	}
	sort.SliceStable(tenders, func(i, j int) bool {
		return slices.Index(tenderOrder, tenders[i].Method) < slices.Index(tenderOrder, tenders[j].Method)
	})
	for i := range tenders {
		if v, ok := amounts[tenders[i].Method]; ok {
			d := v - tenders[i].ExpectedMinor
			tenders[i].CountedMinor, tenders[i].DifferenceMinor = &v, &d
		}
	}
	return tenders
}
