package receipt

import (
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices/escpos"
)

// TestBuild_cardSlip: a card payment through a terminal prints its scheme, masked card and
// authorisation code under the payment; a typed card amount prints none.
func TestBuild_cardSlip(t *testing.T) {
	p := profile(t, "generic-58mm")
	r := sample(t, "fr-FR")
	r.Payments = []Payment{{Method: "card", AmountMinor: 2395, CardMasked: "497010******1234", Scheme: "CB", AuthCode: "A1B2C3"}}
	r.ChangeMinor = 0
	b, err := build(r, p)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := escpos.DecodeProfile(b, p)
	if err != nil {
		t.Fatal(err)
	}
	checkWidths(t, doc, p)
	text := doc.String()
	for _, want := range []string{"CB 497010******1234", "AUT A1B2C3"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	r.Payments[0] = Payment{Method: "card", AmountMinor: 2395}
	b, _ = build(r, p)
	doc, _ = escpos.DecodeProfile(b, p)
	if strings.Contains(doc.String(), "AUT ") {
		t.Errorf("a typed card amount printed an authorisation line:\n%s", doc.String())
	}
}
