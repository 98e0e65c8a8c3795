package pos

import "testing"

// A backlog of sales is registered with one write per sale: each registration is stored in the
// transaction that moves the next sale to sending (with the RT's (Z, doc) just registered). An
// answer lost on such a premarked sale is still reconciled (adopted, not sent again), and a job
// left in sending by that write without its request having gone out (a crash between the two) is
// sent once.
func TestRTQueue_BacklogPremarked(t *testing.T) {
	re := newRTEnv(t)
	var sales []Sale
	for range 4 {
		sales = append(sales, re.cashSale())
	}
	re.rt.program("", fakeLost) // the second sale registers, its answer is lost
	re.start()
	jobs := re.waitJobs()
	for i, j := range jobs {
		if j.Status != RTRegistered || int(j.DocNo.Int64) != i+1 {
			t.Errorf("job %d: %+v, want registered as document %d", i, j, i+1)
		}
	}
	if got := len(re.rt.documents()); got != 4 {
		t.Fatalf("the RT holds %d documents for 4 sales", got)
	}
	// Sales 1 and 3 are marked sending on their own, 2 and 4 with the outcome before them; the
	// lost answer adds its error and the adoption: 2 + 4 + 1 = 7 (one write per step: 9).
	if w := re.q.writes.Load(); w > 7 {
		t.Errorf("the worker made %d write transactions for 4 sales, want at most 7", w)
	}
	// The third and fourth sales were stored as sending with the registration before them.
	for _, j := range jobs[2:] {
		if !j.KnownZ.Valid || int(j.KnownDoc.Int64) != int(j.DocNo.Int64)-1 || j.Attempts != 1 {
			t.Errorf("job %+v: want sent once, with the previous document as its known (Z, doc)", j)
		}
	}
	re.stop()

	// A crash right after the merged write: the next sale in sending, its request never sent.
	s := re.cashSale()
	if _, err := re.db.W.Exec(`UPDATE rt_jobs SET status = 'sending', attempts = 1, known_z = 1, known_doc = 4 WHERE doc_id = ?1`, s.SaleID); err != nil {
		t.Fatal(err)
	}
	re.q = re.newQueue(re.db)
	re.svc.opts.RT = re.q
	re.start()
	got := re.waitFiscal(s.SaleID, RTRegistered)
	re.checkOnce(got, 5)
	if got.Fiscal.DocNo != 5 {
		t.Errorf("fiscal %+v, want document 5", got.Fiscal)
	}
}
