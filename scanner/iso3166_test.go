package scanner

import (
	"fmt"
	"testing"

	"golang.org/x/text/language"
)

// TestISO3166 checks the explicit country list against x/text's M49 numbers (a typo in either
// column shows) and that withdrawn, reserved and user-assigned codes are refused.
func TestISO3166(t *testing.T) {
	if len(iso3166) != 249 {
		t.Errorf("%d codes; ISO 3166-1 assigns 249", len(iso3166))
	}
	for a, n := range iso3166 {
		r, err := language.ParseRegion(a)
		if err != nil || fmt.Sprintf("%03d", r.M49()) != n {
			t.Errorf("%s → %s; x/text says %03d (%v)", a, n, r.M49(), err)
		}
		if !isCountry(a) || !isCountry(n) {
			t.Errorf("isCountry(%s/%s) = false", a, n)
		}
	}
	for _, c := range []string{"AN", "530", "CS", "891", "DD", "278", "SU", "810", "YU", "ZR", "TP", "BU", "NT", "536", "FX", "XK", "EU", "UK", "AC", "IC", "EA", "ZZ", "999", "000", "it", "ITA"} {
		if isCountry(c) {
			t.Errorf("isCountry(%q) = true; it is not an assigned ISO 3166-1 code", c)
		}
	}
}
