package fpmate

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmateemu"
	"github.com/storeagent/storeagent/pos/document"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func testConfig(url string) Config {
	return Config{
		URL:         url,
		Timeout:     2 * time.Second,
		Departments: map[int64]int{2200: 1, 1000: 2, 400: 3, 500: 4, 0: 13},
		Payments:    map[string][2]int{"cash": {0, 0}, "card": {2, 1}, "voucher": {3, 1}, "other": {2, 1}},
		Operator:    "1",
		Location:    time.UTC,
	}
}

var refDate = time.Date(2026, 12, 2, 10, 41, 0, 0, time.UTC)

// goldens are the documents whose rendering is pinned byte for byte in testdata/<name>.xml.
func goldens() map[string]document.Fiscal {
	return map[string]document.Fiscal{
		"cash_sale": {
			Kind: "sale",
			Items: []document.FiscalItem{
				{Description: "Caffè espresso", QtyMilli: 2000, UnitPriceMinor: 120, AmountMinor: 240, TaxRateBP: 1000},
				{Description: "Acqua naturale 0,5 l", QtyMilli: 1000, UnitPriceMinor: 50, AmountMinor: 50, TaxRateBP: 2200},
			},
			Payments:   []document.FiscalPayment{{Method: "cash", Description: "Contanti", AmountMinor: 500}},
			TotalMinor: 290,
			Header:     []string{"Bar Centrale & Figli"},
			Footer:     []string{"Grazie e arrivederci"},
		},
		"card_sale": {
			Kind: "sale",
			Items: []document.FiscalItem{
				{Description: "Olio extravergine d'oliva \"Bio\" 1 l <promo>", QtyMilli: 1000, UnitPriceMinor: 1299, AmountMinor: 1299, TaxRateBP: 400},
			},
			Payments:    []document.FiscalPayment{{Method: "card", Description: "Carta", AmountMinor: 1299}},
			TotalMinor:  1299,
			LotteryCode: "ABCDEFGN",
		},
		"weighed": {
			Kind: "sale",
			Items: []document.FiscalItem{
				// 0,352 kg × 2,49 €/kg = 0,87648 → 0,88: sent as 1 × 0.88.
				{Description: "Mele Golden", QtyMilli: 352, UnitPriceMinor: 249, AmountMinor: 88, TaxRateBP: 400},
				// 0,500 kg × 1,98 €/kg = 0,99 exactly: sent as 0.500 × 1.98.
				{Description: "Banane", QtyMilli: 500, UnitPriceMinor: 198, AmountMinor: 99, TaxRateBP: 400},
			},
			Payments:   []document.FiscalPayment{{Method: "cash", AmountMinor: 200}},
			TotalMinor: 187,
		},
		"discount": {
			Kind: "sale",
			Items: []document.FiscalItem{
				{Description: "Pasta di semola 500 g", QtyMilli: 2000, UnitPriceMinor: 499, AmountMinor: 998, TaxRateBP: 400,
					Discounts: []document.FiscalDiscount{{Description: "Promo 2x -1€", AmountMinor: 100}}},
				{Description: "Detersivo", QtyMilli: 1000, UnitPriceMinor: 350, AmountMinor: 350, TaxRateBP: 2200},
			},
			Adjustments: []document.FiscalAdjustment{{Description: "Arrotondamento", AmountMinor: -3}},
			Payments:    []document.FiscalPayment{{Method: "cash", AmountMinor: 1000}, {Method: "voucher", Description: "Buono pasto", AmountMinor: 300}},
			TotalMinor:  1245,
		},
		"refund": {
			Kind: "refund",
			Items: []document.FiscalItem{
				{Description: "Caffè espresso", QtyMilli: 1000, UnitPriceMinor: 120, AmountMinor: 120, TaxRateBP: 1000},
			},
			Payments:   []document.FiscalPayment{{Method: "cash", Description: "Contanti", AmountMinor: 120}},
			TotalMinor: 120,
			Ref:        &document.FiscalRef{ZNo: 1, DocNo: 1, Date: refDate, Serial: "99MEY012345"},
		},
		"void": {
			Kind: "void",
			Items: []document.FiscalItem{
				{Description: "Olio extravergine d'oliva \"Bio\" 1 l <promo>", QtyMilli: 1000, UnitPriceMinor: 1299, AmountMinor: 1299, TaxRateBP: 400},
			},
			Payments:   []document.FiscalPayment{{Method: "card", Description: "Carta", AmountMinor: 1299}},
			TotalMinor: 1299,
			Ref:        &document.FiscalRef{ZNo: 1, DocNo: 2, Date: refDate, Serial: "99MEY012345"},
		},
	}
}

