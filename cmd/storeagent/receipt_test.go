package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/sync/db"
)

// TestMain_Receipt stores a sale in a store's database and prints its receipt with
// `storeagent receipt`: the store's header and language, the lines and total, within -cols.
func TestMain_Receipt(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfg := writeConfig(t, dir, minimalConfig(data)+"locale: it-IT\nstore: {name: Bottega Centrale, timezone: Europe/Rome}\n")
	ctx := context.Background()
	d, err := db.Open(ctx, data, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	term := pos.Terminal{ID: "lane1", Token: "lane1-token-0123456789abcdef"}
	svc := pos.New(d, pos.Options{StoreID: "it-mi-001", Currency: "EUR", Terminals: []pos.Terminal{term}})
	if err := svc.SeedCatalog(ctx, []pos.CatalogItem{{SKU: "CAFFE", GTINs: []string{"8001234567903"}, Name: "Caffè espresso macinato 250 g",
		PriceMinor: 498, Currency: "EUR", TaxRateBP: 2200, Unit: "each", Active: true, Version: 1}}, map[string]int64{"CAFFE": 10}); err != nil {
		t.Fatal(err)
	}
	qty := int64(2)
	sale, err := svc.CreateSale(ctx, term, pos.SaleRequest{SaleID: uuid.NewString(), Terminal: "lane1", Cashier: "giulia",
		Lines: []pos.LineRequest{{Code: "CAFFE", Qty: &qty}}, Payments: []pos.Payment{{Method: "card", AmountMinor: 996}}})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	code, out, stderr := runCLI(t, nil, "receipt", "-config", cfg, "-cols", "32", sale.SaleID)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"Bottega Centrale", "Caffè espresso macinato", "  2 x 4,98 €", "TOTALE", "9,96 €", "DOCUMENTO NON FISCALE"} {
		if !strings.Contains(out, want) {
			t.Errorf("receipt lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 32 {
			t.Errorf("line %q is longer than 32", l)
		}
	}
	if code, _, stderr := runCLI(t, nil, "receipt", "-config", cfg, uuid.NewString()); code != 1 || !strings.Contains(stderr, "no sale") {
		t.Errorf("unknown sale: exit %d, stderr %q; want 1 and no sale", code, stderr)
	}
	if code, _, _ := runCLI(t, nil, "receipt", "-config", cfg, "-cols", "20", sale.SaleID); code != 2 {
		t.Errorf("-cols 20: exit %d, want 2", code)
	}
}
