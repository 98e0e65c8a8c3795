package pos

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// ResolveRequest is the body of POST /api/v1/payments/{id}/resolve.
type ResolveRequest struct {
	Status   string `json:"status"`
	AuthCode string `json:"auth_code,omitempty"`
	Cashier  string `json:"cashier"`
}

// CancelPayment cancels a pending payment that has not reached its terminal (or a standalone one).
// A Caisse-AP request cannot be called back from the terminal: once it is out, cancel answers 409
// cancel_on_terminal, and the payment settles from the terminal's answer after the cashier presses
// its red button. Cancelling a cancelled payment answers it again.
func (s *Service) CancelPayment(ctx context.Context, term Terminal, id string) (PaymentView, error) {
	var view PaymentView
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		v, err := loadPayment(ctx, tx, id)
		if err != nil {
			return err
		}
		if v.Terminal != term.ID {
			return reqErr(http.StatusForbidden, "forbidden", "payment %s belongs to terminal %s", v.PaymentID, v.Terminal)
		}
		switch {
		case v.Status == PaymentCancelled:
			view = v
			return nil
		case v.Status != PaymentPending:
			return reqErr(http.StatusConflict, "not_pending", "payment %s is %s: only a pending payment is cancelled", v.PaymentID, v.Status)
		case v.profile != ProfileStandalone && v.sentAt != "":
			return reqErr(http.StatusConflict, "cancel_on_terminal", "the request is on the payment terminal and cannot be called back: press the terminal's red button; the payment settles from its answer")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'cancelled', reason = 'cancelled_by_cashier', updated_at = ?2
			WHERE payment_id = ?1`, id, now.Format(payTime)); err != nil {
			return err
		}
		if view, err = loadPayment(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.out.Append(ctx, tx, outbox.TopicPayments, TypePaymentCancelled, newID(), now, view)
		return err
	})
	if err != nil {
		return PaymentView{}, db.Explain(err)
	}
	s.committed(true)
	return view, nil
}

// ResolvePayment settles an unknown payment (or a standalone pending one) by what the terminal's
// slip says, recorded with the cashier who did it. Resolving it again the same way answers it
// again; another way is 409.
func (s *Service) ResolvePayment(ctx context.Context, term Terminal, id string, req ResolveRequest) (PaymentView, error) {
	if req.Status != PaymentApproved && req.Status != PaymentDeclined {
		return PaymentView{}, unprocessable("invalid_status", "status %q: a payment is resolved as approved or declined", truncate(req.Status, 20))
	}
	if err := validID("cashier", req.Cashier); err != nil {
		return PaymentView{}, err
	}
	if len(req.AuthCode) > 24 || !printable(req.AuthCode) {
		return PaymentView{}, badRequest("auth_code is at most 24 printable characters")
	}
	if req.Status == PaymentDeclined && req.AuthCode != "" {
		return PaymentView{}, unprocessable("invalid_status", "a declined payment has no auth_code")
	}
	var view PaymentView
	changed := false
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		v, err := loadPayment(ctx, tx, id)
		if err != nil {
			return err
		}
		if v.Terminal != term.ID {
			return reqErr(http.StatusForbidden, "forbidden", "payment %s belongs to terminal %s", v.PaymentID, v.Terminal)
		}
		switch {
		case v.ResolvedBy != "" && v.Status == req.Status:
			view = v
			return nil
		case v.Status == PaymentUnknown:
		case v.Status == PaymentPending && v.profile == ProfileStandalone:
		default:
			return reqErr(http.StatusConflict, "not_unknown", "payment %s is %s: only an unknown payment (or a standalone pending one) is resolved", v.PaymentID, v.Status)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = ?2, auth_code = ?3, reason = ?4,
			resolved_by = ?5, resolved_at = ?6, updated_at = ?6 WHERE payment_id = ?1`,
			id, req.Status, req.AuthCode, "resolved_"+v.Status, req.Cashier, now.Format(payTime)); err != nil {
			return err
		}
		if view, err = loadPayment(ctx, tx, id); err != nil {
			return err
		}
		changed = true
		_, err = s.out.Append(ctx, tx, outbox.TopicPayments, TypePaymentResolved, newID(), now, view)
		return err
	})
	if err != nil {
		return PaymentView{}, db.Explain(err)
	}
	s.committed(changed)
	return view, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
