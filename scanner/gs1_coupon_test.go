package scanner

import (
	"errors"
	"strings"
	"testing"
)

// TestGS1Coupon8110 checks AI (8110), the North American coupon code, through ParseGS1: the
// well-formed values a coupon carries pass, and each broken field is named.
func TestGS1Coupon8110(t *testing.T) {
	for _, c := range []struct {
		name, v, wantErr string // wantErr "": valid
	}{
		// GCP VLI 0 (6 digits) 123456, offer 123456, save value VLI 1 "1", purchase VLI 1 "1",
		// requirement code 0, family 123.
		{"minimal", "012345612345611110123", ""},
		{"gcp-vli-6", "6123456789012" + "123456" + "11" + "11" + "0" + "123", ""},
		{"second-purchase", "012345612345611110123" + "1" + "2" + "3123" + "1" + "456" + "9", ""},
		{"second-purchase-gcp", "012345612345611110123" + "1" + "0" + "11" + "0" + "456" + "0" + "765432", ""},
		{"third-purchase", "012345612345611110123" + "2" + "11" + "4" + "789" + "9", ""},
		{"dates", "012345612345611110123" + "3" + "261231" + "4" + "260101", ""},
		{"serial-retailer-misc", "012345612345611110123" + "5" + "0" + "123456" + "6" + "1" + "1234567" + "9" + "5" + "1" + "7" + "0", ""},
		{"all-fields", "012345612345611110123" + "101104569" + "21147899" + "3261231" + "4260101" + "611234567" + "90000", ""},

		{"non-digit", "0123456123456111101a3", "not numeric"},
		{"gcp-vli-7", "71234567890123", "GS1 Company Prefix length indicator 7 is not 0 to 6"},
		{"gcp-truncated", "012345", "GS1 Company Prefix needs 6 digits, 5 are left"},
		{"offer-truncated", "012345612345", "offer code needs 6 digits"},
		{"save-value-missing", "0123456123456", "save value length indicator is missing"},
		{"save-value-vli-0", "01234561234560", "save value length indicator 0 is not 1 to 5"},
		{"save-value-vli-6", "01234561234566123456", "save value length indicator 6 is not 1 to 5"},
		{"purchase-code-5", "012345612345611115123", "primary purchase requirement code 5 is not 0-4 or 9"},
		{"family-truncated", "01234561234561111012", "primary purchase family code needs 3 digits"},
		{"rules-code-4", "012345612345611110123" + "14", "additional purchase rules code 4 is not 0-3"},
		{"second-gcp-vli-7", "012345612345611110123" + "1" + "0" + "11" + "0" + "456" + "7", "second purchase GCP length indicator 7 is not 0-6 or 9"},
		{"third-code-8", "012345612345611110123" + "2" + "11" + "8" + "789" + "9", "third purchase requirement code 8 is not 0-4 or 9"},
		{"bad-expiry", "012345612345611110123" + "3" + "261331", "expiration date 261331 is not a valid date"},
		{"expiry-short", "012345612345611110123" + "3" + "2612", "expiration date needs 6 digits, 4 are left"},
		{"start-after-expiry", "012345612345611110123" + "3" + "260101" + "4" + "261231", "expiration date 260101 is before the start date 261231"},
		{"bad-start", "012345612345611110123" + "4" + "260230", "start date 260230 is not a valid date"},
		{"serial-truncated", "012345612345611110123" + "5" + "3" + "12345678", "serial number needs 9 digits, 8 are left"},
		{"retailer-vli-0", "012345612345611110123" + "6" + "0" + "123456", "retailer GCP/GLN length indicator 0 is not 1 to 7"},
		{"save-value-code-3", "012345612345611110123" + "9" + "3" + "000", "save value code 3 is not 0, 1, 2, 5 or 6"},
		{"applies-to-3", "012345612345611110123" + "9" + "0" + "3" + "00", "save value applies to item 3 is not 0-2"},
		{"dont-multiply-2", "012345612345611110123" + "9" + "0" + "0" + "0" + "2", "don't multiply flag 2 is not 0 or 1"},
		{"misc-truncated", "012345612345611110123" + "9" + "00", "store coupon flag is missing"},
		{"out-of-order", "012345612345611110123" + "4260101" + "3261231", `"3261231" at position 29 is not an optional field`},
		{"repeated-field", "012345612345611110123" + "3261231" + "3261231", "is not an optional field"},
		{"unknown-field-7", "012345612345611110123" + "7", `"7" at position 22 is not an optional field`},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkCoupon(t, "8110", c.v, c.wantErr)
		})
	}
}

