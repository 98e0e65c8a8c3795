package fpmate

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos/document"
)

// newRig starts an emulator on a real loopback listener and a driver pointed at it.
func newRig(t testing.TB, timeout time.Duration) (*fpmateemu.Emulator, *Driver) {
	t.Helper()
	emu := fpmateemu.New("")
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL + "/cgi-bin/fpmate.cgi")
	cfg.Timeout = timeout
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return emu, d
}

func sale(cents int64) document.Fiscal {
	return document.Fiscal{
		Kind:       "sale",
		Items:      []document.FiscalItem{{Description: "Pane", QtyMilli: 1000, UnitPriceMinor: cents, AmountMinor: cents, TaxRateBP: 400}},
		Payments:   []document.FiscalPayment{{Method: "cash", AmountMinor: cents}},
		TotalMinor: cents,
	}
}

func asError(t *testing.T, err error) *fiscalprinter.Error {
	t.Helper()
	var fe *fiscalprinter.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want a *fiscalprinter.Error", err, err)
	}
	return fe
}

func TestDriver_RegisterSaleRefundVoid(t *testing.T) {
	emu, d := newRig(t, 2*time.Second)
	ctx := context.Background()
	g := goldens()

	reg, err := d.Register(ctx, g["cash_sale"])
	if err != nil {
		t.Fatal(err)
	}
	if reg.Serial != emu.Serial() || reg.ZNo != 1 || reg.DocNo != 1 || reg.AmountMinor != 290 || reg.Warning != "" {
		t.Fatalf("registration = %+v, want serial %s Z 1 doc 1 290 cents", reg, emu.Serial())
	}
	if time.Since(reg.At) > 2*time.Minute || reg.At.After(time.Now().Add(time.Minute)) {
		t.Errorf("registered at %v, want about now", reg.At)
	}

	ref := func(r fiscalprinter.Registration) *document.FiscalRef {
		return &document.FiscalRef{ZNo: r.ZNo, DocNo: r.DocNo, Date: r.At, Serial: r.Serial}
	}
	refund := g["refund"]
	refund.Ref = ref(reg)
	rreg, err := d.Register(ctx, refund)
	if err != nil {
		t.Fatal(err)
	}
	if rreg.DocNo != 2 || rreg.AmountMinor != 120 {
		t.Fatalf("refund registration = %+v, want doc 2, 120 cents", rreg)
	}

	card, err := d.Register(ctx, g["card_sale"])
	if err != nil {
		t.Fatal(err)
	}
	void := g["void"]
	void.Ref = ref(card)
	if _, err := d.Register(ctx, void); err != nil {
		t.Fatal(err)
	}

	docs := emu.Documents()
	kinds := []string{"sale", "refund", "sale", "void"}
	amounts := []int64{290, 120, 1299, 1299}
	if len(docs) != len(kinds) {
		t.Fatalf("%d documents on the RT, want %d: %+v", len(docs), len(kinds), docs)
	}
	for i, doc := range docs {
		if doc.Kind != kinds[i] || doc.AmountMinor != amounts[i] || doc.DocNo != i+1 {
			t.Errorf("document %d = %+v, want %s of %d cents", i+1, doc, kinds[i], amounts[i])
		}
	}
	if docs[2].Lottery != "ABCDEFGN" {
		t.Errorf("lottery code on the card sale = %q", docs[2].Lottery)
	}

	// The RT refuses a second void (39) and a refund past what is left (40): not ambiguous.
	if _, err := d.Register(ctx, void); asError(t, err).Status != 39 || fiscalprinter.IsAmbiguous(err) {
		t.Errorf("second void: %v, want status 39, not ambiguous", err)
	}
	big := goldens()["refund"]
	big.Ref = ref(reg)
	big.Items[0].QtyMilli, big.Items[0].AmountMinor = 3000, 360
	big.Payments[0].AmountMinor, big.TotalMinor = 360, 360
	if _, err := d.Register(ctx, big); asError(t, err).Status != 40 || fiscalprinter.IsAmbiguous(err) {
		t.Errorf("refund past the sale: %v, want status 40", err)
	}
	unknown := goldens()["refund"]
	unknown.Ref = &document.FiscalRef{ZNo: 7, DocNo: 7, Date: reg.At, Serial: reg.Serial}
	if fe := asError(t, func() error { _, err := d.Register(ctx, unknown); return err }()); fe.Ambiguous || fe.Retry || fe.Status == 0 {
		t.Errorf("refund of an unknown document: %+v, want a refusal", fe)
	}
	if n := len(emu.Documents()); n != 4 {
		t.Errorf("%d documents after the refusals, want 4", n)
	}
}

