package scanner

import (
	"bytes"
	"sort"
	"strings"
)

// Symbology names, stable across the contract (the "symbology" of scan
// events and of POST /api/v1/scan).
const (
	EAN13         = "ean13"
	EAN8          = "ean8"
	UPCA          = "upca"
	UPCE          = "upce"
	Code128       = "code128"
	GS1128        = "gs1-128"
	Code39        = "code39"
	Code93        = "code93"
	ITF           = "itf"
	Codabar       = "codabar"
	QR            = "qr"
	GS1QR         = "gs1-qr"
	DataMatrix    = "datamatrix"
	GS1DataMatrix = "gs1-datamatrix"
	GS1DataBar    = "gs1-databar"
	DotCode       = "dotcode"
	GS1DotCode    = "gs1-dotcode"
	PDF417        = "pdf417"
	Aztec         = "aztec"
	Unknown       = "unknown"
)

// IDConfig says how a scanner marks the symbology of what it sends. AIM
// symbology identifiers ("]E0…", ISO/IEC 15424) are always recognised;
// VendorIDs adds a vendor's own code IDs.
type IDConfig struct {
	// VendorIDs maps a vendor code ID prefix (Honeywell "d" for EAN-13,
	// "j" for Code 128, "s" for QR, …) to a symbology name. The prefix is
	// taken off the data. Longer prefixes win over shorter ones.
	VendorIDs map[string]string `yaml:"vendor_ids" json:"vendor_ids,omitempty"`
}

// aimSymbology maps an AIM symbology identifier (flag "]", code character,
// modifier) to a symbology name and reports whether it is known. The table
// follows ISO/IEC 15424:2008 table 1 and the modifiers of GS1 General
// Specifications figure 5.1.2-2 and the symbology standards (ISO/IEC 18004
// QR: Q1 plain, Q3 FNC1 in first position = GS1, Q5 FNC1 in second
// position = AIM application, +1 with ECI; ISO/IEC 16022 Data Matrix: d1
// plain, d2 GS1, d3 AIM, d4-d6 the same with ECI).
func aimSymbology(code, mod byte) (string, bool) {
	switch code {
	case 'A':
		return Code39, true
	case 'C':
		if mod == '1' {
			return GS1128, true
		}
		return Code128, true
	case 'E':
		return EAN13, true // refined from the data length by Identify
	case 'F':
		return Codabar, true
	case 'G':
		return Code93, true
	case 'I':
		return ITF, true
	case 'L':
		return PDF417, true
	case 'Q':
		if mod == '3' || mod == '4' {
			return GS1QR, true
		}
		return QR, true
	case 'd':
		if mod == '2' || mod == '5' {
			return GS1DataMatrix, true
		}
		return DataMatrix, true
	case 'e':
		return GS1DataBar, true
	case 'z':
		return Aztec, true
	case 'J':
		// ISO/IEC 21471 DotCode: J1 is FNC1 in first position, i.e. GS1 (GS1 General
		// Specifications, figure 5.1.2-2).
		if mod == '1' {
			return GS1DotCode, true
		}
		return DotCode, true
	case 'H', 'M', 'U', 'X', 'Z', 'B', 'D', 'K', 'N', 'O', 'P', 'R', 'S', 'T', 'c', 'o', 'p', 's':
		// Code 11, MSI, MaxiCode, other, non-barcode, … : known
		// identifiers without a contract name.
		return Unknown, true
	}
	return "", false
}

// Identify finds the symbology of raw scanner data and returns it with the
// data that follows the identifier. An AIM identifier is tried first, then
// the vendor code IDs of p, then the content is guessed: 13 digits →
// ean13, 12 → upca, 8 → ean8 (or upce when only the UPC-E check fits),
// a leading GS or bracketed AIs → gs1-128, a URI → qr, other printable
// ASCII → code128, anything else → qr.
func Identify(raw []byte, p IDConfig) (symbology string, data []byte) {
	if len(raw) >= 3 && raw[0] == ']' {
		if name, ok := aimSymbology(raw[1], raw[2]); ok {
			data = raw[3:]
			if raw[1] == 'E' {
				name = eanByLength(raw[2], data)
			}
			return name, data
		}
	}
	if len(p.VendorIDs) > 0 {
		prefixes := make([]string, 0, len(p.VendorIDs))
		for k := range p.VendorIDs {
			if k != "" {
				prefixes = append(prefixes, k)
			}
		}
		sort.Slice(prefixes, func(i, j int) bool {
			if len(prefixes[i]) != len(prefixes[j]) {
				return len(prefixes[i]) > len(prefixes[j])
			}
			return prefixes[i] < prefixes[j]
		})
		for _, k := range prefixes {
			if bytes.HasPrefix(raw, []byte(k)) {
				rest := raw[len(k):]
				// Some scanners send the vendor ID and then the AIM ID.
				if len(rest) >= 3 && rest[0] == ']' {
					if _, ok := aimSymbology(rest[1], rest[2]); ok {
						rest = rest[3:]
					}
				}
				return p.VendorIDs[k], rest
			}
		}
	}
	return guessSymbology(raw), raw
}

// eanByLength names an EAN/UPC read by its AIM modifier and length: ]E4 is
// EAN-8; ]E0 carries EAN-13 as 13 digits (and UPC-A as 13 digits with a
// leading 0, which stays ean13: the two are the same GTIN-13), UPC-A as
// 12 and UPC-E as 6 to 8 digits when the reader does not expand them;
// ]E3 is EAN/UPC with an add-on, named by the main symbol.
func eanByLength(mod byte, data []byte) string {
	if mod == '4' {
		return EAN8
	}
	n := len(data)
	if mod == '3' {
		n -= addOnLen(n)
	}
	switch n {
	case 12:
		return UPCA
	case 6, 7, 8:
		return UPCE
	}
	return EAN13
}

// addOnLen guesses the add-on length of an ]E3 read: 2 or 5 digits after a
// 13- or 12-digit main symbol.
func addOnLen(n int) int {
	switch n {
	case 15, 14, 10:
		return 2
	case 18, 17, 13:
		return 5
	}
	return 0
}

// guessSymbology names data that carries no identifier.
func guessSymbology(raw []byte) string {
	s := string(raw)
	if allDigits(s) {
		switch len(s) {
		case 13:
			return EAN13
		case 12:
			return UPCA
		case 8:
			if !validMod10(s) {
				if _, err := ExpandUPCE(s); err == nil {
					return UPCE
				}
			}
			return EAN8
		case 14:
			return ITF // the usual carrier of a bare GTIN-14
		}
		return Code128
	}
	if len(s) > 0 && s[0] == gs {
		return GS1128
	}
	if strings.HasPrefix(s, "(") {
		if _, n := bracketAIAt(s); n > 0 {
			return GS1128
		}
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return QR
	}
	if strings.IndexByte(s, gs) > 0 {
		if _, _, ok := lookupAI(s); ok {
			return GS1128
		}
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x20 && raw[i] != gs || raw[i] > 0x7e {
			return QR
		}
	}
	if len(raw) == 0 {
		return Unknown
	}
	return Code128
}
