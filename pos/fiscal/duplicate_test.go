package fiscal_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// paper is a printer driver that keeps what it printed.
type paper struct {
	prof escpos.Profile
	mu   sync.Mutex
	jobs [][]byte
}

func (p *paper) Has(string) bool { return true }
func (p *paper) Render(_ string, doc document.Document) ([]byte, error) {
	return escpos.Render(doc, p.prof)
}
func (p *paper) Print(_ context.Context, _ string, b []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs = append(p.jobs, b)
	return nil
}

// TestDuplicates_ReprintsAreRecordedAndNumbered prints a French sale, then reprints it twice
// through the real print queue: each reprint is a record of the duplicate chain with its copy
// number, and the paper says DUPLICATA n° 1 then n° 2.
func TestDuplicates_ReprintsAreRecordedAndNumbered(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	key, _ := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "k.pem"), true)
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil)
	profs, err := escpos.LoadProfiles(os.DirFS(filepath.Join("..", "..", "firmware-profiles")), "printers")
	if err != nil {
		t.Fatal(err)
	}
	drv := &paper{prof: profs["epson-tm-t20"]}
	q, err := pos.NewPrintQueue(d, drv, pos.PrintOptions{StoreName: "Épicerie", Locale: "fr-FR", Currency: "EUR",
		Journal: fiscal.ForPOS{J: j}, SIRET: "12345678900011", Registerer: prometheus.NewRegistry(),
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	term := pos.Terminal{ID: "lane1", Token: "t", Printer: "p"}
	svc := pos.New(d, pos.Options{StoreID: "fr", Currency: "EUR", Terminals: []pos.Terminal{term}, Printing: q, Journal: fiscal.ForPOS{J: j}})
	svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "PAIN", GTINs: []string{"3012345678902"}, Name: "Pain", PriceMinor: 120,
		Currency: "EUR", TaxRateBP: 550, Unit: "each", Active: true, Version: 1}}, map[string]int64{"PAIN": 10})
	res, err := svc.CreateSale(ctx, term, pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "marie",
		Lines: []pos.LineRequest{{Code: "PAIN"}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 120}}, Print: json.RawMessage("true")})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := q.PrintSale(ctx, res.SaleID, "p"); err != nil {
			t.Fatal(err)
		}
	}
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- q.Run(run) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		drv.mu.Lock()
		n := len(drv.jobs)
		drv.mu.Unlock()
		if n == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
	if len(drv.jobs) != 3 {
		t.Fatalf("%d jobs printed, want 3", len(drv.jobs))
	}
	for i, want := range []string{"Ticket n° 1", "DUPLICATA n° 1", "DUPLICATA n° 2"} {
		doc, err := escpos.DecodeProfile(drv.jobs[i], drv.prof)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(doc.Lines(), "\n"); !strings.Contains(text, want) {
			t.Errorf("print %d lacks %q:\n%s", i+1, want, text)
		}
	}
	var n int
	var last string
	d.R.QueryRow(`SELECT count(*), max(data) FROM fiscal_records WHERE chain = 'duplicate'`).Scan(&n, &last)
	if n != 2 || !strings.Contains(last, `"copy_no":2`) || !strings.Contains(last, res.SaleID) {
		t.Fatalf("duplicate chain holds %d records (last %s), want 2 naming the sale, copy_no 2", n, last)
	}
	// A training sale's copy stays in the training chain.
	tr, err := svc.CreateSale(ctx, term, pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "marie", Training: true,
		Lines: []pos.LineRequest{{Code: "PAIN"}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 120}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := q.PrintSale(ctx, tr.SaleID, "p"); err != nil {
			t.Fatal(err)
		}
	}
	var training, dups int
	d.R.QueryRow(`SELECT count(*) FROM fiscal_records WHERE chain = 'training'`).Scan(&training)
	d.R.QueryRow(`SELECT count(*) FROM fiscal_records WHERE chain = 'duplicate'`).Scan(&dups)
	if training != 2 || dups != 2 {
		t.Fatalf("training chain %d, duplicate chain %d; want the training sale and its copy in training (2), duplicates unchanged (2)", training, dups)
	}
	if _, err := fiscal.Verify(ctx, d.R, j.PublicKey()); err != nil {
		t.Fatal(err)
	}
}

// stuckPaper prints like paper, but a duplicate's job stops after its bytes reached the paper
// and never reports back, as when the agent is killed at that moment.
type stuckPaper struct {
	paper
	reached chan struct{}
}

