package pos

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/sync/db"
)

// rtEnv is a store with an RT (the fake) and its registration worker.
type rtEnv struct {
	*testEnv
	rt *fakeRT
	q  *RTQueue

	mu     sync.Mutex
	states []string
	cancel context.CancelFunc
	done   chan struct{}
}

// newRTEnv builds the store with an RT queue; the worker is not running until start.
func newRTEnv(t *testing.T, mod ...func(*Options)) *rtEnv {
	t.Helper()
	re := &rtEnv{rt: newFakeRT()}
	re.testEnv = newTestEnv(t, mod...)
	re.q = re.newQueue(re.db)
	re.svc.opts.RT = re.q
	return re
}

func (re *rtEnv) newQueue(d *db.DB) *RTQueue {
	return NewRTQueue(d, re.rt, RTOptions{StoreID: "it-mi-001", Epoch: d.Epoch,
		MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, PollInterval: 5 * time.Millisecond, Settle: 2 * time.Millisecond,
		OnState: func(state, reason string) {
			re.mu.Lock()
			re.states = append(re.states, state)
			re.mu.Unlock()
		}})
}

// start runs the worker until the test ends (or stop).
func (re *rtEnv) start() {
	ctx, cancel := context.WithCancel(context.Background())
	re.cancel, re.done = cancel, make(chan struct{})
	go func() {
		defer close(re.done)
		if err := re.q.Run(ctx); err != nil {
			re.t.Errorf("RT worker: %v", err)
		}
	}()
	re.t.Cleanup(re.stop)
}

func (re *rtEnv) stop() {
	if re.cancel != nil {
		re.cancel()
		<-re.done
		re.cancel = nil
	}
}

func (re *rtEnv) sawState(s string) bool {
	re.mu.Lock()
	defer re.mu.Unlock()
	for _, x := range re.states {
		if x == s {
			return true
		}
	}
	return false
}

