package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Payment event types (CONTRACT.md wave 2, "Payment terminals"), on outbox.TopicPayments.
const (
	TypePaymentApproved  = "retail.payment.approved"
	TypePaymentDeclined  = "retail.payment.declined"
	TypePaymentCancelled = "retail.payment.cancelled"
	TypePaymentUnknown   = "retail.payment.unknown"
	TypePaymentResolved  = "retail.payment.resolved"
	TypePaymentUnclaimed = "retail.payment.unclaimed"
)

// Payment statuses.
const (
	PaymentPending   = "pending"
	PaymentApproved  = "approved"
	PaymentDeclined  = "declined"
	PaymentCancelled = "cancelled"
	PaymentUnknown   = "unknown"
)

// Payment device profiles.
const (
	ProfileCaisseAP   = "caisse-ap"
	ProfileStandalone = "standalone"
)

// PaymentCharger is a payment terminal as pos uses it (the agent adapts devices/payterm to it).
type PaymentCharger interface {
	// Charge sends one payment or refund to the terminal and waits for its outcome. It never
	// sends it twice. Status is approved, declined, cancelled or unknown.
	Charge(ctx context.Context, kind string, amountMinor int64, currency string) PaymentOutcome
}

// PaymentOutcome is what a terminal answered.
type PaymentOutcome struct {
	Status, Reason                          string
	AuthCode, CardMasked, Scheme, EntryMode string
	// Detail goes to the log only.
	Detail string
}

// PaymentDevice is a terminal's payment terminal.
type PaymentDevice struct {
	// Name is the device's name (devices[].name).
	Name string
	// Profile is ProfileCaisseAP or ProfileStandalone.
	Profile string
	// Charger talks to the terminal (nil for standalone: the cashier says the outcome).
	Charger PaymentCharger
}

// PaymentOptions configure card payments through terminals.
type PaymentOptions struct {
	// Devices maps a POS terminal id to its payment terminal; a terminal not in it takes card
	// payments as typed amounts, as before payment terminals existed.
	Devices map[string]PaymentDevice
	// UnclaimedAfter is how long an approved payment may stay unused by a sale before it goes
	// to central as retail.payment.unclaimed (0: 30 minutes).
	UnclaimedAfter time.Duration
	// CheckEvery is how often RunPayments looks for unclaimed payments (0: UnclaimedAfter/10,
	// at most a minute).
	CheckEvery time.Duration
}

// PaymentRequest is the body of POST /api/v1/payments.
type PaymentRequest struct {
	PaymentID   string `json:"payment_id"`
	AmountMinor int64  `json:"amount_minor"`
	Method      string `json:"method"`
	Kind        string `json:"kind"`
}

// PaymentView is a payment as the API answers it and its events carry it.
type PaymentView struct {
	PaymentID   string `json:"payment_id"`
	Status      string `json:"status"`
	Kind        string `json:"kind"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	Terminal    string `json:"terminal"`
	Device      string `json:"device"`
	AuthCode    string `json:"auth_code"`
	CardMasked  string `json:"card_masked"`
	Scheme      string `json:"scheme"`
	EntryMode   string `json:"entry_mode"`
	Reason      string `json:"reason"`
	UsedBy      string `json:"used_by,omitempty"`
	ResolvedBy  string `json:"resolved_by,omitempty"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	profile     string
	sentAt      string
}

// payTime is the payments table's time format: fixed width, so text order is time order.
const payTime = "2006-01-02T15:04:05.000000Z"

// paymentRunner sends committed payments to their terminals, one at a time per terminal.
type paymentRunner struct {
	queue chan string
	mu    sync.Mutex
	busy  map[string]*sync.Mutex // device → its one transaction at a time
}

func newPaymentRunner() *paymentRunner {
	return &paymentRunner{queue: make(chan string, 256), busy: map[string]*sync.Mutex{}}
}

func (p *paymentRunner) deviceLock(name string) *sync.Mutex {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.busy[name]
	if m == nil {
		m = &sync.Mutex{}
		p.busy[name] = m
	}
	return m
}

// paymentDevice returns the terminal's payment terminal.
func (s *Service) paymentDevice(terminal string) (PaymentDevice, bool) {
	d, ok := s.opts.Payments.Devices[terminal]
	return d, ok
}

