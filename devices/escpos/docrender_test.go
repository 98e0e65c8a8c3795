package escpos

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/storeagent/storeagent/pos/document"
)

var updateDocs = flag.Bool("update-documents", false, "rewrite the golden files under testdata/document")

const sampleUUID = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

// sampleDocument holds every kind of block.
func sampleDocument() document.Document {
	return document.Document{Kind: document.KindReceipt, Locale: "it-IT", Blocks: []document.Block{
		document.Drawer{},
		document.Style{Align: document.AlignCenter, Blocks: []document.Block{
			document.Style{Bold: true, Blocks: []document.Block{document.Text{Text: "Bottega Centrale", Tall: true}}},
			document.Text{Text: "Via Roma 1, 20121 Milano"},
		}},
		document.Rule{},
		document.Pair{Left: "Scontrino lane1-000042", Right: "23/11/2026 19:05"},
		document.Pair{Left: "Caffè espresso macinato 250 g", Right: "4,98 €"},
		document.Text{Text: "  2 x 2,49 €", NoWrap: true},
		document.Pair{Left: "Jäätelö Åland mansikka-vanilja erikoispakkaus perheelle", Right: "3,99 €"},
		document.Rule{},
		document.Style{Bold: true, Blocks: []document.Block{document.Pair{Left: "TOTALE", Right: "8,97 €", Tall: true}}},
		document.Row{Cells: []string{"IVA", "Lordo", "Imposta"}},
		document.Row{Cells: []string{"22%", "8,97 €", "1,62 €"}},
		document.Pair{Left: "Vendita", Right: sampleUUID, SmallOverflow: true},
		document.Feed{},
		document.Style{Align: document.AlignCenter, Blocks: []document.Block{
			document.Style{Bold: true, Blocks: []document.Block{document.Text{Text: "X REPORT", Wide: true, Tall: true}}},
			document.Text{Text: "Firma AbCd…WxYz"},
			document.QR{Data: "https://shop.example/r/" + sampleUUID},
			document.Barcode{Symbology: document.EAN13, Data: "400638133393"},
			document.Barcode{Symbology: document.Code128, Data: "LANE1-42"},
		}},
		document.Cut{},
	}}
}

