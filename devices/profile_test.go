package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

const minimalProfile = `
id: test-scanner
name: Test scanner
modes: [serial]
framing: {suffix: crlf, max_len: 100}
`

func TestParseScannerProfile(t *testing.T) {
	t.Run("minimal", func(t *testing.T) {
		p, err := ParseScannerProfile([]byte(minimalProfile), "test.yaml")
		if err != nil {
			t.Fatalf("ParseScannerProfile: %v", err)
		}
		cfg, err := p.FramingConfig()
		if err != nil {
			t.Fatal(err)
		}
		if string(cfg.Suffix) != "\r\n" || cfg.MaxLen != 100 {
			t.Errorf("framing = %q/%d, want CRLF/100", cfg.Suffix, cfg.MaxLen)
		}
		if p.File != "test.yaml" {
			t.Errorf("File = %q, want test.yaml", p.File)
		}
	})
	t.Run("escaped init command", func(t *testing.T) {
		p, err := ParseScannerProfile([]byte(minimalProfile+`init_commands: ["\x16M\rAIMID!"]`), "x.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.InitCommands[0], "\x16M\rAIMID!"; got != want {
			t.Errorf("init command %q, want %q", got, want)
		}
	})
	bad := []struct {
		name, yaml, wantInErr string
	}{
		{"unknown key", minimalProfile + "colour: red\n", "colour"},
		{"unknown nested key", minimalProfile + "serial: {baudrate: 9600}\n", "baudrate"},
		{"bad id", strings.Replace(minimalProfile, "test-scanner", "Test Scanner", 1), "key id"},
		{"bad suffix", strings.Replace(minimalProfile, "crlf", "etx", 1), "key framing"},
		{"no suffix no timeout", strings.Replace(minimalProfile, "crlf", "none", 1), "key framing"},
		{"bad modes", strings.Replace(minimalProfile, "[serial]", "[bluetooth]", 1), "key modes"},
		{"bad vid", minimalProfile + "match: {usb: [{vid: 0C2E}]}\n", "match.usb[0].vid"},
		{"bad baud", minimalProfile + "serial: {baud: 12345}\n", "key serial"},
		{"bad layout", minimalProfile + "hid: {layout: dvorak}\n", "key hid.layout"},
		{"empty", "", "empty file"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScannerProfile([]byte(tt.yaml), "bad.yaml")
			if err == nil {
				t.Fatal("error = nil, want an error")
			}
			if !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q should name the file and %q", err, tt.wantInErr)
			}
		})
	}
}

func TestLoadScannerProfiles_builtin(t *testing.T) {
	profiles, err := LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatalf("LoadScannerProfiles: %v", err)
	}
	required := []string{"generic-serial-scanner", "generic-hid-scanner", "honeywell-voyager-1450g",
		"honeywell-voyager-1250g", "honeywell-xenon-1950g", "zebra-ds2208", "zebra-ls2208",
		"datalogic-quickscan-qd2430", "datalogic-gryphon-gd4500", "newland-hr22"}
	for _, id := range required {
		if _, ok := profiles[id]; !ok {
			t.Errorf("built-in profile %q missing", id)
		}
	}
	for id, p := range profiles {
		t.Run(id, func(t *testing.T) {
			if want := "builtin:scanners/" + id + ".yaml"; p.File != want {
				t.Errorf("file %q, want %q (file named after its id)", p.File, want)
			}
			if len(p.Sources) == 0 {
				t.Error("no sources cited")
			}
			if p.Vendor == "" {
				t.Error("no vendor")
			}
			if _, err := p.FramingConfig(); err != nil {
				t.Errorf("framing: %v", err)
			}
			if _, err := NewManager([]Spec{{Name: "s", Type: TypeScanner, Transport: TransportSerial, Path: "/dev/null", Profile: p}}, Options{}); err != nil {
				t.Errorf("unusable in a device spec: %v", err)
			}
			for _, c := range p.InitCommands {
				if !strings.HasPrefix(c, "\x16M\r") {
					t.Errorf("init command %q does not start with SYN M CR", c)
				}
			}
		})
	}
	hw := profiles["honeywell-voyager-1450g"]
	if got := hw.IDs.VendorIDs["d"]; got != "ean13" {
		t.Errorf("Honeywell code id d = %q, want ean13", got)
	}
	if got := hw.IDs.VendorIDs["s"]; got != "qr" {
		t.Errorf("Honeywell code id s = %q, want qr", got)
	}
}

func TestLoadScannerProfiles_override(t *testing.T) {
	dir := t.TempDir()
	sdir := filepath.Join(dir, ScannerProfileDir)
	if err := os.Mkdir(sdir, 0o755); err != nil {
		t.Fatal(err)
	}
	override := strings.Replace(minimalProfile, "test-scanner", "generic-serial-scanner", 1) + "serial: {baud: 19200}\n"
	if err := os.WriteFile(filepath.Join(sdir, "mine.yaml"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sdir, "extra.yaml"), []byte(minimalProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	profiles, err := LoadScannerProfiles(firmwareprofiles.FS, dir)
	if err != nil {
		t.Fatalf("LoadScannerProfiles: %v", err)
	}
	if got := profiles["generic-serial-scanner"].Serial.Baud; got != 19200 {
		t.Errorf("overridden baud = %d, want 19200", got)
	}
	if _, ok := profiles["test-scanner"]; !ok {
		t.Error("added profile test-scanner missing")
	}
	if _, ok := profiles["zebra-ds2208"]; !ok {
		t.Error("built-in zebra-ds2208 lost")
	}

	t.Run("duplicate id in override dir", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(sdir, "twin.yaml"), []byte(minimalProfile), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadScannerProfiles(firmwareprofiles.FS, dir)
		if err == nil || !strings.Contains(err.Error(), "already defined") {
			t.Errorf("error = %v, want a duplicate id error", err)
		}
	})
	t.Run("missing override dir adds nothing", func(t *testing.T) {
		if _, err := LoadScannerProfiles(firmwareprofiles.FS, filepath.Join(dir, "nope")); err != nil {
			t.Errorf("error = %v, want nil", err)
		}
	})
}

func TestSpec_SerialSettings(t *testing.T) {
	s := Spec{Profile: ScannerProfile{Serial: SerialSettings{Baud: 115200, Parity: "even"}}, Serial: SerialSettings{Baud: 9600}}
	got := s.SerialSettings()
	want := SerialSettings{Baud: 9600, DataBits: 8, Parity: "even", StopBits: 1}
	if got != want {
		t.Errorf("SerialSettings() = %+v, want %+v", got, want)
	}
}
