package pos

import "github.com/storeagent/storeagent/scanner"

// GTIN14 normalises an EAN-8, UPC-A, EAN-13 or GTIN-14 with a valid check digit to the 14 digits
// the replica stores and compares (scanner.GTIN14 without the reason).
func GTIN14(code string) (string, bool) {
	g, err := scanner.GTIN14(code)
	return g, err == nil
}
