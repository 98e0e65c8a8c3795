package caisseap

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices/payterm"
)

func TestDecode(t *testing.T) {
	full := []byte("CZ0040300CA00201CB012000000011245AE00210AC006123456")
	m, err := Decode(full)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("AC"); v != "123456" || len(m) != 5 {
		t.Fatalf("got %v", m)
	}
	for i := 1; i < len(full); i++ {
		if _, err := Decode(full[:i]); !errors.Is(err, ErrIncomplete) && err != nil {
			t.Fatalf("prefix %q: %v, want incomplete or whole", full[:i], err)
		}
	}
	for _, bad := range []string{"CA00201", "CZ00A0300", "cz0040300", "CZ0040300\x00\x0112", "CZ0040300AE002\x0110"} {
		if _, err := Decode([]byte(bad)); err == nil || errors.Is(err, ErrIncomplete) {
			t.Errorf("Decode(%q) = %v, want a framing error", bad, err)
		}
	}
	if m, err := Decode([]byte("CZ0040300CB000AE00201")); err != nil || len(m) != 3 {
		t.Errorf("empty CB: %v %v", m, err)
	}
}

func TestEncode(t *testing.T) {
	if _, err := Encode(Message{{"CA", "01"}}); err == nil {
		t.Error("CZ not first: no error")
	}
	if _, err := Encode(Message{{"CZ", "0300"}, {"CB", ""}}); err == nil {
		t.Error("empty value: no error")
	}
	if _, err := Encode(Message{{"CZ", string(make([]byte, 1000))}}); err == nil {
		t.Error("1000-byte value: no error")
	}
}

// FuzzDecode: Decode never panics, a whole parse re-encodes to the same bytes (when no value is
// empty), and it never reports a field beyond the input.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB00511245",
		"CZ0040300CA00201CB012000000011245AE00210CC003001CI0011AC006123456AA016123456######1234",
		"CZ0040300CB000AE00201AF00206", "CZ004030", "CZ9", "", "\x00\xffHELLO", "CZ0040300AE00201AF00211",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		size := 0
		empty := false
		for _, fl := range m {
			size += 5 + len(fl.Value)
			empty = empty || fl.Value == ""
		}
		if size != len(b) {
			t.Fatalf("whole parse covers %d of %d bytes", size, len(b))
		}
		if len(m) == 0 || empty {
			return
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("re-encode %v: %v", m, err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip %q → %q", b, out)
		}
	})
}

// FuzzInterpret: whatever a terminal answers, a payment is approved only by AE=10 with the amount
// and currency of the request echoed, and a full card number is never kept.
func FuzzInterpret(f *testing.F) {
	for _, s := range []string{
		"CZ0040300CA00201CB012000000011245CD0010CE003978AE00210CC003001CI0011AC006123456AA016497010######1234",
		"CZ0040300CA00201CB00511246CD0010CE003978AE00210AC006123456",
		"CZ0040300CB000AE00201AF00206", "CZ0040300CB00511245AE00201AF00204", "CZ0040300AE00211",
		"CZ0040300CB00511245CE003978AE00210AA0164970101234561234",
	} {
		f.Add([]byte(s))
	}
	sent, err := BuildRequest(1, payterm.Request{Kind: payterm.KindPayment, AmountMinor: 11245, Currency: "EUR"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		r := Interpret(sent, m)
		if r.Status == payterm.StatusApproved {
			ae, _ := m.Get("AE")
			cb, _ := m.Get("CB")
			if ae != "10" || strings.TrimLeft(cb, "0") != "11245" {
				t.Fatalf("approved on AE %q CB %q", ae, cb)
			}
			if ce, ok := m.Get("CE"); ok && strings.TrimLeft(ce, "0") != "978" {
				t.Fatalf("approved with CE %q", ce)
			}
		}
		digits := 0
		for _, c := range r.CardMasked {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits > 10 || len(r.CardMasked) > 24 || len(r.AuthCode) > 24 {
			t.Fatalf("kept %q / %q", r.CardMasked, r.AuthCode)
		}
	})
}

// BenchmarkDecode parses a full approval as a terminal sends it.
func BenchmarkDecode(b *testing.B) {
	answer := []byte("CZ0040300CA00201CB012000000011245CD0010CE003978AE00210CC003001CI0011AC006123456AA016497010######1234AI014A0000000421010AB0042712")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(answer); err != nil {
			b.Fatal(err)
		}
	}
}
