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
}

// Manuals the vendor rules rely on (read through the project's manual search; see README).
const (
	srcEpson   = "Epson ESC/POS Command Reference and TM-T88III Programming Guide (DLE EOT n, GS a ASB, GS V, ESC p m t1 t2 with m = 0 pin 2 / 1 pin 5, ESC t, GS ( k fn 165/167/169/180/181); TM-U295 manual (DLE EOT 1 bit 2 = drawer kick-out connector pin 3); TM-L90 and TM-T81 specifications (GS ( k QR)"
	srcCitizen = "Citizen Command Reference (CT-S310II, CT-S651(II) and others, Rev 0.23: DLE EOT n with drawer kick connector pin 3 status, GS a, GS V, ESC t, GS ( k); Citizen CBM-291 manual (ESC p m n1 n2, m0 = 0 pin 2, 1 pin 5, times n x 2 ms)"
	srcBixolon = "Bixolon Thermal POS Printer Command Manual Ver. 1.01 (supported models include SRP-S300: DLE EOT, GS a with drawer kick-out pin 3 bit, GS ( k Function 180/181, ESC p, GS V); SRP-F310/312 Command Manual Rev. 1.01 (same status bits)"
	srcSeiko   = "Seiko RP-F10 Series Technical Reference (ESC/POS-compatible command set: GS ( k, GS V, ESC p, ESC t); status support not confirmed, so DLE EOT is off"
	srcStar    = "Star TSP700/800 Programmer's Manual (code page list of the ESC/POS emulation); Star Line Mode Command Specifications Rev 1.12 (the native mode, not used); DLE EOT support in ESC/POS emulation not confirmed for the model, so it is off"
	srcNone    = "escpos-printer-db only; no manufacturer manual checked: status requests (DLE EOT) are off and transports are the usual ones"
)

// ownKeys returns the project's keys for db profile id by vendor; only the facts of a cited
// manual turn a feature on. Customer displays listed in the db (Oxhoo AF-240, Aures OCD) are
// reached over serial or USB serial only.
func ownKeys(id string, p dbProfile) own {
	o := own{transports: []string{"serial", "usblp", "tcp"}, pins: []int{2}, sources: srcNone}
	if strings.Contains(p.Name, "Customer Display") {
		o.transports = []string{"serial"}
		o.sources = srcNone + "; a customer display: use it as device type display with a display profile"
		return o
	}
	switch p.Vendor {
	case "Epson":
		o.sources, o.dleEOT, o.asb, o.pins = srcEpson, true, true, []int{2, 5}
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
		o.sources, o.dleEOT, o.asb, o.pins = srcCitizen, true, true, []int{2, 5}
	case "Bixolon":
		o.sources, o.dleEOT, o.asb, o.pins = srcBixolon, true, true, []int{2, 5}
	case "Seiko":
		o.sources, o.pins = srcSeiko, []int{2, 5}
	case "Star Micronics":
		o.sources = srcStar
	}
	return o
}
