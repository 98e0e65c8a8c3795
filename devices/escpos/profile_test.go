package escpos

import (
	"strings"
	"testing"
	"testing/fstest"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// loadProfile returns a built-in profile by id.
func loadProfile(t testing.TB, id string) Profile {
	t.Helper()
	all, err := LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatalf("LoadProfiles: %v", err)
	}
	p, ok := all[id]
	if !ok {
		t.Fatalf("profile %q not found", id)
	}
	return p
}

func TestLoadProfiles_BuiltIn(t *testing.T) {
	all, err := LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatalf("LoadProfiles: %v", err)
	}
	// The hand-written profiles, for the models Western European stores use most: each prints € and
	// the letters of the receipt locales. The generated ones are checked in dbprofiles_test.go.
	want := []string{"epson-tm-t20", "epson-tm-t20iii", "epson-tm-t88v", "epson-tm-t88vi", "epson-tm-m30",
		"star-tsp143", "star-tsp650", "bixolon-srp-350iii", "citizen-ct-s310ii", "generic-58mm", "generic-80mm"}
	for _, id := range want {
		t.Run(id, func(t *testing.T) {
			p, ok := all[id]
			if !ok {
				t.Fatalf("profile %s missing", id)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			// Every built-in profile can print € and the Western European letters of the
			// receipt locales in at least one listed page.
			for _, r := range "€àèéçäöåÄÖÅ" {
				found := false
				for _, name := range p.CodePages {
					if covers(lookupCharmap(name), r) {
						found = true
					}
				}
				if !found {
					t.Errorf("no listed page covers %q", r)
				}
			}
		})
	}
	// 11 hand-written + 48 generated (the db's 50 less TM-T20III and TM-T88V, which hand-written
	// profiles carry).
	if len(all) != 59 {
		t.Errorf("got %d profiles, want 59", len(all))
	}
	if got := all["epson-tm-t20"].Columns(0); got != 48 {
		t.Errorf("epson-tm-t20 font A columns = %d, want 48", got)
	}
	if got := all["generic-58mm"].Columns(0); got != 32 {
		t.Errorf("generic-58mm font A columns = %d, want 32", got)
	}
	if got := all["epson-tm-t88v"].Match.USB[0]; got != (USBID{VID: 0x04b8, PID: 0x0202}) {
		t.Errorf("epson-tm-t88v usb = %+v, want 04b8:0202", got)
	}
}

const validProfile = `
id: test-printer
vendor: Test
model: T1
transports: [serial, tcp]
serial: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1, flow_control: none}
paper_width_mm: 80
width_dots: 576
dpi: 203
fonts: [{name: Font A, columns: 48}]
code_pages: {0: CP437, 19: CP858}
qr: native
barcodes: true
cutter: partial
drawer: {pins: [2], on_ms: 100, off_ms: 200}
status: {dle_eot: true, asb: true}
`

func TestParseProfile(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		p, err := ParseProfile([]byte(validProfile), "test-printer.yaml")
		if err != nil {
			t.Fatalf("ParseProfile: %v", err)
		}
		if p.CodePages[19] != "CP858" || p.Serial.Baud != 9600 || p.Columns(0) != 48 {
			t.Errorf("got %+v", p)
		}
	})
	bad := []struct {
		name, from, to, wantErr string
	}{
		{"unknown key", "qr: native", "qr: native\ncolour: red", "field colour not found"},
		{"zero columns", "columns: 48", "columns: 0", "fonts[0].columns"},
		{"unknown code page", "19: CP858", "19: CP999", "code_pages.19"},
		{"code page number", "19: CP858", "300: CP858", "code_pages.300"},
		{"qr mode", "qr: native", "qr: laser", "qr:"},
		{"cutter", "cutter: partial", "cutter: guillotine", "cutter:"},
		{"transport", "[serial, tcp]", "[serial, bluetooth]", "transports[1]"},
		{"parity", "parity: none", "parity: mark", "serial.parity"},
		{"drawer pin", "pins: [2]", "pins: [3]", "drawer.pins[0]"},
		{"bad id", "id: test-printer", "id: Test Printer", "id:"},
		{"asb without dle eot", "dle_eot: true", "dle_eot: false", "status.asb"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(validProfile, tc.from, tc.to, 1)
			if src == validProfile {
				t.Fatalf("test case does not change the profile")
			}
			_, err := ParseProfile([]byte(src), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestLoadProfiles_IDMismatch(t *testing.T) {
	fsys := fstest.MapFS{"p/other.yaml": {Data: []byte(validProfile)}}
	if _, err := LoadProfiles(fsys, "p"); err == nil || !strings.Contains(err.Error(), "differs from the file name") {
		t.Errorf("err = %v, want id mismatch", err)
	}
	fsys = fstest.MapFS{"p/test-printer.yaml": {Data: []byte(validProfile)}}
	got, err := LoadProfiles(fsys, "p")
	if err != nil || len(got) != 1 {
		t.Errorf("LoadProfiles = %v, %v; want one profile", got, err)
	}
}