func (p *stuckPaper) Print(ctx context.Context, name string, b []byte) error {
	p.paper.Print(ctx, name, b)
	if strings.Contains(string(b), "DUPLICATA") {
		close(p.reached)
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// TestDuplicates_InterruptedPrintNotRepeated kills the print queue (in effect) while a duplicate's
// bytes are on the printer and before it says done; the restarted queue must not print that
// duplicate again (two papers "DUPLICATA n° 1" for one journal record) but fail it with the
// reason, and a new reprint is a new duplicate: n° 2, its own journal record.
func TestDuplicates_InterruptedPrintNotRepeated(t *testing.T) {
	ctx := context.Background()
	d, j, prof := frJournal(t)
	queue := func(drv pos.Driver) *pos.PrintQueue { return frQueue(t, d, j, drv, 10*time.Millisecond) }
	first := &stuckPaper{paper: paper{prof: prof}, reached: make(chan struct{})}
	q1 := queue(first)
	res := frSale(t, d, j, q1)
	dup1, err := q1.PrintSale(ctx, res.SaleID, "p")
	if err != nil {
		t.Fatal(err)
	}
	run1, kill := context.WithCancel(ctx)
	done1 := make(chan error, 1)
	go func() { done1 <- q1.Run(run1) }()
	select {
	case <-first.reached:
	case <-time.After(10 * time.Second):
		t.Fatal("the duplicate never reached the printer")
	}
	if job, _ := q1.Job(ctx, dup1); job.Status != pos.JobSending {
		t.Fatalf("duplicate job is %s while its bytes are out, want sending", job.Status)
	}

	// The restart: a new queue over the same database, printing on the same paper.
	second := &paper{prof: prof}
	q2 := queue(second)
	run2, stop2 := context.WithCancel(ctx)
	done2 := make(chan error, 1)
	go func() { done2 <- q2.Run(run2) }()
	job := waitStatus(t, q2, dup1, pos.JobFailed)
	if job.LastError != pos.ErrDuplicateInterrupted {
		t.Errorf("interrupted duplicate's last_error %q, want %q", job.LastError, pos.ErrDuplicateInterrupted)
	}
	// The cashier finds no paper (or a torn one) and asks again: a new duplicate, n° 2.
	dup2, err := q2.PrintSale(ctx, res.SaleID, "p")
	if err != nil {
		t.Fatal(err)
	}
	q2.Wake()
	waitStatus(t, q2, dup2, pos.JobDone)
	stop2()
	<-done2
	kill()
	<-done1

	papers := map[string]int{}
	for _, b := range append(append([][]byte{}, first.jobs...), second.jobs...) {
		doc, err := escpos.DecodeProfile(b, prof)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(doc.Lines(), "\n")
		switch {
		case strings.Contains(text, "DUPLICATA n° 1"):
			papers["DUPLICATA n° 1"]++
		case strings.Contains(text, "DUPLICATA n° 2"):
			papers["DUPLICATA n° 2"]++
		case strings.Contains(text, "DUPLICATA"):
			papers["other duplicate"]++
		default:
			papers["original"]++
		}
	}
	if want := map[string]int{"original": 1, "DUPLICATA n° 1": 1, "DUPLICATA n° 2": 1}; !maps.Equal(papers, want) {
		t.Fatalf("papers printed %v, want %v", papers, want)
	}
	var n int
	d.R.QueryRow(`SELECT count(*) FROM fiscal_records WHERE chain = 'duplicate'`).Scan(&n)
	if n != 2 {
		t.Fatalf("duplicate chain holds %d records, want 2 (n° 1, interrupted, and n° 2)", n)
	}
	if _, err := fiscal.Verify(ctx, d.R, j.PublicKey()); err != nil {
		t.Fatal(err)
	}
}

func waitStatus(t *testing.T, q *pos.PrintQueue, id, want string) pos.PrintJob {
	t.Helper()
	var job pos.PrintJob
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		var err error
		if job, err = q.Job(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		if job.Status == want {
			return job
		}
	}
	t.Fatalf("print job %s is %s (%s), want %s", id, job.Status, job.LastError, want)
	return job
}

// faultyPaper fails its duplicate jobs: with sent, after the bytes reached the paper (paper out
// at the end, a connection lost mid-job); without, before any byte went out (the printer could
// not be opened) for the first failFirst tries.
type faultyPaper struct {
	paper
	sent      bool
	failFirst int
	tries     int
}

func (p *faultyPaper) Print(ctx context.Context, name string, b []byte) error {
	if !strings.Contains(string(b), "DUPLICATA") {
		return p.paper.Print(ctx, name, b)
	}
	p.tries++
	if p.sent {
		p.paper.Print(ctx, name, b)
		return errors.New("print on \"p\": after sending: printer reports paper_out")
	}
	if p.tries <= p.failFirst {
		return &devices.NotSentError{Err: errors.New("print on \"p\": dial tcp 127.0.0.1:9100: connection refused")}
	}
	return p.paper.Print(ctx, name, b)
}

// TestDuplicates_PrinterFaultNotRepeated: a printer fault after a duplicate's bytes went out fails
// the job with the reason instead of printing "DUPLICATA n° 1" a second time; a fault before any
// byte went out (printer unreachable) is retried and the duplicate comes out once.
func TestDuplicates_PrinterFaultNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		name      string
		drv       *faultyPaper
		wantState string
		wantPaper int
	}{
		{"fault after sending", &faultyPaper{sent: true}, pos.JobFailed, 1},
		{"unreachable, then back", &faultyPaper{failFirst: 3}, pos.JobDone, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d, j, prof := frJournal(t)
			tc.drv.prof = prof
			q := frQueue(t, d, j, tc.drv, 5*time.Millisecond)
			res := frSale(t, d, j, q)
			dup, err := q.PrintSale(ctx, res.SaleID, "p")
			if err != nil {
				t.Fatal(err)
			}
			run, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- q.Run(run) }()
			job := waitStatus(t, q, dup, tc.wantState)
			// a few more polls: a failed duplicate must stay failed and unprinted
			time.Sleep(100 * time.Millisecond)
			stop()
			<-done
			if tc.wantState == pos.JobFailed && !strings.HasPrefix(job.LastError, pos.ErrDuplicateFaulted) {
				t.Errorf("last_error %q, want it to start with %q", job.LastError, pos.ErrDuplicateFaulted)
			}
			n := 0
			for _, b := range tc.drv.jobs {
				if strings.Contains(string(b), "DUPLICATA") {
					n++
				}
			}
			if n != tc.wantPaper {
				t.Fatalf("DUPLICATA on paper %d times (%d tries), want %d", n, tc.drv.tries, tc.wantPaper)
			}
			if got, _ := q.Job(ctx, dup); got.Status != tc.wantState {
				t.Fatalf("job %s at the end, want %s", got.Status, tc.wantState)
			}
		})
	}
}

