package main

import (
	"strings"

	"github.com/storeagent/storeagent/devices/escpos"
)

// own holds the keys escpos-printer-db does not have, each set only where a manual says so.
type own struct {
	transports []string
	serial     *escpos.SerialSettings
	usb        []escpos.USBID
	pins       []int
	dleEOT     bool
	asb        bool
	sources    string
	// offMS is the drawer pulse's off time (on is 100 ms); qrMax the largest QR module size (0: 16).
	offMS int
	qrMax int
	// checked says what was checked against a manual (the profile's checked key).
	checked string
}

// golden lists the generated profiles whose command bytes devices/escpos/testdata/manual_golden.yaml
// checks against their maker's manuals.
var golden = map[string]bool{"TM-T20II": true, "TM-T88IV": true, "TM-L90": true, "TM-T70II": true, "SRP-S300": true, "CT-S651": true}

// What was checked, by vendor (the golden file names each byte string's manual and page).
const (
	checkedEpson   = "golden bytes (devices/escpos/testdata/manual_golden.yaml) of DLE EOT 1-4 and their status bits, the ASB bytes, GS V 65/66 n, GS ( k QR (functions 165/167/169/180/181), ESC t 19 = PC858 and ESC p m t1 t2 against Epson's command manuals (TM-T88III Specification Rev. B and Programming Guide Ver. 10.01, TM-T81 Specification); this model's own Technical Reference and the db's code page list not checked"
	checkedEpsonNo = "not checked against this model's manual: the command bytes are the ones the golden bytes check against Epson's command manuals on other Epson models; the db's code page list not checked"
	checkedCitizen = "golden bytes (devices/escpos/testdata/manual_golden.yaml) of DLE EOT 1 and the status identification bits, GS V 66 n (feed and partial cut), GS ( k QR, ESC p with OFF at least 4 x ON against the Citizen Command Reference Rev. 0.23 (CT-S310II, CT-S651 and others) and the CT-S300 and CBM-253 manuals (ESC p duty); ESC t numbers not checked (escpos-printer-db)"
	checkedBixolon = "golden bytes (devices/escpos/testdata/manual_golden.yaml) of DLE EOT 1 and its status bits, the ASB first byte, GS ( k QR with module size 1..8, GS V 66 n and ESC p against Bixolon's command manuals (SRP-F310/312 Rev. 1.01, SRP-350V Ver. 1.00, SRP-350/352plusA&C Rev. 1.03, SRP-500 Rev. 1.00; not this model's own); ESC t numbers not checked"
	checkedNone    = "not checked against a manufacturer's manual: escpos-printer-db data, command bytes as in Epson's ESC/POS manuals"
)

// Manuals the vendor rules rely on (read through the project's manual search; see README).
const (
	srcEpson   = "Epson ESC/POS Command Reference and TM-T88III Programming Guide (DLE EOT n, GS a ASB, GS V, ESC p m t1 t2 with m = 0 pin 2 / 1 pin 5, ESC t, GS ( k fn 165/167/169/180/181); TM-U295 manual (DLE EOT 1 bit 2 = drawer kick-out connector pin 3); TM-L90 and TM-T81 specifications (GS ( k QR)"
	srcCitizen = "Citizen Command Reference (CT-S310II, CT-S651(II) and others, Rev 0.23: DLE EOT n with drawer kick connector pin 3 status, GS a, GS V, ESC t, GS ( k); Citizen CBM-291 manual (ESC p m n1 n2, m0 = 0 pin 2, 1 pin 5, times n x 2 ms); CT-S300 manual p. 124 and CBM-253 manual p. 68 (ESC p: ON/(ON+OFF) <= 0.2, so the pulse is 100 ms on, 400 ms off)"
	srcBixolon = "Bixolon Thermal POS Printer Command Manual Ver. 1.01 (supported models include SRP-S300: DLE EOT, GS a with drawer kick-out pin 3 bit, GS ( k Function 180/181, ESC p, GS V); SRP-F310/312 Command Manual Rev. 1.01 (same status bits); SRP-350/352plusA&C Control Commands Manual Rev. 1.03 p. 42 (GS ( k Function 167: module size 1..8)"
	srcSeiko   = "Seiko RP-F10 Series Technical Reference (ESC/POS-compatible command set: GS ( k, GS V, ESC p, ESC t); status support not confirmed, so DLE EOT is off"
	srcStar    = "Star TSP700/800 Programmer's Manual (code page list of the ESC/POS emulation); Star Line Mode Command Specifications Rev 1.12 (the native mode, not used); DLE EOT support in ESC/POS emulation not confirmed for the model, so it is off"
	srcNone    = "escpos-printer-db only; no manufacturer manual checked: status requests (DLE EOT) are off and transports are the usual ones"
)

// ownKeys returns the project's keys for db profile id by vendor; only the facts of a cited
// manual turn a feature on. Customer displays listed in the db (Oxhoo AF-240, Aures OCD) are
// reached over serial or USB serial only.
func ownKeys(id string, p dbProfile) own {
	o := own{transports: []string{"serial", "usblp", "tcp"}, pins: []int{2}, sources: srcNone, offMS: 200, checked: checkedNone}
	if strings.Contains(p.Name, "Customer Display") {
		o.transports = []string{"serial"}
		o.sources = srcNone + "; a customer display: use it as device type display with a display profile"
		return o
	}
	switch p.Vendor {
	case "Epson":
		o.sources, o.dleEOT, o.asb, o.pins = srcEpson, true, true, []int{2, 5}
		o.checked = checkedEpsonNo
		if golden[id] {
			o.checked = checkedEpson
		}
		switch {
		case strings.HasPrefix(id, "TM-T88IV"), strings.HasPrefix(id, "TM-T70"):
			// As the hand-written epson-tm-t88v profile: 04b8:0202 as lsusb lists it.
			o.usb = []escpos.USBID{{VID: 0x04b8, PID: 0x0202}}
			o.sources += "; USB id 04b8:0202 as lsusb lists it (TM-T88IV/V/TM-T70)"
		case strings.HasPrefix(id, "TM-T20II"):
			o.usb = []escpos.USBID{{VID: 0x04b8, PID: 0x0e15}}
			o.sources += "; USB id 04b8:0e15 as lsusb lists it (TM-T20II)"
		}
		if strings.HasPrefix(id, "TM-P80") {
			o.transports = []string{"serial", "tcp"}
		}
	case "Citizen":
		// Citizen's manuals: the drawer drive duty ON/(ON+OFF) must not exceed 0.2.
		o.sources, o.dleEOT, o.asb, o.pins, o.offMS = srcCitizen, true, true, []int{2, 5}, 400
		if golden[id] {
			o.checked = checkedCitizen
		}
	case "Bixolon":
		o.sources, o.dleEOT, o.asb, o.pins, o.qrMax = srcBixolon, true, true, []int{2, 5}, 8
		if golden[id] {
			o.checked = checkedBixolon
		}
	case "Seiko":
		o.sources, o.pins = srcSeiko, []int{2, 5}
		o.checked = "not checked: the Seiko RP-F10 Technical Reference was read for its command list only (see sources); no golden bytes"
	case "Star Micronics":
		o.sources = srcStar
		o.checked = "not checked: no Star ESC/POS-emulation manual was found; the code page numbers are the db's and may be the Star Line Mode numbering"
	}
	return o
}
