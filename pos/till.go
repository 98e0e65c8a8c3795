package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Till event types (outbox topic till).
const (
	TypeTillOpened   = "retail.till.opened"
	TypeTillMovement = "retail.till.movement"
	TypeTillClosed   = "retail.till.closed"
)

// TillResult is a till answer and whether this call created it (201) or found it stored (200).
type TillResult struct {
	Body    []byte
	Created bool
}

// OpenTill opens a session on the terminal with a float. The same session_id again answers the
// session's report (200); with a different body 409; another session open on the terminal 409
// till_open.
func (s *Service) OpenTill(ctx context.Context, term Terminal, req TillOpenRequest) (TillResult, error) {
	if err := validUUID("session_id", req.SessionID); err != nil {
		return TillResult{}, err
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return TillResult{}, err
	}
	var floatMinor int64
	switch {
	case req.Float != nil && req.FloatMinor != nil:
		return TillResult{}, badRequest("float and float_minor: give one of them")
	case req.FloatMinor != nil:
		if floatMinor = *req.FloatMinor; floatMinor < 0 || floatMinor > maxAmountMinor {
			return TillResult{}, unprocessable("invalid_amount", "float_minor: %d is not between 0 and %d", floatMinor, int64(maxAmountMinor))
		}
	case req.Float != nil:
		n, err := s.countTotal("float", req.Float)
		if err != nil {
			return TillResult{}, err
		}
		floatMinor = n
	default:
		return TillResult{}, badRequest("float or float_minor is required (float_minor 0 for an empty drawer)")
	}
	printer, err := parsePrint(req.Print, term)
	if err != nil {
		return TillResult{}, err
	}
	hashed := req
	hashed.Print = nil
	hash := requestHash(hashed)
	float := req.Float
	if float == nil {
		float = []Denomination{}
	}
	var res TillResult
	var rep TillReport
	err = s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		var storedHash string
		err := tx.QueryRowContext(ctx, `SELECT open_hash FROM till_sessions WHERE session_id = ?1`, req.SessionID).Scan(&storedHash)
		switch {
		case err == nil && storedHash != hash:
			return errConflict
		case err == nil:
			r, err := s.sessionReport(ctx, tx, req.SessionID)
			if err != nil {
				return err
			}
			res.Body, err = json.Marshal(r)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return db.Explain(err)
		}
		if open, err := openSessionID(ctx, tx, term.ID); err != nil {
			return err
		} else if open != "" {
			return reqErr(http.StatusConflict, "till_open", "terminal %s already has an open till session %s: close it first", term.ID, open)
		}
		rep, err = s.insertSession(ctx, rawTx, term.ID, req.SessionID, req.Cashier, floatMinor, float, false, hash)
		if err != nil {
			return err
		}
		if printer != "" {
			if rep.Print, err = s.enqueueReport(ctx, rawTx, printer, rep); err != nil {
				return err
			}
		}
		res.Body, err = json.Marshal(rep)
		res.Created = true
		return err
	})
	if err != nil {
		return TillResult{}, db.Explain(err)
	}
	s.afterTill(res.Created, printer)
	return res, nil
}