// frJournal opens a French store's database and journal and loads the TM-T20's profile.
func frJournal(t *testing.T) (*db.DB, *fiscal.Journal, escpos.Profile) {
	t.Helper()
	d, err := db.Open(context.Background(), t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	key, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), "k.pem"), true)
	if err != nil {
		t.Fatal(err)
	}
	profs, err := escpos.LoadProfiles(os.DirFS(filepath.Join("..", "..", "firmware-profiles")), "printers")
	if err != nil {
		t.Fatal(err)
	}
	return d, fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil), profs["epson-tm-t20"]
}

// frQueue is the French store's print queue on drv, retrying from backoff.
func frQueue(t *testing.T, d *db.DB, j *fiscal.Journal, drv pos.Driver, backoff time.Duration) *pos.PrintQueue {
	t.Helper()
	q, err := pos.NewPrintQueue(d, drv, pos.PrintOptions{StoreName: "Épicerie", Locale: "fr-FR", Currency: "EUR",
		Journal: fiscal.ForPOS{J: j}, SIRET: "12345678900011", Registerer: prometheus.NewRegistry(),
		MinBackoff: backoff, MaxBackoff: 5 * backoff, PollInterval: 2 * backoff})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// frSale sells one loaf on lane1 with its receipt printed through q.
func frSale(t *testing.T, d *db.DB, j *fiscal.Journal, q *pos.PrintQueue) pos.SaleResult {
	t.Helper()
	ctx := context.Background()
	term := pos.Terminal{ID: "lane1", Token: "t", Printer: "p"}
	svc := pos.New(d, pos.Options{StoreID: "fr", Currency: "EUR", Terminals: []pos.Terminal{term}, Printing: q, Journal: fiscal.ForPOS{J: j}})
	svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "PAIN", GTINs: []string{"3012345678902"}, Name: "Pain", PriceMinor: 120,
		Currency: "EUR", TaxRateBP: 550, Unit: "each", Active: true, Version: 1}}, map[string]int64{"PAIN": 10})
	res, err := svc.CreateSale(ctx, term, pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "marie",
		Lines: []pos.LineRequest{{Code: "PAIN"}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 120}}, Print: json.RawMessage("true")})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