func TestRenderReceipt_golden(t *testing.T) {
	cfg := testConfig("http://127.0.0.1/cgi-bin/fpmate.cgi")
	for name, f := range goldens() {
		t.Run(name, func(t *testing.T) {
			got, err := RenderReceipt(f, cfg)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("rendering differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
			}
			// The emulator, which reads the XML on its own, recomputes the same total.
			rc, err := fpmateemu.TotalOf(got)
			if err != nil {
				t.Fatalf("emulator rejects the rendering: %v", err)
			}
			if rc.TotalMinor != f.TotalMinor {
				t.Errorf("emulator recomputes %d cents, document total %d", rc.TotalMinor, f.TotalMinor)
			}
			if rc.Kind != f.Kind {
				t.Errorf("emulator reads kind %q, want %q", rc.Kind, f.Kind)
			}
		})
	}
}

func TestRenderReceipt_errors(t *testing.T) {
	cfg := testConfig("http://127.0.0.1/")
	base := goldens()["cash_sale"]
	cases := []struct {
		name, want string
		mod        func(f *document.Fiscal)
	}{
		{"unknown rate", "VAT rate 700 bp", func(f *document.Fiscal) { f.Items[0].TaxRateBP = 700 }},
		{"unknown payment", `payment method "crypto"`, func(f *document.Fiscal) { f.Payments[0].Method = "crypto" }},
		{"total off by a cent", "the document's total is 291", func(f *document.Fiscal) { f.TotalMinor = 291 }},
		{"underpaid", "less than the total", func(f *document.Fiscal) { f.Payments[0].AmountMinor = 289 }},
		{"refund without ref", "without the reference", func(f *document.Fiscal) { f.Kind = "refund" }},
		{"bad lottery", "lottery code", func(f *document.Fiscal) { f.LotteryCode = "ABC" }},
		{"zero quantity", "quantity 0", func(f *document.Fiscal) { f.Items[0].QtyMilli = 0 }},
		{"discount too big", "take the whole amount", func(f *document.Fiscal) {
			f.Items[0].Discounts = []document.FiscalDiscount{{AmountMinor: 240}}
			f.TotalMinor = 50
		}},
		{"unknown kind", `kind "gift"`, func(f *document.Fiscal) { f.Kind = "gift" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base
			f.Items = append([]document.FiscalItem(nil), base.Items...)
			f.Payments = append([]document.FiscalPayment(nil), base.Payments...)
			c.mod(&f)
			_, err := RenderReceipt(f, cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestCut_runeBoundary(t *testing.T) {
	s := strings.Repeat("è", 30) // 60 bytes
	got := cut(s, MaxDescription)
	if len(got) > MaxDescription || !utf8.ValidString(got) || len(got) != 38 {
		t.Fatalf("cut = %q (%d bytes), want 19 runes, 38 bytes", got, len(got))
	}
	if got := cut("a\x00b\nc\x7fd", 38); got != "abcd" {
		t.Fatalf("control characters kept: %q", got)
	}
}

func TestRenderReceipt_refDateInPrinterZone(t *testing.T) {
	cfg := testConfig("http://127.0.0.1/")
	cfg.Location = time.FixedZone("CET", 3600)
	f := goldens()["refund"]
	f.Ref.Date = time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC) // 00:30 on 2 December in Italy
	b, err := RenderReceipt(f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`message="REFUND 0001 0001 02122026 99MEY012345"`)) {
		t.Errorf("reference not dated in the printer's zone:\n%s", b)
	}
}
