package scanner

import (
	"math/big"
	"strconv"
	"strings"
)

// checkCharset checks a component against its character set: N digits,
// X GS1 AI encodable character set 82, Y CSET 39, Z CSET 64 (GS1 General
// Specifications, section 7.11, figures 7.11-1 to 7.11-3).
func checkCharset(ai string, cset byte, v string) error {
	if cset == 'Z' {
		if err := checkCSet64Padding(ai, v); err != nil {
			return err
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := false
		switch cset {
		case 'N':
			ok = c >= '0' && c <= '9'
		case 'X':
			ok = isCSet82(c)
		case 'Y':
			ok = c == '#' || c == '-' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
		case 'Z':
			ok = c == '-' || c == '_' || c == '=' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		}
		if !ok {
			if cset == 'N' {
				return gs1Errorf(ai, "%q is not numeric", clip(v, 40))
			}
			return gs1Errorf(ai, "%q has a character outside the allowed set: %q", clip(v, 40), string(rune(c)))
		}
	}
	return nil
}

// isCSet82 reports whether c is in GS1 AI encodable character set 82:
// ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z.
func isCSet82(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
}

// lint applies one of the dictionary's content checks to a component. The
// linters are those of the GS1 Barcode Syntax Tests; the ones that need
// data this package does not carry (GS1 Company Prefix positions, the
// media-type table, the alphanumeric check pair) are not applied.
func lint(ai, name, v string) error {
	switch name {
	case "csum":
		if !validMod10(v) {
			return gs1Errorf(ai, "check digit of %s is wrong, want %c", v, mod10(v[:len(v)-1]))
		}
	case "yymmd0", "yymmdd":
		if !validYYMMDD(v, name == "yymmd0") {
			return gs1Errorf(ai, "%s is not a valid date", v)
		}
	case "yyyymmdd":
		if len(v) != 8 || !validDate(atoi(v[:4]), atoi(v[4:6]), atoi(v[6:8]), false) {
			return gs1Errorf(ai, "%s is not a valid date", v)
		}
	case "hhmi":
		if len(v) != 4 || atoi(v[:2]) > 23 || atoi(v[2:]) > 59 {
			return gs1Errorf(ai, "%s is not a valid time", v)
		}
	case "hh":
		if atoi(v) > 23 {
			return gs1Errorf(ai, "%s is not a valid hour", v)
		}
	case "mi", "ss":
		if atoi(v) > 59 {
			return gs1Errorf(ai, "%s is not a valid minute or second", v)
		}
	case "yesno":
		if v != "0" && v != "1" {
			return gs1Errorf(ai, "%s is not 0 or 1", v)
		}
	case "zero":
		if strings.Trim(v, "0") != "" {
			return gs1Errorf(ai, "%s must be zero", v)
		}
	case "nonzero":
		if strings.Trim(v, "0") == "" {
			return gs1Errorf(ai, "%s must not be zero", v)
		}
	case "nozeroprefix":
		if len(v) > 1 && v[0] == '0' {
			return gs1Errorf(ai, "%s must not start with 0", v)
		}
	case "winding":
		if v != "0" && v != "1" && v != "9" {
			return gs1Errorf(ai, "%s is not a winding direction (0, 1 or 9)", v)
		}
	case "iso5218":
		if v != "0" && v != "1" && v != "2" && v != "9" {
			return gs1Errorf(ai, "%s is not an ISO/IEC 5218 sex code", v)
		}
	case "pieceoftotal":
		piece, total := atoi(v[:len(v)/2]), atoi(v[len(v)/2:])
		if piece == 0 || total == 0 || piece > total {
			return gs1Errorf(ai, "%s is not a valid piece of total", v)
		}
	case "hyphen":
		if strings.Trim(v, "-") != "" {
			return gs1Errorf(ai, "%q must be a hyphen", v)
		}
	case "hasnondigit":
		if allDigits(v) {
			return gs1Errorf(ai, "%s must contain a non-digit", v)
		}
	case "pcenc":
		if !validPercentEncoding(v) {
			return gs1Errorf(ai, "%q has a bad percent-encoding", clip(v, 40))
		}
	case "latitude":
		if atoi64(v) > 1800000000 {
			return gs1Errorf(ai, "%s is not a valid latitude", v)
		}
	case "longitude":
		if atoi64(v) > 3600000000 {
			return gs1Errorf(ai, "%s is not a valid longitude", v)
		}
	case "iso3166", "iso3166999":
		if !(name == "iso3166999" && v == "999") && !isCountry(v) {
			return gs1Errorf(ai, "%s is not an ISO 3166 country code", v)
		}
	case "iso3166alpha2":
		if len(v) != 2 || !isCountry(v) {
			return gs1Errorf(ai, "%s is not an ISO 3166 country code", v)
		}
	case "iban":
		if !validIBAN(v) {
			return gs1Errorf(ai, "%s is not a valid IBAN", v)
		}
	case "importeridx":
		if len(v) != 1 || !isImporterIndex(v[0]) {
			return gs1Errorf(ai, "importer index %q is not one of - 0-9 A-Z _ a-z", clip(v, 4))
		}
	case "iso4217":
		if _, ok := LookupCurrencyNumeric(v); !ok {
			return gs1Errorf(ai, "%s is not an ISO 4217 numeric currency code", clip(v, 4))
		}
	case "couponcode":
		return lintCouponCode(ai, v)
	case "couponposoffer":
		return lintCouponPosOffer(ai, v)
	case "posinseqslash":
		if !validPosInSeq(v) {
			return gs1Errorf(ai, "%q is not a position in a sequence N/M with 1 ≤ N ≤ M", clip(v, 10))
		}
	}
	return nil
}

// isImporterIndex reports whether c may be the importer index of AI (7040): the CSET 64
// characters without the padding "=" (GS1 General Specifications, 3.9.17).
func isImporterIndex(c byte) bool {
	return c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

// validPosInSeq checks "N/M", a position N of M with 1 ≤ N ≤ M (AI 7258, birth sequence).
func validPosInSeq(v string) bool {
	pos, total, ok := strings.Cut(v, "/")
	if !ok || !allDigits(pos) || !allDigits(total) || pos[0] == '0' || total[0] == '0' {
		return false
	}
	return atoi64(pos) <= atoi64(total)
}

// checkCSet64Padding checks the "=" of a CSET 64 (base64url) value: padding only, at the end, at
// most two, and then the length is a multiple of four.
func checkCSet64Padding(ai, v string) error {
	i := strings.IndexByte(v, '=')
	if i < 0 {
		return nil
	}
	pad := v[i:]
	if strings.Trim(pad, "=") != "" || len(pad) > 2 || len(v)%4 != 0 {
		return gs1Errorf(ai, "%q: \"=\" is only base64 padding (one or two at the end of a length that is a multiple of 4)", clip(v, 40))
	}
	return nil
}

// validYYMMDD checks a GS1 six-digit date; with dayZero, DD may be 00 for
// "end of month" (GS1 General Specifications, 3.4.x date fields). The
// century does not change the answer except for leap years, which the
// GS1 window (7.12) places in 2000-2099 for two-digit years near today.
func validYYMMDD(v string, dayZero bool) bool {
	if len(v) != 6 || !allDigits(v) {
		return false
	}
	return validDate(2000+atoi(v[:2]), atoi(v[2:4]), atoi(v[4:6]), dayZero)
}

func validDate(y, m, d int, dayZero bool) bool {
	if m < 1 || m > 12 {
		return false
	}
	if d == 0 {
		return dayZero
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func validPercentEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			continue
		}
		if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
			return false
		}
		i += 2
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// validIBAN applies the ISO 13616 mod-97 check.
func validIBAN(v string) bool {
	if len(v) < 5 {
		return false
	}
	var b strings.Builder
	for _, c := range v[4:] + v[:4] {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteString(strconv.Itoa(int(c-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// atoi parses a short digit string; callers have checked the digits.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// atoi64 reads a digit string as an int64, so 10-digit values work on 32-bit ARM too.
func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
