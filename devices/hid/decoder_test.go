package hid

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"testing"
)

// stream builds synthetic input_event streams as the kernel delivers them: each key press and
// release is followed by an EV_SYN report, with EV_MSC scan codes before, as real keyboards send.
type stream struct {
	size int
	buf  bytes.Buffer
	sec  int64
}

func (s *stream) event(typ, code uint16, value int32) {
	rec := make([]byte, s.size)
	s.sec++
	if s.size == 24 {
		binary.LittleEndian.PutUint64(rec[0:], uint64(s.sec))
		binary.LittleEndian.PutUint64(rec[8:], 500)
	} else {
		binary.LittleEndian.PutUint32(rec[0:], uint32(s.sec))
		binary.LittleEndian.PutUint32(rec[4:], 500)
	}
	off := s.size - 8
	binary.LittleEndian.PutUint16(rec[off:], typ)
	binary.LittleEndian.PutUint16(rec[off+2:], code)
	binary.LittleEndian.PutUint32(rec[off+4:], uint32(value))
	s.buf.Write(rec)
}

func (s *stream) key(code uint16, value int32) {
	s.event(0x04, 0x04, int32(code)+0x70000) // EV_MSC MSC_SCAN, ignored
	s.event(evKey, code, value)
	s.event(evSyn, 0, 0)
}

// tap presses the modifiers, presses and releases code, then releases the modifiers.
func (s *stream) tap(code uint16, mods ...uint16) {
	for _, m := range mods {
		s.key(m, keyPress)
	}
	s.key(code, keyPress)
	s.key(code, keyRelease)
	for i := len(mods) - 1; i >= 0; i-- {
		s.key(mods[i], keyRelease)
	}
}

// typeString types s on layout l the way a scanner does: for each character the key and level
// that produce it. Characters the layout cannot type fail the test.
func (s *stream) typeString(t *testing.T, l *Layout, text string) {
	t.Helper()
	for _, r := range text {
		switch r {
		case GS:
			s.tap(KeyRightBrace, KeyLeftCtrl)
			continue
		case '\n':
			s.tap(KeyEnter)
			continue
		}
		code, level, ok := findKey(l, r)
		if !ok {
			t.Fatalf("layout %s cannot type %q", l.Name(), r)
		}
		switch level {
		case levelPlain:
			s.tap(code)
		case levelShift:
			s.tap(code, KeyLeftShift)
		case levelAltGr:
			s.tap(code, KeyRightAlt)
		case levelShiftAltGr:
			s.tap(code, KeyRightAlt, KeyLeftShift)
		}
	}
}

func findKey(l *Layout, r rune) (uint16, int, bool) {
	for level := levelPlain; level <= levelShiftAltGr; level++ {
		for code := range uint16(len(l.keys)) {
			if l.Rune(code, level) == r {
				return code, level, true
			}
		}
	}
	return 0, 0, false
}

func decodeAll(t *testing.T, opts Options, raw []byte) string {
	t.Helper()
	d, err := NewDecoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	return string(d.Decode(nil, raw))
}