// TestRender_Golden renders the sample document on 80 mm (native QR, barcodes, a cutter) and
// 58 mm (raster QR, no barcodes, no cutter) and compares it, decoded back to text and commands,
// and as plain text, with testdata/document.
// Regenerate with: go test ./devices/escpos -run TestRender_Golden -update-documents
func TestRender_Golden(t *testing.T) {
	for _, id := range []string{"epson-tm-t20", "generic-58mm"} {
		t.Run(id, func(t *testing.T) {
			p := loadProfile(t, id)
			b, err := Render(sampleDocument(), p)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := DecodeProfile(b, p)
			if err != nil {
				t.Fatal(err)
			}
			checkLineWidths(t, doc, p)
			golden(t, filepath.Join("testdata", "document", id+".txt"), doc.String())
			plain, err := document.Plain(sampleDocument(), p.Columns(0))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "document", id+".plain.txt"), plain)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *updateDocs {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}

// checkLineWidths fails when a printed line is wider than its font (double width counts twice).
func checkLineWidths(t *testing.T, doc Document, p Profile) {
	t.Helper()
	font, sw, n := 0, 1, 0
	for _, op := range doc.Ops {
		switch op.Kind {
		case OpFont:
			font = op.Args[0]
		case OpSize:
			sw = op.Args[0]
		case OpText:
			n += utf8.RuneCountInString(op.Text) * sw
		case OpNewline, OpFeed, OpImage, OpQR, OpBarcode, OpCut:
			if n > p.Columns(font) {
				t.Errorf("a line has %d columns, font %d has %d", n, font, p.Columns(font))
			}
			n = 0
		}
	}
}

// TestRender_RoundTrip checks that the ESC/POS bytes decode to the lines the plain-text
// renderer lays out (alignment aside): both renderers break lines alike.
func TestRender_RoundTrip(t *testing.T) {
	d := sampleDocument()
	var text []document.Block
	for _, b := range d.Blocks {
		switch b.(type) {
		case document.Drawer, document.Cut:
		case document.Style:
			if b.(document.Style).Align == document.AlignCenter && len(b.(document.Style).Blocks) > 2 {
				continue // the QR and barcodes draw differently
			}
			text = append(text, b)
		default:
			text = append(text, b)
		}
	}
	d.Blocks = text
	for _, id := range []string{"epson-tm-t20", "epson-tm-t88v", "generic-80mm"} {
		p := loadProfile(t, id)
		b, err := Render(d, p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := DecodeProfile(b, p)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := document.Plain(d, p.Columns(0))
		if err != nil {
			t.Fatal(err)
		}
		trim := func(ls []string) []string {
			out := make([]string, len(ls))
			for i, l := range ls {
				out[i] = strings.TrimSpace(l)
			}
			return out
		}
		got, want := trim(doc.Lines()), trim(strings.Split(strings.TrimSuffix(plain, "\n"), "\n"))
		if !slices.Equal(got, want) {
			t.Errorf("%s: ESC/POS lines\n%q\nplain lines\n%q", id, got, want)
		}
	}
}

func TestRender_Devices(t *testing.T) {
	t20 := loadProfile(t, "epson-tm-t20")
	ops := func(t *testing.T, d document.Document, p Profile) Document {
		t.Helper()
		b, err := Render(d, p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := DecodeProfile(b, p)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	count := func(doc Document, k OpKind) int {
		n := 0
		for _, op := range doc.Ops {
			if op.Kind == k {
				n++
			}
		}
		return n
	}
	t.Run("the sample's commands", func(t *testing.T) {
		doc := ops(t, sampleDocument(), t20)
		if doc.Ops[0].Kind != OpInit || count(doc, OpDrawer) != 1 || count(doc, OpBarcode) != 2 || count(doc, OpCut) != 1 {
			t.Errorf("want init first, one drawer kick, two barcodes, one cut:\n%s", doc)
		}
		if qr := doc.QRCodes(); len(qr) != 1 || qr[0] != "https://shop.example/r/"+sampleUUID {
			t.Errorf("QR codes = %q", qr)
		}
		last := doc.Commands()[len(doc.Commands())-1]
		if last.Kind != OpCut || last.Args[0] != int(CutPartial) {
			t.Errorf("last command %s, want a partial cut", last)
		}
	})
	t.Run("no drawer port: no kick", func(t *testing.T) {
		p := t20
		p.Drawer = Drawer{}
		if doc := ops(t, sampleDocument(), p); count(doc, OpDrawer) != 0 {
			t.Errorf("a kick on a printer without a drawer port")
		}
	})
	t.Run("no barcodes: their text", func(t *testing.T) {
		p := t20
		p.Barcodes = false
		doc := ops(t, sampleDocument(), p)
		if count(doc, OpBarcode) != 0 || !slices.Contains(doc.Lines(), "LANE1-42") {
			t.Errorf("want the Code 128 data as text:\n%s", doc)
		}
	})
	t.Run("full cutter", func(t *testing.T) {
		p := t20
		p.Cutter = "full"
		doc := ops(t, document.Document{Blocks: []document.Block{document.Cut{}}}, p)
		if c := doc.Commands(); len(c) != 2 || c[1].Kind != OpCut || c[1].Args[0] != int(CutFull) {
			t.Errorf("commands %v, want init and a full cut", c)
		}
	})
	t.Run("Font B for an id too long for the line", func(t *testing.T) {
		doc := ops(t, sampleDocument(), loadProfile(t, "generic-58mm"))
		if count(doc, OpFont) != 2 || !slices.Contains(doc.Lines(), "      "+sampleUUID) {
			t.Errorf("want the sale id in Font B, right-aligned in its 42 columns:\n%s", doc)
		}
	})
	t.Run("errors", func(t *testing.T) {
		narrow := t20
		narrow.Fonts = []Font{{Name: "A", Columns: 20}}
		if _, err := Render(sampleDocument(), narrow); err == nil || !strings.Contains(err.Error(), "20 columns") {
			t.Errorf("20 columns: err = %v", err)
		}
		if _, err := Render(document.Document{Blocks: []document.Block{document.Barcode{Symbology: "upc", Data: "1"}}}, t20); err == nil {
			t.Errorf("unknown symbology: want an error")
		}
		if _, err := Render(document.Document{Blocks: []document.Block{document.QR{}}}, t20); err == nil {
			t.Errorf("empty QR: want an error")
		}
	})
}
