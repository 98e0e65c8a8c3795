package escpos

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// codePage is one character code table for the upper half (0x80-0xFF) of a byte; the lower
// half is ASCII. *charmap.Charmap implements it, and so does tablePage for the tables
// escpos-printer-db spells out itself.
type codePage interface {
	// EncodeRune returns the byte of r in the page and whether the page has r.
	EncodeRune(r rune) (byte, bool)
	// DecodeByte returns the character of b, or utf8.RuneError when b is undefined.
	DecodeByte(b byte) rune
}

// charmapPages maps the code page names used by escpos-printer-db (encoding.yml) to the x/text
// charmaps that implement them. Pages the db lists without a Go charmap or a table of its own
// (CP857, CP737, CP932, Star's CP3xxx …) are left out: a profile may not list them, since the
// encoder could not use them.
var charmapPages = map[string]*charmap.Charmap{
	"CP437": charmap.CodePage437, "CP850": charmap.CodePage850, "CP852": charmap.CodePage852,
	"CP855": charmap.CodePage855, "CP858": charmap.CodePage858, "CP860": charmap.CodePage860,
	"CP862": charmap.CodePage862, "CP863": charmap.CodePage863, "CP865": charmap.CodePage865,
	"CP866": charmap.CodePage866, "CP874": charmap.Windows874,
	"CP1250": charmap.Windows1250, "CP1251": charmap.Windows1251, "CP1252": charmap.Windows1252,
	"CP1253": charmap.Windows1253, "CP1254": charmap.Windows1254, "CP1255": charmap.Windows1255,
	"CP1256": charmap.Windows1256, "CP1257": charmap.Windows1257, "CP1258": charmap.Windows1258,
	"ISO_8859-1": charmap.ISO8859_1, "ISO_8859-2": charmap.ISO8859_2, "ISO_8859-3": charmap.ISO8859_3,
	"ISO_8859-4": charmap.ISO8859_4, "ISO_8859-5": charmap.ISO8859_5, "ISO_8859-6": charmap.ISO8859_6,
	"ISO_8859-7": charmap.ISO8859_7, "ISO_8859-8": charmap.ISO8859_8, "ISO_8859-9": charmap.ISO8859_9,
	"ISO_8859-15": charmap.ISO8859_15,
}

// lookupCharmap returns the code page named name (an x/text charmap or one of the tables from
// escpos-printer-db), or nil when the encoder cannot produce it.
func lookupCharmap(name string) codePage {
	if cm, ok := charmapPages[name]; ok {
		return cm
	}
	if tp, ok := dbTablePages[name]; ok {
		return tp
	}
	return nil
}

// CodePageNames returns the code page names a profile may list, sorted.
func CodePageNames() []string {
	names := make([]string, 0, len(charmapPages)+len(dbTablePages))
	for n := range charmapPages {
		names = append(names, n)
	}
	for n := range dbTablePages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// pagePreference ranks pages for Western European receipts: pages with € first.
func pagePreference(name string) int {
	switch name {
	case "CP858":
		return 0
	case "CP1252":
		return 1
	case "ISO_8859-15":
		return 2
	case "CP850":
		return 3
	case "CP437":
		return 4
	}
	return 10
}

// isPlainASCII reports whether r prints the same in every code page (printable ASCII).
func isPlainASCII(r rune) bool { return r >= 0x20 && r < 0x7f }

// printable reports whether r may be sent as text at all: control characters never are.
func printable(r rune) bool {
	return r != utf8.RuneError && !unicode.IsControl(r)
}

// covers reports whether page cm prints r as itself.
func covers(cm codePage, r rune) bool {
	if isPlainASCII(r) {
		return true
	}
	if cm == nil || !printable(r) {
		return false
	}
	_, ok := cm.EncodeRune(r)
	return ok
}

// choosePage picks the ESC t number to print s with: the current page if it covers every
// character, else the listed page (by preference, then number) that covers the most characters.
// It returns -1 when s is plain ASCII and needs no page.
func choosePage(p Profile, current int, s string) int {
	var need []rune
	for _, r := range s {
		if !isPlainASCII(r) && printable(r) {
			need = append(need, r)
		}
	}
	if len(need) == 0 {
		return -1
	}
	count := func(n int) int {
		cm := lookupCharmap(p.CodePages[n])
		c := 0
		for _, r := range need {
			if covers(cm, r) {
				c++
			}
		}
		return c
	}
	if name, ok := p.CodePages[current]; ok && current >= 0 && lookupCharmap(name) != nil && count(current) == len(need) {
		return current
	}
	pages := sortedPages(p.CodePages)
	sort.SliceStable(pages, func(i, j int) bool {
		return pagePreference(p.CodePages[pages[i]]) < pagePreference(p.CodePages[pages[j]])
	})
	best, bestCount := -1, -1
	for _, n := range pages {
		if c := count(n); c > bestCount {
			best, bestCount = n, c
		}
	}
	if bestCount == 0 {
		return -1 // no page helps: keep the current one, fallbacks do the rest
	}
	return best
}

// encodeText encodes s in page cm. Characters the page lacks become a close ASCII spelling
// (é → e, € → EUR, “ → ") or '?'; control characters become '?' (a tab a space). Every byte
// it returns is printable ASCII or a byte the page maps to a character.
func encodeText(cm codePage, s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = appendRune(out, cm, r)
	}
	return out
}

func appendRune(out []byte, cm codePage, r rune) []byte {
	if isPlainASCII(r) {
		return append(out, byte(r))
	}
	if covers(cm, r) {
		b, _ := cm.EncodeRune(r)
		return append(out, b)
	}
	if fb, ok := asciiFallback(r); ok {
		return append(out, fb...)
	}
	// Strip diacritics: é → e + combining acute; keep the base if the page has it.
	if d := norm.NFD.String(string(r)); d != string(r) {
		base, _ := utf8.DecodeRuneInString(d)
		if covers(cm, base) {
			if isPlainASCII(base) {
				return append(out, byte(base))
			}
			b, _ := cm.EncodeRune(base)
			return append(out, b)
		}
	}
	return append(out, '?')
}

// asciiFallback spells characters that have no decomposition in ASCII.
func asciiFallback(r rune) (string, bool) {
	switch r {
	case '\t', '\u00a0', '\u2007', '\u2009', '\u202f', '\u2002', '\u2003':
		return " ", true
	case '€':
		return "EUR", true
	case '£':
		return "GBP", true
	case '‘', '’', '‚', '′':
		return "'", true
	case '“', '”', '„', '«', '»', '″':
		return `"`, true
	case '–', '—', '‐', '‑', '−':
		return "-", true
	case '…':
		return "...", true
	case '•', '·':
		return "*", true
	case '×':
		return "x", true
	case 'ß':
		return "ss", true
	case 'Æ':
		return "AE", true
	case 'æ':
		return "ae", true
	case 'Œ':
		return "OE", true
	case 'œ':
		return "oe", true
	case 'Ø':
		return "O", true
	case 'ø':
		return "o", true
	case 'Ł':
		return "L", true
	case 'ł':
		return "l", true
	case 'Đ':
		return "D", true
	case 'đ':
		return "d", true
	case '°':
		return "o", true
	}
	return "", false
}

// asciiOnly encodes s without any code page (no page listed covers anything it needs).
func asciiOnly(s string) []byte {
	var b strings.Builder
	for _, r := range s {
		b.Write(appendRune(nil, nil, r))
	}
	return []byte(b.String())
}
