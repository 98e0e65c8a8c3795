package pos

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/escpos"
)

// statusOK answers every DLE EOT n with 0x12: on-line, cover closed, paper present (Epson ESC/POS
// Command Reference, "DLE EOT"; bits 1 and 4 are fixed on).
func statusOK(p *devtest.TCPPrinter) {
	for n := byte(1); n <= 4; n++ {
		p.SetStatus(n, 0x12)
	}
}

func TestPrintQueue_TCPFaults(t *testing.T) {
	prof := loadPrinterProfile(t, "epson-tm-t20")

	t.Run("paper out, then paper loaded", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		statusOK(tp)
		tp.SetStatus(1, 0x1a) // off-line
		tp.SetStatus(4, 0x72) // roll paper end
		e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
		saleID, jobID := e.sell(true)
		_, before := e.do("GET", "/api/v1/sales/"+saleID, tokenLane1, nil)
		e.run()
		j := e.waitAttempts(jobID, 2)
		if !strings.Contains(j.LastError, "paper_out") {
			t.Errorf("last_error = %q, want it to name paper_out", j.LastError)
		}
		if got := e.mgr.States()[0].State; got != devices.StatePaperOut {
			t.Errorf("printer state = %q, want paper_out", got)
		}
		if _, after := e.do("GET", "/api/v1/sales/"+saleID, tokenLane1, nil); !bytes.Equal(before, after) {
			t.Errorf("a printer fault changed the sale:\n%s\n%s", before, after)
		}
		statusOK(tp)
		e.waitJob(jobID, JobDone)
		doc := checkOneCopy(t, tp.Bytes(), e.receipt(saleID, false, true), saleID)
		if !hasOp(doc, escpos.OpDrawer) {
			t.Errorf("the first print of a cash sale has no drawer kick")
		}
		if got := e.jobsMetric("retry"); got < 2 {
			t.Errorf("retry metric = %v, want >= 2", got)
		}
		if got := e.jobsMetric(JobDone); got != 1 {
			t.Errorf("done metric = %v, want 1", got)
		}
	})

	t.Run("dropped mid-job, then reconnected", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		statusOK(tp)
		tp.DropAfter(300) // status requests and part of the receipt, then gone
		e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
		saleID, jobID := e.sell(false)
		e.run()
		e.waitAttempts(jobID, 1)
		tp.DropAfter(0)
		e.waitJob(jobID, JobDone)
		want := e.receipt(saleID, false, false)
		if !bytes.Contains(tp.Bytes(), want[:200]) {
			t.Errorf("no partial copy was recorded before the drop")
		}
		doc := checkOneCopy(t, tp.Bytes(), want, saleID)
		if hasOp(doc, escpos.OpDrawer) {
			t.Errorf("a card sale kicked the drawer")
		}
	})

	t.Run("stalled, then resumed", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		statusOK(tp)
		tp.Stall(true)
		e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
		saleID, jobID := e.sell(false)
		e.run()
		e.waitAttempts(jobID, 2)
		tp.Stall(false)
		e.waitJob(jobID, JobDone)
		checkOneCopy(t, tp.Bytes(), e.receipt(saleID, false, false), saleID)
	})

	t.Run("reprint is a COPY without drawer kick", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		statusOK(tp)
		e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
		saleID, jobID := e.sell(true)
		e.run()
		e.waitJob(jobID, JobDone)
		code, body := e.do("POST", "/api/v1/sales/"+saleID+"/print", tokenLane1, nil)
		if code != http.StatusAccepted {
			t.Fatalf("reprint: %d %s", code, body)
		}
		copyID := decode[map[string]string](t, body)["job_id"]
		j := e.waitJob(copyID, JobDone)
		if !j.Copy || j.Drawer {
			t.Errorf("reprint job copy=%v drawer=%v, want copy without drawer", j.Copy, j.Drawer)
		}
		checkOneCopy(t, tp.Bytes(), e.receipt(saleID, false, true), saleID)
		doc := checkOneCopy(t, tp.Bytes(), e.receipt(saleID, true, false), saleID)
		if hasOp(doc, escpos.OpDrawer) {
			t.Errorf("the reprint kicks the drawer")
		}
		if !strings.Contains(strings.Join(doc.Lines(), "\n"), "COPIA") {
			t.Errorf("the reprint is not marked as a copy (it-IT COPIA):\n%s", strings.Join(doc.Lines(), "\n"))
		}
	})
}

