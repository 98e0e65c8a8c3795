package scanner

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCheckDigit is wrapped by errors about a wrong check digit.
var ErrCheckDigit = errors.New("check digit mismatch")

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mod10 returns the GS1 check digit for the digits in payload (the code
// without its check digit): from the right, weights 3, 1, 3, …; the check
// digit brings the sum to a multiple of ten (GS1 General Specifications,
// section 7.9.1). payload must be all digits.
func mod10(payload string) byte {
	sum := 0
	w := 3
	for i := len(payload) - 1; i >= 0; i-- {
		sum += int(payload[i]-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// validMod10 reports whether code (digits, check digit last) is all digits
// and ends with its GS1 check digit.
func validMod10(code string) bool {
	return len(code) >= 2 && allDigits(code) && mod10(code[:len(code)-1]) == code[len(code)-1]
}

// checkGTIN returns an error naming what is wrong with a GTIN-8/12/13/14.
func checkGTIN(code string) error {
	if !allDigits(code) {
		return fmt.Errorf("GTIN %q: not all digits", code)
	}
	switch len(code) {
	case 8, 12, 13, 14:
	default:
		return fmt.Errorf("GTIN %q: %d digits, want 8, 12, 13 or 14", code, len(code))
	}
	if want := mod10(code[:len(code)-1]); want != code[len(code)-1] {
		return fmt.Errorf("GTIN %s: %w: got %c, want %c", code, ErrCheckDigit, code[len(code)-1], want)
	}
	return nil
}

// GTIN14 normalises an EAN-8, UPC-A, EAN-13 or GTIN-14 to 14 digits with
// leading zeros, after checking its check digit. UPC-E must be expanded
// first (ExpandUPCE).
func GTIN14(code string) (string, error) {
	if err := checkGTIN(code); err != nil {
		return "", err
	}
	return strings.Repeat("0", 14-len(code)) + code, nil
}

// ExpandUPCE expands a UPC-E code to the 12-digit UPC-A it stands for.
// It accepts 8 digits (number system 0 or 1, six data digits, check digit),
// 7 digits (number system and six data digits; the check digit is
// computed) or 6 data digits (number system 0). With 8 digits the check
// digit must match the expanded UPC-A's. The zero-suppression rules are
// those of GS1 General Specifications, section 5.2.2.4.2 (UPC-E):
// the last data digit 0-2 keeps three manufacturer digits and moves it
// to the third place, 3 keeps three, 4 keeps four, 5-9 keeps five.
func ExpandUPCE(code string) (string, error) {
	if !allDigits(code) {
		return "", fmt.Errorf("UPC-E %q: not all digits", code)
	}
	var ns byte = '0'
	var body, check string
	switch len(code) {
	case 6:
		body = code
	case 7:
		ns, body = code[0], code[1:]
	case 8:
		ns, body, check = code[0], code[1:7], code[7:]
	default:
		return "", fmt.Errorf("UPC-E %q: %d digits, want 6, 7 or 8", code, len(code))
	}
	if ns != '0' && ns != '1' {
		return "", fmt.Errorf("UPC-E %s: number system %c, want 0 or 1", code, ns)
	}
	d := body
	var p string
	switch d[5] {
	case '0', '1', '2':
		p = d[0:2] + d[5:6] + "0000" + d[2:5]
	case '3':
		p = d[0:3] + "00000" + d[3:5]
	case '4':
		p = d[0:4] + "00000" + d[4:5]
	default:
		p = d[0:5] + "0000" + d[5:6]
	}
	upca := string(ns) + p
	c := mod10(upca)
	if check != "" && check[0] != c {
		return "", fmt.Errorf("UPC-E %s: %w: got %s, want %c", code, ErrCheckDigit, check, c)
	}
	return upca + string(c), nil
}
