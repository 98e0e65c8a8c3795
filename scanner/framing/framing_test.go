package framing

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// feed is one call to Framer.Feed at t0+at.
type feed struct {
	at   time.Duration
	data string
}

// show renders frames as "data" or "!err(data)" for compact comparisons.
func show(frames []Frame) []string {
	out := []string{}
	for _, fr := range frames {
		if fr.Err != nil {
			out = append(out, fmt.Sprintf("!%v(%q)", fr.Err, fr.Data))
			continue
		}
		out = append(out, fmt.Sprintf("%q", fr.Data))
	}
	return out
}

func run(t *testing.T, cfg Config, feeds []feed, endAt time.Duration) []string {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	var frames []Frame
	for _, fd := range feeds {
		frames = append(frames, f.Feed(t0.Add(fd.at), []byte(fd.data))...)
	}
	if endAt > 0 {
		frames = append(frames, f.Tick(t0.Add(endAt))...)
	}
	return show(frames)
}

func TestFramer_Feed(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		cfg   Config
		feeds []feed
		endAt time.Duration
		want  []string
	}{
		{
			name:  "cr suffix, two codes in one read",
			cfg:   Config{Suffix: []byte("\r")},
			feeds: []feed{{0, "4006381333931\r]C1abc\r"}},
			want:  []string{`"4006381333931"`, `"]C1abc"`},
		},
		{
			name:  "crlf split across reads",
			cfg:   Config{Suffix: []byte("\r\n")},
			feeds: []feed{{0, "12345\r"}, {ms, "\n678"}, {2 * ms, "\r\n"}},
			want:  []string{`"12345"`, `"678"`},
		},
		{
			name:  "crlf: lone CR is data",
			cfg:   Config{Suffix: []byte("\r\n")},
			feeds: []feed{{0, "a\rb\r\n"}},
			want:  []string{`"a\rb"`},
		},
		{
			name:  "prefix stripped, missing prefix kept",
			cfg:   Config{Prefix: []byte{0x02}, Suffix: []byte("\n")},
			feeds: []feed{{0, "\x02abc\nxyz\n"}},
			want:  []string{`"abc"`, `"xyz"`},
		},
		{
			name:  "empty lines make no frame",
			cfg:   Config{Suffix: []byte("\r")},
			feeds: []feed{{0, "\r\r1\r\r"}},
			want:  []string{`"1"`},
		},
		{
			name:  "tab suffix keeps GS inside data",
			cfg:   Config{Suffix: []byte("\t")},
			feeds: []feed{{0, "]C10109501101530003\x1d10ABC\t"}},
			want:  []string{`"]C10109501101530003\x1d10ABC"`},
		},
		{
			name:  "overlong line reported once and discarded to its end",
			cfg:   Config{Suffix: []byte("\r"), MaxLen: 4},
			feeds: []feed{{0, "123456789"}, {ms, "abcdef"}, {2 * ms, "gh\rok\r"}},
			want:  []string{`!frame too long("")`, `"ok"`},
		},
		{
			name:  "overlong then crlf split at the overflow point",
			cfg:   Config{Suffix: []byte("\r\n"), MaxLen: 2},
			feeds: []feed{{0, "abcde\r"}, {ms, "\nxy\r\n"}},
			want:  []string{`!frame too long("")`, `"xy"`},
		},
		{
			name:  "exactly max len passes",
			cfg:   Config{Suffix: []byte("\r"), MaxLen: 4},
			feeds: []feed{{0, "1234\r12345\r"}},
			want:  []string{`"1234"`, `!frame too long("")`},
		},
		{
			name:  "max len counts without prefix",
			cfg:   Config{Prefix: []byte("P"), Suffix: []byte("\r"), MaxLen: 3},
			feeds: []feed{{0, "P123\r1234\r"}},
			want:  []string{`"123"`, `!frame too long("")`},
		},
		{
			name:  "suffix set: silence makes unterminated",
			cfg:   Config{Suffix: []byte("\r"), InterCharTimeout: 50 * ms},
			feeds: []feed{{0, "123"}, {40 * ms, "45"}, {200 * ms, "9\r"}},
			want:  []string{`!frame unterminated("12345")`, `"9"`},
		},
		{
			name:  "suffix set, no timeout: waits forever",
			cfg:   Config{Suffix: []byte("\r")},
			feeds: []feed{{0, "123"}, {time.Hour, "4\r"}},
			want:  []string{`"1234"`},
		},
		{
			name:  "no suffix: silence frames",
			cfg:   Config{InterCharTimeout: 30 * ms},
			feeds: []feed{{0, "123"}, {10 * ms, "456"}, {100 * ms, "789"}},
			endAt: 200 * ms,
			want:  []string{`"123456"`, `"789"`},
		},
		{
			name:  "no suffix: tick before deadline keeps waiting",
			cfg:   Config{InterCharTimeout: 30 * ms},
			feeds: []feed{{0, "123"}},
			endAt: 30 * ms,
			want:  []string{},
		},
		{
			name:  "no suffix: overlong discarded until silence",
			cfg:   Config{InterCharTimeout: 30 * ms, MaxLen: 3},
			feeds: []feed{{0, "12345"}, {10 * ms, "678"}, {100 * ms, "ab"}},
			endAt: 200 * ms,
			want:  []string{`!frame too long("")`, `"ab"`},
		},
		{
			name:  "NUL bytes and invalid UTF-8 are data",
			cfg:   Config{Suffix: []byte("\n")},
			feeds: []feed{{0, "\x00\xff\xfe\n"}},
			want:  []string{`"\x00\xff\xfe"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.cfg, tt.feeds, tt.endAt)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("frames\n got: %v\nwant: %v", got, tt.want)
			}
		})
	}
}

func TestFramer_End(t *testing.T) {
	t.Run("device vanished mid-line", func(t *testing.T) {
		f, _ := New(Config{Suffix: []byte("\r")})
		f.Feed(t0, []byte("1234"))
		got := f.End()
		if len(got) != 1 || !errors.Is(got[0].Err, ErrUnterminated) || string(got[0].Data) != "1234" {
			t.Errorf("End() = %v, want one unterminated frame with 1234", show(got))
		}
		if f.Pending() {
			t.Error("Pending() after End() = true, want false")
		}
	})
	t.Run("no suffix: end completes the frame", func(t *testing.T) {
		f, _ := New(Config{InterCharTimeout: time.Second})
		f.Feed(t0, []byte("42"))
		got := show(f.End())
		if want := []string{`"42"`}; strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("End() = %v, want %v", got, want)
		}
	})
	t.Run("nothing pending", func(t *testing.T) {
		f, _ := New(Config{Suffix: []byte("\r")})
		if got := f.End(); len(got) != 0 {
			t.Errorf("End() = %v, want none", show(got))
		}
	})
}

func TestFramer_Deadline(t *testing.T) {
	f, _ := New(Config{Suffix: []byte("\r"), InterCharTimeout: 50 * time.Millisecond})
	if _, ok := f.Deadline(); ok {
		t.Fatal("Deadline() with nothing pending: ok = true, want false")
	}
	f.Feed(t0, []byte("1"))
	got, ok := f.Deadline()
	if want := t0.Add(50 * time.Millisecond); !ok || !got.Equal(want) {
		t.Errorf("Deadline() = %v, %v; want %v, true", got, ok, want)
	}
}

func TestNew_invalid(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no suffix, no timeout": {},
		"negative max":          {Suffix: []byte("\r"), MaxLen: -1},
		"negative timeout":      {Suffix: []byte("\r"), InterCharTimeout: -1},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); err == nil {
				t.Errorf("New(%+v) error = nil, want an error", cfg)
			}
		})
	}
}

func TestSuffixBytes(t *testing.T) {
	for name, want := range map[string][]byte{"cr": {13}, "lf": {10}, "crlf": {13, 10}, "tab": {9}, "none": nil} {
		got, err := SuffixBytes(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("SuffixBytes(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := SuffixBytes("etx"); err == nil {
		t.Error(`SuffixBytes("etx") error = nil, want an error`)
	}
}

func TestFramer_bigGarbage(t *testing.T) {
	// 100 KB without a terminator, fed in 512-byte reads, then a good code.
	f, _ := New(Config{Suffix: []byte("\r\n"), MaxLen: 256})
	junk := bytes.Repeat([]byte{0, 0xff, 'x', '\r'}, 25*1024)
	var frames []Frame
	for i := 0; i < len(junk); i += 512 {
		frames = append(frames, f.Feed(t0, junk[i:min(i+512, len(junk))])...)
	}
	frames = append(frames, f.Feed(t0, []byte("\r\nGOOD\r\n"))...)
	got := show(frames)
	want := []string{`!frame too long("")`, `"GOOD"`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("frames = %v, want %v", got, want)
	}
}

func BenchmarkFramer_Feed(b *testing.B) {
	f, _ := New(Config{Suffix: []byte("\r")})
	line := []byte("]C10109501101530003172501011012345\r")
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if fr := f.Feed(t0, line); len(fr) != 1 {
			b.Fatalf("got %d frames", len(fr))
		}
	}
}
