package pos

import (
	"errors"
	"net/http"
	"strings"

	"github.com/storeagent/storeagent/scanner"
)

// GTIN14 normalises an EAN-8, UPC-A, EAN-13 or GTIN-14 with a valid check digit to the 14 digits
// the replica stores and compares (scanner.GTIN14 without the reason).
func GTIN14(code string) (string, bool) {
	g, err := scanner.GTIN14(code)
	return g, err == nil
}

// badCheckDigit reports whether code has the length and digits of a GTIN but a wrong check digit:
// a misread or mistyped barcode, which the API names as such rather than as an unknown code.
func badCheckDigit(code string) bool {
	_, err := scanner.GTIN14(strings.TrimSpace(code))
	return errors.Is(err, scanner.ErrCheckDigit)
}

// checkDigitErr is the 404 for a code that names nothing and whose check digit is wrong; err says
// which digit was expected.
func checkDigitErr(code string, err error) *RequestError {
	return reqErr(http.StatusNotFound, "not_found", "code %q has a bad check digit (%v): a misread or mistyped barcode", truncate(code, 40), err)
}
