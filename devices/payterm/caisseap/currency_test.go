package caisseap

import "testing"

// TestCurrencyNumeric: the Concert CE field takes the ISO 4217 numeric code of any currency in
// use (once a hand list of 20), and refuses codes that are not money (XAU) or withdrawn (DEM).
func TestCurrencyNumeric(t *testing.T) {
	for alpha, want := range map[string]string{"EUR": "978", "KWD": "414", "JPY": "392", "MXN": "484", "ZAR": "710"} {
		if got, ok := CurrencyNumeric(alpha); !ok || got != want {
			t.Errorf("CurrencyNumeric(%s) = %q, %v; want %s", alpha, got, ok, want)
		}
	}
	for _, bad := range []string{"XAU", "DEM", "eur", ""} {
		if got, ok := CurrencyNumeric(bad); ok {
			t.Errorf("CurrencyNumeric(%q) = %q, want refused", bad, got)
		}
	}
}