func TestDriver_transport(t *testing.T) {
	emu, d := newRig(t, 5*time.Second)
	if _, err := d.Register(context.Background(), sale(100)); err != nil {
		t.Fatal(err)
	}
	r := emu.LastRequest()
	if r.Method != "POST" || r.Path != "/cgi-bin/fpmate.cgi" || r.RawQuery != "timeout=4000" {
		t.Errorf("request %s %s?%s, want POST /cgi-bin/fpmate.cgi?timeout=4000", r.Method, r.Path, r.RawQuery)
	}
	for k, v := range map[string]string{
		"Content-Type":      "text/xml; charset=UTF-8",
		"Soapaction":        `""`,
		"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT",
	} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	// Serial is read once (status type 1 + directIO 3217) and cached.
	if n := emu.Requests("printerCommand"); n != 2 {
		t.Errorf("%d printerCommand requests for one registration, want 2 (serial)", n)
	}
	if _, err := d.Register(context.Background(), sale(100)); err != nil {
		t.Fatal(err)
	}
	if n := emu.Requests("printerCommand"); n != 2 {
		t.Errorf("serial read again: %d printerCommand requests", n)
	}
}

// TestDriver_faults: every injected fault gives the error class the registration job relies on,
// and no fault leaves two documents for one sale when the job follows the rule (reconcile
// after an ambiguous error, send again only when not adopted).
func TestDriver_faults(t *testing.T) {
	type want struct {
		ambiguous, retry bool
		status           int
		code             string
		committed        bool // the RT registered the document despite the error
	}
	cases := []struct {
		name  string
		fault fpmateemu.Fault
		want  want
	}{
		{"register then drop", fpmateemu.Fault{Kind: fpmateemu.Drop, Commit: true}, want{ambiguous: true, retry: true, committed: true}},
		{"drop before register", fpmateemu.Fault{Kind: fpmateemu.Drop}, want{ambiguous: true, retry: true}},
		{"register then drop mid-response", fpmateemu.Fault{Kind: fpmateemu.DropMidResponse, Commit: true}, want{ambiguous: true, retry: true, committed: true}},
		{"register then stall past the timeout", fpmateemu.Fault{Kind: fpmateemu.Stall, Commit: true, Stall: 10 * time.Second}, want{ambiguous: true, retry: true, committed: true}},
		{"stall before register", fpmateemu.Fault{Kind: fpmateemu.Stall, Stall: 10 * time.Second}, want{ambiguous: true, retry: true}},
		{"register then HTTP 500", fpmateemu.Fault{Kind: fpmateemu.HTTP500, Commit: true}, want{ambiguous: true, retry: true, committed: true}},
		{"HTTP 500 before register", fpmateemu.Fault{Kind: fpmateemu.HTTP500}, want{ambiguous: true, retry: true}},
		{"register then malformed XML", fpmateemu.Fault{Kind: fpmateemu.Malformed, Commit: true}, want{ambiguous: true, retry: true, committed: true}},
		{"firmware registered, fpmate lost the answer", fpmateemu.Fault{Kind: fpmateemu.NoAnswer, Commit: true}, want{ambiguous: true, retry: true, code: "LAN_TIME_OUT", committed: true}},
		{"fpmate timeout before the firmware", fpmateemu.Fault{Kind: fpmateemu.NoAnswer}, want{ambiguous: true, retry: true, code: "LAN_TIME_OUT"}},
		{"EPTR_REC_EMPTY", fpmateemu.Fault{Kind: fpmateemu.RecEmpty}, want{retry: true, status: 3, code: "EPTR_REC_EMPTY"}},
		{"document already open", fpmateemu.Fault{Kind: fpmateemu.DocOpen}, want{retry: true, status: 11, code: "PRINTER ERROR"}},
		{"clock behind the last Z", fpmateemu.Fault{Kind: fpmateemu.ClockBehind}, want{status: 9, code: "PRINTER ERROR"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			emu, d := newRig(t, 400*time.Millisecond)
			ctx := context.Background()
			if _, err := d.Serial(ctx); err != nil { // what the job knows before the sale
				t.Fatal(err)
			}
			if _, err := d.Register(ctx, sale(150)); err != nil {
				t.Fatal(err)
			}
			known, _ := emu.Z()
			knownZ, knownDoc := known, 1
			f := c.fault
			f.On = "printerFiscalReceipt"
			emu.Inject(f)
			_, err := d.Register(ctx, sale(275))
			if err == nil {
				t.Fatal("Register succeeded through the fault")
			}
			fe := asError(t, err)
			if fe.Ambiguous != c.want.ambiguous || fe.Retry != c.want.retry || fe.Status != c.want.status || fe.Code != c.want.code {
				t.Errorf("error %v = {Ambiguous:%v Retry:%v Status:%d Code:%q}, want %+v", err, fe.Ambiguous, fe.Retry, fe.Status, fe.Code, c.want)
			}
			if fiscalprinter.IsAmbiguous(err) != c.want.ambiguous {
				t.Errorf("IsAmbiguous = %v", fiscalprinter.IsAmbiguous(err))
			}
			if got := len(emu.Documents()) == 2; got != c.want.committed {
				t.Errorf("document committed = %v, want %v", got, c.want.committed)
			}
			// The job's rule.
			sent := false
			if fe.Ambiguous {
				adopt, ld, err := Reconcile(ctx, d, knownZ, knownDoc, 275)
				if err != nil {
					t.Fatal(err)
				}
				if adopt != c.want.committed {
					t.Errorf("Reconcile adopt = %v (last %+v), want %v", adopt, ld, c.want.committed)
				}
				if adopt && (ld.DocNo != 2 || ld.AmountMinor != 275 || ld.Serial != emu.Serial()) {
					t.Errorf("adopted %+v, want doc 2 of 275 cents on %s", ld, emu.Serial())
				}
				sent = adopt
			}
			if !sent && fe.Retry {
				if _, err := d.Register(ctx, sale(275)); err != nil {
					t.Fatalf("send again: %v", err)
				}
				sent = true
			}
			n := 0
			for _, doc := range emu.Documents() {
				if doc.AmountMinor == 275 {
					n++
				}
			}
			if sent && n != 1 || !sent && n != 0 {
				t.Errorf("%d documents of the sale on the RT (handled: %v), want exactly one when handled", n, sent)
			}
		})
	}
}

