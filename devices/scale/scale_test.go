package scale

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Answers as KA-01089 lists them.
func TestParseReply(t *testing.T) {
	tests := []struct {
		frame  string
		want   Reading
		errStr string
	}{
		{"S14401250", Reading{Status: Stable, WeightG: 1250}, ""},
		{"S14400005\r", Reading{Status: Stable, WeightG: 5}, ""},
		{"S1100480", Reading{Status: Stable, WeightG: 480}, ""},
		{"S140", Reading{Status: NoZero}, ""},
		{"S141", Reading{Status: Unstable}, ""},
		{"S142", Reading{Status: OverCapacity}, ""},
		{"S143", Reading{Status: Zero}, ""},
		{"S145", Reading{Status: UnderZero}, ""},
		{"S14400000", Reading{Status: Zero}, ""},
		{"S1440125", Reading{}, "pound"},
		{"S144012345", Reading{}, "6 digits"},
		{"S1440A250", Reading{}, "not digits"},
		{"S146", Reading{}, "unknown status"},
		{"S08F4006381333931", Reading{}, "not a scale answer"},
		{"\x02S14401250\x03", Reading{Status: Stable, WeightG: 1250}, ""}, // STX/ETX left by the framing
		{"\x02S141\x03\r", Reading{Status: Unstable}, ""},
	}
	for _, tc := range tests {
		got, err := ParseReply([]byte(tc.frame))
		if tc.errStr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errStr) {
				t.Errorf("%q: error %v, want one with %q", tc.frame, err, tc.errStr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %+v, %v; want %+v", tc.frame, got, err, tc.want)
		}
	}
	if !IsReply([]byte("S141")) || !IsReply([]byte("\x02S141")) || !Magellan.IsReply([]byte("\x02S14401250")) || !IsReply([]byte("S1100480")) || IsReply([]byte("S08A036000291452")) || IsReply([]byte("]E0400")) {
		t.Error("IsReply tells scale answers from labels wrongly")
	}
}

func TestScale_Read(t *testing.T) {
	var s *Scale
	s = &Scale{Timeout: 200 * time.Millisecond, Write: func(b []byte) error {
		if string(b) != "S14\r" {
			t.Errorf("request %q, want S14 CR", b)
		}
		go s.Deliver([]byte("S14400750"))
		return nil
	}}
	r, err := s.Read(context.Background())
	if err != nil || r != (Reading{Status: Stable, WeightG: 750}) {
		t.Errorf("Read = %+v, %v", r, err)
	}
	s.Write = func([]byte) error { return nil } // a scale that never answers
	if _, err := s.Read(context.Background()); !errors.Is(err, ErrNoAnswer) {
		t.Errorf("silent scale: %v, want ErrNoAnswer", err)
	}
	s.Deliver([]byte("S141")) // late answer, nobody waits: dropped
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"S14401250", "S141", "S1100480", "S08F400", "S144", "S11", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReply(b)
		if err != nil {
			return
		}
		if r.WeightG < 0 || r.WeightG > MaxWeightG {
			t.Fatalf("%q: weight %d out of bounds", b, r.WeightG)
		}
		if r.WeightG != 0 && r.Status != Stable {
			t.Fatalf("%q: weight %d with status %s", b, r.WeightG, r.Status)
		}
	})
}
