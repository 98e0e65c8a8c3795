// Package framing cuts the byte stream of a barcode scanner into frames, one per scanned code.
//
// A serial, USB CDC or HID keyboard-wedge scanner sends each code as its data, optionally preceded
// by a prefix and followed by a suffix (CR, LF, CRLF or TAB). Scanners configured without a suffix
// are framed by silence: a gap longer than the inter-character timeout ends a code. The Framer is
// pure and deterministic: the caller passes the time with every call, so tests are exact.
//
// The devices package feeds it from ports; the scanner package consumes its frames. It imports
// nothing of the project.
package framing

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// DefaultMaxLen is the frame length limit used when Config.MaxLen is zero. It is larger than any
// symbol a retail scanner reads (a QR code holds at most 7089 digits, 2953 bytes).
const DefaultMaxLen = 4096

// Errors carried by Frame.Err.
var (
	// ErrTooLong reports a line longer than Config.MaxLen. It is reported once per line; the
	// rest of the line, up to the next terminator (or silence), is discarded and never passed on.
	ErrTooLong = errors.New("frame too long")
	// ErrUnterminated reports data followed by silence past the inter-character timeout while a
	// suffix is configured, or data pending when the device went away (Framer.End).
	ErrUnterminated = errors.New("frame unterminated")
)

// Config says how a scanner delimits its codes.
type Config struct {
	// Prefix is what the scanner sends before each code. It is removed from a frame that starts
	// with it; a frame without it is passed on whole.
	Prefix []byte
	// Suffix ends each code: "\r", "\n", "\r\n", "\t", or empty for scanners that send none.
	Suffix []byte
	// InterCharTimeout is the silence that ends a code when Suffix is empty (required then), or
	// that turns pending data into an ErrUnterminated frame when Suffix is set (0: wait forever).
	InterCharTimeout time.Duration
	// MaxLen limits the length of a frame's data, prefix and suffix excluded (0: DefaultMaxLen).
	MaxLen int
}

// Validate reports a configuration the Framer cannot work with.
func (c Config) Validate() error {
	if c.MaxLen < 0 {
		return fmt.Errorf("framing: max_len %d is negative", c.MaxLen)
	}
	if c.InterCharTimeout < 0 {
		return fmt.Errorf("framing: inter_char_timeout %v is negative", c.InterCharTimeout)
	}
	if len(c.Suffix) == 0 && c.InterCharTimeout == 0 {
		return errors.New("framing: a scanner without suffix needs an inter-character timeout")
	}
	return nil
}

// SuffixBytes returns the bytes of a named suffix: cr, lf, crlf, tab or none.
func SuffixBytes(name string) ([]byte, error) {
	switch name {
	case "cr":
		return []byte{'\r'}, nil
	case "lf":
		return []byte{'\n'}, nil
	case "crlf":
		return []byte{'\r', '\n'}, nil
	case "tab":
		return []byte{'\t'}, nil
	case "none", "":
		return nil, nil
	}
	return nil, fmt.Errorf("framing: unknown suffix %q (cr, lf, crlf, tab or none)", name)
}

// Frame is one code read by the scanner, or a bad read.
type Frame struct {
	// Data holds the code without prefix and suffix. With ErrTooLong it is empty; with
	// ErrUnterminated it holds the partial data received (at most MaxLen bytes).
	Data []byte
	// Err is nil for a good frame, else ErrTooLong or ErrUnterminated.
	Err error
}

// Framer turns bytes into frames. It is not safe for concurrent use.
type Framer struct {
	cfg        Config
	maxBuf     int // prefix + MaxLen + suffix: more than this in buf is too long for sure
	buf        []byte
	discarding bool // an overlong line was reported; drop bytes until its end
	tail       []byte
	last       time.Time // arrival of the newest pending byte
}

// New returns a Framer for cfg.
func New(cfg Config) (*Framer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxLen == 0 {
		cfg.MaxLen = DefaultMaxLen
	}
	cfg.Prefix = bytes.Clone(cfg.Prefix)
	cfg.Suffix = bytes.Clone(cfg.Suffix)
	return &Framer{cfg: cfg, maxBuf: len(cfg.Prefix) + cfg.MaxLen + len(cfg.Suffix)}, nil
}

// Config returns the framer's configuration, defaults applied.
func (f *Framer) Config() Config { return f.cfg }

// Pending reports whether bytes of an unfinished line are held (or being discarded).
func (f *Framer) Pending() bool { return len(f.buf) > 0 || f.discarding }

// Deadline returns when Tick should next be called to end a line by silence; ok is false when no
// timeout is running.
func (f *Framer) Deadline() (t time.Time, ok bool) {
	if f.cfg.InterCharTimeout == 0 || !f.Pending() {
		return time.Time{}, false
	}
	return f.last.Add(f.cfg.InterCharTimeout), true
}

