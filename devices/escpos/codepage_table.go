package escpos

import "unicode/utf8"

// tablePage is a code page given as its 128 upper-half characters (bytes 0x80 to 0xFF), the
// form escpos-printer-db uses for the pages that no standard encoding describes (Epson's
// Katakana page, Star's CP3011/CP3012, TCVN-3, Oxhoo's European page). The lower half is ASCII.
// U+FFFD marks a byte the page leaves undefined.
type tablePage struct {
	upper [128]rune
	index map[rune]byte
}

// newTablePage builds a tablePage from its upper half. A character listed twice encodes to its
// first byte.
func newTablePage(upper [128]rune) *tablePage {
	tp := &tablePage{upper: upper, index: make(map[rune]byte, 128)}
	for i, r := range upper {
		if r == utf8.RuneError {
			continue
		}
		if _, dup := tp.index[r]; !dup {
			tp.index[r] = byte(0x80 + i)
		}
	}
	return tp
}

// EncodeRune returns the byte of r: r itself for ASCII, its upper-half byte otherwise.
func (tp *tablePage) EncodeRune(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r), true
	}
	b, ok := tp.index[r]
	return b, ok
}

// DecodeByte returns the character of b, or utf8.RuneError when the page leaves b undefined.
func (tp *tablePage) DecodeByte(b byte) rune {
	if b < 0x80 {
		return rune(b)
	}
	return tp.upper[b-0x80]
}
