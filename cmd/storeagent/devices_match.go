package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/display"
	"github.com/storeagent/storeagent/devices/escpos"
)

// printerMatcher matches a found device to a printer profile: by VID:PID, else by a USB product
// name the profile lists; ties go to the alphabetically first id.
func printerMatcher(profiles map[string]escpos.Profile) func(devices.Found) string {
	ids := sortedKeys(profiles)
	return func(f devices.Found) string {
		if f.VID == "" {
			return ""
		}
		for _, id := range ids {
			for _, u := range profiles[id].Match.USB {
				if fmt.Sprintf("%04x", u.VID) == strings.ToLower(f.VID) && fmt.Sprintf("%04x", u.PID) == strings.ToLower(f.PID) {
					return id
				}
			}
		}
		for _, id := range ids {
			for _, n := range profiles[id].Match.ProductNames {
				if n != "" && strings.EqualFold(strings.TrimSpace(f.Product), n) {
					return id
				}
			}
		}
		return ""
	}
}

// displayMatcher matches a found serial device to a pole display profile by VID:PID or a product
// name substring.
func displayMatcher(profiles map[string]display.Profile) func(devices.Found) string {
	ids := sortedKeys(profiles)
	return func(f devices.Found) string {
		if f.Kind != devices.KindSerial {
			return ""
		}
		for _, id := range ids {
			p := profiles[id]
			for _, u := range p.Match.USB {
				if u.VID == strings.ToLower(f.VID) && (u.PID == "" || u.PID == strings.ToLower(f.PID)) {
					return id
				}
			}
			for _, n := range p.Match.Product {
				if n != "" && strings.Contains(strings.ToLower(f.Product), strings.ToLower(n)) {
					return id
				}
			}
		}
		return ""
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
