package pos

import (
	"context"
	"database/sql"
	"fmt"
)

// tillSessionFor returns the terminal's open session for a sale or refund inside the writer
// transaction. With till.require_open false and none open, it opens an implicit one with a zero
// float; with true, it answers 409 till_not_open. With the till off it returns "".
func (s *Service) tillSessionFor(ctx context.Context, tx *sql.Tx, terminal, cashier string) (string, error) {
	if s.opts.Till.Off {
		return "", nil
	}
	id, err := openSessionID(ctx, s.w(tx), terminal)
	if err != nil || id != "" {
		return id, err
	}
	if s.opts.Till.RequireOpen {
		return "", errTillNotOpen(terminal)
	}
	id = newID()
	if _, err := s.insertSession(ctx, tx, terminal, id, cashier, 0, []Denomination{}, true, ""); err != nil {
		return "", err
	}
	return id, nil
}

// recordSale adds a stored sale to its session's totals: the count and gross, the VAT per rate,
// and per method what was taken (cash: payments minus change, so after cash rounding). A
// training sale counts in no till report (X or Z): it is not takings.
func recordSale(ctx context.Context, tx dbtx, sale *Sale) error {
	if sale.TillSessionID == "" || sale.Training {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE till_sessions SET sales_count = sales_count + 1,
		sales_gross_minor = sales_gross_minor + ?2, sales_tax_minor = sales_tax_minor + ?3,
		rounding_minor = rounding_minor + ?4 WHERE session_id = ?1`,
		sale.TillSessionID, sale.TotalMinor, sale.TaxMinor, sale.RoundingMinor); err != nil {
		return fmt.Errorf("till session %s: %w", sale.TillSessionID, err)
	}
	taken := map[string]int64{}
	for _, p := range sale.Payments {
		taken[p.Method] += p.AmountMinor
	}
	if sale.ChangeMinor != 0 {
		taken["cash"] -= sale.ChangeMinor
	}
	for _, m := range tenderOrder {
		if v, ok := taken[m]; ok {
			if err := addTender(ctx, tx, sale.TillSessionID, m, v, 0, 0, 0, 0); err != nil {
				return err
			}
		}
	}
	for _, t := range sale.Taxes {
		if err := addTax(ctx, tx, sale.TillSessionID, t.TaxRateBP, t.GrossMinor, t.TaxMinor, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// recordRefund adds a stored refund to its session's totals.
func recordRefund(ctx context.Context, tx dbtx, ref *Refund) error {
	if ref.TillSessionID == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE till_sessions SET refunds_count = refunds_count + 1,
		refunds_gross_minor = refunds_gross_minor + ?2, refunds_tax_minor = refunds_tax_minor + ?3 WHERE session_id = ?1`,
		ref.TillSessionID, ref.TotalMinor, ref.TaxMinor); err != nil {
		return fmt.Errorf("till session %s: %w", ref.TillSessionID, err)
	}
	if err := addTender(ctx, tx, ref.TillSessionID, ref.Method, 0, ref.TotalMinor, 0, 0, 0); err != nil {
		return err
	}
	for _, t := range ref.Taxes {
		if err := addTax(ctx, tx, ref.TillSessionID, t.TaxRateBP, 0, 0, t.GrossMinor, t.TaxMinor); err != nil {
			return err
		}
	}
	return nil
}

// recordRefundUnlessTraining adds a refund to its session's totals unless it refunds a training
// sale, which counts in no till report.
func recordRefundUnlessTraining(ctx context.Context, tx dbtx, ref *Refund, training bool) error {
	if training {
		return nil
	}
	return recordRefund(ctx, tx, ref)
}