// waitFiscal polls GET /api/v1/sales/{id} until its fiscal status is want.
func (re *rtEnv) waitFiscal(saleID, want string) Sale {
	re.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := re.do("GET", "/api/v1/sales/"+saleID, tokenLane1, nil)
		if code != http.StatusOK {
			re.t.Fatalf("get sale: %d %s", code, body)
		}
		s := decode[Sale](re.t, body)
		if s.Fiscal != nil && s.Fiscal.Status == want {
			return s
		}
		if time.Now().After(deadline) {
			re.t.Fatalf("sale %s fiscal %+v, want status %s", saleID, s.Fiscal, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitJobs polls until no job is pending or sending.
func (re *rtEnv) waitJobs() []RTJob {
	re.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		jobs, err := re.q.Jobs(context.Background())
		if err != nil {
			re.t.Fatal(err)
		}
		open := 0
		for _, j := range jobs {
			if j.Status == RTPending || j.Status == RTSending {
				open++
			}
		}
		if open == 0 {
			return jobs
		}
		if time.Now().After(deadline) {
			re.t.Fatalf("jobs still open: %+v", jobs)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (re *rtEnv) cashSale() Sale {
	re.t.Helper()
	return re.sale(tokenLane1, "lane1", []LineRequest{line("CAFFE-250", 2), {Code: "PARMIGIANO", WeightG: i64(333)}},
		[]Payment{{Method: "cash", AmountMinor: 5000}})
}

// checkOnce checks that the RT holds exactly one document per job and the sale's fiscal object
// names the RT's document.
func (re *rtEnv) checkOnce(s Sale, wantDocs int) {
	re.t.Helper()
	if got := len(re.rt.documents()); got != wantDocs {
		re.t.Errorf("RT holds %d documents, want %d (a double registration or a lost one)", got, wantDocs)
	}
	if s.Fiscal.RTSerial != "99MEY012345" || s.Fiscal.ZNo < 1 || s.Fiscal.DocNo < 1 || s.Fiscal.RegisteredAt == "" {
		re.t.Errorf("fiscal %+v: want the RT's serial, z, doc and time", s.Fiscal)
	}
}

func TestRTQueue_RegistersSale(t *testing.T) {
	re := newRTEnv(t)
	s := re.cashSale()
	if s.Fiscal == nil || s.Fiscal.Status != RTPending {
		t.Fatalf("POST answer fiscal %+v, want pending", s.Fiscal)
	}
	re.start()
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	d := re.rt.documents()[0]
	// 2 × 4.98 + 333 g × 29.90/kg (9.9567 → 9.96) = 19.92.
	if d.Kind != RTSale || d.TotalMinor != 1992 || len(d.Items) != 2 || d.Items[1].QtyMilli != 333 || d.Items[0].QtyMilli != 2000 {
		t.Errorf("registered %+v", d)
	}
	if len(d.Payments) != 1 || d.Payments[0].Method != "cash" || d.Payments[0].AmountMinor != 5000 {
		t.Errorf("payments %+v: the tendered cash (the RT gives the change)", d.Payments)
	}
	if n := re.count(`SELECT count(*) FROM outbox WHERE type = ? AND json_extract(payload, '$.data.sale_id') = ?
		AND json_extract(payload, '$.data.fiscal.status') = 'registered'`, TypeSaleFiscalized, s.SaleID); n != 1 {
		t.Errorf("%d retail.sale.fiscalized events for the sale, want 1", n)
	}
	if n := re.count(`SELECT count(*) FROM outbox WHERE type = 'retail.sale.completed' AND json_extract(payload, '$.data.sale_id') = ?
		AND json_extract(payload, '$.data.fiscal.status') = 'pending'`, s.SaleID); n != 1 {
		t.Errorf("%d retail.sale.completed events with fiscal pending, want 1", n)
	}
	if !re.sawState("connected") {
		t.Errorf("states %v: want connected", re.states)
	}
}

func TestRTQueue_AmbiguousAdopted(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeLost) // the RT prints the receipt, the answer is lost
	s := re.cashSale()
	re.start()
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	if re.rt.callCount() != 1 {
		t.Errorf("%d Register calls, want 1: the lost answer is reconciled, not sent again", re.rt.callCount())
	}
	if got.Fiscal.DocNo != re.rt.last.DocNo || got.Fiscal.ZNo != re.rt.last.ZNo {
		t.Errorf("fiscal %+v, want the RT's last document %+v", got.Fiscal, re.rt.last)
	}
}

func TestRTQueue_AmbiguousResent(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeTimeout, fakeTimeout) // lost before the RT saw it, twice
	s := re.cashSale()
	re.start()
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	if re.rt.callCount() != 3 {
		t.Errorf("%d Register calls, want 3 (two lost, then registered)", re.rt.callCount())
	}
}

// An ambiguous failure when the RT's last document advanced with another amount (someone printed
// a different document by hand) is not adopted: the sale is sent again.
func TestRTQueue_AmbiguousOtherAmountResent(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeTimeout)
	s := re.cashSale()
	re.start()
	re.waitFiscal(s.SaleID, RTRegistered)
	re.stop()
	// A second sale whose answer is lost while a foreign document of another amount is the last.
	re.rt.program(fakeTimeout)
	s2 := re.cashSale()
	re.rt.mu.Lock()
	re.rt.doc++
	re.rt.last.DocNo, re.rt.last.AmountMinor = re.rt.doc, 1
	re.rt.mu.Unlock()
	re.start()
	got := re.waitFiscal(s2.SaleID, RTRegistered)
	re.checkOnce(got, 2)
}

func TestRTQueue_RefusedRetry(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakePaperEnd, fakePaperEnd, fakeOpen)
	s := re.cashSale()
	re.start()
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	if !re.sawState("paper_out") {
		t.Errorf("states %v: want paper_out while the RT had no paper", re.states)
	}
	if re.rt.resets != 1 {
		t.Errorf("%d resets, want 1 for status 11 (document open)", re.rt.resets)
	}
	jobs := re.waitJobs()
	if jobs[0].Attempts != 4 {
		t.Errorf("attempts %d, want 4", jobs[0].Attempts)
	}
}

func TestRTQueue_RefusedPermanent(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeBad)
	bad := re.cashSale()
	good := re.cashSale()
	re.start()
	failed := re.waitFiscal(bad.SaleID, RTFailed)
	if failed.Fiscal.Error == "" || failed.Fiscal.RTSerial != "" {
		t.Errorf("failed fiscal %+v: want the RT's error", failed.Fiscal)
	}
	got := re.waitFiscal(good.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	if !re.sawState("failed") {
		t.Errorf("states %v: want a failed device event", re.states)
	}
	if n := re.count(`SELECT count(*) FROM outbox WHERE type = ?`, TypeSaleFiscalized); n != 1 {
		t.Errorf("%d fiscalized events, want 1 (none for the refused sale)", n)
	}
}

// A job left in sending by a crash: the RT got it (adopted) or did not (sent again).
func TestRTQueue_RestartWithJobSending(t *testing.T) {
	for _, reached := range []bool{true, false} {
		t.Run(map[bool]string{true: "reached the RT", false: "never sent"}[reached], func(t *testing.T) {
			re := newRTEnv(t)
			s := re.cashSale()
			jobs, _ := re.q.Jobs(context.Background())
			// The crashed process stored sending with the RT's last document, then (maybe) the RT printed.
			if err := re.q.markSending(context.Background(), jobs[0], &[2]int{re.rt.z, re.rt.doc}); err != nil {
				t.Fatal(err)
			}
			if reached {
				f, err := re.q.document(context.Background(), jobs[0])
				if err != nil {
					t.Fatal(err)
				}
				re.rt.mu.Lock()
				re.rt.registerLocked(f)
				re.rt.mu.Unlock()
			}
			// A fresh queue over the same database: nothing cached.
			re.q = re.newQueue(re.db)
			re.start()
			got := re.waitFiscal(s.SaleID, RTRegistered)
			re.checkOnce(got, 1)
			wantCalls := map[bool]int{true: 0, false: 1}[reached]
			if re.rt.callCount() != wantCalls {
				t.Errorf("%d Register calls, want %d", re.rt.callCount(), wantCalls)
			}
		})
	}
}

// While the RT cannot even say its last document, a job in sending stays so: it is never sent
// blind.
func TestRTQueue_UnreachableNeverSentBlind(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeLostDown) // printed, the answer lost, then the RT unreachable
	s := re.cashSale()
	re.start()
	deadline := time.Now().Add(10 * time.Second)
	for re.rt.callCount() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("never sent")
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // several backoffs
	jobs, _ := re.q.Jobs(context.Background())
	if jobs[0].Status != RTSending || re.rt.callCount() != 1 {
		t.Fatalf("job %+v after %d calls: want it left in sending, not sent again", jobs[0], re.rt.callCount())
	}
	re.rt.setLastDocDown(false)
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 1)
	if re.rt.callCount() != 1 {
		t.Errorf("%d Register calls, want 1", re.rt.callCount())
	}
}

