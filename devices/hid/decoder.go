// Package hid reads keyboard-wedge barcode scanners on Linux: it opens /dev/input/event*
// exclusively and turns the stream of input_event records into the bytes the scanner meant to
// type, through the keyboard layout the scanner is configured for, independent of the host's.
//
// Decoder is pure (bytes in, bytes out) and works on every platform so tests can feed synthetic
// event streams; Open is Linux only. Only the devices package imports this one.
package hid

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// GS is the ASCII group separator, FNC1 in GS1 element strings; scanners type it as Ctrl+].
const GS = 0x1D

// Options configure a Decoder.
type Options struct {
	// Layout names the scanner's keyboard layout (see LayoutNames); empty means "us".
	Layout string
	// Terminator is what Enter, keypad Enter and Tab produce: the profile's suffix, so the framer
	// sees the same line ends as from a serial scanner. Empty: those keys produce nothing.
	Terminator []byte
	// RecordSize is the size of one input_event record: 24 on 64-bit Linux, 16 on 32-bit. Zero
	// means the size on the running platform (NativeRecordSize).
	RecordSize int
}

// Decoder turns raw input_event bytes into text bytes (UTF-8). It keeps partial records and
// modifier state between calls. It is not safe for concurrent use.
type Decoder struct {
	layout     *Layout
	terminator []byte
	recSize    int
	partial    []byte

	shift, ctrl [2]bool // left, right
	alt, altgr  bool    // left Alt, right Alt (AltGr)
	caps        bool
	dead        rune   // pending dead key
	altCode     []byte // keypad digits typed while Alt is held
}

// NewDecoder returns a Decoder for the options.
func NewDecoder(opts Options) (*Decoder, error) {
	name := opts.Layout
	if name == "" {
		name = "us"
	}
	l, err := LayoutByName(name)
	if err != nil {
		return nil, err
	}
	size := opts.RecordSize
	if size == 0 {
		size = NativeRecordSize
	}
	if size != 16 && size != 24 {
		return nil, fmt.Errorf("hid: input_event record size %d (want 16 or 24)", size)
	}
	return &Decoder{layout: l, terminator: append([]byte(nil), opts.Terminator...), recSize: size}, nil
}

// RecordSize returns the size of the input_event records the decoder expects.
func (d *Decoder) RecordSize() int { return d.recSize }

// Decode appends to dst the bytes typed by the events in p and returns it. p may end in the
// middle of a record; the rest is kept for the next call.
func (d *Decoder) Decode(dst, p []byte) []byte {
	if len(d.partial) > 0 {
		need := d.recSize - len(d.partial)
		if len(p) < need {
			d.partial = append(d.partial, p...)
			return dst
		}
		d.partial = append(d.partial, p[:need]...)
		dst = d.record(dst, d.partial)
		d.partial = d.partial[:0]
		p = p[need:]
	}
	for len(p) >= d.recSize {
		dst = d.record(dst, p[:d.recSize])
		p = p[d.recSize:]
	}
	d.partial = append(d.partial, p...)
	return dst
}

// Reset forgets partial records and modifier state, as after reopening the device.
func (d *Decoder) Reset() {
	*d = Decoder{layout: d.layout, terminator: d.terminator, recSize: d.recSize, partial: d.partial[:0]}
}

// record decodes one input_event: the time (ignored), then type u16, code u16, value s32, in
// the host's byte order (little-endian on every platform the agent ships for).
func (d *Decoder) record(dst, rec []byte) []byte {
	off := d.recSize - 8
	typ := binary.LittleEndian.Uint16(rec[off:])
	code := binary.LittleEndian.Uint16(rec[off+2:])
	value := int32(binary.LittleEndian.Uint32(rec[off+4:]))
	if typ != evKey {
		return dst
	}
	return d.key(dst, code, value)
}

