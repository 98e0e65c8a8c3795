package pos

import (
	"context"
	"testing"

	"github.com/storeagent/storeagent/devices"
)

// TestPrintQueue_ReceiptFiscal stores sales through the API (pieces, a weighed line, cash and
// card) and checks that their fiscal part adds up to the stored sale to the cent.
func TestPrintQueue_ReceiptFiscal(t *testing.T) {
	e := newPrintEnv(t, &devices.DemoPrinter{Dir: t.TempDir(), Model: loadPrinterProfile(t, "generic-80mm"), Printers: []string{testPrinter}},
		loadPrinterProfile(t, "generic-80mm"))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		lines []LineRequest
		pays  func(total int64) []Payment
	}{
		{"pieces and a weight, cash with change", []LineRequest{line("CAFFE-250", 3), {Code: "PARMIGIANO", WeightG: i64(333)}, line("PASTA-500", 1)},
			func(total int64) []Payment { return []Payment{{Method: "cash", AmountMinor: total + 1000}} }},
		{"split card and cash", []LineRequest{line("VINO-ROSSO", 2), {Code: "PARMIGIANO", WeightG: i64(1250)}},
			func(total int64) []Payment {
				return []Payment{{Method: "card", AmountMinor: 1000}, {Method: "cash", AmountMinor: total - 1000}}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.do("POST", "/api/v1/sales/quote", tokenLane1, saleBody("", tc.lines, nil))
			if code != 200 {
				t.Fatalf("quote: %d %s", code, body)
			}
			total := decode[Sale](t, body).TotalMinor
			code, body = e.do("POST", "/api/v1/sales", tokenLane1, saleBody(newSaleID(), tc.lines, tc.pays(total)))
			if code != 201 {
				t.Fatalf("create sale: %d %s", code, body)
			}
			s := decode[Sale](t, body)
			f, err := e.q.ReceiptFiscal(ctx, s.SaleID)
			if err != nil {
				t.Fatal(err)
			}
			var items, paid int64
			for _, it := range f.Items {
				items += it.AmountMinor
				for _, d := range it.Discounts {
					items -= d.AmountMinor
				}
			}
			for _, a := range f.Adjustments {
				items += a.AmountMinor
			}
			for _, p := range f.Payments {
				paid += p.AmountMinor
			}
			if want := s.TotalMinor + s.RoundingMinor; f.TotalMinor != want || items != want || paid-s.ChangeMinor != want {
				t.Errorf("fiscal total %d, items %d, payments less change %d; the sale is %d", f.TotalMinor, items, paid-s.ChangeMinor, want)
			}
			for i, l := range s.Lines {
				if l.WeightG != nil && (f.Items[i].QtyMilli != *l.WeightG || f.Items[i].UnitPriceMinor != l.UnitPriceMinor) {
					t.Errorf("weighed line %d: qty %d price %d, want %d g at %d/kg", i, f.Items[i].QtyMilli, f.Items[i].UnitPriceMinor, *l.WeightG, l.UnitPriceMinor)
				}
			}
		})
	}
	if _, err := e.q.ReceiptFiscal(ctx, newSaleID()); err == nil {
		t.Errorf("an unknown sale: want an error")
	}
}

// TestPrintQueue_AttachFiscal checks that with AttachFiscal the original receipt's Document
// carries the sale's fiscal part and a copy's does not, and that without it none does.
func TestPrintQueue_AttachFiscal(t *testing.T) {
	e := newPrintEnv(t, &devices.DemoPrinter{Dir: t.TempDir(), Model: loadPrinterProfile(t, "generic-80mm"), Printers: []string{testPrinter}},
		loadPrinterProfile(t, "generic-80mm"))
	ctx := context.Background()
	saleID, _ := e.sell(true)
	s, err := e.q.storedSale(ctx, saleID)
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := e.q.ReceiptDocument(ctx, saleID, false, true); err != nil || doc.Fiscal != nil {
		t.Errorf("without AttachFiscal: fiscal %+v, err %v; want none", doc.Fiscal, err)
	}
	e.q.opts.AttachFiscal = true
	doc, err := e.q.ReceiptDocument(ctx, saleID, false, true)
	if err != nil || doc.Fiscal == nil || doc.Fiscal.TotalMinor != s.TotalMinor+s.RoundingMinor || len(doc.Fiscal.Items) != len(s.Lines) {
		t.Fatalf("original: fiscal %+v, err %v; want the sale's %d lines and total %d", doc.Fiscal, err, len(s.Lines), s.TotalMinor+s.RoundingMinor)
	}
	if doc, err := e.q.ReceiptDocument(ctx, saleID, true, false); err != nil || doc.Fiscal != nil {
		t.Errorf("copy: fiscal %+v, err %v; want none (a reprint is not registered again)", doc.Fiscal, err)
	}
}