// Feed adds bytes that arrived at now and returns the frames they complete. A gap longer than
// the inter-character timeout since the previous byte first ends the pending line.
func (f *Framer) Feed(now time.Time, p []byte) []Frame {
	out := f.Tick(now)
	if len(p) == 0 {
		return out
	}
	f.last = now
	sfx := f.cfg.Suffix
	for len(p) > 0 {
		if len(sfx) == 0 {
			// Framed by silence only: everything is data.
			p, out = f.absorb(p, out)
			continue
		}
		if f.discarding {
			p, out = f.skipToSuffix(p, out)
			continue
		}
		i := f.suffixEnd(p)
		if i < 0 {
			p, out = f.absorb(p, out)
			continue
		}
		// p[:i] completes a line (its suffix included).
		f.buf = append(f.buf, p[:i]...)
		line := f.buf[:len(f.buf)-len(sfx)]
		out = f.emit(out, line)
		f.buf = f.buf[:0]
		p = p[i:]
	}
	return out
}

// absorb appends p to the line buffer up to the overflow point; past it, it reports ErrTooLong
// once and switches to discarding.
func (f *Framer) absorb(p []byte, out []Frame) ([]byte, []Frame) {
	if f.discarding { // only reached when there is no suffix
		return nil, out
	}
	room := f.maxBuf - len(f.buf)
	if len(p) <= room {
		f.buf = append(f.buf, p...)
		return nil, out
	}
	// The line overflows. Keep the last suffix-1 bytes seen so a suffix split across the
	// overflow point is still found.
	f.buf = append(f.buf, p[:room]...)
	out = append(out, Frame{Err: ErrTooLong})
	f.discarding = true
	f.tail = f.keepTail(f.tail[:0], f.buf)
	f.buf = f.buf[:0]
	return p[room:], out
}

// skipToSuffix drops bytes of an overlong line until the suffix, which ends the discarding.
func (f *Framer) skipToSuffix(p []byte, out []Frame) ([]byte, []Frame) {
	sfx := f.cfg.Suffix
	joined := append(f.tail, p...)
	if i := bytes.Index(joined, sfx); i >= 0 {
		consumed := i + len(sfx) - len(f.tail)
		f.discarding = false
		f.tail = f.tail[:0]
		return p[consumed:], out
	}
	f.tail = f.keepTail(f.tail[:0], joined)
	return nil, out
}

// keepTail appends to dst the last len(suffix)-1 bytes of src.
func (f *Framer) keepTail(dst, src []byte) []byte {
	n := len(f.cfg.Suffix) - 1
	if n <= 0 {
		return dst
	}
	if len(src) > n {
		src = src[len(src)-n:]
	}
	return append(dst, src...)
}

// suffixEnd returns the index in p just past the first suffix completed by the pending buffer
// followed by p, or -1. The suffix may start in the buffer.
func (f *Framer) suffixEnd(p []byte) int {
	sfx := f.cfg.Suffix
	// A suffix may straddle buf and p: look at the buffer's last len(sfx)-1 bytes plus p.
	k := min(len(sfx)-1, len(f.buf))
	head := f.buf[len(f.buf)-k:]
	for start := 0; start < k; start++ {
		need := sfx[:k-start]
		if bytes.Equal(head[start:], need) && bytes.HasPrefix(p, sfx[k-start:]) {
			return len(sfx) - (k - start)
		}
	}
	if i := bytes.Index(p, sfx); i >= 0 {
		return i + len(sfx)
	}
	return -1
}

// emit strips the prefix from a complete line and appends its frame. Empty lines (a bare
// terminator) make no frame.
func (f *Framer) emit(out []Frame, line []byte) []Frame {
	line = bytes.TrimPrefix(line, f.cfg.Prefix)
	switch {
	case len(line) == 0:
		return out
	case len(line) > f.cfg.MaxLen:
		return append(out, Frame{Err: ErrTooLong})
	}
	return append(out, Frame{Data: bytes.Clone(line)})
}

// Tick ends the pending line if the inter-character timeout has passed by now.
func (f *Framer) Tick(now time.Time) []Frame {
	d, ok := f.Deadline()
	if !ok || !now.After(d) {
		return nil
	}
	return f.end(nil)
}

// End ends the pending line because the device went away: pending data becomes an
// ErrUnterminated frame (or, with no suffix configured, a complete frame).
func (f *Framer) End() []Frame { return f.end(nil) }

func (f *Framer) end(out []Frame) []Frame {
	if f.discarding {
		f.discarding = false
		f.tail = f.tail[:0]
		f.buf = f.buf[:0]
		return out
	}
	if len(f.buf) == 0 {
		return out
	}
	if len(f.cfg.Suffix) == 0 {
		out = f.emit(out, f.buf)
	} else {
		line := bytes.TrimPrefix(f.buf, f.cfg.Prefix)
		if len(line) > f.cfg.MaxLen {
			out = append(out, Frame{Err: ErrTooLong})
		} else {
			out = append(out, Frame{Data: bytes.Clone(line), Err: ErrUnterminated})
		}
	}
	f.buf = f.buf[:0]
	return out
}
