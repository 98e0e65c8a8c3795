package escpos

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/storeagent/storeagent/pos/document"
)

// fuzzAlphabet holds what texts are made of: ASCII, letters the code page has, characters it
// spells with several (€ as EUR on a page without it, œ as oe), ones it has no spelling for,
// white space and control characters.
var fuzzAlphabet = []rune("aZ09 .,:-/€…éÅßœ—ä×\u00a0\u202f\u0301\u200b中ﬀ\n\t\x1b\x00\x7f")

// docReader turns fuzz bytes into a Document.
type docReader struct{ b []byte }

func (r *docReader) next() int {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return int(c)
}

func (r *docReader) str() string {
	n := r.next() % 80
	var s strings.Builder
	for range n {
		s.WriteRune(fuzzAlphabet[r.next()%len(fuzzAlphabet)])
	}
	return s.String()
}

func (r *docReader) blocks(depth int) []document.Block {
	var out []document.Block
	for len(r.b) > 0 && len(out) < 64 {
		switch op := r.next() % 12; op {
		case 0:
			f := r.next()
			out = append(out, document.Text{Text: r.str(), Wide: f&1 != 0, Tall: f&2 != 0, NoWrap: f&4 != 0})
		case 1:
			f := r.next()
			out = append(out, document.Pair{Left: r.str(), Right: r.str(), Tall: f&1 != 0, SmallOverflow: f&2 != 0})
		case 2:
			cells := make([]string, r.next()%6)
			for i := range cells {
				cells[i] = r.str()
			}
			out = append(out, document.Row{Cells: cells})
		case 3:
			out = append(out, document.Rule{})
		case 4:
			out = append(out, document.Feed{Lines: r.next() % 4})
		case 5:
			out = append(out, document.QR{Data: r.str(), Module: r.next()%20 - 2})
		case 6:
			sym := []string{document.EAN13, document.Code128, "upc"}[r.next()%3]
			out = append(out, document.Barcode{Symbology: sym, Data: r.str()})
		case 7:
			out = append(out, document.Cut{Full: r.next()&1 != 0})
		case 8:
			out = append(out, document.Drawer{})
		case 9, 10:
			if depth < 3 {
				f := r.next()
				out = append(out, document.Style{Align: document.Align(f % 4), Bold: f&4 != 0, Blocks: r.blocks(depth + 1)})
			}
		case 11:
			if depth > 0 {
				return out
			}
		}
	}
	return out
}

// FuzzRender renders arbitrary documents as plain text and as ESC/POS: neither may panic, no
// plain line may be longer than its columns, and what Render returns must decode with no
// printed line wider than its font.
func FuzzRender(f *testing.F) {
	p := Profile{ID: "fuzz", WidthDots: 384, Fonts: []Font{{Name: "A", Columns: 32}, {Name: "B", Columns: 42}},
		CodePages: map[int]string{19: "CP858"}, QR: "native", Barcodes: true, Cutter: "partial",
		Drawer: Drawer{Pins: []int{2}, OnMS: 100, OffMS: 200}}
	f.Add([]byte{})
	f.Add([]byte{0, 3, 5, 1, 2, 3, 1, 0, 4, 6, 7, 8, 9, 10})
	f.Add([]byte{1, 2, 40, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3, 6, 6, 6})
	f.Add([]byte{9, 6, 0, 3, 20, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 11, 2, 3, 4, 1, 2, 3, 4, 5})
	f.Add([]byte{5, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4, 6, 0, 12, 3, 4, 5, 6, 7, 8, 9, 10, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		cols := document.MinColumns
		if len(b) > 0 {
			cols += int(b[0]) % 40
		}
		r := &docReader{b: b}
		doc := document.Document{Kind: document.KindReceipt, Blocks: r.blocks(0)}
		plain, err := document.Plain(doc, cols)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(plain, "\n") {
			if n := utf8.RuneCountInString(l); n > cols {
				t.Fatalf("plain line of %d characters on %d columns: %q", n, cols, l)
			}
		}
		out, err := Render(doc, p)
		if err != nil {
			return // a bad barcode or QR code is refused
		}
		dec, err := DecodeProfile(out, p)
		if err != nil {
			t.Fatalf("decode what Render made: %v", err)
		}
		checkLineWidths(t, dec, p)
	})
}
