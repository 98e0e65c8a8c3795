package scanner

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are inputs of every kind Parse meets.
var fuzzSeeds = []string{
	"]E04006381333931", "]E001234565", "]E496385074", "]E3400638133393112",
	"]C1010950110153000317250101" + "10ABC123", "]C1\x1d0109501101530003", "]Q3010950110153000310ABC\x1d21XYZ",
	"]Q1https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
	"(01)09501101530003(17)250101(10)AB-123", "]e00109501101530003", "]d2010950110153000317250101",
	"2388060103489", "]E02211114002394", "d4006381333931", "]I115012345678907",
	"\x00\xff\xfe", "]", "]E", "]E0", "", "\r\n", "(", "(0", "(01)", "https://a/01/",
}

// FuzzParse feeds raw scanner bytes to Parse: it must not panic and what
// it returns must keep its promises.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "DE")
	}
	f.Fuzz(func(t *testing.T, raw []byte, region string) {
		opts := Options{RCN: RCNLayoutsFor(region), IDs: IDConfig{VendorIDs: map[string]string{"d": EAN13, "s": QR}}}
		s := Parse(raw, opts)
		if len(s.Data) > maxDataEcho || !utf8.ValidString(s.Data) || strings.IndexByte(s.Data, 0) >= 0 {
			t.Fatalf("unsafe Data %q", s.Data)
		}
		if s.Valid != (s.Reason == "") {
			t.Fatalf("Valid %v with Reason %q", s.Valid, s.Reason)
		}
		if s.Symbology == "" {
			t.Fatal("empty symbology")
		}
		if s.GTIN != "" && (len(s.GTIN) != 14 || !validMod10(s.GTIN) || !s.Valid) {
			t.Fatalf("GTIN %q on scan %+v", s.GTIN, s)
		}
		if e := s.Embedded; e != nil {
			if !s.Valid || len(e.LookupGTIN) != 14 || !validMod10(e.LookupGTIN) || (e.PriceMinor == nil) == (e.WeightG == nil) {
				t.Fatalf("embedded %+v on scan %+v", e, s)
			}
		}
	})
}

// FuzzGS1 feeds element strings to ParseGS1: no panic, and an accepted
// string's elements survive a round trip through the bracketed form.
func FuzzGS1(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("(8006)095011015300030102")
	f.Add("(415)5412345678908(8020)ABC123(8007)GB82WEST12345698765432")
	// coupons: 8110 with every optional field, 8112, and a currency AI (ISO 4217 numeric)
	f.Add("(8110)012345612345611110123101104569211478993261231426010161123456790000")
	f.Add("(8110)0123456123456111101233261231426010")
	f.Add("(8112)061234567890121234569123456789012345")
	f.Add("(8020)ABC123(415)5412345678908(3912)9781234")
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := ParseGS1(s)
		if err != nil {
			if _, ok := err.(*GS1Error); !ok {
				t.Fatalf("error %v is a %T, want *GS1Error", err, err)
			}
			return
		}
		var b strings.Builder
		for _, e := range elems {
			b.WriteString("(" + e.AI + ")" + strings.ReplaceAll(e.Value, "(", `\(`))
		}
		again, err := ParseGS1(b.String())
		if err != nil {
			t.Fatalf("%q parsed, but its bracketed form %q does not: %v", s, b.String(), err)
		}
		if len(again) != len(elems) {
			t.Fatalf("round trip of %q: %q became %q", s, elems, again)
		}
		for i := range elems {
			if again[i] != elems[i] {
				t.Fatalf("round trip of %q: %q became %q", s, elems, again)
			}
		}
	})
}

// FuzzDigitalLink feeds URIs to ParseDigitalLink: no panic, and an accepted
// URI gives valid elements with a 14-digit GTIN.
func FuzzDigitalLink(f *testing.F) {
	for _, s := range []string{
		"https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426",
		"https://a/00/faux/00/006141411234567890",
		"https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987",
		"https://example.com/gtin/09501101530003/lot/ABC",
		"https://id.gs1.org/414/9520123456788/254/32a%2Fb",
		"https://a/01/02345673?linkType=all",
		"http://x/8018/123456789012345675/8019/123",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := ParseDigitalLink(s)
		if err != nil {
			return
		}
		if len(elems) == 0 {
			t.Fatalf("%q accepted without elements", s)
		}
		if err := validateElements(elems); err != nil {
			t.Fatalf("%q accepted with invalid elements: %v", s, err)
		}
		for _, e := range elems {
			if e.AI == "01" && len(e.Value) != 14 {
				t.Fatalf("%q: GTIN %q is not 14 digits", s, e.Value)
			}
		}
		if !IsDigitalLink(s) {
			t.Fatalf("%q parsed but IsDigitalLink says no", s)
		}
	})
}