func TestPrintQueue_Transports(t *testing.T) {
	prof := loadPrinterProfile(t, "epson-tm-t20")
	t.Run("usblp fifo", func(t *testing.T) {
		fp := devtest.NewFIFOPrinter(t)
		e := newDevicePrintEnv(t, devices.TransportUSBLP, fp.Path, prof)
		saleID, jobID := e.sell(true)
		e.run()
		e.waitJob(jobID, JobDone)
		want := e.receipt(saleID, false, true)
		waitUntil(t, func() bool { return bytes.Contains(fp.Bytes(), want) }, "the FIFO to receive the receipt")
		checkOneCopy(t, fp.Bytes(), want, saleID)
	})
	t.Run("serial pty", func(t *testing.T) {
		pty := devtest.NewPTYScanner(t)
		noStatus := prof
		noStatus.Status.DLEEOT = false // nothing answers on the pty
		e := newDevicePrintEnv(t, devices.TransportSerial, pty.Path, noStatus)
		saleID, jobID := e.sell(false)
		e.run()
		e.waitJob(jobID, JobDone)
		want := e.receipt(saleID, false, false)
		waitUntil(t, func() bool { return bytes.Contains(pty.Received(), want) }, "the pty to receive the receipt")
		checkOneCopy(t, pty.Received(), want, saleID)
	})
}

func TestPrintQueue_Run_Restart(t *testing.T) {
	prof := loadPrinterProfile(t, "epson-tm-t20")
	tp := devtest.NewTCPPrinter(t)
	statusOK(tp)
	e := newDevicePrintEnv(t, devices.TransportTCP, tp.Addr, prof)
	sending, sendingJob := e.sell(false)
	done, doneJob := e.sell(false)
	// As after a crash: one job was being sent, the other was completely sent.
	_, err := e.db.W.Exec(`UPDATE print_jobs SET status = CASE job_id WHEN ?1 THEN 'sending' ELSE 'done' END`, sendingJob)
	if err != nil {
		t.Fatal(err)
	}
	e.run()
	j := e.waitJob(sendingJob, JobDone)
	if j.Attempts != 1 || j.LastError != "" {
		t.Errorf("resent job: attempts %d, last_error %q, want 1 and cleared", j.Attempts, j.LastError)
	}
	checkOneCopy(t, tp.Bytes(), e.receipt(sending, false, false), sending)
	if bytes.Contains(tp.Bytes(), e.receipt(done, false, false)) {
		t.Errorf("a done job was printed again")
	}
	if j, _ := e.q.Job(context.Background(), doneJob); j.Status != JobDone || j.Attempts != 0 {
		t.Errorf("done job: status %q attempts %d, want done and untouched", j.Status, j.Attempts)
	}
}

func TestPrintQueue_Enqueue(t *testing.T) {
	e := newPrintEnv(t, &devices.DemoPrinter{Dir: t.TempDir(), Model: loadPrinterProfile(t, "generic-80mm"), Printers: []string{testPrinter}},
		loadPrinterProfile(t, "generic-80mm"))
	saleID, first := e.sell(true)
	ctx := context.Background()
	var second string
	err := e.db.Group.Do(ctx, func(tx *sql.Tx) error {
		var err error
		second, err = e.q.Enqueue(ctx, tx, saleID, testPrinter, true)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id           string
		copy, drawer bool
	}{{first, false, true}, {second, true, false}}
	for _, tc := range tests {
		j, err := e.q.Job(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Copy != tc.copy || j.Drawer != tc.drawer || j.Status != JobQueued {
			t.Errorf("job %s: copy=%v drawer=%v status=%s, want copy=%v drawer=%v queued", tc.id, j.Copy, j.Drawer, j.Status, tc.copy, tc.drawer)
		}
	}
	t.Run("unknown printer fails the sale with 422", func(t *testing.T) {
		req := saleBody(newSaleID(), []LineRequest{line("8001234567897", 1)}, []Payment{{Method: "card", AmountMinor: 129}})
		req.Print = []byte(`"nowhere"`)
		code, body := e.do("POST", "/api/v1/sales", tokenLane1, req)
		if code != http.StatusUnprocessableEntity || errCode(t, body) != "unknown_printer" {
			t.Errorf("got %d %s, want 422 unknown_printer", code, body)
		}
	})
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		sleepCtx(context.Background(), 10e6)
	}
	t.Fatalf("timed out waiting for %s", what)
}
