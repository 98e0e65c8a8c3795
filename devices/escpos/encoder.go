package escpos

import (
	"bytes"
	"fmt"
	"strings"
)

// Control codes used by ESC/POS.
const (
	LF  = 0x0a
	ESC = 0x1b
	GS  = 0x1d
	DLE = 0x10
	EOT = 0x04
)

// Alignment is the justification set with ESC a.
type Alignment byte

// Alignments, as ESC a takes them.
const (
	AlignLeft   Alignment = 0
	AlignCenter Alignment = 1
	AlignRight  Alignment = 2
)

// CutMode selects a full or a partial cut (GS V).
type CutMode byte

// Cut modes.
const (
	CutFull    CutMode = 0
	CutPartial CutMode = 1
)

// Encoder builds an ESC/POS byte stream for one printer profile. It remembers the code page
// it last selected so that ESC t is sent only when a line needs another page. The zero value
// is not usable; make one with NewEncoder. An Encoder is not safe for concurrent use.
type Encoder struct {
	p    Profile
	buf  bytes.Buffer
	page int // ESC t number in force; -1 when unknown (after ESC @)
}

// NewEncoder returns an empty Encoder for profile p.
func NewEncoder(p Profile) *Encoder {
	return &Encoder{p: p, page: -1}
}

// Bytes returns the bytes built so far. The slice is valid until the next call.
func (e *Encoder) Bytes() []byte { return e.buf.Bytes() }

// Len returns the number of bytes built so far.
func (e *Encoder) Len() int { return e.buf.Len() }

// Profile returns the profile the Encoder writes for.
func (e *Encoder) Profile() Profile { return e.p }

// Raw appends b unchanged.
func (e *Encoder) Raw(b ...byte) { e.buf.Write(b) }

// Init resets the printer to its power-on settings: ESC @ (1B 40). The code page is then the
// printer's default, so the Encoder selects one again before the next non-ASCII text.
func (e *Encoder) Init() {
	e.buf.Write([]byte{ESC, '@'})
	e.page = -1
}

// Align sets the justification of the following lines: ESC a n (1B 61 n), n = 0 left,
// 1 centre, 2 right. It takes effect at the start of a line.
func (e *Encoder) Align(a Alignment) { e.buf.Write([]byte{ESC, 'a', byte(a)}) }

// Bold turns emphasised printing on or off: ESC E n (1B 45 n).
func (e *Encoder) Bold(on bool) { e.buf.Write([]byte{ESC, 'E', b2b(on)}) }

// Underline sets underline mode: ESC - n (1B 2D n), n = 0 off, 1 one dot, 2 two dots thick.
func (e *Encoder) Underline(n int) {
	e.buf.Write([]byte{ESC, '-', byte(clamp(n, 0, 2))})
}

// Size sets the character size: GS ! n (1D 21 n), width and height multipliers 1..8
// in the high and low nibble (n = (w-1)<<4 | (h-1)).
func (e *Encoder) Size(w, h int) {
	w, h = clamp(w, 1, 8), clamp(h, 1, 8)
	e.buf.Write([]byte{GS, '!', byte((w-1)<<4 | (h - 1))})
}

// Font selects character font n: ESC M n (1B 4D n), 0 = Font A, 1 = Font B.
func (e *Encoder) Font(n int) { e.buf.Write([]byte{ESC, 'M', byte(clamp(n, 0, 4))}) }

// LineFeed prints the line buffer and feeds one line: LF (0A).
func (e *Encoder) LineFeed() { e.buf.WriteByte(LF) }

// Feed prints the line buffer and feeds n lines: ESC d n (1B 64 n).
func (e *Encoder) Feed(n int) { e.buf.Write([]byte{ESC, 'd', byte(clamp(n, 0, 255))}) }

// SelectCodePage selects character code table n: ESC t n (1B 74 n). Text encodes through the
// page the profile lists under n.
func (e *Encoder) SelectCodePage(n int) {
	e.buf.Write([]byte{ESC, 't', byte(n)})
	e.page = n
}

// CodePage returns the ESC t number in force, or -1 when none has been selected since Init.
func (e *Encoder) CodePage() int { return e.page }

// Text appends s as printable text without a line feed. Before it, the Encoder selects the
// profile's code page that covers all of s (keeping the current page if it does); characters
// no listed page has become a close ASCII spelling or '?'. Raw UTF-8 is never sent. Newlines
// in s become line feeds.
func (e *Encoder) Text(s string) {
	for i, part := range strings.Split(s, "\n") {
		if i > 0 {
			e.LineFeed()
		}
		e.text(part)
	}
}

func (e *Encoder) text(s string) {
	if n := choosePage(e.p, e.page, s); n >= 0 && n != e.page {
		e.SelectCodePage(n)
	}
	if name, ok := e.p.CodePages[e.page]; ok && e.page >= 0 {
		e.buf.Write(encodeText(lookupCharmap(name), s))
		return
	}
	e.buf.Write(asciiOnly(s))
}

// Line appends s and a line feed.
func (e *Encoder) Line(s string) {
	e.Text(s)
	e.LineFeed()
}

// Cut feeds the paper to the cutter plus feed lines' worth of dots and cuts: GS V m n
// (1D 56 41 n full, 1D 56 42 n partial; function B of GS V). A profile with only a full
// cutter cuts fully; one without a cutter only feeds (ESC d 4) so the receipt can be torn off.
func (e *Encoder) Cut(mode CutMode, feed int) {
	switch e.p.Cutter {
	case "none":
		e.Feed(4)
		return
	case "full":
		mode = CutFull
	}
	m := byte(65)
	if mode == CutPartial {
		m = 66
	}
	e.buf.Write([]byte{GS, 'V', m, byte(clamp(feed, 0, 255))})
}

// KickDrawer pulses the cash-drawer connector: ESC p m t1 t2 (1B 70 m t1 t2), m = 0 for pin 2,
// 1 for pin 5, on time t1×2 ms and off time t2×2 ms from the profile. It returns an error
// when the profile has no drawer port.
func (e *Encoder) KickDrawer() error {
	d := e.p.Drawer
	if len(d.Pins) == 0 {
		return fmt.Errorf("kick drawer: profile %s has no drawer port", e.p.ID)
	}
	m := byte(0)
	if d.Pins[0] == 5 {
		m = 1
	}
	e.buf.Write([]byte{ESC, 'p', m, byte(clamp(d.OnMS/2, 1, 255)), byte(clamp(d.OffMS/2, 1, 255))})
	return nil
}

// EnableASB enables Automatic Status Back for the status groups in mask: GS a n (1D 61 n);
// bit 0 drawer, bit 1 on-line/off-line, bit 2 error, bit 3 paper roll sensor. 0 disables it.
func (e *Encoder) EnableASB(mask byte) { e.buf.Write([]byte{GS, 'a', mask & 0x0f}) }

// ASBAll is the GS a mask that enables every ASB status group.
const ASBAll byte = 0x0f

// StatusRequest returns the real-time status request DLE EOT n (10 04 n), n = 1 printer,
// 2 off-line cause, 3 error cause, 4 roll paper sensor. It is sent on its own, outside a job.
func StatusRequest(n int) ([]byte, error) {
	if n < 1 || n > 4 {
		return nil, fmt.Errorf("status request: n = %d, allowed 1..4", n)
	}
	return []byte{DLE, EOT, byte(n)}, nil
}

func b2b(on bool) byte {
	if on {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
