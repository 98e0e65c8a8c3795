package devices

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Enumerate lists the serial ports, USB printers and input devices present, reading sysfs under
// sysRoot (normally /sys) and naming nodes under devRoot (normally /dev). Tests pass a fake tree.
//
//   - serial: /sys/class/tty/* with a device link, except the legacy 8250 platform ports that
//     exist whether or not hardware is there; the USB device above gives VID:PID and strings.
//   - usblp: /sys/class/usbmisc/lp*.
//   - input: /sys/class/input/event*, named by device/name, with device/id/{vendor,product}.
func Enumerate(sysRoot, devRoot string) ([]Found, error) {
	root, err := filepath.EvalSymlinks(sysRoot)
	if err != nil {
		return nil, fmt.Errorf("enumerate devices: %w", err)
	}
	var out []Found
	ttys, err := classEntries(root, "tty")
	if err != nil {
		return nil, err
	}
	for _, name := range ttys {
		dev, ok := resolveDevice(root, filepath.Join("class", "tty", name))
		if !ok {
			continue // virtual terminals, ptys
		}
		usb, onUSB := usbAncestor(root, dev)
		if !onUSB && subsystem(dev) == "platform" {
			continue
		}
		f := Found{Path: filepath.Join(devRoot, name), Kind: KindSerial}
		if onUSB {
			fillUSB(&f, usb)
		}
		out = append(out, f)
	}
	lps, err := classEntries(root, "usbmisc")
	if err != nil {
		return nil, err
	}
	for _, name := range lps {
		if !strings.HasPrefix(name, "lp") {
			continue
		}
		f := Found{Path: filepath.Join(devRoot, "usb", name), Kind: KindUSBLP}
		if dev, ok := resolveDevice(root, filepath.Join("class", "usbmisc", name)); ok {
			if usb, ok := usbAncestor(root, dev); ok {
				fillUSB(&f, usb)
			}
		}
		out = append(out, f)
	}
	events, err := classEntries(root, "input")
	if err != nil {
		return nil, err
	}
	for _, name := range events {
		if !strings.HasPrefix(name, "event") {
			continue
		}
		f := Found{Path: filepath.Join(devRoot, "input", name), Kind: KindInput}
		if dev, ok := resolveDevice(root, filepath.Join("class", "input", name)); ok {
			f.Product = readAttr(dev, "name")
			f.VID = normHex(readAttr(dev, "id/vendor"))
			f.PID = normHex(readAttr(dev, "id/product"))
			if usb, ok := usbAncestor(root, dev); ok {
				f.Serial = readAttr(usb, "serial")
				f.Manufacturer = readAttr(usb, "manufacturer")
			}
			if f.VID == "0000" && f.PID == "0000" {
				f.VID, f.PID = "", ""
			}
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// classEntries lists /sys/class/<class>; a missing class (no such driver loaded) is empty.
func classEntries(root, class string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(root, "class", class))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("enumerate devices: %w", err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names, nil
}

// resolveDevice follows <rel>/device to the real device directory.
func resolveDevice(root, rel string) (string, bool) {
	dev, err := filepath.EvalSymlinks(filepath.Join(root, rel, "device"))
	if err != nil {
		return "", false
	}
	return dev, true
}

// usbAncestor walks up from dir to the USB device directory (the one with idVendor).
func usbAncestor(root, dir string) (string, bool) {
	for d := dir; len(d) > len(root) && strings.HasPrefix(d, root); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "idVendor")); err == nil {
			return d, true
		}
	}
	return "", false
}

func subsystem(dev string) string {
	target, err := filepath.EvalSymlinks(filepath.Join(dev, "subsystem"))
	if err != nil {
		return ""
	}
	return filepath.Base(target)
}

func fillUSB(f *Found, usb string) {
	f.VID = normHex(readAttr(usb, "idVendor"))
	f.PID = normHex(readAttr(usb, "idProduct"))
	f.Serial = readAttr(usb, "serial")
	f.Product = readAttr(usb, "product")
	f.Manufacturer = readAttr(usb, "manufacturer")
}

func readAttr(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func normHex(s string) string {
	s = strings.ToLower(strings.TrimPrefix(s, "0x"))
	if s == "" {
		return ""
	}
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
