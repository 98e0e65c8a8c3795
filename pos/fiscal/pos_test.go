package fiscal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// TestForPOS_SalesRefundsAndTraining sells, refunds and sells in training mode through the real
// pos.Service on a real database, and checks each is recorded once, in its chain, in the same
// transaction (the sale's body carries the record's seq and signature), and that the whole
// journal verifies.
func TestForPOS_SalesRefundsAndTraining(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, t.TempDir(), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	key, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), fiscal.KeyFileName), true)
	if err != nil {
		t.Fatal(err)
	}
	j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr-par-001", Epoch: d.Epoch}, nil)
	term := pos.Terminal{ID: "lane1", Token: "t"}
	svc := pos.New(d, pos.Options{StoreID: "fr-par-001", Currency: "EUR", Terminals: []pos.Terminal{term},
		Journal: fiscal.ForPOS{J: j}, Fiscal: fiscal.Reader{J: j, Q: d.R}})
	if err := svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "PAIN", GTINs: []string{"3012345678902"}, Name: "Pain", PriceMinor: 120,
		Currency: "EUR", TaxRateBP: 550, Unit: "each", Active: true, Version: 1}}, map[string]int64{"PAIN": 100}); err != nil {
		t.Fatal(err)
	}
	sell := func(training bool) pos.Sale {
		t.Helper()
		req := pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "marie", Training: training,
			Lines: []pos.LineRequest{{Code: "PAIN"}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 120}}}
		res, err := svc.CreateSale(ctx, term, req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := svc.CreateSale(ctx, term, req)
		if err != nil || again.Created {
			t.Fatalf("retry: created %v, %v", again.Created, err)
		}
		var s pos.Sale
		if err := json.Unmarshal(res.Body, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1, s2 := sell(false), sell(false)
	tr := sell(true)
	if s1.Fiscal == nil || s1.Fiscal.Chain != "ticket" || s1.Fiscal.Seq != 1 || s2.Fiscal.Seq != 2 {
		t.Fatalf("sales' fiscal refs %+v %+v, want ticket 1 and 2", s1.Fiscal, s2.Fiscal)
	}
	if tr.Fiscal == nil || tr.Fiscal.Chain != "training" || tr.Fiscal.Seq != 1 {
		t.Fatalf("training sale's ref %+v, want training 1", tr.Fiscal)
	}
	body, _, err := svc.CreateRefund(ctx, term, pos.RefundRequest{RefundID: uuid.NewString(), SaleID: s1.SaleID,
		Lines: []pos.RefundLineRequest{{SKU: "PAIN", Qty: 1}}, Method: "card", Cashier: "marie", Terminal: "lane1"})
	if err != nil {
		t.Fatal(err)
	}
	var ref pos.Refund
	json.Unmarshal(body, &ref)
	if ref.Fiscal == nil || ref.Fiscal.Chain != "ticket" || ref.Fiscal.Seq != 3 {
		t.Fatalf("refund's ref %+v, want ticket 3", ref.Fiscal)
	}
	var signature, data string
	if err := d.R.QueryRow(`SELECT signature, data FROM fiscal_records WHERE chain = 'ticket' AND seq = 2`).Scan(&signature, &data); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Kind string   `json:"kind"`
		Body pos.Sale `json:"body"`
	}
	json.Unmarshal([]byte(data), &rec)
	if signature != s2.Fiscal.Signature || rec.Kind != "sale" || rec.Body.SaleID != s2.SaleID || rec.Body.TotalMinor != 120 {
		t.Fatalf("ticket 2 holds %s %s %d, want sale %s of 120 with the body's signature", rec.Kind, rec.Body.SaleID, rec.Body.TotalMinor, s2.SaleID)
	}
	sum, err := fiscal.Verify(ctx, d.R, j.PublicKey())
	if err != nil || sum.Records != 4 || sum.Chains != 2 {
		t.Fatalf("verify: %+v %v, want 4 records in 2 chains", sum, err)
	}

	// The HTTP API: the key, a chain from a seq, closures, and bad queries.
	srv := httptest.NewServer(pos.NewServer(svc, prometheus.NewRegistry()))
	defer srv.Close()
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := get("/api/v1/fiscal/key"); code != 200 {
		t.Fatalf("key: %d", code)
	} else if pub, err := fiscal.ParsePublicKeyPEM(b); err != nil || !pub.Equal(j.PublicKey()) {
		t.Fatalf("key: %v", err)
	}
	code, b := get("/api/v1/fiscal/journal?chain=ticket&from_seq=2")
	var recs []fiscal.Record
	json.Unmarshal(b, &recs)
	if code != 200 || len(recs) != 2 || recs[0].Seq != 2 || recs[0].Signature != s2.Fiscal.Signature {
		t.Fatalf("journal: %d %s; want tickets 2 and 3", code, b)
	}
	if code, b := get("/api/v1/fiscal/closures?period=day"); code != 200 || string(bytes.TrimSpace(b)) != "[]" {
		t.Fatalf("closures: %d %s; want none yet", code, b)
	}
	for _, p := range []string{"/api/v1/fiscal/journal?chain=nope", "/api/v1/fiscal/journal?chain=ticket&from_seq=0", "/api/v1/fiscal/closures?period=week"} {
		if code, _ := get(p); code != 400 {
			t.Errorf("%s: %d, want 400", p, code)
		}
	}
}
