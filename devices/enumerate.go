package devices

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Kinds of devices Enumerate finds.
const (
	KindSerial = "serial" // serial and USB CDC-ACM ports (/dev/ttyUSB*, /dev/ttyACM*, …)
	KindUSBLP  = "usblp"  // USB printer class (/dev/usb/lp*)
	KindInput  = "input"  // input devices, where HID keyboard-wedge scanners appear (/dev/input/event*)
)

// Found is a device present on the machine.
type Found struct {
	// Path is the device node.
	Path string
	// Kind is KindSerial, KindUSBLP or KindInput.
	Kind string
	// VID and PID are the USB vendor and product ids as four lower-case hex digits, empty for
	// devices not on USB.
	VID, PID string
	// Serial, Product and Manufacturer are the USB strings (or the input device's name as
	// Product), where the device has them.
	Serial, Product, Manufacturer string
}

// MatchProfile returns the id of the scanner profile that best matches a found device, or ""
// when none does. A VID:PID match beats a product-name match, which beats a vendor-only
// match; a product-name match on top of a VID:PID or vendor match breaks a tie between
// models that share ids; remaining ties go to the alphabetically first id. Generic profiles have no match rules and
// never match.
func MatchProfile(f Found, profiles map[string]ScannerProfile) string {
	best, bestScore := "", 0
	ids := make([]string, 0, len(profiles))
	for id := range profiles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if s := matchScore(f, profiles[id]); s > bestScore {
			best, bestScore = id, s
		}
	}
	return best
}

func matchScore(f Found, p ScannerProfile) int {
	usb := 0
	vid, pid := strings.ToLower(f.VID), strings.ToLower(f.PID)
	for _, u := range p.Match.USB {
		switch {
		case vid == "" || u.VID != vid:
		case u.PID != "" && u.PID == pid:
			usb = max(usb, 8)
		case u.PID == "":
			usb = max(usb, 1)
		}
	}
	product := 0
	name := strings.ToLower(f.Product)
	for _, s := range p.Match.Product {
		if s != "" && strings.Contains(name, strings.ToLower(s)) {
			// A product name counts fully only when the vendor agrees or is unknown.
			if usb >= 1 || vid == "" || !hasVendorRule(p) {
				product = 3
			} else {
				product = max(product, 2)
			}
		}
	}
	// Models of one vendor often share a PID per interface mode (Zebra's 05e0:1200 in HID
	// mode): the product name then picks the model, so the scores add up.
	if usb == 0 {
		return product
	}
	if product < 3 {
		product = 0
	}
	return usb + product
}

func hasVendorRule(p ScannerProfile) bool { return len(p.Match.USB) > 0 }

// WriteDeviceTable writes found devices as an aligned table with the matching profile, for
// `storeagent devices`. A device no scanner profile matches is offered to the other matchers
// (printer and display profiles) in order.
func WriteDeviceTable(w io.Writer, found []Found, profiles map[string]ScannerProfile, others ...func(Found) string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tKIND\tVID:PID\tPRODUCT\tMANUFACTURER\tSERIAL\tPROFILE")
	for _, f := range found {
		id := "-"
		if f.VID != "" {
			id = f.VID + ":" + f.PID
		}
		prof := MatchProfile(f, profiles)
		for _, m := range others {
			if prof != "" {
				break
			}
			prof = m(f)
		}
		if prof == "" {
			prof = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Path, f.Kind, id, dash(f.Product), dash(f.Manufacturer), dash(f.Serial), prof)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write device table: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
