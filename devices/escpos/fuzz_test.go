package escpos

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must return a document or an error,
// never panic, and what it decodes must render.
func FuzzDecode(f *testing.F) {
	p := Profile{ID: "fuzz", WidthDots: 384, Fonts: []Font{{Name: "A", Columns: 32}},
		CodePages: map[int]string{0: "CP437", 19: "CP858"}, QR: "native", Barcodes: true, Cutter: "partial",
		Drawer: Drawer{Pins: []int{2}, OnMS: 100, OffMS: 200}}
	e := NewEncoder(p)
	e.Init()
	e.Line("Caffè 4,98 €")
	_ = e.QR("https://x.y/1", 3, QRLevelL)
	_ = e.EAN13("400638133393", BarcodeOptions{})
	_ = e.Code128("AB{C", BarcodeOptions{})
	e.Cut(CutPartial, 2)
	_ = e.KickDrawer()
	f.Add(e.Bytes())
	f.Add([]byte{0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x01, 0x00, 0x80})
	f.Add([]byte{0x1d, 0x28, 0x6b, 0xff, 0xff, 0x31})
	f.Add([]byte{0x10, 0x04, 0x01, 0x1b, 0x74, 0x13, 0xd5, 0x0a})
	f.Add([]byte{0x1d, 0x6b, 0x02, '1', 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := DecodeProfile(b, p)
		if err != nil {
			return
		}
		for _, op := range doc.Ops {
			if op.Kind == OpText && !utf8.ValidString(op.Text) {
				t.Fatalf("decoded text %q is not UTF-8", op.Text)
			}
		}
		_ = doc.String()
		// Rendering may refuse what it cannot draw (a bad barcode) but must not panic.
		// Large raster images are skipped to keep each run fast.
		if len(b) < 4096 {
			_, _ = RenderPNG(b, p)
		}
	})
}

// FuzzEncodeText encodes arbitrary Unicode: every byte it sends is printable ASCII or a byte
// the selected page maps to a character; nothing panics; and the decoder reads it back as text.
func FuzzEncodeText(f *testing.F) {
	for _, s := range []string{"Caffè 4,98 €", "Jäätelö Åland", "łódź", "Ж漢字😀", "\x00\x1b@\x1d", "a\u202fb\u00a0c", string([]byte{0xff, 0xfe})} {
		f.Add(s)
	}
	profiles := map[string]Profile{}
	for _, id := range []string{"epson-tm-t20", "star-tsp143", "generic-80mm"} {
		profiles[id] = loadProfile(f, id)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for id, p := range profiles {
			e := NewEncoder(p)
			e.Text(s)
			page := -1
			b := e.Bytes()
			for i := 0; i < len(b); i++ {
				c := b[i]
				switch {
				case c == ESC && i+2 < len(b) && b[i+1] == 't':
					page = int(b[i+2])
					if _, ok := p.CodePages[page]; !ok {
						t.Fatalf("%s: ESC t %d is not a listed page", id, page)
					}
					i += 2
				case c == LF:
				case c < 0x20 || c == 0x7f:
					t.Fatalf("%s: control byte %#02x in text of %q", id, c, s)
				case c >= 0x80:
					if page < 0 {
						t.Fatalf("%s: byte %#02x before any ESC t", id, c)
					}
					cm := lookupCharmap(p.CodePages[page])
					r := cm.DecodeByte(c)
					if r == utf8.RuneError {
						t.Fatalf("%s: byte %#02x undefined in %s", id, c, p.CodePages[page])
					}
					if back, ok := cm.EncodeRune(r); !ok || back != c {
						t.Fatalf("%s: byte %#02x does not round-trip in %s", id, c, p.CodePages[page])
					}
				}
			}
			if _, err := DecodeProfile(b, p); err != nil {
				t.Fatalf("%s: decode of encoded %q: %v", id, s, err)
			}
		}
	})
}
