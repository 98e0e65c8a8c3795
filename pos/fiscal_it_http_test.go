package pos

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A refund of a sale whose RT document is still pending waits for it, then refers to it.
func TestServer_RT_RefundWaitsForSale(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakePaperEnd, fakePaperEnd, fakePaperEnd) // the RT is out of paper at first
	s := re.cashSale()
	code, body := re.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
		Lines: []RefundLineRequest{{"CAFFE-250", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"})
	if code != http.StatusCreated {
		t.Fatalf("refund: %d %s", code, body)
	}
	r := decode[Refund](t, body)
	if r.Fiscal == nil || r.Fiscal.Status != RTPending {
		t.Fatalf("refund fiscal %+v, want pending", r.Fiscal)
	}
	re.start()
	sale := re.waitFiscal(s.SaleID, RTRegistered)
	jobs := re.waitJobs()
	if len(jobs) != 2 || jobs[1].Kind != RTRefund || jobs[1].Status != RTRegistered {
		t.Fatalf("jobs %+v", jobs)
	}
	docs := re.rt.documents()
	if len(docs) != 2 || docs[0].Kind != RTSale || docs[1].Kind != RTRefund {
		t.Fatalf("RT documents %+v: want the sale, then its reso", docs)
	}
	ref := docs[1].Ref
	if ref == nil || ref.ZNo != sale.Fiscal.ZNo || ref.DocNo != sale.Fiscal.DocNo || ref.Serial != sale.Fiscal.RTSerial || ref.Date.IsZero() {
		t.Errorf("reso refers to %+v, want the sale's RT document %+v", ref, sale.Fiscal)
	}
	if docs[1].TotalMinor != 498 || len(docs[1].Items) != 1 || docs[1].Items[0].Description != "Caffè espresso 250 g" {
		t.Errorf("reso %+v", docs[1])
	}
	var fiscal string
	if err := re.db.R.QueryRow(`SELECT json_extract(body, '$.fiscal.status') FROM refunds WHERE refund_id = ?`, r.RefundID).Scan(&fiscal); err != nil || fiscal != RTRegistered {
		t.Errorf("stored refund fiscal status %q (%v), want registered", fiscal, err)
	}
}

// A refund of a sale the RT refused has nothing to refer to: it fails too, visibly.
func TestServer_RT_RefundOfFailedSale(t *testing.T) {
	re := newRTEnv(t)
	re.rt.program(fakeBad)
	s := re.cashSale()
	code, body := re.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
		Lines: []RefundLineRequest{{"CAFFE-250", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"})
	if code != http.StatusCreated {
		t.Fatalf("refund: %d %s", code, body)
	}
	re.start()
	jobs := re.waitJobs()
	if jobs[1].Status != RTFailed || jobs[1].LastError == "" {
		t.Errorf("refund job %+v, want failed with the reason", jobs[1])
	}
	if n := len(re.rt.documents()); n != 0 {
		t.Errorf("%d documents on the RT, want 0", n)
	}
}

func TestServer_RT_Void(t *testing.T) {
	now := atomic.Int64{}
	now.Store(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC).UnixNano())
	re := newRTEnv(t, withTill(TillOptions{DayStart: 4 * time.Hour, Location: time.UTC}), func(o *Options) {
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	re.start()
	s := re.cashSale()
	re.waitFiscal(s.SaleID, RTRegistered)

	code, body := re.do("POST", "/api/v1/sales/"+s.SaleID+"/void", tokenLane1, VoidRequest{Cashier: "anna"})
	if code != http.StatusCreated {
		t.Fatalf("void: %d %s", code, body)
	}
	v := decode[Refund](t, body)
	if !v.Void || v.Fiscal == nil || v.Fiscal.Status != RTPending || v.TotalMinor != 1992 {
		t.Errorf("void %+v fiscal %+v", v, v.Fiscal)
	}
	if code, again := re.do("POST", "/api/v1/sales/"+s.SaleID+"/void", tokenLane1, VoidRequest{Cashier: "anna"}); code != http.StatusOK || decode[Refund](t, again).RefundID != v.RefundID {
		t.Errorf("void again: %d %s, want 200 with the same void", code, again)
	}
	jobs := re.waitJobs()
	if len(jobs) != 2 || jobs[1].Kind != RTVoid || jobs[1].Status != RTRegistered {
		t.Fatalf("jobs %+v", jobs)
	}
	docs := re.rt.documents()
	if docs[1].Kind != RTVoid || docs[1].TotalMinor != docs[0].TotalMinor || docs[1].Ref == nil || docs[1].Ref.DocNo != int(jobs[0].DocNo.Int64) {
		t.Errorf("annullo %+v ref %+v, want the whole sale's document", docs[1], docs[1].Ref)
	}
	if st, _ := re.svc.StockOf(context.Background(), "CAFFE-250"); st.OnHand != 50 {
		t.Errorf("stock after void %d, want 50 (back)", st.OnHand)
	}
	if code, body := re.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
		Lines: []RefundLineRequest{{"CAFFE-250", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"}); code != http.StatusUnprocessableEntity {
		t.Errorf("refund after void: %d %s, want 422", code, body)
	}

	t.Run("partly refunded", func(t *testing.T) {
		s := re.cashSale()
		if code, body := re.do("POST", "/api/v1/refunds", tokenLane1, RefundRequest{RefundID: newSaleID(), SaleID: s.SaleID,
			Lines: []RefundLineRequest{{"CAFFE-250", 1}}, Method: "cash", Cashier: "anna", Terminal: "lane1"}); code != http.StatusCreated {
			t.Fatalf("refund: %d %s", code, body)
		}
		if code, body := re.do("POST", "/api/v1/sales/"+s.SaleID+"/void", tokenLane1, VoidRequest{Cashier: "anna"}); code != http.StatusConflict || errCode(t, body) != "already_refunded" {
			t.Errorf("void of a refunded sale: %d %s, want 409 already_refunded", code, body)
		}
	})
	t.Run("another day", func(t *testing.T) {
		s := re.cashSale()
		now.Add(int64(20 * time.Hour)) // 06:00 the next day: past the 04:00 turn
		if code, body := re.do("POST", "/api/v1/sales/"+s.SaleID+"/void", tokenLane1, VoidRequest{Cashier: "anna"}); code != http.StatusConflict || errCode(t, body) != "void_not_same_day" {
			t.Errorf("void of yesterday's sale: %d %s, want 409 void_not_same_day", code, body)
		}
	})
	t.Run("unknown sale", func(t *testing.T) {
		if code, body := re.do("POST", "/api/v1/sales/"+newSaleID()+"/void", tokenLane1, VoidRequest{Cashier: "anna"}); code != http.StatusNotFound {
			t.Errorf("void of no sale: %d %s, want 404", code, body)
		}
	})
}

// Closing the day's last open session makes the RT's Z; its number shows in the stored Z report.
func TestServer_RT_ZOnLastClose(t *testing.T) {
	re := newRTEnv(t, withTill(TillOptions{MaxDifferenceMinor: 100000}))
	re.start()
	open1 := re.openTill(tokenLane1)
	code, body := re.do("POST", "/api/v1/till/open", tokenLane2, TillOpenRequest{SessionID: newSaleID(), Cashier: "marco", FloatMinor: i64(0)})
	if code != http.StatusCreated {
		t.Fatalf("open lane2: %d %s", code, body)
	}
	open2 := decode[TillReport](t, body)
	closeReq := func(id string) TillCloseRequest {
		return TillCloseRequest{SessionID: id, Cashier: "anna", Counted: []CountedTender{{Method: "cash", AmountMinor: i64(0)}}}
	}
	if code, body := re.do("POST", "/api/v1/till/close", tokenLane1, closeReq(open1.SessionID)); code != http.StatusCreated {
		t.Fatalf("close lane1: %d %s", code, body)
	}
	if n := re.count(`SELECT count(*) FROM rt_jobs WHERE kind = 'z'`); n != 0 {
		t.Errorf("%d Z jobs while lane2 is still open, want 0", n)
	}
	if code, body := re.do("POST", "/api/v1/till/close", tokenLane2, closeReq(open2.SessionID)); code != http.StatusCreated {
		t.Fatalf("close lane2: %d %s", code, body)
	}
	re.waitJobs()
	code, body = re.do("GET", "/api/v1/till/sessions/"+open2.SessionID, tokenLane2, nil)
	z := decode[TillReport](t, body)
	if code != http.StatusOK || z.RTZNo == nil || *z.RTZNo != 1 {
		t.Errorf("Z report %d rt_z_no %v, want 1: %s", code, z.RTZNo, body)
	}
	if re.rt.zReports != 1 {
		t.Errorf("%d RT closures, want 1", re.rt.zReports)
	}
	if code, body := re.do("GET", "/api/v1/till/sessions/"+open1.SessionID, tokenLane1, nil); code != http.StatusOK || decode[TillReport](t, body).RTZNo != nil {
		t.Errorf("lane1's Z %d %s: want no rt_z_no (it was not the day's last close)", code, body)
	}
}

// A Z whose answer was lost on a day with no documents is not sent again: the RT's state cannot
// tell whether it was made (a second Z would close an empty day), so the session's Z report says
// what to check. (With documents that day it is resolved: TestAgent_RTZAnswerLost,
// TestServer_RT_ZLostTwice.)
func TestServer_RT_ZAnswerLost(t *testing.T) {
	re := newRTEnv(t)
	re.rt.zLost = true
	re.start()
	open := re.openTill(tokenLane1)
	if code, body := re.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: i64(11000)}}}); code != http.StatusCreated {
		t.Fatalf("close: %d %s", code, body)
	}
	jobs := re.waitJobs()
	_, body := re.do("GET", "/api/v1/till/sessions/"+open.SessionID, tokenLane1, nil)
	z := decode[TillReport](t, body)
	if len(jobs) != 1 || jobs[0].Status != RTFailed || z.RTZNo != nil || !strings.Contains(z.RTZError, "check the RT's last Z") {
		t.Errorf("jobs %+v, Z %s: want the closure failed with what to check", jobs, body)
	}
	re.rt.mu.Lock()
	defer re.rt.mu.Unlock()
	if re.rt.zReports != 1 {
		t.Errorf("%d closures sent, want 1", re.rt.zReports)
	}
}

func TestServer_RT_XReportAndNoNonFiscalReceipt(t *testing.T) {
	re := newRTEnv(t)
	re.openTill(tokenLane1)
	if code, body := re.do("GET", "/api/v1/till?rt=1", tokenLane1, nil); code != http.StatusOK || re.rt.xReports != 1 {
		t.Errorf("X with rt=1: %d %s, %d RT readings, want 200 and 1", code, body, re.rt.xReports)
	}
	if code, _ := re.do("GET", "/api/v1/till", tokenLane1, nil); code != http.StatusOK || re.rt.xReports != 1 {
		t.Errorf("X without rt: %d, %d RT readings, want 1", code, re.rt.xReports)
	}
	req := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "cash", AmountMinor: 500}})
	req.Print = []byte("true")
	code, body := re.do("POST", "/api/v1/sales", tokenLane1, req)
	if code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	if s := decode[Sale](t, body); s.Print != nil {
		t.Errorf("print %+v: with an RT the terminal's ESC/POS receipt is not printed unless named", s.Print)
	}
}

