package pos

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"testing/quick"
)

// TestServer_SaleAtExtremeStock reproduces issue 16 item 4: a stored on_hand of −2^63+1 (what a
// count from a broken central could once write) made every sale of the item 500. Sales never
// depend on stock: they complete, and the stored quantity saturates at the bound.
func TestServer_SaleAtExtremeStock(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		name    string
		onHand  int64
		want    int64
		reserve int64
	}{
		{"min int64", math.MinInt64 + 1, -MaxStoredStock, 0},
		{"max int64 with reservations", math.MaxInt64, MaxStoredStock, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.db.W.Exec(`UPDATE stock SET on_hand = ?1, reserved = ?2 WHERE sku = 'PASTA-500'`, tc.onHand, tc.reserve); err != nil {
				t.Fatal(err)
			}
			code, body := e.do("GET", "/api/v1/products/PASTA-500", "", nil)
			if code != http.StatusOK {
				t.Fatalf("lookup: %d %s", code, body)
			}
			code, body = e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), []LineRequest{line("PASTA-500", 2)}, []Payment{{Method: "card", AmountMinor: 258}}))
			if code != http.StatusCreated {
				t.Fatalf("sale of an item at on_hand %d: %d %s, want 201", tc.onHand, code, body)
			}
			st, err := e.svc.StockOf(t.Context(), "PASTA-500")
			if err != nil {
				t.Fatal(err)
			}
			if st.OnHand != tc.want && st.OnHand != tc.want-2 {
				t.Errorf("on_hand after the sale = %d, want about %d", st.OnHand, tc.want)
			}
		})
	}
}

// TestSatAdd_Property checks that SatAdd never overflows, stays within ±MaxStoredStock, and equals
// the exact sum whenever that is within bounds.
func TestSatAdd_Property(t *testing.T) {
	f := func(a, b int64) bool {
		s := SatAdd(a, b)
		if s < -MaxStoredStock || s > MaxStoredStock {
			return false
		}
		exact := float64(a) + float64(b)
		if math.Abs(exact) < MaxStoredStock/2 {
			return s == a+b
		}
		return (exact > 0) == (s > 0) || s == 0
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 20000}); err != nil {
		t.Error(err)
	}
	for _, c := range [][3]int64{{math.MaxInt64, 1, MaxStoredStock}, {math.MinInt64, -1, -MaxStoredStock}, {5, -7, -2}} {
		if got := SatAdd(c[0], c[1]); got != c[2] {
			t.Errorf("SatAdd(%d, %d) = %d, want %d", c[0], c[1], got, c[2])
		}
	}
}

// TestCatalogItem_ValidateBounds checks the caps on what central sends in an item (issue 16 items
// 3 and 5): each out-of-bounds field is refused with an error naming it.
func TestCatalogItem_ValidateBounds(t *testing.T) {
	ok := CatalogItem{SKU: "A", Name: "Pasta", PriceMinor: 129, Currency: "EUR", TaxRateBP: 400, Unit: "each", Active: true, Version: 1}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid item refused: %v", err)
	}
	for _, tc := range []struct {
		field string
		mod   func(*CatalogItem)
	}{
		{"name", func(it *CatalogItem) { it.Name = strings.Repeat("x", 900_000) }},
		{"name", func(it *CatalogItem) { it.Name = "a\x1bb" }},
		{"category", func(it *CatalogItem) { it.Category = strings.Repeat("c", MaxTextBytes+1) }},
		{"version", func(it *CatalogItem) { it.Version = math.MaxInt64 }},
		{"price_minor", func(it *CatalogItem) { it.PriceMinor = math.MaxInt64 }},
		{"gtins", func(it *CatalogItem) { it.GTINs = make([]string, MaxGTINs+1) }},
		{"net_content", func(it *CatalogItem) { v := 1e300; it.NetContent = &v }},
	} {
		it := ok
		tc.mod(&it)
		err := it.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s out of bounds: err %v, want one naming %s", tc.field, err, tc.field)
		}
	}
}
