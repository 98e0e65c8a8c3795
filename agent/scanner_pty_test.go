//go:build linux || darwin || freebsd

package agent

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/pos"
)

// TestAgent_ScannerToEvents: bytes written to a pseudo-terminal scanner come out of the owning
// terminal's /api/v1/events as scan events resolved against the replica; garbage is a clear bad
// read; unplugging is a device event.
func TestAgent_ScannerToEvents(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	cfg := testConfig(t)
	cfg.Devices = []Device{{Name: "lane1-scanner", Type: "scanner", Transport: "serial", Path: pty.Path}}
	cfg.Terminals[0].Scanners = []string{"lane1-scanner"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfg)
	ev := openEvents(t, a)
	// Wait until the scanner is connected before typing into it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := a.Devices.States()
		if len(st) == 1 && st[0].State == "connected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scanner never connected: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	pty.Write([]byte("8005510000030\r"))
	var scan ScanEvent
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.Symbology != "ean13" || scan.Product == nil || scan.Product.SKU != "IT-CAFFE-ESPR" || scan.Device != "lane1-scanner" {
		t.Fatalf("scan event %+v", scan)
	}
	pty.Write([]byte("8005510000031\r")) // bad check digit
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if scan.Valid || scan.Reason == "" || scan.Product != nil {
		t.Errorf("bad check digit: %+v", scan)
	}
	pty.Write(append([]byte{0, 0xff, 0xfe}, []byte("junk\r")...))
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if scan.Valid || !json.Valid([]byte(`"`+scan.Data+`"`)) {
		t.Errorf("garbage: %+v", scan)
	}
	// A GS1-128 with AI 01 resolves through its GTIN.
	pty.Write([]byte("]C101080055100000301724123110ABC\r"))
	scan = ScanEvent{}
	json.Unmarshal(ev.next(t, "scan"), &scan)
	if !scan.Valid || scan.GS1["01"] != "08005510000030" || scan.Product == nil {
		t.Errorf("gs1-128: %+v", scan)
	}
	pty.Unplug()
	var dev DeviceEvent
	json.Unmarshal(ev.next(t, "device"), &dev)
	if dev.Name != "lane1-scanner" || dev.State != "reconnecting" {
		t.Errorf("unplug: %+v", dev)
	}
	// /api/v1/status shows the device.
	req, _ := http.NewRequest("GET", a.URL()+"/api/v1/status", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st pos.Status
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if len(st.Devices) != 1 || st.Devices[0].Name != "lane1-scanner" || st.Devices[0].State == "connected" {
		t.Errorf("status devices: %+v", st.Devices)
	}
}
