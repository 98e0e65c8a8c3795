package caisseapemu

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// exchange sends raw request bytes (in pieces, to emulate segments) and reads the answer until
// the emulator closes.
func exchange(t *testing.T, addr string, pieces ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range pieces {
		if _, err := c.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(c)
	return string(b)
}

// TestEmulator_checksRequests: the emulator answers like the reference simulator: the echo, AE01
// AF09 for a missing mandatory tag or bad framing, AF13 for another currency, AF12 for a bad CD,
// and it reads a request split mid-field.
func TestEmulator_checksRequests(t *testing.T) {
	e, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const ok = "CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB00511245"
	cases := []struct {
		name   string
		pieces []string
		want   []string
	}{
		{"approved, split mid-field", []string{ok[:13], ok[13:50], ok[50:]}, []string{"CZ0040300", "CB012000000011245", "AE00210", "AC006123456"}},
		{"missing CB", []string{"CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010"}, []string{"AE00201AF00209"}},
		{"bad framing", []string{"XX0040300"}, []string{"AE00201AF00209"}},
		{"other currency", []string{strings.Replace(ok, "CE003978", "CE003840", 1)}, []string{"AE00201AF00213"}},
		{"bad CD", []string{strings.Replace(ok, "CD0010", "CD0017", 1)}, []string{"AE00201AF00212"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := exchange(t, e.Addr(), tc.pieces...)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("answer %q lacks %q", got, w)
				}
			}
		})
	}
	if n := len(e.Requests()); n != len(cases) {
		t.Fatalf("recorded %d requests, want %d", n, len(cases))
	}
}
