//go:build linux || darwin || freebsd

package devices

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/scanner"
)

// modelScan is one scan as a model documents its output (prefix, code id, suffix) and what the
// agent must make of it.
type modelScan struct {
	wire      string // the bytes on the serial line
	symbology string
	data      string
}

// modelScans holds a documented scan for every built-in serial-capable profile. The Honeywell
// lines are what the profile's init command programs (AIM ID before, CR after); the Honeywell
// Code ID line is the factory output (no AIM, Code ID only when programmed with the manual's
// "Code ID prefix"); Datalogic Magellan lines carry the factory label ID, the scanner-scales in
// their Single Cable wrapper S08 … CR.
var modelScans = map[string][]modelScan{
	"generic-serial-scanner":     {{"4006381333931\r", scanner.EAN13, "4006381333931"}},
	"honeywell-voyager-1250g":    {{"]E0036000291452\r", scanner.UPCA, "036000291452"}},
	"honeywell-voyager-1450g":    {{"]C1010950110153000317260131\r", scanner.GS1128, "010950110153000317260131"}},
	"honeywell-voyager-1470g":    {{"]E04006381333931\r", scanner.EAN13, "4006381333931"}, {"j" + "ABC-123\r", scanner.Code128, "ABC-123"}},
	"honeywell-xenon-1900g":      {{"]Q1https://example.com/p/1\r", scanner.QR, "https://example.com/p/1"}, {"d4006381333931\r", scanner.EAN13, "4006381333931"}},
	"honeywell-xenon-1950g":      {{"]d2010950110153000317260131\r", scanner.GS1DataMatrix, "010950110153000317260131"}},
	"honeywell-genesis-7580g":    {{"]E496385074\r", scanner.EAN8, "96385074"}, {"c036000291452\r", scanner.UPCA, "036000291452"}},
	"zebra-ds2208":               {{"]E04006381333931\r", scanner.EAN13, "4006381333931"}},
	"zebra-ls2208":               {{"]A0CODE39\r", scanner.Code39, "CODE39"}},
	"zebra-ds4608":               {{"]E0036000291452\r", scanner.UPCA, "036000291452"}},
	"zebra-ds9308":               {{"]Q3010950110153000317260131\r", scanner.GS1QR, "010950110153000317260131"}},
	"zebra-mp7000":               {{"]E04006381333931\r", scanner.EAN13, "4006381333931"}},
	"datalogic-quickscan-qd2430": {{"]E04006381333931\r", scanner.EAN13, "4006381333931"}},
	"datalogic-gryphon-gd4500":   {{"]C0ABC-123\r", scanner.Code128, "ABC-123"}},
	"datalogic-magellan-1500i":   {{"A036000291452\r", scanner.UPCA, "036000291452"}, {"R40109501101530003\r", scanner.GS1DataBar, "0109501101530003"}},
	"datalogic-magellan-3410vsi": {{"S08F4006381333931\r", scanner.EAN13, "4006381333931"}, {"S08#ABC-123\r", scanner.Code128, "ABC-123"}},
	"datalogic-magellan-9300i":   {{"S08FF96385074\r", scanner.EAN8, "96385074"}, {"S08A036000291452\r", scanner.UPCA, "036000291452"}},
	"newland-hr22":               {{"]E04006381333931\r", scanner.EAN13, "4006381333931"}},
	"newland-fr40":               {{"]E0036000291452\r", scanner.UPCA, "036000291452"}},
}

// TestProfiles_documentedScansOverPTY: every built-in profile with a serial mode, on its own
// pseudo-terminal, turns its model's documented output into the right code and symbology, and
// the Honeywell profiles send their init command (golden bytes) first.
func TestProfiles_documentedScansOverPTY(t *testing.T) {
	profiles, err := LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	var specs []Spec
	ptys := map[string]*devtest.PTYScanner{}
	for id, p := range profiles {
		if !slices.Contains(p.Modes, ModeSerial) && !slices.Contains(p.Modes, ModeCDC) {
			continue
		}
		if _, ok := modelScans[id]; !ok {
			t.Errorf("profile %s has no documented scan in modelScans", id)
			continue
		}
		pty := devtest.NewPTYScanner(t)
		ptys[id] = pty
		specs = append(specs, Spec{Name: id, Type: TypeScanner, Transport: TransportSerial, Path: pty.Path, Profile: p})
	}
	if len(specs) < 16 {
		t.Errorf("%d serial scanner profiles, want at least 16", len(specs))
	}
	m, rec := startManager(t, specs, Options{InitSettle: 20 * time.Millisecond})
	deadline := time.Now().Add(5 * time.Second)
	for {
		up := 0
		for _, st := range m.States() {
			if st.State == StateConnected {
				up++
			}
		}
		if up == len(specs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d scanners connected: %+v", up, len(specs), m.States())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, s := range specs {
		t.Run(s.Name, func(t *testing.T) {
			pty := ptys[s.Name]
			// The pty's reader may copy the init bytes a moment after the write returned.
			want := strings.Join(s.Profile.InitCommands, "")
			for end := time.Now().Add(2 * time.Second); len(pty.Received()) < len(want) && time.Now().Before(end); {
				time.Sleep(5 * time.Millisecond)
			}
			if string(pty.Received()) != want {
				t.Errorf("scanner received %q, want the init commands %q", pty.Received(), want)
			}
			opts := scanner.Options{IDs: scanner.IDConfig{VendorIDs: s.Profile.IDs.VendorIDs}}
			for _, ms := range modelScans[s.Name] {
				rec.mu.Lock()
				at := len(rec.events)
				rec.mu.Unlock()
				pty.Write([]byte(ms.wire))
				i := rec.waitFor(t, at, s.Name+" frame", func(ev Event) bool { return ev.Kind == EventFrame && ev.Device == s.Name })
				rec.mu.Lock()
				fr := rec.events[i].Frame
				rec.mu.Unlock()
				if fr.Err != nil {
					t.Fatalf("%q: frame error %v", ms.wire, fr.Err)
				}
				got := scanner.Parse(fr.Data, opts)
				if got.Symbology != ms.symbology || got.Data != ms.data {
					t.Errorf("%q → %s %q, want %s %q", ms.wire, got.Symbology, got.Data, ms.symbology, ms.data)
				}
				if !got.Valid {
					t.Errorf("%q: not valid: %s", ms.wire, got.Reason)
				}
			}
		})
	}
}