func TestDecoder_Decode_handTyped(t *testing.T) {
	// Key sequences written out by hand from the layouts' key caps, independent of the tables.
	tests := []struct {
		layout string
		keys   func(s *stream)
		want   string
	}{
		{"de", func(s *stream) { // ]C1 on German: AltGr+9, Shift+C, 1, then Enter
			s.tap(Key1+8, KeyRightAlt)
			s.tap(KeyC, KeyLeftShift)
			s.tap(Key1)
			s.tap(KeyEnter)
		}, "]C1\r"},
		{"fr", func(s *stream) { // ]C1 on AZERTY: AltGr+) (KEY_MINUS), Shift+C, Shift+& (KEY_1)
			s.tap(KeyMinus, KeyRightAlt)
			s.tap(KeyC, KeyLeftShift)
			s.tap(Key1, KeyLeftShift)
			s.tap(KeyKPEnter)
		}, "]C1\r"},
		{"fr", func(s *stream) { // unshifted AZERTY digits row types &é"'(-è_çà
			for k := Key1; k <= Key0; k++ {
				s.tap(k)
			}
		}, "&é\"'(-è_çà"},
		{"de", func(s *stream) { // Y and Z swap places: KEY_Z types y
			s.tap(KeyZ)
			s.tap(KeyY)
		}, "yz"},
		{"us", func(s *stream) { // GS as Ctrl+]
			s.tap(Key0)
			s.tap(KeyRightBrace, KeyLeftCtrl)
			s.tap(Key1)
		}, "0\x1d1"},
		{"de", func(s *stream) { // GS on German: Ctrl + the key at the US ']' position
			s.tap(KeyRightBrace, KeyRightCtrl)
		}, "\x1d"},
		{"it", func(s *stream) { // { needs Shift+AltGr+è on Italian
			s.tap(KeyLeftBrace, KeyRightAlt, KeyLeftShift)
			s.tap(KeySemicolon, KeyRightAlt)
		}, "{@"},
		{"fi", func(s *stream) { // Nordic letters and AltGr+2 = @
			s.tap(KeyLeftBrace)
			s.tap(KeySemicolon, KeyLeftShift)
			s.tap(Key1+1, KeyRightAlt)
		}, "åÖ@"},
		{"uk", func(s *stream) { // Shift+2 is " and Shift+3 is £ on UK keyboards
			s.tap(Key1+1, KeyLeftShift)
			s.tap(Key1+2, KeyLeftShift)
		}, "\"£"},
		{"us", func(s *stream) { // keypad digits, Alt+029 = GS, Tab ends the line
			s.tap(KeyKP4)
			s.key(KeyLeftAlt, keyPress)
			s.tap(KeyKP0)
			s.tap(KeyKP2)
			s.tap(KeyKP9)
			s.key(KeyLeftAlt, keyRelease)
			s.tap(KeyKP2)
			s.tap(KeyTab)
		}, "4\x1d2\r"},
		{"us", func(s *stream) { // Caps Lock inverts Shift on letters only
			s.tap(KeyCapsLock)
			s.tap(KeyA)
			s.tap(KeyA, KeyLeftShift)
			s.tap(Key1)
		}, "Aa1"},
		{"de", func(s *stream) { // dead keys: ^ then space, ´ then e
			s.tap(KeyGrave)
			s.tap(KeySpace)
			s.tap(KeyEqual)
			s.tap(KeyE)
		}, "^é"},
		{"us", func(s *stream) { // Ctrl+letters give control codes
			s.tap(KeyD, KeyLeftCtrl)
			s.tap(KeyM, KeyLeftCtrl)
		}, "\x04\r"},
	}
	for i, tt := range tests {
		for _, size := range []int{24, 16} {
			t.Run(fmt.Sprintf("%d_%s_%d", i, tt.layout, size), func(t *testing.T) {
				s := &stream{size: size}
				tt.keys(s)
				got := decodeAll(t, Options{Layout: tt.layout, Terminator: []byte("\r"), RecordSize: size}, s.buf.Bytes())
				if got != tt.want {
					t.Errorf("decoded %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestDecoder_Decode_layouts(t *testing.T) {
	// Every layout must type what scanners send: digits, letters, GS1 AIM prefixes, GS.
	texts := []string{
		"0123456789",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
		"]C1" + "0109501101530003" + "\x1d" + "10ABC-123",
		"]E04006381333931",
		"]Q3https://id.gs1.org/01/09506000134352/10/ABC?x=1&y=2",
		"!\"#$%&'()*+,-./:;<=>?@[\\]_{|}",
	}
	for _, name := range LayoutNames() {
		l, err := LayoutByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range texts {
			t.Run(name+"/"+text[:4], func(t *testing.T) {
				s := &stream{size: 24}
				s.typeString(t, l, text+"\n")
				got := decodeAll(t, Options{Layout: name, Terminator: []byte("\n"), RecordSize: 24}, s.buf.Bytes())
				if got != text+"\n" {
					t.Errorf("decoded %q, want %q", got, text+"\n")
				}
			})
		}
	}
}

func TestDecoder_Decode_splitReads(t *testing.T) {
	s := &stream{size: 24}
	l, _ := LayoutByName("us")
	s.typeString(t, l, "]C1123")
	raw := s.buf.Bytes()
	d, _ := NewDecoder(Options{RecordSize: 24})
	var got []byte
	// Feed through a pipe in odd-sized reads, as a device read could deliver them.
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(raw); i += 7 {
			pw.Write(raw[i:min(i+7, len(raw))])
		}
		pw.Close()
	}()
	buf := make([]byte, 5)
	for {
		n, err := pr.Read(buf)
		got = d.Decode(got, buf[:n])
		if err != nil {
			break
		}
	}
	if string(got) != "]C1123" {
		t.Errorf("decoded %q, want %q", got, "]C1123")
	}
}

func TestNewDecoder_errors(t *testing.T) {
	if _, err := NewDecoder(Options{Layout: "klingon"}); err == nil {
		t.Error("unknown layout: error = nil")
	}
	if _, err := NewDecoder(Options{RecordSize: 20}); err == nil {
		t.Error("record size 20: error = nil")
	}
	if d, err := NewDecoder(Options{}); err != nil || d.RecordSize() != NativeRecordSize {
		t.Errorf("defaults: %v, record size %d, want %d", err, d.RecordSize(), NativeRecordSize)
	}
}

func TestDecoder_Reset(t *testing.T) {
	s := &stream{size: 24}
	s.key(KeyLeftShift, keyPress)
	d, _ := NewDecoder(Options{RecordSize: 24})
	d.Decode(nil, s.buf.Bytes())
	d.Reset()
	s2 := &stream{size: 24}
	s2.tap(KeyA)
	if got := string(d.Decode(nil, s2.buf.Bytes())); got != "a" {
		t.Errorf("after Reset decoded %q, want %q (shift forgotten)", got, "a")
	}
}
