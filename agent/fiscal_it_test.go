package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos"
)

// itConfig is testConfig for an Italian store whose RT is the emulator at url.
func itConfig(t testing.TB, url string) *Config {
	cfg := testConfig(t)
	cfg.Fiscal = FiscalConfig{Country: "IT", Printer: FiscalPrinterConfig{Driver: "epson-fpmate", URL: url,
		Timeout:     Duration(time.Second),
		Departments: map[int64]int64{2200: 1, 1000: 2, 400: 3, 500: 4, 0: 13},
		Payments:    map[string][]int64{"cash": {0, 0}, "card": {2, 1}}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func apiDo(t testing.TB, a *Agent, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestAgent_RT: an Italian store registers its sales on the RT (the fpmate emulator over
// loopback, through the epson-fpmate driver) exactly once, through a lost answer and paper end,
// and says the RT's state in /api/v1/status and as an `event: device`.
func TestAgent_RT(t *testing.T) {
	emu := fpmateemu.New("")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url, _, err := emu.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, itConfig(t, url))
	events := openEvents(t, a)
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.Drop, On: "printerFiscalReceipt", Commit: true}) // registered, answer lost
	emu.SetPaper(false, true)                                                                   // and then no paper

	var ids []string
	for i := range 3 {
		id := uuid.Must(uuid.NewV7()).String()
		req := pos.SaleRequest{SaleID: id, Terminal: "lane1", Cashier: "anna",
			Lines: []pos.LineRequest{{Code: "IT-CAFFE-ESPR", Qty: ptr(int64(1 + i))}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 498 * int64(1+i)}}}
		if i == 2 {
			req.LotteryCode = "ABCD1234"
		}
		code, body := apiDo(t, a, "POST", "/api/v1/sales", req)
		if code != 201 {
			t.Fatalf("sale: %d %s", code, body)
		}
		var s pos.Sale
		json.Unmarshal(body, &s)
		if s.Fiscal == nil || s.Fiscal.Status != "pending" {
			t.Fatalf("sale fiscal %+v, want pending", s.Fiscal)
		}
		ids = append(ids, id)
	}
	var ev DeviceEvent
	for ev.State != "paper_out" {
		if err := json.Unmarshal(events.next(t, "device"), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Name != "rt" && ev.Type != "fiscal_printer" {
			t.Fatalf("device event %+v", ev)
		}
	}
	code, body := apiDo(t, a, "GET", "/api/v1/status", nil)
	if code != 200 || !bytes.Contains(body, []byte(`"name":"rt","type":"fiscal_printer","state":"paper_out"`)) {
		t.Errorf("status %d %s: want the RT paper_out", code, body)
	}
	emu.SetPaper(false, false)
	deadline := time.Now().Add(15 * time.Second)
	for _, id := range ids {
		for {
			_, body := apiDo(t, a, "GET", "/api/v1/sales/"+id, nil)
			var s pos.Sale
			json.Unmarshal(body, &s)
			if s.Fiscal != nil && s.Fiscal.Status == "registered" {
				if s.Fiscal.RTSerial != emu.Serial() || s.Fiscal.DocNo == 0 {
					t.Errorf("fiscal %+v", s.Fiscal)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sale %s not registered: %s", id, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	docs := emu.Documents()
	if len(docs) != 3 {
		t.Fatalf("the RT registered %d documents for 3 sales: %+v", len(docs), docs)
	}
	for i, d := range docs {
		if d.AmountMinor != 498*int64(i+1) || d.DocNo != i+1 || (i == 2) != (d.Lottery == "ABCD1234") {
			t.Errorf("document %d: %+v", i, d)
		}
	}
	if n := countRows(t, a, `SELECT count(*) FROM outbox WHERE type = 'retail.sale.fiscalized'`); n != 3 {
		t.Errorf("%d fiscalized events, want 3", n)
	}
}

func countRows(t *testing.T, a *Agent, q string) int {
	t.Helper()
	var n int
	if err := a.DB.R.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }

// rtSale makes a card sale of n espressos and returns its id.
func rtSale(t testing.TB, a *Agent, n int64) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	code, body := apiDo(t, a, "POST", "/api/v1/sales", pos.SaleRequest{SaleID: id, Terminal: "lane1", Cashier: "anna",
		Lines: []pos.LineRequest{{Code: "IT-CAFFE-ESPR", Qty: ptr(n)}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 498 * n}}})
	if code != 201 {
		t.Fatalf("sale: %d %s", code, body)
	}
	return id
}

// waitSaleFiscal polls GET /api/v1/sales/{id} until its fiscal status is want.
func waitSaleFiscal(t *testing.T, a *Agent, id, want string) pos.Sale {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, body := apiDo(t, a, "GET", "/api/v1/sales/"+id, nil)
		var s pos.Sale
		json.Unmarshal(body, &s)
		if s.Fiscal != nil && s.Fiscal.Status == want {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("sale %s fiscal never %s: %s", id, want, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAgent_RTRetry: a sale the RT refused for good (status 9: its clock behind the last Z) is
// failed; once the staff fixed the clock, POST /api/v1/sales/{id}/fiscal/retry puts it back and
// the RT registers it, once. A sale that is not failed has nothing to retry (409).
func TestAgent_RTRetry(t *testing.T) {
	emu := fpmateemu.New("")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url, _, err := emu.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, itConfig(t, url))
	emu.Inject(fpmateemu.Fault{Kind: fpmateemu.ClockBehind, On: "printerFiscalReceipt"})
	id := rtSale(t, a, 1)
	s := waitSaleFiscal(t, a, id, "failed")
	if !strings.Contains(s.Fiscal.Error, "status 9") {
		t.Errorf("failed fiscal %+v: want the RT's reason (status 9)", s.Fiscal)
	}
	if n := len(emu.Documents()); n != 0 {
		t.Fatalf("%d documents on the RT after a refusal", n)
	}
	lastDocReads := emu.Requests("printerCommand")

	code, body := apiDo(t, a, "POST", "/api/v1/sales/"+id+"/fiscal/retry", nil)
	var got pos.Sale
	json.Unmarshal(body, &got)
	if code != 200 || got.Fiscal == nil || got.Fiscal.Status != "pending" || got.Fiscal.Error != "" {
		t.Fatalf("retry: %d %s, want 200 with fiscal pending", code, body)
	}
	s = waitSaleFiscal(t, a, id, "registered")
	if docs := emu.Documents(); len(docs) != 1 || docs[0].AmountMinor != 498 || s.Fiscal.DocNo != docs[0].DocNo {
		t.Errorf("RT documents %+v, sale fiscal %+v: want the one sale", docs, s.Fiscal)
	}
	if emu.Requests("printerCommand") <= lastDocReads {
		t.Error("the retried sale was sent without asking the RT's last document first")
	}
	if n := countRows(t, a, `SELECT count(*) FROM outbox WHERE type = 'retail.sale.fiscalized'`); n != 1 {
		t.Errorf("%d fiscalized events, want 1", n)
	}
	code, body = apiDo(t, a, "POST", "/api/v1/sales/"+id+"/fiscal/retry", nil)
	if code != 409 || !strings.Contains(string(body), "rt_not_failed") {
		t.Errorf("retry of a registered sale: %d %s, want 409 rt_not_failed", code, body)
	}
	if code, body := apiDo(t, a, "POST", "/api/v1/sales/"+uuid.NewString()+"/fiscal/retry", nil); code != 404 {
		t.Errorf("retry of no sale: %d %s, want 404", code, body)
	}
	if code, body := apiDo(t, a, "POST", "/api/v1/sales/not-a-uuid/fiscal/retry", nil); code != 422 && code != 400 {
		t.Errorf("retry of a malformed id: %d %s, want 400 or 422", code, body)
	}
	if n := len(emu.Documents()); n != 1 {
		t.Errorf("%d documents on the RT, want 1", n)
	}
}

// TestAgent_RTZAnswerLost: the day's last till close sends the RT's Z; its answer is lost.
// Registered then dropped: the worker asks the RT (its day is closed, the last document unchanged)
// and adopts the Z. Dropped before the RT saw it: the RT's day is still open, so the Z is sent
// again, once. Either way the RT made exactly one closure and the session shows rt_z_no.
func TestAgent_RTZAnswerLost(t *testing.T) {
	for _, commit := range []bool{true, false} {
		name := map[bool]string{true: "registered then dropped", false: "dropped before"}[commit]
		t.Run(name, func(t *testing.T) {
			emu := fpmateemu.New("")
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			url, _, err := emu.Start(ctx, "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			a := startAgent(t, itConfig(t, url))
			sid := uuid.Must(uuid.NewV7()).String()
			if code, body := apiDo(t, a, "POST", "/api/v1/till/open", pos.TillOpenRequest{SessionID: sid, Cashier: "anna", FloatMinor: ptr(int64(0))}); code != 201 {
				t.Fatalf("open: %d %s", code, body)
			}
			id := rtSale(t, a, 2)
			waitSaleFiscal(t, a, id, "registered")
			emu.Inject(fpmateemu.Fault{Kind: fpmateemu.Drop, On: "printerFiscalReport", Commit: commit})
			if code, body := apiDo(t, a, "POST", "/api/v1/till/close", pos.TillCloseRequest{SessionID: sid, Cashier: "anna",
				Counted: []pos.CountedTender{{Method: "cash", AmountMinor: ptr(int64(0))}}}); code != 201 {
				t.Fatalf("close: %d %s", code, body)
			}
			deadline := time.Now().Add(15 * time.Second)
			var z pos.TillReport
			for {
				_, body := apiDo(t, a, "GET", "/api/v1/till/sessions/"+sid, nil)
				z = pos.TillReport{}
				json.Unmarshal(body, &z)
				if z.RTZNo != nil || z.RTZError != "" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the Z never resolved: %s", body)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if z.RTZNo == nil || *z.RTZNo != 1 || z.RTZError != "" {
				t.Errorf("rt_z_no %v rt_z_error %q, want Z 1", z.RTZNo, z.RTZError)
			}
			if open, _ := emu.Z(); open != 2 {
				t.Errorf("the RT's open period is %d, want 2: exactly one closure", open)
			}
			wantSends := map[bool]int{true: 1, false: 2}[commit]
			if n := emu.Requests("printerFiscalReport"); n != wantSends {
				t.Errorf("%d printZReport requests, want %d", n, wantSends)
			}
		})
	}
}

// TestAgent_RTDrawer: with an RT, a cash sale with "print": true opens the cash drawer through
// the RT (openDrawer) once the RT registered it; a card sale and a cash sale without print do not.
func TestAgent_RTDrawer(t *testing.T) {
	emu := fpmateemu.New("")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url, _, err := emu.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, itConfig(t, url))
	sell := func(method string, print bool) string {
		id := uuid.Must(uuid.NewV7()).String()
		req := pos.SaleRequest{SaleID: id, Terminal: "lane1", Cashier: "anna",
			Lines: []pos.LineRequest{{Code: "IT-CAFFE-ESPR", Qty: ptr(int64(1))}}, Payments: []pos.Payment{{Method: method, AmountMinor: 500}}}
		if method == "card" {
			req.Payments[0].AmountMinor = 498
		}
		if print {
			req.Print = json.RawMessage("true")
		}
		code, body := apiDo(t, a, "POST", "/api/v1/sales", req)
		if code != 201 {
			t.Fatalf("sale: %d %s", code, body)
		}
		waitSaleFiscal(t, a, id, "registered")
		return id
	}
	sell("cash", true)
	if n := emu.DrawerOpens(); n != 1 {
		t.Errorf("cash sale with print: the drawer opened %d times, want 1", n)
	}
	sell("card", true)
	sell("cash", false)
	time.Sleep(200 * time.Millisecond) // a kick would follow the registration at once
	if n := emu.DrawerOpens(); n != 1 {
		t.Errorf("after a card sale and a cash sale without print the drawer opened %d times in all, want 1", n)
	}
	if n := len(emu.Documents()); n != 3 {
		t.Errorf("%d RT documents, want 3", n)
	}
}
