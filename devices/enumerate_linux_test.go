package devices

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sysfs builds a fake /sys tree in a temp dir.
type sysfs struct {
	t    *testing.T
	root string
}

func (s sysfs) file(rel, content string) {
	s.t.Helper()
	p := filepath.Join(s.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content+"\n"), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s sysfs) dir(rel string) string {
	s.t.Helper()
	p := filepath.Join(s.root, rel)
	if err := os.MkdirAll(p, 0o755); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// link makes rel a symlink to target (relative to root), as sysfs class entries are.
func (s sysfs) link(rel, target string) {
	s.t.Helper()
	p := filepath.Join(s.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(s.root, target), p); err != nil {
		s.t.Fatal(err)
	}
}

func (s sysfs) usbDevice(dir, vid, pid, product, manufacturer, serial string) {
	s.file(dir+"/idVendor", vid)
	s.file(dir+"/idProduct", pid)
	s.file(dir+"/product", product)
	s.file(dir+"/manufacturer", manufacturer)
	if serial != "" {
		s.file(dir+"/serial", serial)
	}
}

// fakeSysfs lays out the devices of a typical till: a Honeywell scanner in CDC mode (ttyACM0),
// a CH340 USB-serial adapter (ttyUSB0), a legacy 8250 port with no hardware (ttyS0, skipped),
// a virtual console (tty0, skipped), an Epson USB printer (lp0), a Zebra scanner in HID
// keyboard mode (event3) and the laptop keyboard (event0).
func fakeSysfs(t *testing.T) string {
	s := sysfs{t, t.TempDir()}
	usb := "devices/pci0000:00/0000:00:14.0/usb1"

	s.usbDevice(usb+"/1-1", "0c2e", "0b87", "Honeywell Scanning and Mobility Voyager 1450g", "Honeywell", "21034B3F01")
	s.dir(usb + "/1-1/1-1:1.0/tty/ttyACM0")
	s.link("class/tty/ttyACM0", usb+"/1-1/1-1:1.0/tty/ttyACM0")
	s.link(usb+"/1-1/1-1:1.0/tty/ttyACM0/device", usb+"/1-1/1-1:1.0")

	s.usbDevice(usb+"/1-2", "1a86", "7523", "USB Serial", "QinHeng", "")
	s.dir(usb + "/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0")
	s.link("class/tty/ttyUSB0", usb+"/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0")
	s.link(usb+"/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0/device", usb+"/1-2/1-2:1.0/ttyUSB0")

	s.dir("bus/platform")
	s.dir("devices/platform/serial8250/tty/ttyS0")
	s.link("devices/platform/serial8250/subsystem", "bus/platform")
	s.link("class/tty/ttyS0", "devices/platform/serial8250/tty/ttyS0")
	s.link("devices/platform/serial8250/tty/ttyS0/device", "devices/platform/serial8250")

	s.dir("devices/virtual/tty/tty0")
	s.link("class/tty/tty0", "devices/virtual/tty/tty0")

	s.usbDevice(usb+"/1-3", "04b8", "0e28", "TM-T20III", "EPSON", "X5E8012345")
	s.dir(usb + "/1-3/1-3:1.0/usbmisc/lp0")
	s.link("class/usbmisc/lp0", usb+"/1-3/1-3:1.0/usbmisc/lp0")
	s.link(usb+"/1-3/1-3:1.0/usbmisc/lp0/device", usb+"/1-3/1-3:1.0")

	s.usbDevice(usb+"/1-4", "05e0", "1200", "Symbol Bar Code Scanner", "Symbol Technologies, Inc, 2008", "S/N:1234")
	in := usb + "/1-4/1-4:1.0/0003:05E0:1200.0001/input/input5"
	s.file(in+"/name", "Symbol Technologies, Inc, 2008 Symbol Bar Code Scanner")
	s.file(in+"/id/vendor", "05e0")
	s.file(in+"/id/product", "1200")
	s.dir(in + "/event3")
	s.link("class/input/event3", in+"/event3")
	s.link(in+"/event3/device", in)
	s.dir(in + "/mouse0")
	s.link("class/input/mouse0", in+"/mouse0")

	kb := "devices/platform/i8042/serio0/input/input0"
	s.file(kb+"/name", "AT Translated Set 2 keyboard")
	s.file(kb+"/id/vendor", "0001")
	s.file(kb+"/id/product", "0001")
	s.dir(kb + "/event0")
	s.link("class/input/event0", kb+"/event0")
	s.link(kb+"/event0/device", kb)
	return s.root
}

func TestEnumerate(t *testing.T) {
	root := fakeSysfs(t)
	got, err := Enumerate(root, "/dev")
	if err != nil {
		t.Fatalf("Enumerate: %v", err)
	}
	want := []Found{
		{Path: "/dev/input/event0", Kind: KindInput, VID: "0001", PID: "0001", Product: "AT Translated Set 2 keyboard"},
		{Path: "/dev/input/event3", Kind: KindInput, VID: "05e0", PID: "1200", Product: "Symbol Technologies, Inc, 2008 Symbol Bar Code Scanner",
			Manufacturer: "Symbol Technologies, Inc, 2008", Serial: "S/N:1234"},
		{Path: "/dev/ttyACM0", Kind: KindSerial, VID: "0c2e", PID: "0b87", Product: "Honeywell Scanning and Mobility Voyager 1450g",
			Manufacturer: "Honeywell", Serial: "21034B3F01"},
		{Path: "/dev/ttyUSB0", Kind: KindSerial, VID: "1a86", PID: "7523", Product: "USB Serial", Manufacturer: "QinHeng"},
		{Path: "/dev/usb/lp0", Kind: KindUSBLP, VID: "04b8", PID: "0e28", Product: "TM-T20III", Manufacturer: "EPSON", Serial: "X5E8012345"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Enumerate:\n got %+v\nwant %+v", got, want)
	}

	t.Run("table", func(t *testing.T) {
		profiles, err := LoadScannerProfiles(firmwareprofiles.FS, "")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteDeviceTable(&buf, got, profiles); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "enumerate", "till", "table.golden")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			os.WriteFile(golden, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("table:\n%s\nwant:\n%s", buf.Bytes(), want)
		}
	})
	t.Run("empty tree", func(t *testing.T) {
		got, err := Enumerate(t.TempDir(), "/dev")
		if err != nil || len(got) != 0 {
			t.Errorf("Enumerate(empty) = %v, %v; want nothing, nil", got, err)
		}
	})
	t.Run("missing root", func(t *testing.T) {
		if _, err := Enumerate(filepath.Join(root, "nope"), "/dev"); err == nil {
			t.Error("error = nil")
		}
	})
}

func TestMatchProfile(t *testing.T) {
	profiles, err := LoadScannerProfiles(firmwareprofiles.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    Found
		want string
	}{
		{"vid:pid", Found{VID: "05e0", PID: "1701"}, "zebra-ds2208"},
		{"vid:pid beats product", Found{VID: "0c2e", PID: "0b61", Product: "Xenon 1950g"}, "honeywell-voyager-1250g"},
		{"product with vendor", Found{VID: "0c2e", PID: "ffff", Product: "Xenon 1952g"}, "honeywell-xenon-1950g"},
		{"product, case-insensitive", Found{Product: "datalogic gryphon gd4500"}, "datalogic-gryphon-gd4500"},
		{"vendor only, alphabetically first", Found{VID: "1eab", PID: "1234"}, "newland-fr40"},
		{"vendor and product", Found{VID: "1eab", PID: "1234", Product: "HR22 Dorada"}, "newland-hr22"},
		{"shared pid, product picks the model", Found{VID: "05e0", PID: "1200", Product: "Symbol Bar Code Scanner DS9308"}, "zebra-ds9308"},
		{"shared pid, DS4608", Found{VID: "05e0", PID: "1701", Product: "DS4608-SR"}, "zebra-ds4608"},
		{"shared pid, MP7000", Found{VID: "05e0", PID: "1701", Product: "MP7000 Scanner Scale"}, "zebra-mp7000"},
		{"shared pid, unnamed", Found{VID: "05e0", PID: "1200", Product: "Symbol Bar Code Scanner"}, "zebra-ds2208"},
		{"xenon 1900 pid", Found{VID: "0c2e", PID: "0cd4"}, "honeywell-xenon-1900g"},
		{"honeywell vendor and product 1470g", Found{VID: "0c2e", PID: "ffff", Product: "Honeywell 1470g"}, "honeywell-voyager-1470g"},
		{"honeywell vendor and product 7580g", Found{VID: "0c2e", PID: "ffff", Product: "Genesis 7580g"}, "honeywell-genesis-7580g"},
		{"datalogic usb-com with product", Found{VID: "05f9", PID: "4204", Product: "Magellan 3410VSi"}, "datalogic-magellan-3410vsi"},
		{"datalogic vendor with product", Found{VID: "05f9", PID: "2206", Product: "Magellan 9300i"}, "datalogic-magellan-9300i"},
		{"datalogic 1500i", Found{VID: "05f9", PID: "4204", Product: "Datalogic Magellan 1500i"}, "datalogic-magellan-1500i"},
		{"newland fr40", Found{VID: "1eab", PID: "8306", Product: "FR40"}, "newland-fr40"},
		{"unknown", Found{VID: "046d", PID: "c52b", Product: "USB Receiver"}, ""},
		{"nothing", Found{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchProfile(tt.f, profiles); got != tt.want {
				t.Errorf("MatchProfile(%+v) = %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}
