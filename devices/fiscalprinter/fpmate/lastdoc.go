package fpmate

import (
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
)

// Parse1387 parses the responseData of directIO 1387 (last emitted document), laid out as in
// "Communication Protocol v8.1, pag. 144" per fiskaltrust's LastEmittedDocStatus:
//
//	OP(2) AMOUNT-cents(9) VAT-cents(9) DDMMYY(6) HHMMSS(6) Z(4) DOC(4) SERIAL(11) INST-LOTT(1)
//	LOTT-CODE(8) FISCAL(1) UUID(40) PDF-NAME(60) SPARE(32)
//
// Only the first 61 characters are needed; longer data is accepted up to 512 bytes. Numbers must
// be digits (leading spaces allowed), the date a real date, the fiscal flag 0 or 1.
func Parse1387(data string, loc *time.Location) (fiscalprinter.LastDocument, error) {
	var ld fiscalprinter.LastDocument
	if len(data) < 61 {
		return ld, fmt.Errorf("1387 data of %d characters, want at least 61", len(data))
	}
	if len(data) > 512 {
		return ld, fmt.Errorf("1387 data of %d characters is over 512", len(data))
	}
	if loc == nil {
		loc = time.Local
	}
	amount, err := digits(data[2:11], "amount")
	if err != nil {
		return ld, err
	}
	if _, err := digits(data[11:20], "VAT"); err != nil {
		return ld, err
	}
	for i := 20; i < 32; i++ {
		if data[i] < '0' || data[i] > '9' {
			return ld, fmt.Errorf("1387 date/time %q is not digits", data[20:32])
		}
	}
	at, err := time.ParseInLocation("020106150405", data[20:32], loc)
	if err != nil {
		return ld, fmt.Errorf("1387 date/time %q: %w", data[20:32], err)
	}
	z, err := digits(data[32:36], "Z number")
	if err != nil {
		return ld, err
	}
	doc, err := digits(data[36:40], "document number")
	if err != nil {
		return ld, err
	}
	serial := data[40:51]
	for _, c := range []byte(serial) {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == ' ') {
			return ld, fmt.Errorf("1387 serial %q holds %q", serial, c)
		}
	}
	switch data[60] {
	case '0':
	case '1':
		ld.Fiscal = true
	default:
		return ld, fmt.Errorf("1387 fiscal flag %q is neither 0 nor 1", data[60])
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7e {
			return fiscalprinter.LastDocument{}, errors.New("1387 data holds a non-printable byte")
		}
	}
	ld.AmountMinor, ld.At, ld.ZNo, ld.DocNo = amount, at, int(z), int(doc)
	ld.Serial = trimSpace(serial)
	return ld, nil
}

// digits parses a fixed-width unsigned number, allowing leading spaces.
func digits(s, what string) (int64, error) {
	var n int64
	started := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' && !started:
		case c >= '0' && c <= '9':
			started = true
			n = n*10 + int64(c-'0')
		default:
			return 0, fmt.Errorf("1387 %s %q is not a number", what, s)
		}
	}
	if !started {
		return 0, fmt.Errorf("1387 %s is empty", what)
	}
	return n, nil
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	return s[i:j]
}

// parseSerial builds the 11-character RT serial from directIO 3217's responseData and the RT
// type letter (queryPrinterStatus statusType=1, rtType), as fiskaltrust and the Italian POS
// library do: data[10:12] + type + data[8:10] + data[2:8], e.g. "99" "M" "EY" "012345".
func parseSerial(data, rtType string) (string, error) {
	if len(data) < 12 || len(data) > 512 {
		return "", fmt.Errorf("3217 data of %d characters, want 12..512", len(data))
	}
	if len(rtType) != 1 {
		return "", fmt.Errorf("rtType %q is not one character", rtType)
	}
	s := data[10:12] + rtType + data[8:10] + data[2:8]
	if !validSerial(s) {
		return "", fmt.Errorf("serial %q from 3217 data %q is not 11 capital letters or digits", s, data)
	}
	return s, nil
}
