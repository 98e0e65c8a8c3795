package pos

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
)

func newDemoEnv(t *testing.T) (*printEnv, *devices.DemoPrinter) {
	t.Helper()
	prof := loadPrinterProfile(t, "generic-80mm")
	demo := &devices.DemoPrinter{Dir: filepath.Join(t.TempDir(), "receipts"), Model: prof, Printers: []string{testPrinter}}
	return newPrintEnv(t, demo, prof), demo
}

func TestRegisterPrintRoutes_Print(t *testing.T) {
	e, _ := newDemoEnv(t)
	req := saleBody(newSaleID(), []LineRequest{line("8001234567897", 1)}, []Payment{{Method: "cash", AmountMinor: 129}})
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusCreated {
		t.Fatalf("create sale: %d %s", code, body)
	}
	tests := []struct {
		name     string
		path     string
		token    string
		body     any
		wantCode int
		wantErr  string
	}{
		{"terminal's printer", "/api/v1/sales/" + req.SaleID + "/print", tokenLane1, nil, http.StatusAccepted, ""},
		{"named printer", "/api/v1/sales/" + req.SaleID + "/print", tokenLane2, map[string]string{"printer": testPrinter}, http.StatusAccepted, ""},
		{"unknown sale", "/api/v1/sales/" + newSaleID() + "/print", tokenLane1, nil, http.StatusNotFound, "not_found"},
		{"unknown printer", "/api/v1/sales/" + req.SaleID + "/print", tokenLane1, map[string]string{"printer": "nowhere"}, http.StatusUnprocessableEntity, "unknown_printer"},
		{"terminal without printer", "/api/v1/sales/" + req.SaleID + "/print", tokenLane2, nil, http.StatusUnprocessableEntity, "no_printer"},
		{"unknown field", "/api/v1/sales/" + req.SaleID + "/print", tokenLane1, `{"printr":"x"}`, http.StatusBadRequest, "bad_request"},
		{"no token", "/api/v1/sales/" + req.SaleID + "/print", "", nil, http.StatusUnauthorized, "unauthorized"},
	}
	var jobs []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.do("POST", tc.path, tc.token, tc.body)
			if code != tc.wantCode {
				t.Fatalf("got %d %s, want %d", code, body, tc.wantCode)
			}
			if tc.wantErr != "" {
				if got := errCode(t, body); got != tc.wantErr {
					t.Errorf("error code = %q, want %q", got, tc.wantErr)
				}
				return
			}
			id := decode[map[string]string](t, body)["job_id"]
			if id == "" {
				t.Fatalf("no job_id in %s", body)
			}
			jobs = append(jobs, id)
		})
	}
	// The sale itself was created without print: the first job is the first print (drawer for
	// cash), the second a copy.
	if len(jobs) != 2 {
		t.Fatalf("jobs = %v, want 2", jobs)
	}
	for i, want := range []struct{ copy, drawer bool }{{false, true}, {true, false}} {
		j, err := e.q.Job(context.Background(), jobs[i])
		if err != nil {
			t.Fatal(err)
		}
		if j.Copy != want.copy || j.Drawer != want.drawer {
			t.Errorf("job %d: copy=%v drawer=%v, want %v %v", i, j.Copy, j.Drawer, want.copy, want.drawer)
		}
	}
}

