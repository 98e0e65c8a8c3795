package escpos

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// codePages maps the code page names used by escpos-printer-db (encoding.yml) to the x/text
// charmaps that implement them. Pages the db lists without a Go charmap (CP857, CP737, CP932,
// Star's CP3xxx …) are left out: a profile may not list them, since the encoder could not use them.
func lookupCharmap(name string) *charmap.Charmap {
	switch name {
	case "CP437":
		return charmap.CodePage437
	case "CP850":
		return charmap.CodePage850
	case "CP852":
		return charmap.CodePage852
	case "CP855":
		return charmap.CodePage855
	case "CP858":
		return charmap.CodePage858
	case "CP860":
		return charmap.CodePage860
	case "CP862":
		return charmap.CodePage862
	case "CP863":
		return charmap.CodePage863
	case "CP865":
		return charmap.CodePage865
	case "CP866":
		return charmap.CodePage866
	case "CP874":
		return charmap.Windows874
	case "CP1250":
		return charmap.Windows1250
	case "CP1251":
		return charmap.Windows1251
	case "CP1252":
		return charmap.Windows1252
	case "CP1253":
		return charmap.Windows1253
	case "CP1254":
		return charmap.Windows1254
	case "CP1255":
		return charmap.Windows1255
	case "CP1256":
		return charmap.Windows1256
	case "CP1257":
		return charmap.Windows1257
	case "CP1258":
		return charmap.Windows1258
	case "ISO_8859-2":
		return charmap.ISO8859_2
	case "ISO_8859-7":
		return charmap.ISO8859_7
	case "ISO_8859-15":
		return charmap.ISO8859_15
	}
	return nil
}

// CodePageNames returns the code page names a profile may list, sorted.
func CodePageNames() []string {
	names := []string{"CP437", "CP850", "CP852", "CP855", "CP858", "CP860", "CP862", "CP863", "CP865",
		"CP866", "CP874", "CP1250", "CP1251", "CP1252", "CP1253", "CP1254", "CP1255", "CP1256", "CP1257",
		"CP1258", "ISO_8859-2", "ISO_8859-7", "ISO_8859-15"}
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
func covers(cm *charmap.Charmap, r rune) bool {
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
func encodeText(cm *charmap.Charmap, s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = appendRune(out, cm, r)
	}
	return out
}

func appendRune(out []byte, cm *charmap.Charmap, r rune) []byte {
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
