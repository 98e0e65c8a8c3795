package pos

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/payterm"
	"github.com/storeagent/storeagent/devices/payterm/caisseap"
	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
)

// termCharger adapts a payterm.Terminal to PaymentCharger (the agent has its own).
type termCharger struct{ t payterm.Terminal }

func (c termCharger) Charge(ctx context.Context, kind string, amount int64, currency string) PaymentOutcome {
	r := c.t.Transact(ctx, payterm.Request{Kind: payterm.Kind(kind), AmountMinor: amount, Currency: currency})
	return PaymentOutcome{Status: string(r.Status), Reason: r.Reason, AuthCode: r.AuthCode, CardMasked: r.CardMasked,
		Scheme: r.Scheme, EntryMode: r.EntryMode, Detail: r.Detail}
}

// payEnv is a store whose lane1 has a payment terminal: the Caisse-AP emulator over real TCP (or
// a standalone terminal), with the payment worker running.
type payEnv struct {
	*testEnv
	emu   *caisseapemu.Emulator
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newPayEnv(t *testing.T, profile string, answer time.Duration) *payEnv {
	t.Helper()
	emu, err := caisseapemu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	term, err := caisseap.New(caisseap.Config{Addr: emu.Addr(), Register: 1, AnswerTimeout: answer, Drain: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	dev := PaymentDevice{Name: "lane1-ept", Profile: profile}
	if profile == ProfileCaisseAP {
		dev.Charger = termCharger{term}
	}
	clock := &testClock{t: time.Now()}
	e := newTestEnv(t, func(o *Options) {
		o.Payments = PaymentOptions{Devices: map[string]PaymentDevice{"lane1": dev}, CheckEvery: time.Hour}
		o.Now = clock.now
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.svc.RunPayments(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &payEnv{testEnv: e, emu: emu, clock: clock}
}

func (e *payEnv) pay(id string, amount int64, kind string) (int, PaymentView) {
	e.t.Helper()
	code, body := e.do("POST", "/api/v1/payments", tokenLane1, PaymentRequest{PaymentID: id, AmountMinor: amount, Method: "card", Kind: kind})
	if code != http.StatusAccepted {
		return code, PaymentView{Reason: errCode(e.t, body)}
	}
	return code, decode[PaymentView](e.t, body)
}

// settled polls the payment until it is no longer pending.
func (e *payEnv) settled(id string) PaymentView {
	e.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		code, body := e.do("GET", "/api/v1/payments/"+id, tokenLane1, nil)
		if code != http.StatusOK {
			e.t.Fatalf("GET payment: %d %s", code, body)
		}
		if v := decode[PaymentView](e.t, body); v.Status != PaymentPending {
			return v
		}
	}
	e.t.Fatalf("payment %s still pending after 10 s", id)
	return PaymentView{}
}

func (e *payEnv) cardSale(id, paymentID string, amount int64) (int, []byte) {
	e.t.Helper()
	return e.do("POST", "/api/v1/sales", tokenLane1, saleBody(id, []LineRequest{line("PASTA-500", 1)},
		[]Payment{{Method: "card", AmountMinor: amount, PaymentID: paymentID}}))
}

func (e *payEnv) events(typ string) int64 {
	return e.count(`SELECT count(*) FROM outbox WHERE topic = 'payments' AND type = ?1`, typ)
}

// TestPayments_approvedPaysOneSale: an approved payment pays exactly one sale, and the terminal
// was asked once.
func TestPayments_approvedPaysOneSale(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	e.emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success, CC: "00B", CI: "2", AC: "XY1234", AA: "497010######4321"})
	id := newSaleID()
	code, v := e.pay(id, 129, "payment")
	if code != http.StatusAccepted || v.Status != PaymentPending {
		t.Fatalf("POST payment: %d %+v, want 202 pending", code, v)
	}
	got := e.settled(id)
	if got.Status != PaymentApproved || got.AuthCode != "XY1234" || got.CardMasked != "497010******4321" || got.Scheme != "CB" || got.EntryMode != "contactless" {
		t.Fatalf("settled as %+v", got)
	}
	code, body := e.cardSale(newSaleID(), id, 129)
	if code != http.StatusCreated {
		t.Fatalf("sale with the approved payment: %d %s", code, body)
	}
	if c := decode[Sale](t, body).Payments[0].Card; c == nil || c.AuthCode != "XY1234" || c.CardMasked != "497010******4321" || c.Scheme != "CB" {
		t.Fatalf("the sale's card payment keeps %+v, want the terminal's slip data", c)
	}
	if code, body := e.cardSale(newSaleID(), id, 129); code != http.StatusUnprocessableEntity || errCode(t, body) != "payment_used" {
		t.Fatalf("second sale with the same payment: %d %s, want 422 payment_used", code, body)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Fatalf("terminal got %d requests, want 1", n)
	}
	if n := e.events(TypePaymentApproved); n != 1 {
		t.Fatalf("%d retail.payment.approved events, want 1", n)
	}
}

// TestPayments_idempotent: the same POST again answers the payment and sends nothing; the same id
// with another body is 409.
func TestPayments_idempotent(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	id := newSaleID()
	e.pay(id, 500, "payment")
	e.settled(id)
	code, v := e.pay(id, 500, "payment")
	if code != http.StatusAccepted || v.Status != PaymentApproved {
		t.Fatalf("replay: %d %+v, want 202 with the approved payment", code, v)
	}
	if code, v := e.pay(id, 501, "payment"); code != http.StatusConflict {
		t.Fatalf("same id, other amount: %d %+v, want 409", code, v)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Fatalf("terminal got %d requests, want 1", n)
	}
}

// TestPayments_saleChecks: a sale's card payment must be approved, a payment, for at least the
// card amount; a terminal without a payment terminal keeps typed card amounts.
func TestPayments_saleChecks(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	e.emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Refused})
	declined := newSaleID()
	e.pay(declined, 129, "payment")
	if v := e.settled(declined); v.Status != PaymentDeclined || v.Reason != "refused" {
		t.Fatalf("refused card: %+v", v)
	}
	e.emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success})
	small := newSaleID()
	e.pay(small, 100, "payment")
	e.settled(small)
	before := e.snapshot()
	for _, tc := range []struct{ name, payment, code string }{
		{"declined payment", declined, "payment_not_approved"},
		{"payment short of the card amount", small, "payment_short"},
		{"no such payment", newSaleID(), "payment_not_found"},
		{"card without payment_id", "", "payment_required"},
	} {
		if code, body := e.cardSale(newSaleID(), tc.payment, 129); code != http.StatusUnprocessableEntity || errCode(t, body) != tc.code {
			t.Errorf("%s: %d %s, want 422 %s", tc.name, code, body, tc.code)
		}
	}
	for k, v := range e.snapshot() {
		if before[k] != v {
			t.Errorf("refused sales changed %s: %d → %d", k, before[k], v)
		}
	}
	// lane2 has no payment terminal: a typed card amount is a sale as before.
	req := saleBody(newSaleID(), []LineRequest{line("PASTA-500", 1)}, []Payment{{Method: "card", AmountMinor: 129}})
	req.Terminal = "lane2"
	if code, body := e.do("POST", "/api/v1/sales", tokenLane2, req); code != http.StatusCreated {
		t.Fatalf("typed card on a lane without a terminal: %d %s", code, body)
	}
	if code, _ := e.do("POST", "/api/v1/payments", tokenLane2, PaymentRequest{PaymentID: newSaleID(), AmountMinor: 1, Method: "card", Kind: "payment"}); code != http.StatusUnprocessableEntity {
		t.Fatalf("payment on a lane without a terminal: %d, want 422", code)
	}
}

