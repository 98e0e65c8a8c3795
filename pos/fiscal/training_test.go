package fiscal_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/pos/fiscal"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// TestTraining_NotInTillReports sells for real and in training mode (the sale's flag, then the
// whole store with fiscal.training) on a real database and checks the till's X report counts
// only the real sales and refunds: a training sale and its refund are not takings.
func TestTraining_NotInTillReports(t *testing.T) {
	ctx := context.Background()
	term := pos.Terminal{ID: "lane1", Token: "t"}
	open := func(storeTraining bool) (*pos.Service, *db.DB) {
		d, err := db.Open(ctx, t.TempDir(), db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		key, err := fiscal.LoadOrCreateKey(filepath.Join(t.TempDir(), fiscal.KeyFileName), true)
		if err != nil {
			t.Fatal(err)
		}
		j := fiscal.NewJournal(key, outbox.Writer{StoreID: "fr", Epoch: d.Epoch}, nil)
		svc := pos.New(d, pos.Options{StoreID: "fr", Currency: "EUR", Terminals: []pos.Terminal{term},
			Journal: fiscal.ForPOS{J: j, Training: storeTraining}})
		if err := svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "PAIN", Name: "Pain", PriceMinor: 120, Currency: "EUR",
			TaxRateBP: 550, Unit: "each", Active: true, Version: 1}}, map[string]int64{"PAIN": 100}); err != nil {
			t.Fatal(err)
		}
		return svc, d
	}
	sell := func(svc *pos.Service, training bool, method string) pos.Sale {
		t.Helper()
		res, err := svc.CreateSale(ctx, term, pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "marie", Training: training,
			Lines: []pos.LineRequest{{Code: "PAIN"}}, Payments: []pos.Payment{{Method: method, AmountMinor: 120}}})
		if err != nil {
			t.Fatal(err)
		}
		var s pos.Sale
		json.Unmarshal(res.Body, &s)
		return s
	}
	refund := func(svc *pos.Service, saleID string) {
		t.Helper()
		if _, _, err := svc.CreateRefund(ctx, term, pos.RefundRequest{RefundID: uuid.NewString(), SaleID: saleID,
			Lines: []pos.RefundLineRequest{{SKU: "PAIN", Qty: 1}}, Method: "card", Cashier: "marie", Terminal: "lane1"}); err != nil {
			t.Fatal(err)
		}
	}
	tender := func(x pos.TillReport, m string) (sales, refunds int64) {
		for _, tt := range x.Tenders {
			if tt.Method == m {
				return tt.SalesMinor, tt.RefundsMinor
			}
		}
		return 0, 0
	}

	svc, _ := open(false)
	real1 := sell(svc, false, "card")
	sell(svc, false, "card")
	tr := sell(svc, true, "card")
	sell(svc, true, "cash")
	refund(svc, tr.SaleID)
	refund(svc, real1.SaleID)
	x, err := svc.TillX(ctx, term)
	if err != nil {
		t.Fatal(err)
	}
	if x.Sales.Count != 2 || x.Sales.GrossMinor != 240 || x.Refunds.Count != 1 || x.Refunds.GrossMinor != 120 {
		t.Fatalf("X counts sales %+v refunds %+v, want the 2 real sales (240) and 1 real refund (120)", x.Sales, x.Refunds)
	}
	if s, r := tender(x, "card"); s != 240 || r != 120 {
		t.Fatalf("card tender sales %d refunds %d, want 240 and 120", s, r)
	}
	if s, _ := tender(x, "cash"); s != 0 {
		t.Fatalf("cash tender %d, want 0: the cash sale was training", s)
	}
	for _, tl := range x.Taxes {
		if tl.TaxRateBP == 550 && tl.GrossMinor != 120 {
			t.Fatalf("5.5%% VAT gross %d, want 120 (240 sold, 120 refunded)", tl.GrossMinor)
		}
	}

	// fiscal.training: every sale is a training sale, marked so, and the X stays empty.
	svc, d := open(true)
	s := sell(svc, false, "card")
	if !s.Training || s.Fiscal == nil || s.Fiscal.Chain != fiscal.ChainTraining {
		t.Fatalf("sale under fiscal.training: training %v, fiscal %+v; want a training sale in the training chain", s.Training, s.Fiscal)
	}
	refund(svc, s.SaleID)
	if x, err := svc.TillX(ctx, term); err != nil || x.Sales.Count != 0 || x.Refunds.Count != 0 || x.Sales.GrossMinor != 0 {
		t.Fatalf("X under fiscal.training: %+v %+v %v, want nothing counted", x.Sales, x.Refunds, err)
	}
	var n int
	d.R.QueryRow(`SELECT count(*) FROM fiscal_records WHERE chain = 'ticket'`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d ticket records under fiscal.training, want 0", n)
	}
}
