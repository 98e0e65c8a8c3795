package agent

import "testing"

// TestDisplayFormat_ISOExponent: the pole display shows as many decimals as the currency's
// ISO 4217 minor unit (a hand list of zero-decimal currencies missed KWD's three).
func TestDisplayFormat_ISOExponent(t *testing.T) {
	for cur, want := range map[string]int{"EUR": 2, "JPY": 0, "KWD": 3, "BHD": 3, "ISK": 0, "CLF": 4} {
		if got, _ := displayFormat(&Config{Currency: cur, Locale: "en-US"}); got != want {
			t.Errorf("%s: %d decimals, want %d", cur, got, want)
		}
	}
}