func TestDriver_paperLowWarning(t *testing.T) {
	emu, d := newRig(t, 2*time.Second)
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.PaperLow, On: "printerFiscalReceipt"})
	reg, err := d.Register(context.Background(), sale(100))
	if err != nil {
		t.Fatal(err)
	}
	if reg.Warning != "paper_low" {
		t.Errorf("Warning = %q, want paper_low", reg.Warning)
	}
	reg, err = d.Register(context.Background(), sale(100))
	if err != nil || reg.Warning != "" {
		t.Errorf("after the fault: %+v, %v; want no warning", reg, err)
	}
}

func TestDriver_stateRefusals(t *testing.T) {
	emu, d := newRig(t, 2*time.Second)
	ctx := context.Background()

	emu.SetPaper(false, true)
	_, err := d.Register(ctx, sale(100))
	if fe := asError(t, err); fe.Code != "EPTR_REC_EMPTY" || !fe.Retry || fe.Ambiguous {
		t.Errorf("paper end: %+v", fe)
	}
	st, err := d.Status(ctx)
	if err != nil || st.Printer != "offline" || st.OK() {
		t.Errorf("status at paper end = %+v, %v", st, err)
	}
	emu.SetPaper(true, false)
	if st, err := d.Status(ctx); err != nil || st.Printer != "paper_low" || !st.OK() {
		t.Errorf("status at paper low = %+v, %v", st, err)
	}
	emu.SetPaper(false, false)
	emu.SetJournal('5')
	if st, err := d.Status(ctx); err != nil || st.Journal != "journal_full" || st.OK() {
		t.Errorf("status at journal full = %+v, %v", st, err)
	}
	emu.SetJournal('0')

	// The printer's clock behind its last Z: status 9, nothing to retry.
	if _, err := d.ZReport(ctx); err != nil {
		t.Fatal(err)
	}
	emu.SetClock(func() time.Time { return time.Now().Add(-time.Hour) })
	_, err = d.Register(ctx, sale(100))
	if fe := asError(t, err); fe.Status != 9 || fe.Retry || fe.Ambiguous {
		t.Errorf("clock behind: %+v", fe)
	}
	emu.SetClock(time.Now)

	// A document left open: status 11; the driver resets the printer, the next send works.
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.DocOpen, On: "printerFiscalReceipt"})
	_, err = d.Register(ctx, sale(100))
	if fe := asError(t, err); fe.Status != 11 || !fe.Retry {
		t.Errorf("document open: %+v", fe)
	}
	if st, err := d.Status(ctx); err != nil || st.DocumentOpen {
		t.Errorf("after the driver's reset: %+v, %v; want no document open", st, err)
	}
	if _, err := d.Register(ctx, sale(100)); err != nil {
		t.Errorf("send after the reset: %v", err)
	}
	if n := len(emu.Documents()); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
}