// CreatePayment stores a payment intent (pending) and queues it for its terminal. The intent is
// durable before a byte goes to the terminal. The same payment_id with the same body answers
// the payment as it is now; with a different body, 409.
func (s *Service) CreatePayment(ctx context.Context, term Terminal, req PaymentRequest) (PaymentView, error) {
	if err := validUUID("payment_id", req.PaymentID); err != nil {
		return PaymentView{}, err
	}
	if req.Method != "card" {
		return PaymentView{}, unprocessable("invalid_payment", "method %q: only card goes through a payment terminal", truncate(req.Method, 20))
	}
	if req.Kind != "payment" && req.Kind != "refund" {
		return PaymentView{}, unprocessable("invalid_payment", "kind %q is not payment or refund", truncate(req.Kind, 20))
	}
	if req.AmountMinor <= 0 || req.AmountMinor > maxAmountMinor {
		return PaymentView{}, unprocessable("invalid_payment", "amount_minor %d is not a positive amount", req.AmountMinor)
	}
	dev, ok := s.paymentDevice(term.ID)
	if !ok {
		return PaymentView{}, unprocessable("no_payment_terminal", "terminal %s has no payment terminal configured (terminals[].payment_terminal): card amounts are typed in the sale", term.ID)
	}
	hash := requestHash(struct {
		PaymentRequest
		Terminal string
	}{req, term.ID})
	var view PaymentView
	created := false
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT request_hash FROM payments WHERE payment_id = ?1`, req.PaymentID).Scan(&stored)
		switch {
		case err == nil && stored != hash:
			return errConflict
		case err == nil:
			view, err = loadPayment(ctx, tx, req.PaymentID)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var busy string
		err = tx.QueryRowContext(ctx, `SELECT payment_id FROM payments WHERE device = ?1 AND status = 'pending' LIMIT 1`, dev.Name).Scan(&busy)
		if err == nil {
			return reqErr(http.StatusConflict, "terminal_busy", "payment terminal %s is busy with payment %s: wait for it, cancel it or resolve it", dev.Name, busy)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now().Format(payTime)
		entry := ""
		if dev.Profile == ProfileStandalone {
			entry = "standalone"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO payments (payment_id, terminal, device, profile, kind,
			amount_minor, currency, status, request_hash, entry_mode, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?10)`,
			req.PaymentID, term.ID, dev.Name, dev.Profile, req.Kind, req.AmountMinor, s.opts.Currency, hash, entry, now); err != nil {
			return fmt.Errorf("store payment: %w", err)
		}
		created = true
		view, err = loadPayment(ctx, tx, req.PaymentID)
		return err
	})
	if err != nil {
		return PaymentView{}, db.Explain(err)
	}
	if created && dev.Profile != ProfileStandalone {
		select {
		case s.pay.queue <- req.PaymentID:
		default:
			// Never sent: settle it as such, so the cashier can try again.
			s.log.Error("payment queue full: payment not sent", "payment_id", req.PaymentID)
			s.settlePayment(context.WithoutCancel(ctx), req.PaymentID, PaymentOutcome{Status: PaymentDeclined, Reason: "not_sent"}, false)
			return s.GetPayment(ctx, req.PaymentID)
		}
	}
	return view, nil
}

const paymentCols = `payment_id, status, kind, amount_minor, currency, terminal, device, auth_code, card_masked,
	scheme, entry_mode, reason, coalesce(used_by, ''), resolved_by, created_at, updated_at, profile, sent_at`

func loadPayment(ctx context.Context, q querier, id string) (PaymentView, error) {
	var v PaymentView
	err := q.QueryRowContext(ctx, `SELECT `+paymentCols+` FROM payments WHERE payment_id = ?1`, id).Scan(
		&v.PaymentID, &v.Status, &v.Kind, &v.AmountMinor, &v.Currency, &v.Terminal, &v.Device, &v.AuthCode,
		&v.CardMasked, &v.Scheme, &v.EntryMode, &v.Reason, &v.UsedBy, &v.ResolvedBy, &v.CreatedAt, &v.UpdatedAt,
		&v.profile, &v.sentAt)
	if errors.Is(err, sql.ErrNoRows) {
		return v, reqErr(http.StatusNotFound, "not_found", "no payment %q", truncate(id, 40))
	}
	return v, err
}

// GetPayment returns a payment.
func (s *Service) GetPayment(ctx context.Context, id string) (PaymentView, error) {
	return loadPayment(ctx, s.r(), id)
}

// paymentEventType is the event for a settled status.
func paymentEventType(status string) string {
	switch status {
	case PaymentApproved:
		return TypePaymentApproved
	case PaymentDeclined:
		return TypePaymentDeclined
	case PaymentCancelled:
		return TypePaymentCancelled
	}
	return TypePaymentUnknown
}

// settlePayment records a pending payment's outcome and its event in one transaction. sent says
// the request may have reached the terminal; an outcome with sent false (not_sent) is stored only
// while sent_at is empty, so a payment that went out can never be settled as "never sent".
func (s *Service) settlePayment(ctx context.Context, id string, o PaymentOutcome, sent bool) error {
	switch o.Status {
	case PaymentApproved, PaymentDeclined, PaymentCancelled, PaymentUnknown:
	default:
		o = PaymentOutcome{Status: PaymentUnknown, Reason: "bad_outcome", Detail: fmt.Sprintf("driver said %q", truncate(o.Status, 20))}
	}
	err := s.db.Group.Do(ctx, func(rawTx *sql.Tx) error {
		tx := s.w(rawTx)
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE payments SET status = ?2, reason = ?3, auth_code = ?4, card_masked = ?5,
			scheme = ?6, entry_mode = ?7, updated_at = ?8 WHERE payment_id = ?1 AND status = 'pending' AND (?9 OR sent_at = '')`,
			id, o.Status, truncate(o.Reason, 40), truncate(o.AuthCode, 24), truncate(o.CardMasked, 24),
			truncate(o.Scheme, 16), truncate(o.EntryMode, 16), now.Format(payTime), sent)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // settled meanwhile (cancelled before it was sent), or sent after all
		}
		v, err := loadPayment(ctx, tx, id)
		if err != nil {
			return err
		}
		_, err = s.out.Append(ctx, tx, outbox.TopicPayments, paymentEventType(o.Status), newID(), now, v)
		return err
	})
	if err != nil {
		s.log.Error("store payment outcome", "payment_id", id, "status", o.Status, "err", err)
		return err
	}
	s.log.Info("payment settled", "payment_id", id, "status", o.Status, "reason", o.Reason, "detail", o.Detail)
	s.committed(true)
	return nil
}

// markSent records, in a commit of its own, that the request is about to go out. It reports
// false when the payment is no longer pending (cancelled before it was sent).
func (s *Service) markSent(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.db.Group.Do(ctx, func(tx *sql.Tx) error {
		res, err := s.w(tx).ExecContext(ctx, `UPDATE payments SET sent_at = ?2, updated_at = ?2
			WHERE payment_id = ?1 AND status = 'pending' AND sent_at = ''`, id, s.now().Format(payTime))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}