// The sale's lottery code goes to the RT with it; a malformed one is refused before anything is
// stored.
func TestServer_RT_LotteryCode(t *testing.T) {
	re := newRTEnv(t)
	before := re.snapshot()
	req := saleBody(newSaleID(), []LineRequest{line("CAFFE-250", 1)}, []Payment{{Method: "card", AmountMinor: 498}})
	req.LotteryCode = "ABC-1234"
	if code, body := re.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusUnprocessableEntity || errCode(t, body) != "invalid_lottery_code" {
		t.Errorf("bad lottery code: %d %s, want 422 invalid_lottery_code", code, body)
	}
	if after := re.snapshot(); after["sales"] != before["sales"] || after["outbox"] != before["outbox"] {
		t.Errorf("a refused sale changed the store: %v → %v", before, after)
	}
	req.LotteryCode = "ABCD1234"
	if code, body := re.do("POST", "/api/v1/sales", tokenLane1, req); code != http.StatusCreated {
		t.Fatalf("sale: %d %s", code, body)
	}
	re.start()
	re.waitFiscal(req.SaleID, RTRegistered)
	if d := re.rt.documents(); len(d) != 1 || d[0].LotteryCode != "ABCD1234" {
		t.Errorf("RT documents %+v: want the lottery code", d)
	}
}