func TestDriver_reportsSerialLastDocument(t *testing.T) {
	emu, d := newRig(t, 2*time.Second)
	ctx := context.Background()
	s, err := d.Serial(ctx)
	if err != nil || s != emu.Serial() {
		t.Fatalf("Serial = %q, %v; want %q", s, err, emu.Serial())
	}
	ld, err := d.LastDocument(ctx)
	if err != nil || ld.Fiscal || ld.DocNo != 0 {
		t.Fatalf("LastDocument on a new RT = %+v, %v", ld, err)
	}
	r1, err := d.Register(ctx, sale(100))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := d.Register(ctx, sale(250))
	if err != nil {
		t.Fatal(err)
	}
	ld, err = d.LastDocument(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ld.Fiscal || ld.ZNo != r2.ZNo || ld.DocNo != r2.DocNo || ld.AmountMinor != 250 || ld.Serial != s || !ld.After(r1.ZNo, r1.DocNo) {
		t.Errorf("LastDocument = %+v, want the second registration %+v", ld, r2)
	}
	if err := d.XReport(ctx); err != nil {
		t.Fatal(err)
	}
	if z, _ := emu.Z(); z != 1 {
		t.Errorf("X report moved Z to %d", z)
	}
	z, err := d.ZReport(ctx)
	if err != nil || z != 1 {
		t.Fatalf("ZReport = %d, %v; want 1", z, err)
	}
	r3, err := d.Register(ctx, sale(100))
	if err != nil || r3.ZNo != 2 || r3.DocNo != 1 {
		t.Fatalf("first sale after the Z = %+v, %v; want Z 2 doc 1", r3, err)
	}
	if z, err := d.ZReport(ctx); err != nil || z != 2 {
		t.Errorf("second ZReport = %d, %v; want 2", z, err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Error(err)
	}
}

func TestDriver_boundedAnswers(t *testing.T) {
	big := strings.Repeat("x", MaxResponse+10)
	cases := map[string]http.HandlerFunc{
		"over 64 KiB": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(big)) },
		"not XML":     func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) },
		"no success": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<response code="" status="0"><addInfo><fiscalReceiptNumber>1</fiscalReceiptNumber></addInfo></response>`))
		},
		"success without numbers": func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(readAll(r), "printerFiscalReceipt") {
				w.Write([]byte(`<response success="true" code="" status="0"><addInfo><elementList>printerStatus</elementList><printerStatus>00110</printerStatus></addInfo></response>`))
				return
			}
			fpmateemu.New("").ServeHTTP(w, r)
		},
		"404": func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			d, err := New(testConfig(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			d.serial = "99MEY012345"
			_, err = d.Register(context.Background(), sale(100))
			fe := asError(t, err)
			if name == "404" {
				if fe.Ambiguous {
					t.Errorf("404 is ambiguous: %v", err)
				}
				return
			}
			if !fe.Ambiguous {
				t.Errorf("%v: not ambiguous; the RT may have registered", err)
			}
		})
	}
}

func readAll(r *http.Request) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	r.Body = http.NoBody
	return b.String()
}

func TestNew_validates(t *testing.T) {
	ok := testConfig("http://192.168.1.50/cgi-bin/fpmate.cgi")
	cases := map[string]func(c *Config){
		"url":        func(c *Config) { c.URL = "ftp://x" },
		"department": func(c *Config) { c.Departments = map[int64]int{2200: 100} },
		"rate":       func(c *Config) { c.Departments = map[int64]int{-1: 1} },
		"no depts":   func(c *Config) { c.Departments = nil },
		"payment":    func(c *Config) { c.Payments = map[string][2]int{"cash": {7, 0}} },
		"operator":   func(c *Config) { c.Operator = "01" },
		"timeout":    func(c *Config) { c.Timeout = -time.Second },
	}
	if _, err := New(ok); err != nil {
		t.Fatal(err)
	}
	for name, mod := range cases {
		c := ok
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New accepted %+v", name, c)
		}
	}
}