// key applies one key event.
func (d *Decoder) key(dst []byte, code uint16, value int32) []byte {
	down := value != keyRelease
	switch code {
	case KeyLeftShift, KeyRightShift:
		d.shift[side(code, KeyRightShift)] = down
		return dst
	case KeyLeftCtrl, KeyRightCtrl:
		d.ctrl[side(code, KeyRightCtrl)] = down
		return dst
	case KeyLeftAlt:
		d.alt = down
		if !down {
			dst = d.flushAltCode(dst)
		}
		return dst
	case KeyRightAlt:
		d.altgr = down
		return dst
	case KeyCapsLock:
		if value == keyPress {
			d.caps = !d.caps
		}
		return dst
	case KeyNumLock, KeyLeftMeta, KeyRightMeta:
		return dst
	}
	if !down {
		return dst
	}
	ctrl := d.ctrl[0] || d.ctrl[1]
	// Windows treats Ctrl+Alt as AltGr; scanners configured for such layouts may send it.
	altgr := d.altgr || (ctrl && d.alt)
	shift := d.shift[0] || d.shift[1]

	if d.alt && !ctrl {
		// Alt + keypad digits: the character with that decimal code (Windows "Alt code"),
		// which Honeywell and Zebra scanners use for characters the layout lacks.
		if r, ok := keypadRune(code); ok && r >= '0' && r <= '9' {
			d.altCode = append(d.altCode, byte(r))
		}
		return dst
	}
	switch code {
	case KeyEnter, KeyKPEnter, KeyTab:
		d.dead = 0
		return append(dst, d.terminator...)
	}
	if ctrl && !altgr {
		if c, ok := d.control(code); ok {
			return append(dst, c)
		}
		return dst
	}
	if r, ok := keypadRune(code); ok {
		return d.emit(dst, r)
	}
	level := levelPlain
	switch {
	case altgr && shift:
		level = levelShiftAltGr
	case altgr:
		level = levelAltGr
	case shift:
		level = levelShift
	}
	r := d.layout.Rune(code, level)
	if d.caps && !altgr {
		// Caps Lock inverts Shift on letter keys only.
		p, s := d.layout.Rune(code, levelPlain), d.layout.Rune(code, levelShift)
		if isLetter(p) && isLetter(s) {
			r = s
			if shift {
				r = p
			}
		}
	}
	if r == 0 {
		return dst
	}
	return d.emit(dst, r)
}

// control returns the control character Ctrl+key types: Ctrl+letter gives 0x01..0x1A, Ctrl+[ \ ]
// ^ _ give ESC, FS, GS, RS, US. The key that types ']' on US keyboards gives GS on every layout
// (that is what scanners press for FNC1 in keyboard mode), as does the key that types ']' on the
// configured layout.
func (d *Decoder) control(code uint16) (byte, bool) {
	if code == KeyRightBrace {
		return GS, true
	}
	for level := levelPlain; level <= levelShiftAltGr; level++ {
		if d.layout.Rune(code, level) == ']' {
			return GS, true
		}
	}
	for _, level := range []int{levelPlain, levelShift} {
		r := d.layout.Rune(code, level)
		switch {
		case r >= 'a' && r <= 'z':
			return byte(r-'a') + 1, true
		case r >= '@' && r <= '_':
			return byte(r - '@'), true
		}
	}
	return 0, false
}

// emit appends r, composing it with a pending dead key.
func (d *Decoder) emit(dst []byte, r rune) []byte {
	if isDead(r) {
		if d.dead != 0 { // two dead keys: the first one types its accent
			dst = utf8.AppendRune(dst, spacingAccent(d.dead))
		}
		d.dead = r
		return dst
	}
	if d.dead != 0 {
		dead := d.dead
		d.dead = 0
		if r == ' ' {
			return utf8.AppendRune(dst, spacingAccent(dead))
		}
		composed := norm.NFC.String(string([]rune{r, dead}))
		if utf8.RuneCountInString(composed) == 1 {
			return append(dst, composed...)
		}
		dst = utf8.AppendRune(dst, spacingAccent(dead))
	}
	return utf8.AppendRune(dst, r)
}

// flushAltCode ends an Alt+keypad sequence: codes below 256 type that character (Latin-1 above
// 127), others are dropped.
func (d *Decoder) flushAltCode(dst []byte) []byte {
	if len(d.altCode) == 0 {
		return dst
	}
	v := 0
	for _, c := range d.altCode {
		v = v*10 + int(c-'0')
		if v > 0xFF {
			break
		}
	}
	d.altCode = d.altCode[:0]
	if v > 0xFF {
		return dst
	}
	if v < 0x80 {
		return append(dst, byte(v))
	}
	return utf8.AppendRune(dst, rune(v))
}

func side(code, right uint16) int {
	if code == right {
		return 1
	}
	return 0
}

func isLetter(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 0xC0 && r <= 0x24F && r != 0xD7 && r != 0xF7)
}
