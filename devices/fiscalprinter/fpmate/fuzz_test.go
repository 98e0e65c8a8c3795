package fpmate

import (
	"strings"
	"testing"
	"time"
)

// Samples: fiskaltrust's ResponsePrinterStatusBasic.xml (verbatim), the receipt shape the
// research infers, a refusal, a directIO answer.
var responseSeeds = []string{
	`<response success="true" code="" status="x"><addInfo><elementList>lastCommand,printerStatus</elementList><lastCommand>74</lastCommand><cpuRel>07.00</cpuRel><mfRel>04.3</mfRel><mfStatus>0</mfStatus><fpStatus>00110</fpStatus></addInfo></response>`,
	`<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><response success="true" code="" status="2"><addInfo><elementList>lastCommand,printerStatus,fiscalReceiptNumber,fiscalReceiptAmount,fiscalReceiptDate,fiscalReceiptTime,zRepNumber</elementList><lastCommand>74</lastCommand><printerStatus>20110</printerStatus><fiscalReceiptNumber>17</fiscalReceiptNumber><fiscalReceiptAmount>2,16</fiscalReceiptAmount><fiscalReceiptDate>5/3/2025</fiscalReceiptDate><fiscalReceiptTime>10:41</fiscalReceiptTime><zRepNumber>42</zRepNumber></addInfo></response></soapenv:Body></soapenv:Envelope>`,
	`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><response success="false" code="EPTR_REC_EMPTY" status="3"><addInfo><elementList>lastCommand</elementList><lastCommand>74</lastCommand></addInfo></response></soapenv:Body></soapenv:Envelope>`,
	`<response success="true" code="" status="0"><addInfo><elementList>printerStatus,responseData</elementList><printerStatus>00110</printerStatus><responseData>01000000216000000039050325104112004200179 9MEY012345 ABCDEFGN1</responseData></addInfo></response>`,
	`<response success="true"`,
	`<!DOCTYPE x [<!ENTITY a "b">]><response success="true"/>`,
}

func TestParseResponse_samples(t *testing.T) {
	r, err := ParseResponse([]byte(responseSeeds[0]))
	if err != nil || !r.Success || r.StatusText != "x" || r.Info["fpStatus"] != "00110" || r.Info["cpuRel"] != "07.00" {
		t.Errorf("status sample = %+v, %v", r, err)
	}
	r, err = ParseResponse([]byte(responseSeeds[1]))
	if err != nil || r.Status != 2 || r.Info["fiscalReceiptAmount"] != "2,16" || r.Info["zRepNumber"] != "42" {
		t.Errorf("receipt sample = %+v, %v", r, err)
	}
	latin1 := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><response success=\"true\"><addInfo><m>Caff\xe8</m></addInfo></response>"
	if r, err := ParseResponse([]byte(latin1)); err != nil || r.Info["m"] != "Caffè" {
		t.Errorf("latin-1 answer = %+v, %v", r, err)
	}
	r, err = ParseResponse([]byte(responseSeeds[2]))
	if err != nil || r.Success || r.Code != "EPTR_REC_EMPTY" || r.Status != 3 {
		t.Errorf("refusal sample = %+v, %v", r, err)
	}
	for _, bad := range []string{
		responseSeeds[4], responseSeeds[5], "", "<response/>",
		`<response success="yes"/>`,
		`<response success="true"/><response success="true"/>`,
		`<other><response success="true"/></other>`,
		`<response success="true"><addInfo><a><b>1</b></a></addInfo></response>`,
		`<response success="true"><addInfo><a>1</a><a>2</a></addInfo></response>`,
		`<response success="true"><addInfo><a>` + strings.Repeat("x", maxFieldLen+1) + `</a></addInfo></response>`,
	} {
		if _, err := ParseResponse([]byte(bad)); err == nil {
			t.Errorf("ParseResponse accepted %.80q", bad)
		}
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err != nil {
			return
		}
		if len(r.Info) > maxInfoFields {
			t.Fatalf("%d fields", len(r.Info))
		}
		for k, v := range r.Info {
			if len(v) > maxFieldLen || k == "" {
				t.Fatalf("field %q of %d bytes", k, len(v))
			}
		}
	})
}

// sample1387 is the layout of FT's LastEmittedDocStatus: 2,16 € on 05/03/25 10:41:12, Z 42 doc
// 17, serial 99MEY012345, lottery code ABCDEFGN, fiscal.
const sample1387 = "01" + "000000216" + "000000039" + "050325" + "104112" + "0042" + "0017" + "99MEY012345" + "1" + "ABCDEFGN" + "1"

func TestParse1387(t *testing.T) {
	ld, err := Parse1387(sample1387+strings.Repeat(" ", 132), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 3, 5, 10, 41, 12, 0, time.UTC)
	if ld.AmountMinor != 216 || ld.ZNo != 42 || ld.DocNo != 17 || ld.Serial != "99MEY012345" || !ld.Fiscal || !ld.At.Equal(want) {
		t.Errorf("Parse1387 = %+v", ld)
	}
	for name, bad := range map[string]string{
		"short":       sample1387[:60],
		"letter in Z": sample1387[:32] + "00X2" + sample1387[36:],
		"bad date":    sample1387[:20] + "320325" + sample1387[26:],
		"flag":        sample1387[:60] + "2",
		"control":     sample1387 + "\x00",
	} {
		if _, err := Parse1387(bad, time.UTC); err == nil {
			t.Errorf("%s: accepted %q", name, bad)
		}
	}
}

func Fuzz1387(f *testing.F) {
	f.Add(sample1387)
	f.Add(sample1387[:60] + "0" + strings.Repeat(" ", 132))
	f.Add("01" + "        0" + "        0" + "010100" + "000000" + "   0" + "   0" + "           " + " " + "        " + "0")
	f.Fuzz(func(t *testing.T, s string) {
		ld, err := Parse1387(s, time.UTC)
		if err != nil {
			return
		}
		if ld.AmountMinor < 0 || ld.AmountMinor > 999_999_999 || ld.ZNo < 0 || ld.ZNo > 9999 || ld.DocNo < 0 || ld.DocNo > 9999 || len(ld.Serial) > 11 {
			t.Fatalf("out of range: %+v", ld)
		}
	})
}

func TestParseAmountAndDate(t *testing.T) {
	for in, want := range map[string]int64{"2,16": 216, "2.16": 216, "0,5": 50, "12": 1200, "-1,00": -100} {
		if got, err := parseAmount(in); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1,234", "a", "1,", ",5", "1.2.3"} {
		if _, err := parseAmount(bad); err == nil {
			t.Errorf("parseAmount accepted %q", bad)
		}
	}
	at, err := parseDateTime("5/3/2025", "9:07", time.UTC)
	if err != nil || !at.Equal(time.Date(2025, 3, 5, 9, 7, 0, 0, time.UTC)) {
		t.Errorf("parseDateTime = %v, %v", at, err)
	}
}

func TestDecodeFpStatus(t *testing.T) {
	st, err := DecodeFpStatus("00110")
	if err != nil || st.Printer != "ok" || st.Journal != "ok" || st.DocumentOpen || !st.OK() {
		t.Errorf("00110 = %+v, %v", st, err)
	}
	st, err = DecodeFpStatus("31000")
	if err != nil || st.Printer != "offline" || st.Journal != "journal_low" || !st.DocumentOpen || st.OK() {
		t.Errorf("31000 = %+v, %v", st, err)
	}
	for _, bad := range []string{"0011", "001100", "90110", "09110"} {
		if _, err := DecodeFpStatus(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
