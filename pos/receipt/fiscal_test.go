package receipt

import (
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices/escpos"
)

// TestBuild_FiscalFR checks the French mentions: ticket number, register, SIRET, HT/TTC per
// rate, the signature's first and last 4 characters, no "non fiscal", DUPLICATA n° N on a
// reprint and the training mark.
func TestBuild_FiscalFR(t *testing.T) {
	p := profile(t, "epson-tm-t20")
	text := func(r Receipt) string {
		t.Helper()
		b, err := build(r, p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := escpos.DecodeProfile(b, p)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(doc.Lines(), "\n")
	}
	r := sample(t, "fr-FR")
	r.Fiscal = &Fiscal{TicketNo: 42, SIRET: "12345678900011", Signature: "AbCdxxxxxxxxxxxxxxxxWxYz"}
	got := text(r)
	for _, want := range []string{"Ticket n° 42", "Caisse " + r.Terminal, "SIRET 12345678900011", "HT", "TTC", "Signature AbCd…WxYz"} {
		if !strings.Contains(got, want) {
			t.Errorf("French receipt lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "NON FISCAL") || strings.Contains(got, "DUPLICATA") {
		t.Errorf("French original says non-fiscal or duplicata:\n%s", got)
	}
	r.Copy, r.Fiscal.Duplicate = true, 2
	if got := text(r); strings.Count(got, "DUPLICATA n° 2") != 2 {
		t.Errorf("reprint lacks DUPLICATA n° 2 at head and foot:\n%s", got)
	}
	r.Copy, r.Fiscal.Duplicate, r.Fiscal.Training = false, 0, true
	if got := text(r); !strings.Contains(got, "MODE ÉCOLE — FACTICE") {
		t.Errorf("training receipt lacks its mark:\n%s", got)
	}
}
