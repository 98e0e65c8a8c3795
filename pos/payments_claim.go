package pos

import (
	"context"
	"errors"
)

// claimCardPayments checks a sale's (or refund's) card payments against the payment terminal's
// payments and marks each one used by usedBy, in the caller's transaction, so two sales can never
// use one approval. kind is "payment" for a sale and "refund" for a refund. A terminal without a
// payment terminal keeps typed card amounts (no payment_id); with one, a card payment must name
// its payment_id.
func (s *Service) claimCardPayments(ctx context.Context, tx dbtx, terminal, usedBy, kind string, ps []Payment) error {
	_, hasDevice := s.paymentDevice(terminal)
	for i, p := range ps {
		ps[i].Card = nil // only the agent fills it in, from the terminal's answer
		if p.PaymentID == "" {
			if p.Method == "card" && hasDevice {
				return unprocessable("payment_required", "payments[%d]: terminal %s takes cards through its payment terminal: name the approved payment_id (POST /api/v1/payments first)", i, terminal)
			}
			continue
		}
		if p.Method != "card" {
			return unprocessable("invalid_payment", "payments[%d]: payment_id is only for card payments", i)
		}
		v, err := s.claimPayment(ctx, tx, i, p, usedBy, kind)
		if err != nil {
			return err
		}
		ps[i].Card = &PaymentCard{CardMasked: v.CardMasked, Scheme: v.Scheme, AuthCode: v.AuthCode, EntryMode: v.EntryMode}
	}
	return nil
}

func (s *Service) claimPayment(ctx context.Context, tx dbtx, i int, p Payment, usedBy, kind string) (PaymentView, error) {
	v, err := loadPayment(ctx, tx, p.PaymentID)
	var re *RequestError
	if errors.As(err, &re) && re.Code == "not_found" {
		return PaymentView{}, unprocessable("payment_not_found", "payments[%d]: no payment %q", i, truncate(p.PaymentID, 40))
	}
	if err != nil {
		return PaymentView{}, err
	}
	switch {
	case v.Status != PaymentApproved:
		return PaymentView{}, unprocessable("payment_not_approved", "payments[%d]: payment %s is %s, not approved", i, v.PaymentID, v.Status)
	case v.Kind != kind:
		return PaymentView{}, unprocessable("payment_kind", "payments[%d]: payment %s is a %s, not a %s", i, v.PaymentID, v.Kind, kind)
	case v.UsedBy != "":
		return PaymentView{}, unprocessable("payment_used", "payments[%d]: payment %s is already used by %s", i, v.PaymentID, v.UsedBy)
	case kind == "payment" && v.AmountMinor < p.AmountMinor:
		return PaymentView{}, unprocessable("payment_short", "payments[%d]: payment %s approved %d, less than the card amount %d", i, v.PaymentID, v.AmountMinor, p.AmountMinor)
	case kind == "refund" && v.AmountMinor != p.AmountMinor:
		return PaymentView{}, unprocessable("payment_amount", "payments[%d]: refund %s credited %d to the card, not the refund's %d", i, v.PaymentID, v.AmountMinor, p.AmountMinor)
	}
	res, err := tx.ExecContext(ctx, `UPDATE payments SET used_by = ?2, updated_at = ?3
		WHERE payment_id = ?1 AND used_by IS NULL AND status = 'approved'`, v.PaymentID, usedBy, s.now().Format(payTime))
	if err != nil {
		return PaymentView{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return PaymentView{}, unprocessable("payment_used", "payments[%d]: payment %s is already used", i, v.PaymentID)
	}
	return v, nil
}
