package framing

import (
	"bytes"
	"testing"
	"time"
)

// FuzzFramer feeds arbitrary bytes, cut into reads at arbitrary points, and checks that the framer
// never panics, never yields a frame over MaxLen, and, for well-formed input (lines without the
// suffix inside, none too long), yields exactly the lines it was given.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("4006381333931\r]C1abc\r"), []byte("\r"), uint8(16), []byte{3, 5})
	f.Add([]byte("a\r\nb\r\n\r\n"), []byte("\r\n"), uint8(4), []byte{1})
	f.Add(bytes.Repeat([]byte{0xff, 0}, 300), []byte("\n"), uint8(8), []byte{7, 200})
	f.Add([]byte("x\ty\tzzzzzzzzzzzzzzzzzzz\t"), []byte("\t"), uint8(3), []byte{2, 2, 2})
	f.Fuzz(func(t *testing.T, data, suffix []byte, maxLen uint8, cuts []byte) {
		if len(suffix) == 0 || len(suffix) > 2 {
			suffix = []byte("\r")
		}
		cfg := Config{Suffix: suffix, MaxLen: int(maxLen%64) + 1, InterCharTimeout: time.Second}
		fr, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var frames []Frame
		rest, now := data, t0
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(cuts) && int(cuts[i]) < n {
				n = int(cuts[i])
			}
			now = now.Add(time.Millisecond)
			frames = append(frames, fr.Feed(now, rest[:n])...)
			rest = rest[n:]
		}
		frames = append(frames, fr.End()...)
		for _, x := range frames {
			if len(x.Data) > cfg.MaxLen {
				t.Fatalf("frame of %d bytes > MaxLen %d", len(x.Data), cfg.MaxLen)
			}
			if x.Err == ErrTooLong && len(x.Data) != 0 {
				t.Fatalf("too-long frame carries %q", x.Data)
			}
		}
		// Well-formed: the data splits into lines each ending with the suffix, none containing
		// it, none empty, none over MaxLen. Then the frames are those lines exactly.
		if !bytes.HasSuffix(data, suffix) {
			return
		}
		lines := bytes.Split(data[:len(data)-len(suffix)], suffix)
		for _, l := range lines {
			if len(l) == 0 || len(l) > cfg.MaxLen || bytes.Contains(append(bytes.Clone(l), suffix...)[:len(l)+len(suffix)-1], suffix) {
				return
			}
			// A line ending with a prefix of the suffix could merge with the next terminator.
			for k := 1; k < len(suffix); k++ {
				if bytes.HasSuffix(l, suffix[:k]) {
					return
				}
			}
		}
		var got, want []byte
		for _, x := range frames {
			if x.Err != nil {
				t.Fatalf("well-formed input gave error frame %v", x.Err)
			}
			got = append(append(got, x.Data...), suffix...)
		}
		for _, l := range lines {
			want = append(append(want, l...), suffix...)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("concatenated frames %q, want %q", got, want)
		}
	})
}
