package escpos

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Profile describes one receipt-printer model: what its paper, fonts and code pages are, which
// ESC/POS features it has, how it is recognised and reached. Profiles are YAML files in
// firmware-profiles/printers, one per model, named by ID. Fonts, media, code pages and feature
// flags come from escpos-printer-db (receipt-print-hq, CC-BY-4.0); the rest (match, transports,
// serial, qr, cutter, drawer, status) is the project's own.
type Profile struct {
	// ID is the file name without .yaml, e.g. "epson-tm-t20".
	ID string `yaml:"id"`
	// Vendor and Model name the printer for people.
	Vendor string `yaml:"vendor"`
	Model  string `yaml:"model"`
	// Source names the escpos-printer-db entry and manuals the values come from.
	Source string `yaml:"source"`
	// Match says how a connected device is recognised as this model.
	Match Match `yaml:"match"`
	// Transports lists how the model can be reached: serial, usblp, tcp.
	Transports []string `yaml:"transports"`
	// Serial holds the factory serial settings, for models with a serial port.
	Serial *SerialSettings `yaml:"serial,omitempty"`
	// PaperWidthMM is the width of the paper roll in millimetres (58, 80 …).
	PaperWidthMM float64 `yaml:"paper_width_mm"`
	// WidthDots is the printable width in dots (raster images are at most this wide).
	WidthDots int `yaml:"width_dots"`
	// DPI is the print resolution in dots per inch.
	DPI int `yaml:"dpi"`
	// Fonts are the character fonts selectable with ESC M, in ESC M order (Font A first).
	Fonts []Font `yaml:"fonts"`
	// CodePages maps an ESC t number to a code page name (CP858, CP1252, ISO_8859-15 …).
	// Only pages the encoder can produce are listed; see CodePageNames.
	CodePages map[int]string `yaml:"code_pages"`
	// QR is "native" (GS ( k) or "raster" (the encoder draws the symbol as a GS v 0 image).
	QR string `yaml:"qr"`
	// QRModuleMax is the largest QR module size (GS ( k function 167) the model accepts; 0 means
	// 16, the Epson range. Bixolon's manuals allow 1..8.
	QRModuleMax int `yaml:"qr_module_max,omitempty"`
	// Barcodes is true when the model prints GS k barcodes (EAN-13, Code 128).
	Barcodes bool `yaml:"barcodes"`
	// Cutter is "full", "partial" (partial and full) or "none".
	Cutter string `yaml:"cutter"`
	// Drawer describes the cash-drawer kick (ESC p).
	Drawer Drawer `yaml:"drawer"`
	// Status says which status commands the model answers.
	Status StatusSupport `yaml:"status"`
	// Checked says what of the profile was checked against the maker's manuals, and which
	// manuals; what was not checked says "not checked". The golden bytes of
	// devices/escpos/testdata/manual_golden.yaml hold the checked command bytes. Optional (a
	// store's own profile need not say); every built-in profile says.
	Checked string `yaml:"checked,omitempty"`
}

// Match identifies a model among connected devices.
type Match struct {
	// USB lists vendor/product id pairs.
	USB []USBID `yaml:"usb"`
	// ProductNames are USB product strings (or IEEE 1284 model names) that identify the model.
	ProductNames []string `yaml:"product_names"`
}

// USBID is a USB vendor id and product id.
type USBID struct {
	VID uint16 `yaml:"vid"`
	PID uint16 `yaml:"pid"`
}

// SerialSettings are the settings of a serial port: baud rate, data bits, parity, stop bits,
// flow control.
type SerialSettings struct {
	Baud        int    `yaml:"baud"`
	DataBits    int    `yaml:"data_bits"`
	Parity      string `yaml:"parity"`       // none | even | odd
	StopBits    int    `yaml:"stop_bits"`    // 1 | 2
	FlowControl string `yaml:"flow_control"` // none | dtrdsr | rtscts | xonxoff
}