// Every device state the RT worker reports is in the OpenAPI enum of `event: device`.
func TestRTStates_InOpenAPI(t *testing.T) {
	m := regexp.MustCompile(`state: \{type: string, enum: \[([^\]]*)\]`).FindSubmatch(OpenAPI)
	if m == nil {
		t.Fatal("pos/openapi.yaml has no device state enum")
	}
	enum := map[string]bool{}
	for _, s := range strings.Split(string(m[1]), ",") {
		enum[strings.TrimSpace(s)] = true
	}
	for _, s := range RTStates() {
		if !enum[s] {
			t.Errorf("RT state %q is not in the OpenAPI enum %s", s, m[1])
		}
	}
	for _, st := range []fiscalprinter.Status{{Printer: "paper_end"}, {Printer: "cover_open"}, {Printer: "ok", Journal: "journal_full"},
		{Printer: "offline"}, {Printer: "paper_low"}, {Printer: "ok", Journal: "ok"}} {
		if s, _ := rtStateOf(st); !slices.Contains(RTStates(), s) {
			t.Errorf("status %+v maps to %q, not one of RTStates", st, s)
		}
	}
}

// fiscalDocOf gives the RT each line before its discounts with the discounts apart, a weight in
// thousandths of a kg, the cash rounding as an adjustment and the payments as tendered; its total
// is what the customer paid, which the items, discounts and adjustments add up to.
func TestFiscalDocOf(t *testing.T) {
	w := int64(350)
	s := Sale{SaleID: "s", TotalMinor: 1047 + 897 - 100, RoundingMinor: 1, DueMinor: 1047 + 897 - 100 + 1,
		Lines: []Line{
			{Name: "Parmigiano", Qty: 1, WeightG: &w, UnitPriceMinor: 2990, AmountMinor: 1047, TaxRateBP: 400},
			{Name: "Caffè", Qty: 3, UnitPriceMinor: 299, AmountMinor: 897 - 100, TaxRateBP: 2200,
				Discounts: []LineDiscount{{PromotionID: "p", Name: "3x2 -1€", AmountMinor: 100}}},
		},
		Payments: []Payment{{Method: "card", AmountMinor: 1000}, {Method: "cash", AmountMinor: 1000}}, LotteryCode: "ABCD1234"}
	f := fiscalDocOf(s)
	if f.Kind != RTSale || f.TotalMinor != 1845 || f.LotteryCode != "ABCD1234" || f.Ref != nil {
		t.Errorf("doc %+v", f)
	}
	if it := f.Items[0]; it.QtyMilli != 350 || it.UnitPriceMinor != 2990 || it.AmountMinor != 1047 || it.TaxRateBP != 400 || len(it.Discounts) != 0 {
		t.Errorf("weighed item %+v", it)
	}
	if it := f.Items[1]; it.QtyMilli != 3000 || it.AmountMinor != 897 || len(it.Discounts) != 1 || it.Discounts[0].AmountMinor != 100 {
		t.Errorf("discounted item %+v: want the amount before the discount and the discount apart", it)
	}
	if len(f.Adjustments) != 1 || f.Adjustments[0].AmountMinor != 1 {
		t.Errorf("adjustments %+v, want the +1 cash rounding", f.Adjustments)
	}
	sum := int64(0)
	for _, it := range f.Items {
		sum += it.AmountMinor
		for _, d := range it.Discounts {
			sum -= d.AmountMinor
		}
	}
	for _, a := range f.Adjustments {
		sum += a.AmountMinor
	}
	if sum != f.TotalMinor {
		t.Errorf("items, discounts and adjustments add up to %d, the total is %d", sum, f.TotalMinor)
	}
	if len(f.Payments) != 2 || f.Payments[1].Method != "cash" || f.Payments[1].AmountMinor != 1000 {
		t.Errorf("payments %+v", f.Payments)
	}
}