// insertSession stores a new open session with the terminal's next Z number and queues
// retail.till.opened.
func (s *Service) insertSession(ctx context.Context, tx *sql.Tx, terminal, id, cashier string, floatMinor int64,
	float []Denomination, implicit bool, hash string) (TillReport, error) {
	at := s.now()
	var zNo int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(z_no), 0) + 1 FROM till_sessions WHERE terminal = ?1`, terminal).Scan(&zNo); err != nil {
		return TillReport{}, fmt.Errorf("next z_no: %w", err)
	}
	fj, err := json.Marshal(float)
	if err != nil {
		return TillReport{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO till_sessions (session_id, terminal, status, implicit, z_no, opened_at,
		opened_by, float_minor, float_json, open_hash) VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
		id, terminal, b2i(implicit), zNo, at.Format(time.RFC3339Nano), cashier, floatMinor, string(fj), hash); err != nil {
		return TillReport{}, fmt.Errorf("store till session: %w", err)
	}
	rep := TillReport{SessionID: id, Terminal: terminal, Status: "open", Implicit: implicit, ZNo: zNo,
		OpenedAt: at.Format(time.RFC3339Nano), OpenedBy: cashier, Currency: s.opts.Currency, FloatMinor: floatMinor,
		Float: float, Taxes: []TaxLine{}, CashCounted: []Denomination{}, ReportedAt: at.Format(time.RFC3339Nano),
		Tenders: []TillTender{{Method: "cash", ExpectedMinor: floatMinor}}}
	if _, err := s.out.Append(ctx, tx, outbox.TopicTill, TypeTillOpened, newID(), at, rep); err != nil {
		return TillReport{}, err
	}
	return rep, nil
}

// MoveTill stores a pay-in, pay-out or safe drop in the terminal's open session. Idempotent by
// movement_id.
func (s *Service) MoveTill(ctx context.Context, term Terminal, req TillMovementRequest) (TillResult, error) {
	if err := validUUID("movement_id", req.MovementID); err != nil {
		return TillResult{}, err
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return TillResult{}, err
	}
	switch req.Kind {
	case MovePayIn, MovePayOut, MoveDrop:
	default:
		return TillResult{}, unprocessable("invalid_kind", "kind: %q is not one of pay_in, pay_out, drop", truncate(req.Kind, 20))
	}
	if req.AmountMinor <= 0 || req.AmountMinor > maxAmountMinor {
		return TillResult{}, unprocessable("invalid_amount", "amount_minor: %d is not a positive amount (at most %d)", req.AmountMinor, int64(maxAmountMinor))
	}
	if err := validReason("reason", req.Reason, true); err != nil {
		return TillResult{}, err
	}
	hash := requestHash(req)
	var res TillResult
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		if body, ok, err := storedBody(ctx, tx, `SELECT request_hash, body FROM till_movements WHERE movement_id = ?1`, req.MovementID, hash); ok || err != nil {
			res.Body = body
			return err
		}
		id, err := openSessionID(ctx, tx, term.ID)
		if err != nil {
			return err
		}
		if id == "" {
			return errTillNotOpen(term.ID)
		}
		at := s.now()
		m := TillMovement{MovementID: req.MovementID, SessionID: id, Terminal: term.ID, Kind: req.Kind,
			AmountMinor: req.AmountMinor, Reason: req.Reason, Cashier: req.Cashier, CreatedAt: at.Format(time.RFC3339Nano)}
		body, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO till_movements (movement_id, session_id, kind, amount_minor, reason,
			cashier, created_at, request_hash, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
			m.MovementID, id, m.Kind, m.AmountMinor, m.Reason, m.Cashier, m.CreatedAt, hash, string(body)); err != nil {
			return fmt.Errorf("store till movement: %w", err)
		}
		var in, out, drop int64
		switch m.Kind {
		case MovePayIn:
			in = m.AmountMinor
		case MovePayOut:
			out = m.AmountMinor
		default:
			drop = m.AmountMinor
		}
		if err := addTender(ctx, tx, id, "cash", 0, 0, in, out, drop); err != nil {
			return err
		}
		if _, err := s.out.Append(ctx, tx, outbox.TopicTill, TypeTillMovement, newID(), at, m); err != nil {
			return err
		}
		res = TillResult{Body: body, Created: true}
		return nil
	})
	if err != nil {
		return TillResult{}, db.Explain(err)
	}
	s.committed(res.Created)
	return res, nil
}

// validReason checks a free-text reason: printable, at most maxReasonLen bytes, and present when
// required.
func validReason(field, v string, required bool) error {
	if required && v == "" {
		return badRequest("%s is required", field)
	}
	if len(v) > maxReasonLen {
		return badRequest("%s is longer than %d bytes", field, maxReasonLen)
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return badRequest("%s has control characters", field)
		}
	}
	return nil
}

// addTender adds to a session's tender totals.
func addTender(ctx context.Context, tx dbtx, session, method string, sales, refunds, in, out, drops int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO till_tenders (session_id, method, sales_minor, refunds_minor, pay_in_minor,
		pay_out_minor, drops_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
		ON CONFLICT (session_id, method) DO UPDATE SET sales_minor = sales_minor + excluded.sales_minor,
		refunds_minor = refunds_minor + excluded.refunds_minor, pay_in_minor = pay_in_minor + excluded.pay_in_minor,
		pay_out_minor = pay_out_minor + excluded.pay_out_minor, drops_minor = drops_minor + excluded.drops_minor`,
		session, method, sales, refunds, in, out, drops)
	if err != nil {
		return fmt.Errorf("till session %s tender %s: %w", session, method, err)
	}
	return nil
}

// addTax adds to a session's VAT totals of one rate.
func addTax(ctx context.Context, tx dbtx, session string, bp, salesGross, salesTax, refundsGross, refundsTax int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO till_taxes (session_id, tax_rate_bp, sales_gross_minor, sales_tax_minor,
		refunds_gross_minor, refunds_tax_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
		ON CONFLICT (session_id, tax_rate_bp) DO UPDATE SET sales_gross_minor = sales_gross_minor + excluded.sales_gross_minor,
		sales_tax_minor = sales_tax_minor + excluded.sales_tax_minor,
		refunds_gross_minor = refunds_gross_minor + excluded.refunds_gross_minor,
		refunds_tax_minor = refunds_tax_minor + excluded.refunds_tax_minor`,
		session, bp, salesGross, salesTax, refundsGross, refundsTax)
	if err != nil {
		return fmt.Errorf("till session %s tax %d: %w", session, bp, err)
	}
	return nil
}

// afterTill wakes sync and the printer after a till transaction committed.
func (s *Service) afterTill(created bool, printer string) {
	if created && printer != "" && s.opts.Printing != nil {
		s.opts.Printing.Wake()
	}
	s.committed(created)
}