// TestGS1Coupon8112 checks AI (8112), the positive offer file coupon.
func TestGS1Coupon8112(t *testing.T) {
	for _, c := range []struct{ name, v, wantErr string }{
		{"format-0", "001234561234560123456", ""},
		{"format-1", "101234561234560123456", ""},
		{"funder-vli-6-serial-vli-9", "061234567890121234569123456789012345", ""},
		{"format-2", "201234561234560123456", "format code 2 is not 0 or 1"},
		{"empty-after-format", "0", "funder ID length indicator is missing"},
		{"funder-vli-7", "07", "funder ID length indicator 7 is not 0 to 6"},
		{"funder-truncated", "0012345", "funder ID needs 6 digits, 5 are left"},
		{"offer-truncated", "001234561", "offer code needs 6 digits, 1 are left"},
		{"serial-missing", "00123456123456", "serial number length indicator is missing"},
		{"serial-truncated", "001234561234561123456", "serial number needs 7 digits, 6 are left"},
		{"excess", "0012345612345601234567", `"7" after the serial number is excess data`},
		{"non-digit", "a01234561234560123456", "not numeric"},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkCoupon(t, "8112", c.v, c.wantErr)
		})
	}
}

func checkCoupon(t *testing.T, ai, v, wantErr string) {
	t.Helper()
	elems, err := ParseGS1("(" + ai + ")" + v)
	if wantErr == "" {
		if err != nil {
			t.Fatalf("(%s)%s: unexpected error %v", ai, v, err)
		}
		if len(elems) != 1 || elems[0].AI != ai || elems[0].Value != v {
			t.Fatalf("got %q", elems)
		}
		return
	}
	var ge *GS1Error
	if !errors.As(err, &ge) || ge.AI != ai {
		t.Fatalf("(%s)%s: got %v, want a *GS1Error for AI %s", ai, v, err, ai)
	}
	if !strings.Contains(err.Error(), wantErr) {
		t.Errorf("(%s)%s: got %q, want it to say %q", ai, v, err, wantErr)
	}
}

// TestGS1ISO4217 checks the currency AIs (391n amount payable with currency) against the ISO
// 4217 numeric list: 978 (EUR) and 392 (JPY) pass, 000, 001 and the withdrawn 280 (DEM) not.
func TestGS1ISO4217(t *testing.T) {
	for num, ok := range map[string]bool{"978": true, "392": true, "414": true, "928": true, "000": false, "001": false, "280": false, "931": false} {
		_, err := ParseGS1("(8020)ABC123(415)5412345678908(3912)" + num + "1234")
		if (err == nil) != ok {
			t.Errorf("currency %s: got %v, want valid=%v", num, err, ok)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "not an ISO 4217 numeric currency code")) {
			t.Errorf("currency %s: got %v, want it named as not ISO 4217", num, err)
		}
	}
}

// TestLookupCurrency checks the ISO 4217 table: exponents that differ from the usual 2, both
// directions of lookup, and that every numeric code is unique and three digits.
func TestLookupCurrency(t *testing.T) {
	for alpha, want := range map[string]Currency{
		"EUR": {"EUR", "978", 2}, "JPY": {"JPY", "392", 0}, "KWD": {"KWD", "414", 3},
		"BHD": {"BHD", "048", 3}, "IQD": {"IQD", "368", 3}, "CLF": {"CLF", "990", 4},
		"ISK": {"ISK", "352", 0}, "XAU": {"XAU", "959", -1}, "VES": {"VES", "928", 2},
	} {
		got, ok := LookupCurrency(alpha)
		if !ok || got != want {
			t.Errorf("LookupCurrency(%s) = %+v, %v; want %+v", alpha, got, ok, want)
		}
		back, ok := LookupCurrencyNumeric(want.Numeric)
		if !ok || back != want {
			t.Errorf("LookupCurrencyNumeric(%s) = %+v, %v; want %+v", want.Numeric, back, ok, want)
		}
	}
	for _, bad := range []string{"DEM", "FRF", "CUC", "eur", "EU", ""} {
		if c, ok := LookupCurrency(bad); ok {
			t.Errorf("LookupCurrency(%q) = %+v, want not found (withdrawn or malformed)", bad, c)
		}
	}
	if len(iso4217Numeric) != len(iso4217) {
		t.Errorf("%d alphabetic codes but %d numeric ones: a numeric code is repeated", len(iso4217), len(iso4217Numeric))
	}
	for alpha, c := range iso4217 {
		if len(alpha) != 3 || len(c.num) != 3 || !allDigits(c.num) || c.minor < -1 || c.minor > 4 {
			t.Errorf("%s: malformed entry %+v", alpha, c)
		}
	}
}