// Font is one character font and how many characters fit on a line of the paper.
type Font struct {
	Name    string `yaml:"name"`
	Columns int    `yaml:"columns"`
}

// Drawer describes the cash-drawer kick-out connector.
type Drawer struct {
	// Pins lists the connector pins wired (2 and/or 5); empty when the model has no drawer port.
	Pins []int `yaml:"pins"`
	// OnMS and OffMS are the pulse on and off times in milliseconds (ESC p sends them in 2 ms units).
	OnMS  int `yaml:"on_ms"`
	OffMS int `yaml:"off_ms"`
}

// StatusSupport says which status commands a model answers.
type StatusSupport struct {
	// DLEEOT is true when the model answers real-time status requests (DLE EOT n).
	DLEEOT bool `yaml:"dle_eot"`
	// ASB is true when the model supports Automatic Status Back (GS a).
	ASB bool `yaml:"asb"`
}

var profileIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`) })

// Columns returns the characters per line of font n (0 = Font A), or 0 when the model has no such font.
func (p Profile) Columns(n int) int {
	if n < 0 || n >= len(p.Fonts) {
		return 0
	}
	return p.Fonts[n].Columns
}

// ParseProfile parses and validates one profile file. name is the file name, used in errors
// and, without its .yaml extension, as the profile's ID when the file names none. Unknown keys
// are refused.
func ParseProfile(data []byte, name string) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("printer profile %s: %w", name, err)
	}
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if p.ID == "" {
		p.ID = base
	}
	if err := p.Validate(); err != nil {
		return Profile{}, fmt.Errorf("printer profile %s: %w", name, err)
	}
	return p, nil
}

// Validate checks a profile's values and reports every fault it finds, each naming its key.
func (p Profile) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !profileIDPattern().MatchString(p.ID) {
		bad("id: %q is not [a-z0-9-]{1,64}", p.ID)
	}
	if len(p.Transports) == 0 {
		bad("transports: empty; allowed: serial, usblp, tcp")
	}
	for i, t := range p.Transports {
		switch t {
		case "serial", "usblp", "tcp":
		default:
			bad("transports[%d]: %q; allowed: serial, usblp, tcp", i, t)
		}
	}
	if p.Serial != nil {
		errs = append(errs, p.Serial.validate()...)
	}
	if p.PaperWidthMM <= 0 || p.PaperWidthMM > 200 {
		bad("paper_width_mm: %v; allowed: 0 < mm <= 200 (customer displays in the db are up to 180 mm wide)", p.PaperWidthMM)
	}
	if p.WidthDots < 8 || p.WidthDots > 2400 {
		bad("width_dots: %d; allowed: 8..2400", p.WidthDots)
	}
	if p.DPI < 60 || p.DPI > 600 {
		bad("dpi: %d; allowed: 60..600 (impact printers print at 60 to 85 dpi)", p.DPI)
	}
	if len(p.Fonts) == 0 {
		bad("fonts: empty; at least Font A is needed")
	}
	for i, f := range p.Fonts {
		if f.Columns <= 0 || f.Columns > 200 {
			bad("fonts[%d].columns: %d; allowed: 1..200", i, f.Columns)
		}
		if f.Name == "" {
			bad("fonts[%d].name: empty", i)
		}
	}
	if len(p.CodePages) == 0 {
		bad("code_pages: empty; list at least one")
	}
	for _, n := range sortedPages(p.CodePages) {
		name := p.CodePages[n]
		if n < 0 || n > 255 {
			bad("code_pages.%d: ESC t numbers are 0..255", n)
		}
		if lookupCharmap(name) == nil {
			bad("code_pages.%d: unknown code page %q; known: %s", n, name, strings.Join(CodePageNames(), ", "))
		}
	}
	switch p.QR {
	case "native", "raster":
	default:
		bad("qr: %q; allowed: native, raster", p.QR)
	}
	switch p.Cutter {
	case "full", "partial", "none":
	default:
		bad("cutter: %q; allowed: full, partial, none", p.Cutter)
	}
	for i, pin := range p.Drawer.Pins {
		if pin != 2 && pin != 5 {
			bad("drawer.pins[%d]: %d; allowed: 2, 5", i, pin)
		}
	}
	if len(p.Drawer.Pins) > 0 {
		if p.Drawer.OnMS < 2 || p.Drawer.OnMS > 510 {
			bad("drawer.on_ms: %d; allowed: 2..510", p.Drawer.OnMS)
		}
		if p.Drawer.OffMS < p.Drawer.OnMS || p.Drawer.OffMS > 510 {
			bad("drawer.off_ms: %d; allowed: on_ms..510", p.Drawer.OffMS)
		}
	}
	if p.QRModuleMax < 0 || p.QRModuleMax > 16 {
		bad("qr_module_max: %d; allowed: 1..16 (0 or absent: 16)", p.QRModuleMax)
	}
	if p.Status.ASB && !p.Status.DLEEOT {
		bad("status.asb: true needs status.dle_eot: true")
	}
	return errors.Join(errs...)
}

func (s SerialSettings) validate() []error {
	var errs []error
	switch s.Baud {
	case 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200:
	default:
		errs = append(errs, fmt.Errorf("serial.baud: %d; allowed: 1200..115200 standard rates", s.Baud))
	}
	if s.DataBits != 7 && s.DataBits != 8 {
		errs = append(errs, fmt.Errorf("serial.data_bits: %d; allowed: 7, 8", s.DataBits))
	}
	switch s.Parity {
	case "none", "even", "odd":
	default:
		errs = append(errs, fmt.Errorf("serial.parity: %q; allowed: none, even, odd", s.Parity))
	}
	if s.StopBits != 1 && s.StopBits != 2 {
		errs = append(errs, fmt.Errorf("serial.stop_bits: %d; allowed: 1, 2", s.StopBits))
	}
	switch s.FlowControl {
	case "none", "dtrdsr", "rtscts", "xonxoff":
	default:
		errs = append(errs, fmt.Errorf("serial.flow_control: %q; allowed: none, dtrdsr, rtscts, xonxoff", s.FlowControl))
	}
	return errs
}

// LoadProfiles parses every *.yaml file in dir of fsys and returns the profiles by ID. A file
// whose id differs from its name, or any invalid file, fails the whole load.
func LoadProfiles(fsys fs.FS, dir string) (map[string]Profile, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list printer profiles in %s: %w", dir, err)
	}
	out := make(map[string]Profile, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read printer profile: %w", err)
		}
		p, err := ParseProfile(data, name)
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(path.Base(name), ".yaml"); p.ID != want {
			return nil, fmt.Errorf("printer profile %s: id %q differs from the file name", name, p.ID)
		}
		out[p.ID] = p
	}
	return out, nil
}

func sortedPages(m map[int]string) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// LoadProfilesWithOverrides loads the built-in printer profiles (dir printers of builtin) and,
// when overrideDir is set and has a printers folder, the store's own profiles there, which replace
// built-in ones of the same id file by file (the config's profiles_dir).
func LoadProfilesWithOverrides(builtin fs.FS, overrideDir string) (map[string]Profile, error) {
	out, err := LoadProfiles(builtin, "printers")
	if err != nil {
		return nil, err
	}
	if overrideDir == "" {
		return out, nil
	}
	if _, err := os.Stat(filepath.Join(overrideDir, "printers")); err != nil {
		return out, nil
	}
	own, err := LoadProfiles(os.DirFS(overrideDir), "printers")
	if err != nil {
		return nil, fmt.Errorf("profiles_dir %s: %w", overrideDir, err)
	}
	for id, p := range own {
		out[id] = p
	}
	return out, nil
}
