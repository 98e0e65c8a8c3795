package scale

import (
	"strings"
	"testing"
)

// Answers as the DIVA Service Manual (Mettler Toledo scale of the PSC Magellan 8500) documents
// them: 6.1.3.2 (W → STX WW.WWW CR kg, STX WW.WW CR lb, N for net, STX ? status CR) and 6.1.4.3
// (status bits: 0 motion, 1 over capacity, 2 under zero, 3 outside zero capture range, 4 centre
// of zero, 5 net, 6 always 1, 7 parity).
func TestParseToledo(t *testing.T) {
	tests := []struct {
		name   string
		frame  string
		want   Reading
		errStr string
	}{
		{"kg gross", "\x0201.250\r", Reading{Status: Stable, WeightG: 1250}, ""},
		{"kg gross, no CR", "\x0200.005", Reading{Status: Stable, WeightG: 5}, ""},
		{"kg net (N)", "\x0212.345N", Reading{Status: Stable, WeightG: 12345}, ""},
		{"kg zero", "\x0200.000", Reading{Status: Zero}, ""},
		{"kg 3-digit whole", "\x02099.999", Reading{Status: Stable, WeightG: 99999}, ""},
		{"noise before STX", "\x00\xff\x0202.500", Reading{Status: Stable, WeightG: 2500}, ""},
		// Status bytes: '@' + bits, as an ASCII character with bit 6 set.
		{"motion", "\x02?A", Reading{Status: Unstable}, ""},                // 0x41: bit 0
		{"over capacity", "\x02?B", Reading{Status: OverCapacity}, ""},     // 0x42: bit 1
		{"under zero", "\x02?D", Reading{Status: UnderZero}, ""},           // 0x44: bit 2
		{"outside zero range", "\x02?H", Reading{Status: NoZero}, ""},      // 0x48: bit 3
		{"centre of zero", "\x02?P", Reading{Status: Zero}, ""},            // 0x50: bit 4
		{"motion + under zero", "\x02?E", Reading{Status: UnderZero}, ""},  // 0x45
		{"not zeroed wins", "\x02?K", Reading{Status: NoZero}, ""},         // 0x4b: 0,1,3
		{"parity bit set", "\x02?\xc1", Reading{Status: Unstable}, ""},     // 0xc1: even parity on 0x41
		{"net, in motion", "\x02?a", Reading{Status: Unstable}, ""},        // 0x61: bits 0, 5
		{"negative weight", "\x02-00.120", Reading{Status: UnderZero}, ""}, // a sign: under zero
		{"pounds", "\x0201.25", Reading{}, "pounds"},
		{"pounds net", "\x0201.25N", Reading{}, "pounds"},
		{"no decimal point", "\x0201250", Reading{}, "no decimal point"},
		{"one decimal", "\x02012.5", Reading{}, "1 decimals"},
		{"letters", "\x020A.250", Reading{}, "not digits"},
		{"two points", "\x021.2.50", Reading{}, "not digits"},
		{"too heavy", "\x02100.000", Reading{}, "above"},
		{"status without bit 6", "\x02?\x01", Reading{}, "bit 6"},
		{"status without a condition", "\x02?@", Reading{}, "no condition"},
		{"two status bytes", "\x02?AB", Reading{}, "one status byte"},
		{"empty", "\x02\r", Reading{}, "empty"},
		{"overlong", "\x0201.2500000000000", Reading{}, "longer"},
		{"a label", "]E04006381333931", Reading{}, "not a scale answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Toledo.Parse([]byte(tc.frame))
			if tc.errStr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errStr) {
					t.Errorf("%q: %+v, error %v; want an error with %q", tc.frame, got, err, tc.errStr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("%q = %+v, %v; want %+v", tc.frame, got, err, tc.want)
			}
		})
	}
}

func TestProtocols(t *testing.T) {
	if got := string(Toledo.Request()); got != "W" {
		t.Errorf("8217 request %q, want W", got)
	}
	if got := string(Magellan.Request()); got != "S14\r" {
		t.Errorf("Magellan request %q, want S14 CR", got)
	}
	for _, f := range []string{"\x0201.250", "\x02?A", "\x00\x02?A"} {
		if !Toledo.IsReply([]byte(f)) || !IsReply([]byte(f)) {
			t.Errorf("%q not taken as an 8217 answer", f)
		}
		if Magellan.IsReply([]byte(f)) {
			t.Errorf("%q taken as a Magellan answer", f)
		}
	}
	for _, f := range []string{"]E04006381333931", "S08A036000291452", "4006381333931", "S141"} {
		if Toledo.IsReply([]byte(f)) {
			t.Errorf("label %q taken as an 8217 answer", f)
		}
	}
	if p, err := ProtocolFor("toledo-8217"); err != nil || p != Toledo {
		t.Errorf("ProtocolFor(toledo-8217) = %v, %v", p, err)
	}
	if p, err := ProtocolFor(""); err != nil || p != nil {
		t.Errorf("ProtocolFor(\"\") = %v, %v; want none", p, err)
	}
	if _, err := ProtocolFor("sasi"); err == nil || !strings.Contains(err.Error(), "magellan-single-cable, toledo-8217") {
		t.Errorf("unknown protocol: %v", err)
	}
}

func FuzzParseToledo(f *testing.F) {
	for _, s := range []string{"\x0201.250\r", "\x02?A", "\x0212.345N", "\x0201.25", "\x02", "\x02?", "\x02-1.000", "W", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseToledo(b)
		if err != nil {
			if r != (Reading{}) {
				t.Fatalf("%q: error %v with reading %+v", b, err, r)
			}
			return
		}
		if r.WeightG < 0 || r.WeightG > MaxWeightG {
			t.Fatalf("%q: weight %d out of bounds", b, r.WeightG)
		}
		if r.WeightG != 0 && r.Status != Stable {
			t.Fatalf("%q: weight %d with status %s", b, r.WeightG, r.Status)
		}
		if r.Status == Stable && r.WeightG == 0 {
			t.Fatalf("%q: stable with no weight", b)
		}
	})
}
