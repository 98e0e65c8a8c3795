package display

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Command bytes. ESC/POS display commands: Epson DM-D110 Specification, 5.4 Command Details
// (ESC @, ESC t n, CLR, HOM, US $ x y, US MD1, US C n). CD5220: CD5220 customer display user's
// manual, 6.1 "CD5220 standard mode command list" (ESC @, CLR, HOM, ESC l x y, ESC DC1, ESC _ n,
// ESC f n).
const (
	esc = 0x1b
	us  = 0x1f
	clr = 0x0c // clear the screen (both sets)
	hom = 0x0b // cursor to the upper left (both sets)
)

// Encoder turns screens into a display's command bytes.
type Encoder struct {
	p  Profile
	cm *charmap.Charmap
}

// NewEncoder returns the encoder of a validated profile.
func NewEncoder(p Profile) (*Encoder, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Encoder{p: p, cm: codePages[p.CodePage]}, nil
}

// Columns is the line width.
func (e *Encoder) Columns() int { return e.p.Columns }

// Init resets the display and selects its code page, overwrite mode and a hidden cursor.
func (e *Encoder) Init() []byte {
	b := []byte{esc, '@'}
	switch e.p.Commands {
	case CommandsESCPOS:
		if e.p.CodePageSelect >= 0 {
			b = append(b, esc, 't', byte(e.p.CodePageSelect))
		}
		b = append(b, us, 0x01, us, 'C', 0) // US MD1 overwrite mode, US C 0 cursor off
	case CommandsCD5220:
		if e.p.International != "" {
			b = append(b, esc, 'f', e.p.International[0])
		}
		b = append(b, esc, 0x11, esc, '_', 0) // ESC DC1 overwrite mode, ESC _ 0 cursor off
	}
	return b
}

// Clear blanks the screen (CLR).
func (e *Encoder) Clear() []byte { return []byte{clr} }

// Home moves the cursor to the upper left (HOM).
func (e *Encoder) Home() []byte { return []byte{hom} }

// Line writes text on line n (1-based), fitted to the width: cut or padded with spaces, so it
// overwrites the whole line without a clear (no flicker).
func (e *Encoder) Line(n int, text string) []byte {
	n = min(max(n, 1), e.p.Lines)
	var b []byte
	switch e.p.Commands {
	case CommandsESCPOS:
		b = []byte{us, '$', 1, byte(n)}
	case CommandsCD5220:
		b = []byte{esc, 'l', 1, byte(n)}
	}
	return append(b, e.fit(text)...)
}

// Screen writes one text per line, from the top.
func (e *Encoder) Screen(lines ...string) []byte {
	var b []byte
	for i := 0; i < e.p.Lines; i++ {
		s := ""
		if i < len(lines) {
			s = lines[i]
		}
		b = append(b, e.Line(i+1, s)...)
	}
	return b
}

// fit encodes text in the code page and cuts or pads it to the line width.
func (e *Encoder) fit(text string) []byte {
	out := e.Text(text)
	if len(out) > e.p.Columns {
		out = out[:e.p.Columns]
	}
	for len(out) < e.p.Columns {
		out = append(out, ' ')
	}
	return out
}

// Text encodes s in the profile's code page, one byte per character: control characters become
// spaces (they would be commands), a character the table lacks is tried without its accents
// ("ő" → "o"), else it becomes '?'.
func (e *Encoder) Text(s string) []byte {
	s = norm.NFC.String(s)
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			out = append(out, ' ')
			continue
		}
		if b, ok := e.cm.EncodeRune(r); ok {
			out = append(out, b)
			continue
		}
		base := '?'
		for _, d := range norm.NFD.String(string(r)) {
			if !unicode.Is(unicode.Mn, d) {
				if b, ok := e.cm.EncodeRune(d); ok && d < 0x80 {
					base = rune(b)
				}
				break
			}
		}
		out = append(out, byte(base))
	}
	return out
}

// Fit lays out a label and an amount on one line of cols columns: the amount right-aligned and
// never cut, the label cut to leave at least one space before it.
func Fit(label, amount string, cols int) string {
	lr, ar := []rune(label), []rune(amount)
	if len(ar) >= cols {
		return string(ar[len(ar)-cols:])
	}
	room := cols - len(ar)
	if len(ar) > 0 {
		room--
	}
	if len(lr) > room {
		lr = lr[:room]
	}
	return string(lr) + strings.Repeat(" ", cols-len(lr)-len(ar)) + string(ar)
}

// Money formats an amount in minor units with decimals digits after sep (the currency's
// exponent: 2 for EUR, 0 for JPY).
func Money(minor int64, decimals int, sep byte) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	if decimals > 0 {
		if len(digits) <= decimals {
			digits = strings.Repeat("0", decimals-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-decimals] + string(sep) + digits[len(digits)-decimals:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits
}
