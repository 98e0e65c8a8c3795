package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos"
)

// itConfig is testConfig for an Italian store whose RT is the emulator at url.
func itConfig(t *testing.T, url string) *Config {
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

func apiDo(t *testing.T, a *Agent, method, path string, body any) (int, []byte) {
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