// A Z lost before the RT saw it is sent again once; when that one is lost too, the job fails for
// the staff to check rather than sending a third.
func TestServer_RT_ZLostTwice(t *testing.T) {
	re := newRTEnv(t)
	re.start()
	open := re.openTill(tokenLane1)
	s := re.cashSale()
	re.waitFiscal(s.SaleID, RTRegistered)
	re.rt.mu.Lock()
	re.rt.zDropped = true
	re.rt.mu.Unlock()
	if code, body := re.do("POST", "/api/v1/till/close", tokenLane1, TillCloseRequest{SessionID: open.SessionID, Cashier: "anna",
		Counted: []CountedTender{{Method: "cash", AmountMinor: i64(11000 + 5000 - 3008)}}}); code != http.StatusCreated {
		t.Fatalf("close: %d %s", code, body)
	}
	// The first Z is lost; arm the second loss once the first was tried.
	deadline := time.Now().Add(10 * time.Second)
	for {
		re.rt.mu.Lock()
		n := re.rt.zReports
		if n == 1 {
			re.rt.zDropped = true
		}
		re.rt.mu.Unlock()
		if n >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no Z sent")
		}
		time.Sleep(time.Millisecond)
	}
	jobs := re.waitJobs()
	_, body := re.do("GET", "/api/v1/till/sessions/"+open.SessionID, tokenLane1, nil)
	z := decode[TillReport](t, body)
	last := jobs[len(jobs)-1]
	if last.Kind != RTZ || last.Status != RTFailed || z.RTZNo != nil || !strings.Contains(z.RTZError, "sent twice") {
		t.Errorf("Z job %+v, report %s: want failed after two lost answers", last, body)
	}
	re.rt.mu.Lock()
	defer re.rt.mu.Unlock()
	if re.rt.zReports != 2 || re.rt.z != 1 {
		t.Errorf("%d closures sent, RT period %d: want 2 sent, none made", re.rt.zReports, re.rt.z)
	}
}
