package pos

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/escpos"
)

// TestPrintQueue_TillReports prints a Z through the receipt queue on a TCP printer that drops the
// link mid-job: the Z comes out complete exactly once, in Italian, without a drawer kick; printed
// again it is a COPY; an X and the day report print too.
func TestPrintQueue_TillReports(t *testing.T) {
	prof := loadPrinterProfile(t, "epson-tm-t20")
	tp := devtest.NewTCPPrinter(t)
	statusOK(tp)
	e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
	e.svc.opts.Till = TillOptions{Denominations: euro, MaxDifferenceMinor: 500}
	code, body := e.do("POST", "/api/v1/till/open", tokenLane1, TillOpenRequest{SessionID: newSaleID(), Cashier: "anna", FloatMinor: i64(10000)})
	if code != 201 {
		t.Fatalf("open: %d %s", code, body)
	}
	open := decode[TillReport](t, body)
	if code, body := e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "cash", AmountMinor: 1000}})); code != 201 {
		t.Fatalf("sale: %d %s", code, body)
	}
	e.run()
	tp.DropAfter(250)
	cash := tender(t, mustX(t, e), "cash").ExpectedMinor
	code, body = e.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: &cash}}, Print: []byte("true")})
	if code != 201 {
		t.Fatalf("close: %d %s", code, body)
	}
	z := decode[TillReport](t, body)
	if z.Print == nil {
		t.Fatalf("the Z has no print job: %s", body)
	}
	e.waitAttempts(z.Print.JobID, 1)
	tp.DropAfter(0)
	j := e.waitJob(z.Print.JobID, JobDone)
	if j.Copy || j.Drawer || j.Kind != "report" {
		t.Errorf("Z job %+v", j)
	}
	want, err := e.q.ReportBytes("z", z, testPrinter)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(tp.Bytes(), want); n != 1 {
		t.Fatalf("complete copies of the Z on the printer: %d, want 1", n)
	}
	doc, err := escpos.Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(doc.Lines(), "\n")
	if hasOp(doc, escpos.OpDrawer) || !strings.Contains(text, "Z") || !strings.Contains(text, "Bottega Centrale") {
		t.Errorf("the Z as printed:\n%s", text)
	}
	// Printed again: a COPY.
	code, body = e.do("POST", "/api/v1/till/sessions/"+open.SessionID+"/print", tokenLane1, nil)
	if code != http.StatusAccepted {
		t.Fatalf("reprint: %d %s", code, body)
	}
	if j := e.waitJob(decode[map[string]string](t, body)["job_id"], JobDone); !j.Copy {
		t.Errorf("the second print of a Z is not a copy: %+v", j)
	}
	// The day report prints, and both previews render.
	code, body = e.do("POST", "/api/v1/till/day/print", tokenLane1, nil)
	if code != http.StatusAccepted {
		t.Fatalf("day print: %d %s", code, body)
	}
	e.waitJob(decode[map[string]string](t, body)["job_id"], JobDone)
	for _, path := range []string{"/api/v1/till/sessions/" + open.SessionID + "/report.png", "/api/v1/till/day/report.png"} {
		code, png := e.do("GET", path, tokenLane1, nil)
		if code != 200 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s: %d %.80s", path, code, png)
		}
	}
	if code, _ := e.do("GET", "/api/v1/till/sessions/"+open.SessionID+"/report.png", tokenLane2, nil); code != 404 {
		t.Errorf("lane2 sees lane1's session: %d", code)
	}
}

func mustX(t *testing.T, e *printEnv) TillReport {
	t.Helper()
	code, body := e.do("GET", "/api/v1/till", tokenLane1, nil)
	if code != 200 {
		t.Fatalf("X: %d %s", code, body)
	}
	return decode[TillReport](t, body)
}