// TestPayments_unknownThenResolved: a terminal that never answers leaves the payment unknown, the
// sale is refused until a cashier resolves it from the slip, and it is never sent again.
func TestPayments_unknownThenResolved(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 300*time.Millisecond)
	e.emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.Silent})
	id := newSaleID()
	e.pay(id, 129, "payment")
	if v := e.settled(id); v.Status != PaymentUnknown || v.Reason != "timeout" {
		t.Fatalf("silent terminal: %+v, want unknown/timeout", v)
	}
	if code, body := e.cardSale(newSaleID(), id, 129); code != http.StatusUnprocessableEntity || errCode(t, body) != "payment_not_approved" {
		t.Fatalf("sale on an unknown payment: %d %s", code, body)
	}
	res := func(status, auth string) (int, []byte) {
		return e.do("POST", "/api/v1/payments/"+id+"/resolve", tokenLane1, ResolveRequest{Status: status, AuthCode: auth, Cashier: "anna"})
	}
	code, body := res("approved", "778899")
	if code != http.StatusOK {
		t.Fatalf("resolve: %d %s", code, body)
	}
	if v := decode[PaymentView](t, body); v.Status != PaymentApproved || v.ResolvedBy != "anna" || v.AuthCode != "778899" {
		t.Fatalf("resolved as %+v", v)
	}
	if code, _ := res("approved", "778899"); code != http.StatusOK {
		t.Fatalf("resolve again the same way: %d, want 200", code)
	}
	if code, _ := res("declined", ""); code != http.StatusConflict {
		t.Fatalf("resolve again the other way: %d, want 409", code)
	}
	sale := newSaleID()
	if code, body := e.cardSale(sale, id, 129); code != http.StatusCreated {
		t.Fatalf("sale after resolve: %d %s", code, body)
	}
	if code, _ := e.cardSale(sale, id, 129); code != http.StatusOK {
		t.Fatalf("the same sale retried: %d, want 200 (stored)", code)
	}
	if n := len(e.emu.Requests()); n != 1 {
		t.Fatalf("terminal got %d requests, want 1", n)
	}
	if e.events(TypePaymentUnknown) != 1 || e.events(TypePaymentResolved) != 1 {
		t.Fatalf("events: unknown %d, resolved %d; want 1 each", e.events(TypePaymentUnknown), e.events(TypePaymentResolved))
	}
}

