package scanner

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseGS1(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		want    []AIValue
		wantErr string // substring; "" for none
		errAI   string
	}{
		{"iban-and-payment", "(415)5412345678908(8020)ABC123(8007)GB82WEST12345698765432",
			[]AIValue{{"415", "5412345678908"}, {"8020", "ABC123"}, {"8007", "GB82WEST12345698765432"}}, "", ""},
		{"bad-iban", "(415)5412345678908(8020)ABC123(8007)GB82WEST12345698765433", nil, "not a valid IBAN", "8007"},
		{"piece-of-total", "(8006)095011015300030102", []AIValue{{"8006", "095011015300030102"}}, "", ""},
		{"bad-piece-of-total", "(8006)095011015300030302", nil, "piece of total", "8006"},
		{"bad-time", "(01)09501101530003(7003)2501011260", nil, "not a valid time", "7003"},
		{"yesno", "(00)106141412345678908(4321)2", nil, "not 0 or 1", "4321"},
		{"yyyymmdd", "(8018)954321234567891238(7250)20250230", nil, "not a valid date", "7250"},
		{"optional-component-absent", "(01)09501101530003(7011)250101", []AIValue{{"01", "09501101530003"}, {"7011", "250101"}}, "", ""},
		{"optional-component-partial", "(01)09501101530003(7011)25010112", nil, "has 8 characters", "7011"},
		{"aim-prefix-d2", "]d2010950110153000310A", []AIValue{{"01", "09501101530003"}, {"10", "A"}}, "", ""},
		{"no-elements", "", nil, "no elements", ""},
		{"bracket-garbage", "(01", nil, "expected a bracketed AI", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseGS1(c.in)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %q, want %q", got, c.want)
				}
				return
			}
			var ge *GS1Error
			if !errors.As(err, &ge) {
				t.Fatalf("got %v (%T), want a *GS1Error", err, err)
			}
			if !strings.Contains(ge.Error(), c.wantErr) || ge.AI != c.errAI {
				t.Errorf("got AI %q error %q, want AI %q and %q", ge.AI, ge.Error(), c.errAI, c.wantErr)
			}
		})
	}
}

// TestParseGS1_BracketUnknownAI: "(89)" names no AI, so it is data of
// the element before it, here making (01) too long.
func TestParseGS1_BracketUnknownAI(t *testing.T) {
	got, err := ParseGS1("(01)09501101530003(89)X")
	if want := []AIValue{{"01", "09501101530003(89)X"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "AI (01): ") {
		t.Errorf("got %v, want an error about AI (01)", err)
	}
}

func TestGS1Error_Error(t *testing.T) {
	if got := (&GS1Error{AI: "17", Msg: "251301 is not a valid date"}).Error(); got != "AI (17): 251301 is not a valid date" {
		t.Errorf("got %q", got)
	}
	if got := (&GS1Error{Msg: "no elements"}).Error(); got != "GS1: no elements" {
		t.Errorf("got %q", got)
	}
}

func TestIsDigitalLink(t *testing.T) {
	for in, want := range map[string]bool{
		"https://id.gs1.org/01/09520123456788":        true,
		"http://example.com/shop/gtin/09520123456788": true,
		"https://example.com/01/09520123456788/":      false,
		"https://example.com/about/us":                false,
		"ftp://example.com/01/09520123456788":         false,
		"https:///01/09520123456788":                  false,
		"01/09520123456788":                           false,
		"https://example.com/01":                      false,
	} {
		if got := IsDigitalLink(in); got != want {
			t.Errorf("IsDigitalLink(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAITable(t *testing.T) {
	// Spot checks that the generated table says what the dictionary says.
	for ai, want := range map[string]struct {
		fixed bool
		len   int
	}{
		"00": {true, 18}, "01": {true, 14}, "17": {true, 6}, "3103": {true, 6}, "10": {false, -1}, "422": {false, 3},
	} {
		e, ok := aiTable()[ai]
		if !ok {
			t.Fatalf("AI %s missing", ai)
		}
		if e.fixed != want.fixed || e.fixedLen() != want.len {
			t.Errorf("AI %s: fixed %v len %d, want %v %d", ai, e.fixed, e.fixedLen(), want.fixed, want.len)
		}
	}
	if n := len(aiTable()); n < 500 {
		t.Errorf("table has %d AIs, want the whole dictionary (>500)", n)
	}
}