func TestRegisterPrintRoutes_ReceiptPNG(t *testing.T) {
	e, _ := newDemoEnv(t)
	saleID, _ := e.sellID(qrSaleID, false)
	resp, err := e.srv.Client().Do(func() *http.Request {
		r, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/sales/"+saleID+"/receipt.png", nil)
		r.Header.Set("Authorization", "Bearer "+tokenLane1)
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(resp.Body)
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	got, err := escpos.DecodeQRImage(img)
	if err != nil {
		t.Fatalf("read the receipt's QR code: %v", err)
	}
	if want := "https://shop.example/r/" + saleID; got != want {
		t.Errorf("QR = %q, want %q", got, want)
	}
	t.Run("unknown sale", func(t *testing.T) {
		code, body := e.do("GET", "/api/v1/sales/"+newSaleID()+"/receipt.png", tokenLane1, nil)
		if code != http.StatusNotFound {
			t.Errorf("got %d %s, want 404", code, body)
		}
	})
	t.Run("terminal without printer uses the preview profile", func(t *testing.T) {
		code, body := e.do("GET", "/api/v1/sales/"+saleID+"/receipt.png", tokenLane2, nil)
		if code != http.StatusOK || !bytes.HasPrefix(body, []byte("\x89PNG")) {
			t.Errorf("got %d, want 200 and a PNG", code)
		}
	})
}

func TestDemoPrinter_Print(t *testing.T) {
	e, demo := newDemoEnv(t)
	e.run()
	saleID, jobID := e.sellID(qrSaleID, true)
	e.waitJob(jobID, JobDone)
	files, err := demo.Receipts()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("receipts = %v, want 1", files)
	}
	f, err := os.Open(filepath.Join(demo.Dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", files[0], err)
	}
	if got, err := escpos.DecodeQRImage(img); err != nil || got != "https://shop.example/r/"+saleID {
		t.Errorf("QR of the demo receipt = %q, %v", got, err)
	}
	if demo.Has("other") {
		t.Errorf("the demo printer answers to an unconfigured name")
	}
}

// TestPrint_OwnPrintersOnly reproduces issue 16 item 11: any terminal could print on (and kick the
// drawer of) any printer. A lane may print on its own printer and those its terminals[].printers
// names; another is 403 and queues nothing, on a reprint and on a sale alike.
func TestPrint_OwnPrintersOnly(t *testing.T) {
	e, _ := newDemoEnv(t)
	e.svc.opts.Terminals = append(e.svc.opts.Terminals, Terminal{ID: "lane3", Token: "lane3-token-0123456789abcdef", Printer: "lane3-printer"})
	e.svc.auth = newAuthenticator(e.svc.opts.Terminals, e.db)
	req := saleBody(newSaleID(), []LineRequest{line("8001234567897", 1)}, []Payment{{Method: "cash", AmountMinor: 129}})
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusCreated {
		t.Fatalf("create sale: %d %s", code, body)
	}
	jobs := func() int64 { return e.count(`SELECT count(*) FROM print_jobs`) }
	before := jobs()
	code, body := e.do("POST", "/api/v1/sales/"+req.SaleID+"/print", "lane3-token-0123456789abcdef", map[string]string{"printer": testPrinter})
	if code != http.StatusForbidden || errCode(t, body) != "printer_not_allowed" || !strings.Contains(string(body), "lane3-printer") {
		t.Errorf("lane3 reprinting on lane1's printer: %d %s, want 403 printer_not_allowed naming its own", code, body)
	}
	sale := saleBody(newSaleID(), []LineRequest{line("8001234567897", 1)}, []Payment{{Method: "cash", AmountMinor: 200}})
	sale.Terminal = "lane3"
	sale.Print = []byte(`"` + testPrinter + `"`)
	if code, body := e.do("POST", "/api/v1/sales", "lane3-token-0123456789abcdef", sale); code != http.StatusForbidden {
		t.Errorf("lane3 selling with a print (and a drawer kick) on lane1's printer: %d %s, want 403", code, body)
	}
	if n := jobs(); n != before {
		t.Errorf("%d print jobs queued by refused requests", n-before)
	}
	if n := e.count(`SELECT count(*) FROM sales WHERE sale_id = ?1`, sale.SaleID); n != 0 {
		t.Errorf("the refused sale was stored")
	}
	// lane2 may use lane1's printer by name: terminals[].printers.
	if code, body := e.do("POST", "/api/v1/sales/"+req.SaleID+"/print", tokenLane2, map[string]string{"printer": testPrinter}); code != http.StatusAccepted {
		t.Errorf("lane2 on a printer its config names: %d %s", code, body)
	}
}
