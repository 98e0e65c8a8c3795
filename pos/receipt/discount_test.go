package receipt

import (
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices/escpos"
)

func TestBuild_Discounts(t *testing.T) {
	p := profile(t, "epson-tm-t20")
	r := sample(t, "it-IT")
	// The first line was 4.98 before a 3 for 2 style discount of 1.00 and 0.50.
	r.Lines[0].AmountMinor -= 150
	r.Lines[0].Discounts = []Discount{{Name: "Caffè 3x2", AmountMinor: 100}, {Name: "Tessera oro", AmountMinor: 50}}
	r.TotalMinor -= 150
	b, err := build(r, p)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := escpos.DecodeProfile(b, p)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(doc.Lines(), "\n")
	for _, want := range []string{"4,98 €", "Caffè 3x2", "-1,00 €", "Tessera oro", "-0,50 €", "Risparmio", "1,50 €"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	plain, err := build(sample(t, "it-IT"), p)
	if err != nil {
		t.Fatal(err)
	}
	pdoc, _ := escpos.DecodeProfile(plain, p)
	if strings.Contains(strings.Join(pdoc.Lines(), "\n"), "Risparmio") {
		t.Error("a receipt without discounts prints a saving")
	}
}
