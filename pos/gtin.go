package pos

// GTIN14 normalises an EAN-8, UPC-A, EAN-13 or GTIN-14 with a valid check digit to 14 digits, the
// form the replica stores and compares.
func GTIN14(code string) (string, bool) {
	switch len(code) {
	case 8, 12, 13, 14:
	default:
		return "", false
	}
	sum := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return "", false
		}
		d := int(c - '0')
		// Weights 3,1,3,… from the digit left of the check digit.
		if (len(code)-1-i)%2 == 1 {
			d *= 3
		}
		if i < len(code)-1 {
			sum += d
		}
	}
	if (10-sum%10)%10 != int(code[len(code)-1]-'0') {
		return "", false
	}
	return "00000000000000"[:14-len(code)] + code, true
}
