package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/display"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// TestDevicesTable_printersAndDisplays: `storeagent devices` names the printer and pole display
// profiles of devices no scanner profile claims.
func TestDevicesTable_printersAndDisplays(t *testing.T) {
	scanners, err := devices.LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	printers, err := escpos.LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatal(err)
	}
	displays, err := display.LoadProfiles(firmwareprofiles.FS, display.ProfileDir)
	if err != nil {
		t.Fatal(err)
	}
	found := []devices.Found{
		{Path: "/dev/usb/lp0", Kind: devices.KindUSBLP, VID: "04b8", PID: "0e28", Product: "TM-T20III"},
		{Path: "/dev/ttyACM1", Kind: devices.KindSerial, VID: "04b8", PID: "0e32", Product: "EPSON DM-D110"},
		{Path: "/dev/ttyUSB1", Kind: devices.KindSerial, VID: "1a86", PID: "7523", Product: "USB Serial"},
		{Path: "/dev/ttyACM2", Kind: devices.KindSerial, VID: "05f9", PID: "4204", Product: "Magellan 3410VSi"},
	}
	var buf bytes.Buffer
	if err := devices.WriteDeviceTable(&buf, found, scanners, printerMatcher(printers), displayMatcher(displays)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := map[string]string{"/dev/usb/lp0": "epson-tm-t20iii", "/dev/ttyACM1": "epson-dm-d110", "/dev/ttyUSB1": "-", "/dev/ttyACM2": "datalogic-magellan-3410vsi"}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if got := f[len(f)-1]; got != want[f[0]] {
			t.Errorf("%s: profile %s, want %s\n%s", f[0], got, want[f[0]], buf.String())
		}
	}
}