// TestPayments_cancel: a request on the terminal cannot be called back (409, the red button
// settles it); a standalone pending payment is cancelled at once.
func TestPayments_cancel(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, time.Minute)
	e.emu.Set(caisseapemu.Behaviour{Mode: caisseapemu.RedButton, Delay: 500 * time.Millisecond})
	id := newSaleID()
	e.pay(id, 129, "payment")
	for deadline := time.Now().Add(5 * time.Second); len(e.emu.Requests()) == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if code, _ := e.pay(newSaleID(), 200, "payment"); code != http.StatusConflict {
		t.Fatalf("second payment while the terminal is busy: %d, want 409", code)
	}
	code, body := e.do("POST", "/api/v1/payments/"+id+"/cancel", tokenLane1, nil)
	if code != http.StatusConflict || errCode(t, body) != "cancel_on_terminal" {
		t.Fatalf("cancel once sent: %d %s, want 409 cancel_on_terminal", code, body)
	}
	if v := e.settled(id); v.Status != PaymentCancelled {
		t.Fatalf("red button: %+v, want cancelled", v)
	}

	s := newPayEnv(t, ProfileStandalone, time.Second)
	sid := newSaleID()
	s.pay(sid, 129, "payment")
	code, body = s.do("POST", "/api/v1/payments/"+sid+"/cancel", tokenLane1, nil)
	if code != http.StatusOK || decode[PaymentView](t, body).Status != PaymentCancelled {
		t.Fatalf("standalone cancel: %d %s", code, body)
	}
}

// TestPayments_standalone: no device I/O; the cashier types the terminal's result.
func TestPayments_standalone(t *testing.T) {
	e := newPayEnv(t, ProfileStandalone, time.Second)
	id := newSaleID()
	e.pay(id, 129, "payment")
	time.Sleep(50 * time.Millisecond)
	v, _ := e.svc.GetPayment(context.Background(), id)
	if v.Status != PaymentPending || v.EntryMode != "standalone" {
		t.Fatalf("standalone before resolve: %+v", v)
	}
	code, body := e.do("POST", "/api/v1/payments/"+id+"/resolve", tokenLane1, ResolveRequest{Status: "approved", AuthCode: "A1", Cashier: "anna"})
	if code != http.StatusOK {
		t.Fatalf("resolve: %d %s", code, body)
	}
	if code, body := e.cardSale(newSaleID(), id, 129); code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	if n := len(e.emu.Requests()); n != 0 {
		t.Fatalf("standalone sent %d requests, want none", n)
	}
}

