package fiscal_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
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
