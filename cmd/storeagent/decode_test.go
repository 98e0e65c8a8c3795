package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain_DecodeMultiLine checks that multi-line data (a vCard) keeps one code per output line,
// escaped, and that -json gives the data exactly.
func TestMain_DecodeMultiLine(t *testing.T) {
	vcard := "BEGIN:VCARD\nVERSION:3.0\nFN:Giulia Rossi\nEND:VCARD"
	f := filepath.Join(t.TempDir(), "vcard.png")
	writeQR(t, f, vcard)
	code, out, errs := runCLI(t, nil, "decode", f)
	if want := `qr, BEGIN:VCARD\nVERSION:3.0\nFN:Giulia Rossi\nEND:VCARD` + "\n"; code != 0 || out != want {
		t.Errorf("decode: %d %q %q; want %q", code, out, errs, want)
	}
	code, out, _ = runCLI(t, nil, "decode", "-json", f)
	var got struct{ File, Symbology, Data string }
	if code != 0 || strings.Count(out, "\n") != 1 || json.Unmarshal([]byte(out), &got) != nil || got.Data != vcard || got.Symbology != "qr" || got.File != f {
		t.Errorf("decode -json: %d %q; want one line with the vCard as data", code, out)
	}
	if got := escapeCodeData("a\\b\x1dc\td\x01"); got != `a\\b<GS>c\td\x01` {
		t.Errorf("escapeCodeData = %q", got)
	}
}
