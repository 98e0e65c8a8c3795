package hid

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecoder feeds arbitrary bytes as input_event records, split at an arbitrary point: the
// decoder never panics, and splitting the input never changes the output.
func FuzzDecoder(f *testing.F) {
	s := &stream{size: 24}
	s.tap(Key1+8, KeyRightAlt)
	s.tap(KeyC, KeyLeftShift)
	s.tap(KeyRightBrace, KeyLeftCtrl)
	s.tap(KeyEqual)
	s.tap(KeyE)
	s.key(KeyLeftAlt, keyPress)
	s.tap(KeyKP2)
	s.key(KeyLeftAlt, keyRelease)
	f.Add(s.buf.Bytes(), uint16(13), "de")
	f.Add([]byte{1, 2, 3}, uint16(1), "us")
	f.Add(make([]byte, 100), uint16(50), "fr")
	f.Fuzz(func(t *testing.T, raw []byte, cut uint16, layout string) {
		names := LayoutNames()
		name := names[len(layout)%len(names)]
		whole, err := NewDecoder(Options{Layout: name, Terminator: []byte("\r"), RecordSize: 24})
		if err != nil {
			t.Fatal(err)
		}
		split, _ := NewDecoder(Options{Layout: name, Terminator: []byte("\r"), RecordSize: 24})
		want := whole.Decode(nil, raw)
		c := int(cut) % (len(raw) + 1)
		got := split.Decode(nil, raw[:c])
		got = split.Decode(got, raw[c:])
		if string(got) != string(want) {
			t.Fatalf("split at %d decoded %q, whole %q", c, got, want)
		}
		if !utf8.Valid(want) {
			t.Fatalf("decoder produced invalid UTF-8 %q", want)
		}
	})
}
