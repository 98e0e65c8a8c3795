package devices

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/storeagent/storeagent/devices/hid"
	"github.com/storeagent/storeagent/devices/scale"
	"github.com/storeagent/storeagent/scanner/framing"
)

// ScannerProfile is the firmware profile of one scanner model, one YAML file in
// firmware-profiles/scanners/. See generic-serial-scanner.yaml for a commented example.
type ScannerProfile struct {
	// ID names the profile in config (devices[].profile), e.g. honeywell-voyager-1450g.
	ID string `yaml:"id"`
	// Name is the model's display name.
	Name string `yaml:"name"`
	// Vendor is the manufacturer.
	Vendor string `yaml:"vendor"`
	// Sources cite the manuals and data the profile comes from.
	Sources []string `yaml:"sources"`
	// Match says how `storeagent devices` recognises the model.
	Match ProfileMatch `yaml:"match"`
	// Modes lists the host interfaces the model offers: serial, cdc, hid.
	Modes []string `yaml:"modes"`
	// Serial holds the factory serial settings (serial and cdc modes).
	Serial SerialSettings `yaml:"serial"`
	// Framing says how codes are delimited.
	Framing FramingSettings `yaml:"framing"`
	// IDs says which symbology identifiers the scanner sends before the data.
	IDs CodeIDs `yaml:"ids"`
	// HID holds the keyboard-wedge settings.
	HID HIDSettings `yaml:"hid"`
	// InitCommands are sent to the scanner when its port opens (serial and cdc), e.g. Honeywell
	// menu commands. YAML double-quoted escapes (\x16, \r) give the control characters.
	InitCommands []string `yaml:"init_commands"`
	// Notes are free text for people configuring the scanner.
	Notes string `yaml:"notes"`
	// Scale names the scale protocol of a scanner-scale on the same port: "" (none),
	// "magellan-single-cable" (S14 request, S14x answers) or "toledo-8217" ('W' request, STX
	// weight CR or STX '?' status CR); see devices/scale.
	Scale string `yaml:"scale"`

	// File is where the profile was loaded from (not part of the YAML).
	File string `yaml:"-"`
}

// ProfileMatch identifies a model among the devices present.
type ProfileMatch struct {
	// USB lists VID:PID pairs the model enumerates with (one per interface mode).
	USB []USBID `yaml:"usb"`
	// Product lists substrings of the USB product string (case-insensitive).
	Product []string `yaml:"product"`
}

// USBID is a USB vendor and product id as four hex digits; an empty PID matches any product of
// the vendor.
type USBID struct {
	VID  string `yaml:"vid"`
	PID  string `yaml:"pid"`
	Mode string `yaml:"mode"` // the interface mode that enumerates with this id, if known
}

// FramingSettings are the YAML form of framing.Config.
type FramingSettings struct {
	Prefix             string `yaml:"prefix"`
	Suffix             string `yaml:"suffix"` // cr, lf, crlf, tab or none
	InterCharTimeoutMS int    `yaml:"inter_char_timeout_ms"`
	MaxLen             int    `yaml:"max_len"`
}

// CodeIDs describes the symbology identifiers in front of each code.
type CodeIDs struct {
	// AIM is true when the scanner is configured to send AIM identifiers (]E0, ]C1, ]Q3, …).
	AIM bool `yaml:"aim"`
	// VendorIDs maps the vendor's own code id prefixes to the contract's symbology names.
	VendorIDs map[string]string `yaml:"vendor_ids"`
}

// HIDSettings are the keyboard-wedge settings.
type HIDSettings struct {
	// Layout is the keyboard country the scanner types for: us, uk, de, fr, it, fi, se.
	Layout string `yaml:"layout"`
	// InterKeyMS is the scanner's delay between keystrokes, informational.
	InterKeyMS int `yaml:"inter_key_ms"`
}

// Scale protocols a scanner profile can name (devices/scale).
const (
	// ScaleMagellan is the Single Cable scale protocol of Datalogic Magellan scanner-scales.
	ScaleMagellan = scale.NameMagellan
	// ScaleToledo is the Mettler Toledo 8217 protocol.
	ScaleToledo = scale.NameToledo
)

// Profile modes.
const (
	ModeSerial = "serial"
	ModeCDC    = "cdc"
	ModeHID    = "hid"
)

var profileIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`) })

var hex4Pattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{4}$`) })

// ParseScannerProfile parses and validates one profile file; name is the file name used in
// errors. Unknown keys are refused.
func ParseScannerProfile(data []byte, name string) (ScannerProfile, error) {
	var p ScannerProfile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return p, fmt.Errorf("scanner profile %s: empty file", name)
		}
		return p, fmt.Errorf("scanner profile %s: %s", name, strings.ReplaceAll(err.Error(), "\n ", ""))
	}
	p.File = name
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("scanner profile %s: %w", name, err)
	}
	return p, nil
}

// Validate checks every field; errors name the offending key.
func (p ScannerProfile) Validate() error {
	if !profileIDPattern().MatchString(p.ID) {
		return fmt.Errorf("key id: %q is not [a-z0-9-]{1,64}", p.ID)
	}
	if p.Name == "" {
		return errors.New("key name: missing")
	}
	for i, u := range p.Match.USB {
		if !hex4Pattern().MatchString(u.VID) {
			return fmt.Errorf("key match.usb[%d].vid: %q is not 4 lower-case hex digits", i, u.VID)
		}
		if u.PID != "" && !hex4Pattern().MatchString(u.PID) {
			return fmt.Errorf("key match.usb[%d].pid: %q is not 4 lower-case hex digits", i, u.PID)
		}
		if u.Mode != "" && !slices.Contains([]string{ModeSerial, ModeCDC, ModeHID}, u.Mode) {
			return fmt.Errorf("key match.usb[%d].mode: %q (serial, cdc or hid)", i, u.Mode)
		}
	}
	if len(p.Modes) == 0 {
		return errors.New("key modes: missing (serial, cdc, hid)")
	}
	for _, m := range p.Modes {
		if !slices.Contains([]string{ModeSerial, ModeCDC, ModeHID}, m) {
			return fmt.Errorf("key modes: %q (serial, cdc or hid)", m)
		}
	}
	if err := p.Serial.Validate(); err != nil {
		return fmt.Errorf("key serial: %w", err)
	}
	if _, err := p.FramingConfig(); err != nil {
		return fmt.Errorf("key framing: %w", err)
	}
	for k, v := range p.IDs.VendorIDs {
		if k == "" || v == "" {
			return fmt.Errorf("key ids.vendor_ids: empty prefix or symbology (%q: %q)", k, v)
		}
	}
	if p.HID.Layout != "" || slices.Contains(p.Modes, ModeHID) {
		if _, err := hid.LayoutByName(p.layout()); err != nil {
			return fmt.Errorf("key hid.layout: %w", err)
		}
	}
	if _, err := scale.ProtocolFor(p.Scale); err != nil {
		return fmt.Errorf("key scale: %w (or empty)", err)
	}
	if p.HID.InterKeyMS < 0 {
		return fmt.Errorf("key hid.inter_key_ms: %d is negative", p.HID.InterKeyMS)
	}
	return nil
}

func (p ScannerProfile) layout() string {
	if p.HID.Layout == "" {
		return "us"
	}
	return p.HID.Layout
}

// FramingConfig returns the framer configuration of the profile.
func (p ScannerProfile) FramingConfig() (framing.Config, error) {
	sfx, err := framing.SuffixBytes(p.Framing.Suffix)
	if err != nil {
		return framing.Config{}, err
	}
	if p.Framing.InterCharTimeoutMS < 0 {
		return framing.Config{}, fmt.Errorf("inter_char_timeout_ms %d is negative", p.Framing.InterCharTimeoutMS)
	}
	cfg := framing.Config{
		Prefix:           []byte(p.Framing.Prefix),
		Suffix:           sfx,
		InterCharTimeout: time.Duration(p.Framing.InterCharTimeoutMS) * time.Millisecond,
		MaxLen:           p.Framing.MaxLen,
	}
	return cfg, cfg.Validate()
}

// DecoderOptions returns the HID decoder options of the profile: its layout, and its suffix as
// the line terminator typed by Enter and Tab.
func (p ScannerProfile) DecoderOptions() hid.Options {
	sfx, _ := framing.SuffixBytes(p.Framing.Suffix)
	return hid.Options{Layout: p.layout(), Terminator: sfx}
}
