package scanner

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse_BadInput(t *testing.T) {
	junk := bytes.Repeat([]byte("\xff\x00junk"), 100_000/6)
	for _, c := range []struct {
		name       string
		in         []byte
		wantReason string
	}{
		{"empty", nil, "empty read"},
		{"only-newline", []byte("\r\n"), "empty read"},
		{"nul-bytes", []byte("]E0400638\x00333931"), "NUL"},
		{"invalid-utf8", []byte("]Q1caf\xe9"), "UTF-8"},
		{"100-kb-junk", junk, "too long"},
		{"aim-without-data", []byte("]C1"), "no data"},
		{"ean13-letters", []byte("]E0400638133393X"), "not all digits"},
		{"upce-bad-ns", []byte("]E021234565"), "number system"},
		{"gs1-noise", []byte("]C1\x1d\x1d\x1d"), "no elements"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Parse(c.in, Options{})
			if s.Valid {
				t.Fatalf("got valid scan %+v, want invalid", s)
			}
			if !strings.Contains(s.Reason, c.wantReason) {
				t.Errorf("reason %q, want it to mention %q", s.Reason, c.wantReason)
			}
			if len(s.Data) > 256 || !utf8.ValidString(s.Data) || strings.ContainsRune(s.Data, 0) {
				t.Errorf("data of %d bytes (valid UTF-8 %v) is not safe to echo: %q", len(s.Data), utf8.ValidString(s.Data), s.Data)
			}
			if s.GTIN != "" || s.Embedded != nil {
				t.Errorf("an invalid scan resolves to GTIN %q / %+v", s.GTIN, s.Embedded)
			}
			if len(s.Reason) > 200 {
				t.Errorf("reason of %d bytes is not short", len(s.Reason))
			}
		})
	}
}

func TestParse_TrailingNewline(t *testing.T) {
	s := Parse([]byte("]E04006381333931\r\n"), Options{})
	if !s.Valid || s.Data != "4006381333931" || s.GTIN != "04006381333931" {
		t.Errorf("got %+v, want a valid EAN-13 without the CR/LF", s)
	}
}

func TestParse_InvalidRCNHasNoProduct(t *testing.T) {
	s := Parse([]byte("]E02011122812349"), Options{RCN: RCNLayoutsFor("GB")})
	if s.Valid || s.GTIN != "" || s.Embedded != nil {
		t.Errorf("got %+v, want invalid without GTIN or embedded value", s)
	}
}

func TestSafeData(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	got := safeData([]byte(long))
	if len(got) > 256 || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("got %d bytes, valid %v, %q…; want ≤256 valid bytes ending in …", len(got), utf8.ValidString(got), got[:10])
	}
	if got := safeData([]byte("a\x00b\xffc")); got != "a\uFFFDb\uFFFDc" {
		t.Errorf("got %q, want NUL and the bad byte replaced", got)
	}
	if got := safeData([]byte("0109\x1d10A")); got != "0109\x1d10A" {
		t.Errorf("got %q, want GS kept", got)
	}
}

func TestScan_GS1Map(t *testing.T) {
	s := Parse([]byte("]C10109501101530003\x1d10ABC\x1d17250101"), Options{})
	got := s.GS1Map()
	want := map[string]string{"01": "09501101530003", "10": "ABC", "17": "250101"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("GS1Map()[%q] = %q, want %q", k, got[k], v)
		}
	}
	if m := (Scan{}).GS1Map(); m != nil {
		t.Errorf("empty scan: got %v, want nil", m)
	}
}

func TestScan_MarshalJSON(t *testing.T) {
	t.Run("gs1", func(t *testing.T) {
		b, err := json.Marshal(Parse([]byte("(01)09501101530003(17)250101"), Options{}))
		if err != nil {
			t.Fatal(err)
		}
		want := `{"symbology":"gs1-128","data":"(01)09501101530003(17)250101","valid":true,"gs1":{"01":"09501101530003","17":"250101"},"gtin":"09501101530003"}`
		if string(b) != want {
			t.Errorf("got  %s\nwant %s", b, want)
		}
	})
	t.Run("embedded-weight", func(t *testing.T) {
		b, err := json.Marshal(Parse([]byte("2388060103489"), Options{RCN: RCNLayoutsFor("se")}))
		if err != nil {
			t.Fatal(err)
		}
		want := `{"symbology":"ean13","data":"2388060103489","valid":true,"gtin":"02388060103489","embedded":{"item_code":"880601","lookup_gtin":"02388060100006","weight_g":348}}`
		if string(b) != want {
			t.Errorf("got  %s\nwant %s", b, want)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		b, err := json.Marshal(Parse([]byte("]E04006381333932"), Options{}))
		if err != nil {
			t.Fatal(err)
		}
		want := `{"symbology":"ean13","data":"4006381333932","valid":false,"reason":"GTIN 4006381333932: check digit mismatch: got 2, want 1"}`
		if string(b) != want {
			t.Errorf("got  %s\nwant %s", b, want)
		}
	})
}
