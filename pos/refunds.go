package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// soldLine is a stored sale line with what has been refunded of it.
type soldLine struct {
	Line
	refunded int64
}

// CreateRefund returns goods of a stored sale: stock goes back and central gets
// retail.sale.refunded. Idempotent by refund_id; a different body under the same id is 409.
func (s *Service) CreateRefund(ctx context.Context, term Terminal, req RefundRequest) ([]byte, bool, error) {
	return s.createRefund(ctx, term, req, nil)
}

// createRefund stores a refund; a non-nil void makes it the void of the whole sale (see VoidSale).
func (s *Service) createRefund(ctx context.Context, term Terminal, req RefundRequest, void *voidCheck) ([]byte, bool, error) {
	if err := validUUID("refund_id", req.RefundID); err != nil {
		return nil, false, err
	}
	if err := validUUID("sale_id", req.SaleID); err != nil {
		return nil, false, err
	}
	if err := checkTerminal(term.ID, req.Terminal); err != nil {
		return nil, false, err
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return nil, false, err
	}
	if !paymentMethods[req.Method] {
		return nil, false, unprocessable("invalid_payment", "method %q is not one of cash, card, voucher, prepaid, other", truncate(req.Method, 20))
	}
	if len(req.Lines) == 0 || len(req.Lines) > maxLines {
		return nil, false, unprocessable("no_lines", "a refund needs 1..%d lines", maxLines)
	}
	hash := requestHash(req)
	var out []byte
	var created bool
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		if body, ok, err := storedBody(ctx, tx, `SELECT request_hash, body FROM refunds WHERE refund_id = ?1`, req.RefundID, hash); ok || err != nil {
			out = body
			return err
		}
		var currency string
		var training bool
		if err := tx.QueryRowContext(ctx, `SELECT currency, coalesce(json_extract(body, '$.training'), 0) FROM sales WHERE sale_id = ?1`,
			req.SaleID).Scan(&currency, &training); err == sql.ErrNoRows {
			return unprocessable("unknown_sale", "sale_id: no sale %s", req.SaleID)
		} else if err != nil {
			return db.Explain(err)
		}
		if void != nil {
			if err := s.checkVoid(ctx, tx, req.SaleID, void); err != nil {
				return err
			}
		}
		tenders, err := saleTenders(ctx, tx, req.SaleID)
		if err != nil {
			return db.Explain(err)
		}
		if err := refundMethodAllowed(req.Method, tenders); err != nil {
			return err
		}
		sold, err := soldLines(ctx, tx, req.SaleID)
		if err != nil {
			return err
		}
		at := s.now()
		ref := Refund{RefundID: req.RefundID, SaleID: req.SaleID, Status: "completed", Terminal: term.ID,
			Cashier: req.Cashier, Method: req.Method, Currency: currency, RefundedAt: at.Format(time.RFC3339Nano)}
		ref.Void = void != nil
		var moves []Movement
		for i, rl := range req.Lines {
			rl.SKU = s.refundSKU(ctx, tx, sold, rl.SKU)
			lines, ms, err := takeFromSale(sold, i, rl)
			if err != nil {
				return err
			}
			for _, l := range lines {
				ref.Lines = append(ref.Lines, l)
				ref.TotalMinor += l.AmountMinor
			}
			for _, m := range ms {
				m.MovementID, m.Reason, m.Ref, m.OccurredAt = newID(), "refund", req.RefundID, ref.RefundedAt
				moves = append(moves, m)
			}
		}
		asLines := make([]Line, len(ref.Lines))
		for i, l := range ref.Lines {
			asLines[i] = Line{AmountMinor: l.AmountMinor, TaxRateBP: l.TaxRateBP}
		}
		ref.Taxes, ref.TaxMinor = Taxes(asLines)
		if err := s.claimCardPayments(ctx, tx, term.ID, req.RefundID, "refund",
			[]Payment{{Method: req.Method, AmountMinor: ref.TotalMinor, PaymentID: req.PaymentID}}); err != nil {
			return err
		}
		ref.PaymentID = req.PaymentID
		if ref.TillSessionID, err = s.tillSessionFor(ctx, rawTx, term.ID, req.Cashier); err != nil {
			return err
		}
		if ref.Fiscal, err = s.journal(ctx, rawTx, JournalRefund, training, ref); err != nil {
			return err
		}
		if ref.Fiscal == nil && !training {
			if ref.Fiscal, err = s.registerRefundOnRT(ctx, tx, ref, void); err != nil {
				return err
			}
		}
		body, err := json.Marshal(ref)
		if err != nil {
			return err
		}
		out, created = body, true
		if _, err := tx.ExecContext(ctx, `INSERT INTO refunds (refund_id, sale_id, terminal, cashier, method,
			request_hash, total_minor, created_at, body, till_session_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
			ref.RefundID, ref.SaleID, ref.Terminal, ref.Cashier, ref.Method, hash, ref.TotalMinor, ref.RefundedAt, string(body),
			ref.TillSessionID); err != nil {
			return db.Explain(err)
		}
		if err := recordRefundUnlessTraining(ctx, tx, &ref, training); err != nil {
			return err
		}
		for i, l := range ref.Lines {
			if _, err := tx.ExecContext(ctx, `INSERT INTO refund_lines (refund_id, line_no, sku, qty, amount_minor)
				VALUES (?1, ?2, ?3, ?4, ?5)`, ref.RefundID, i, l.SKU, l.Qty, l.AmountMinor); err != nil {
				return db.Explain(err)
			}
		}
		for _, m := range moves {
			if _, err := s.move(ctx, tx, m, ""); err != nil {
				return db.Explain(err)
			}
		}
		if _, err := s.out.Append(ctx, tx, outbox.TopicSales, "retail.sale.refunded", ref.RefundID, at, ref); err != nil {
			return db.Explain(err)
		}
		return nil
	})
	if err != nil {
		return nil, false, db.Explain(err)
	}
	if created {
		s.opts.RT.Wake()
	}
	s.committed(created)
	return out, created, nil
}

// soldLines loads a sale's lines with the quantity already refunded per line.
func soldLines(ctx context.Context, q querier, saleID string) ([]*soldLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT line_no, sku, name, qty, weight_g, unit_price_minor, amount_minor, tax_rate_bp
		FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no`, saleID)
	if err != nil {
		return nil, db.Explain(err)
	}
	defer rows.Close()
	var out []*soldLine
	for rows.Next() {
		var l soldLine
		var n int
		var w sql.NullInt64
		if err := rows.Scan(&n, &l.SKU, &l.Name, &l.Qty, &w, &l.UnitPriceMinor, &l.AmountMinor, &l.TaxRateBP); err != nil {
			return nil, err
		}
		if w.Valid {
			g := w.Int64
			l.WeightG = &g
		}
		out = append(out, &l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// What earlier refunds took, per SKU, is taken from the sale's lines in order.
	done, err := q.QueryContext(ctx, `SELECT rl.sku, sum(rl.qty) FROM refund_lines rl
		JOIN refunds r ON r.refund_id = rl.refund_id WHERE r.sale_id = ?1 GROUP BY rl.sku`, saleID)
	if err != nil {
		return nil, db.Explain(err)
	}
	defer done.Close()
	for done.Next() {
		var sku string
		var n int64
		if err := done.Scan(&sku, &n); err != nil {
			return nil, err
		}
		for _, l := range out {
			if l.SKU == sku && n > 0 {
				take := min(n, l.Qty-l.refunded)
				l.refunded += take
				n -= take
			}
		}
	}
	return out, done.Err()
}

// takeFromSale takes qty units of a SKU from the sale's lines not yet refunded, pricing each part
// as the sale did (a weighed line is refunded whole: qty 1).
func takeFromSale(sold []*soldLine, i int, rl RefundLineRequest) ([]RefundLine, []Movement, error) {
	if rl.Qty <= 0 || rl.Qty > maxQty {
		return nil, nil, lineErr(i, "bad_quantity", "qty %d is not between 1 and %d", rl.Qty, maxQty)
	}
	var left int64
	found := false
	for _, l := range sold {
		if l.SKU == rl.SKU {
			found = true
			left += l.Qty - l.refunded
		}
	}
	if !found {
		return nil, nil, lineErr(i, "not_in_sale", "sku %q is not in the sale", truncate(rl.SKU, 40))
	}
	if rl.Qty > left {
		return nil, nil, lineErr(i, "bad_quantity", "qty %d is more than the %d of %s left to refund", rl.Qty, left, rl.SKU)
	}
	var lines []RefundLine
	var moves []Movement
	need := rl.Qty
	for _, l := range sold {
		if l.SKU != rl.SKU || l.Qty == l.refunded || need == 0 {
			continue
		}
		take := min(need, l.Qty-l.refunded)
		need -= take
		// Cumulative shares: the units of a line refunded one by one add up to what the line was
		// paid, discounts included (3 for 9.96 refunds 3.32, 3.32, 3.32; 2 for 2.33 refunds 1.16, 1.17).
		amount := l.AmountMinor*(l.refunded+take)/l.Qty - l.AmountMinor*l.refunded/l.Qty
		l.refunded += take
		delta := take
		if l.WeightG != nil {
			delta = *l.WeightG
		}
		lines = append(lines, RefundLine{SKU: l.SKU, Qty: take, AmountMinor: amount, TaxRateBP: l.TaxRateBP})
		moves = append(moves, Movement{SKU: l.SKU, Delta: delta})
	}
	if need != 0 {
		return nil, nil, fmt.Errorf("refund line %d: %d of %s not allocated", i, need, rl.SKU)
	}
	return lines, moves, nil
}
