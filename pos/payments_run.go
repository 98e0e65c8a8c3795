package pos

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/storeagent/storeagent/sync/outbox"
)

// defaultUnclaimedAfter is how long an approved payment may wait for its sale (contract: 30 min).
const defaultUnclaimedAfter = 30 * time.Minute

// RecoverPayments settles what a previous run left pending: a payment whose request may have gone
// out (sent_at set) becomes unknown, never sent again; one that never left the agent becomes
// declined with reason not_sent. Standalone payments stay pending (the cashier settles them).
// The agent calls it once at start, before it serves HTTP.
func (s *Service) RecoverPayments(ctx context.Context) error {
	rows, err := s.r().QueryContext(ctx, `SELECT payment_id, sent_at FROM payments
		WHERE status = 'pending' AND profile <> 'standalone'`)
	if err != nil {
		return fmt.Errorf("recover payments: %w", err)
	}
	type left struct{ id, sent string }
	var ls []left
	for rows.Next() {
		var l left
		if err := rows.Scan(&l.id, &l.sent); err != nil {
			rows.Close()
			return err
		}
		ls = append(ls, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range ls {
		o := PaymentOutcome{Status: PaymentDeclined, Reason: "not_sent", Detail: "the agent stopped before sending it"}
		if l.sent != "" {
			o = PaymentOutcome{Status: PaymentUnknown, Reason: "agent_restarted", Detail: "the agent stopped while the terminal had the request"}
		}
		if err := s.settlePayment(ctx, l.id, o, l.sent != ""); err != nil {
			return err
		}
	}
	return nil
}

// RunPayments sends queued payments to their terminals and reports approved payments no sale used
// within UnclaimedAfter. It returns when ctx ends, after the payments in flight are settled (an
// interrupted one as unknown).
func (s *Service) RunPayments(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	every := s.opts.Payments.CheckEvery
	if every <= 0 {
		every = min(s.unclaimedAfter()/10, time.Minute)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-s.pay.queue:
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.sendPayment(ctx, id)
			}()
		case <-tick.C:
			if _, err := s.CheckUnclaimed(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("unclaimed payments check", "err", err)
			}
		}
	}
}

func (s *Service) unclaimedAfter() time.Duration {
	if d := s.opts.Payments.UnclaimedAfter; d > 0 {
		return d
	}
	return defaultUnclaimedAfter
}

// sendPayment runs one payment against its terminal.
func (s *Service) sendPayment(ctx context.Context, id string) {
	v, err := loadPayment(ctx, s.r(), id)
	if err != nil {
		s.log.Error("load payment to send", "payment_id", id, "err", err)
		return
	}
	dev, ok := s.paymentDevice(v.Terminal)
	if !ok || dev.Charger == nil || dev.Name != v.Device {
		s.settlePayment(context.WithoutCancel(ctx), id, PaymentOutcome{Status: PaymentDeclined, Reason: "not_sent", Detail: "terminal no longer configured"}, false)
		return
	}
	lock := s.pay.deviceLock(dev.Name)
	lock.Lock()
	defer lock.Unlock()
	sent, err := s.markSent(ctx, id)
	if err != nil || !sent {
		if err != nil {
			s.log.Error("mark payment sent", "payment_id", id, "err", err)
		}
		return // cancelled before it went out, or the database is gone: nothing was sent
	}
	o := dev.Charger.Charge(ctx, v.Kind, v.AmountMinor, v.Currency)
	if o.Status == PaymentUnknown && ctx.Err() != nil {
		o.Reason = "agent_stopped" // the agent stopped waiting; the terminal may still approve
	}
	// The outcome is stored even when the agent is stopping: it is what the terminal said. A
	// failed write is tried again a few times; if it never succeeds the payment stays pending with
	// sent_at set, and the next start makes it unknown for the cashier to resolve.
	for attempt := 1; ; attempt++ {
		if err := s.settlePayment(context.WithoutCancel(ctx), id, o, true); err == nil || attempt == settleAttempts {
			return
		}
		select {
		case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
		case <-ctx.Done():
			s.settlePayment(context.WithoutCancel(ctx), id, o, true)
			return
		}
	}
}

// settleAttempts bounds the writes of a terminal's outcome.
const settleAttempts = 5

// CheckUnclaimed sends retail.payment.unclaimed for each approved payment (or card refund) no sale
// (or refund) used within UnclaimedAfter of its approval, once per payment, and returns how many it
// reported: money moved on a card that no receipt accounts for.
func (s *Service) CheckUnclaimed(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.unclaimedAfter()).Format(payTime)
	n := 0
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		rows, err := tx.QueryContext(ctx, `SELECT payment_id FROM payments WHERE status = 'approved'
			AND used_by IS NULL AND unclaimed_at = '' AND updated_at <= ?1 LIMIT 100`, cutoff)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now()
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE payments SET unclaimed_at = ?2 WHERE payment_id = ?1`, id, now.Format(payTime)); err != nil {
				return err
			}
			v, err := loadPayment(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := s.out.Append(ctx, tx, outbox.TopicPayments, TypePaymentUnclaimed, newID(), now, v); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.committed(n > 0)
	return n, nil
}