// TestPayments_recover: after a restart a payment whose request went out becomes unknown (never
// sent again) and one that never went out becomes declined not_sent.
func TestPayments_recover(t *testing.T) {
	e := newTestEnv(t, func(o *Options) {
		o.Payments = PaymentOptions{Devices: map[string]PaymentDevice{"lane1": {Name: "lane1-ept", Profile: ProfileCaisseAP, Charger: termCharger{}}}}
	})
	ctx := context.Background()
	// No worker runs: the payments stay queued, as if the agent died before sending them.
	sent, notSent := newSaleID(), newSaleID()
	if _, err := e.svc.CreatePayment(ctx, Terminal{ID: "lane1"}, PaymentRequest{PaymentID: sent, AmountMinor: 100, Method: "card", Kind: "payment"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.svc.markSent(ctx, sent); !ok || err != nil {
		t.Fatalf("markSent: %v %v", ok, err)
	}
	// A "never sent" outcome cannot land on a payment that went out.
	e.svc.settlePayment(ctx, sent, PaymentOutcome{Status: PaymentDeclined, Reason: "not_sent"}, false)
	if v, _ := e.svc.GetPayment(ctx, sent); v.Status != PaymentPending {
		t.Fatalf("a sent payment was settled as not sent: %+v", v)
	}
	e.db.W.Exec(`UPDATE payments SET device = 'lane1-other' WHERE payment_id = ?1`, sent) // free the terminal for the second
	if _, err := e.svc.CreatePayment(ctx, Terminal{ID: "lane1"}, PaymentRequest{PaymentID: notSent, AmountMinor: 100, Method: "card", Kind: "payment"}); err != nil {
		t.Fatal(err)
	}
	restarted := New(e.db, e.svc.opts)
	if err := restarted.RecoverPayments(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := restarted.GetPayment(ctx, sent); v.Status != PaymentUnknown || v.Reason != "agent_restarted" {
		t.Errorf("sent before the restart: %+v, want unknown", v)
	}
	if v, _ := restarted.GetPayment(ctx, notSent); v.Status != PaymentDeclined || v.Reason != "not_sent" {
		t.Errorf("never sent: %+v, want declined not_sent", v)
	}
}

// TestPayments_unclaimed: an approved payment no sale used within the window goes to central once.
func TestPayments_unclaimed(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	used, unused := newSaleID(), newSaleID()
	e.pay(used, 129, "payment")
	e.settled(used)
	e.pay(unused, 129, "payment")
	e.settled(unused)
	credited := newSaleID() // a card refund no refund record used: money out, reported too
	e.pay(credited, 50, "refund")
	e.settled(credited)
	if code, body := e.cardSale(newSaleID(), used, 129); code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	ctx := context.Background()
	if n, err := e.svc.CheckUnclaimed(ctx); n != 0 || err != nil {
		t.Fatalf("before 30 min: %d %v, want 0", n, err)
	}
	e.clock.add(31 * time.Minute)
	if n, err := e.svc.CheckUnclaimed(ctx); n != 2 || err != nil {
		t.Fatalf("after 31 min: %d %v, want 2 (the unused payment and the unused refund)", n, err)
	}
	if n, _ := e.svc.CheckUnclaimed(ctx); n != 0 {
		t.Fatalf("checked again: %d, want 0 (reported once)", n)
	}
	if n := e.count(`SELECT count(*) FROM outbox WHERE type = ?1 AND json_extract(CAST(payload AS TEXT), '$.data.payment_id') = ?2`, TypePaymentUnclaimed, unused); n != 1 {
		t.Fatalf("%d unclaimed events for the unused payment, want 1", n)
	}
}

// TestPayments_refund: a card refund names an approved terminal refund of exactly its amount.
func TestPayments_refund(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	pid := newSaleID()
	e.pay(pid, 129, "payment")
	e.settled(pid)
	sale := newSaleID()
	if code, body := e.cardSale(sale, pid, 129); code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	rid := newSaleID()
	e.pay(rid, 129, "refund")
	if v := e.settled(rid); v.Status != PaymentApproved || v.Kind != "refund" {
		t.Fatalf("refund on the terminal: %+v", v)
	}
	if f := e.emu.Requests()[1].Fields; f["CD"] != "1" {
		t.Fatalf("refund sent with CD %q, want 1", f["CD"])
	}
	refund := func(paymentID string) (int, []byte) {
		return e.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: sale, Method: "card",
			Cashier: "anna", Terminal: "lane1", Lines: []RefundLineRequest{{SKU: "PASTA-500", Qty: 1}}, PaymentID: paymentID})
	}
	if code, body := refund(pid); code != http.StatusUnprocessableEntity || errCode(t, body) != "payment_kind" {
		t.Fatalf("refund naming the sale's payment: %d %s, want 422 payment_kind", code, body)
	}
	if code, body := refund(""); code != http.StatusUnprocessableEntity || errCode(t, body) != "payment_required" {
		t.Fatalf("card refund without payment_id: %d %s", code, body)
	}
	if code, body := refund(rid); code != http.StatusCreated {
		t.Fatalf("card refund: %d %s", code, body)
	}
}

// TestPayments_concurrentClaim: sales racing for one approved payment: exactly one is stored.
func TestPayments_concurrentClaim(t *testing.T) {
	e := newPayEnv(t, ProfileCaisseAP, 5*time.Second)
	id := newSaleID()
	e.pay(id, 129, "payment")
	e.settled(id)
	codes := make(chan int, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			code, _ := e.cardSale(newSaleID(), id, 129)
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	created, refused := 0, 0
	for c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusUnprocessableEntity:
			refused++
		}
	}
	if created != 1 || refused != 7 {
		t.Fatalf("%d sales stored and %d refused, want 1 and 7", created, refused)
	}
	if n := e.count(`SELECT count(*) FROM sale_payments WHERE method = 'card'`); n != 1 {
		t.Fatalf("%d card tenders stored, want 1", n)
	}
}
