// Package display drives customer pole displays (2 lines of 20 characters, vacuum fluorescent or
// LCD) over serial or USB CDC: the Epson ESC/POS display command set (DM-D110, DM-D210) and the
// CD5220 command set most other pole displays speak. It shows the line just scanned with the
// running total, the total and the change at payment, and an idle message.
//
// A display model is a profile, one YAML file in firmware-profiles/displays/.
package display

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/encoding/charmap"
	"gopkg.in/yaml.v3"
)

// Command sets.
const (
	CommandsESCPOS = "escpos" // Epson DM-D series: CLR, HOM, US $ x y, ESC t n, US MD1
	CommandsCD5220 = "cd5220" // CD5220: CLR, HOM, ESC l x y, ESC DC1, ESC f n
)

// ProfileDir is the folder of display profiles in the built-in FS and in profiles_dir.
const ProfileDir = "displays"

// Profile is one display model.
type Profile struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Vendor  string   `yaml:"vendor"`
	Sources []string `yaml:"sources"`
	Match   struct {
		USB []struct {
			VID string `yaml:"vid"`
			PID string `yaml:"pid"`
		} `yaml:"usb"`
		Product []string `yaml:"product"`
	} `yaml:"match"`
	// Commands is the command set: escpos or cd5220.
	Commands string `yaml:"commands"`
	// Columns and Lines are the character grid (20 × 2 for a pole display).
	Columns int `yaml:"columns"`
	Lines   int `yaml:"lines"`
	// CodePage names the character table the text is encoded in (cp437, cp850, cp852, cp858,
	// cp866, windows-1252); CodePageSelect is the ESC t n that selects it (escpos), -1 for none
	// (the display's default table).
	CodePage       string `yaml:"code_page"`
	CodePageSelect int    `yaml:"code_page_select"`
	// International is the CD5220 ESC f n country letter (e.g. "I" Italy), "" for none.
	International string `yaml:"international"`
	Serial        struct {
		Baud     int    `yaml:"baud"`
		DataBits int    `yaml:"data_bits"`
		Parity   string `yaml:"parity"`
		StopBits int    `yaml:"stop_bits"`
	} `yaml:"serial"`
	Notes string `yaml:"notes"`

	// File is where the profile was loaded from.
	File string `yaml:"-"`
}

var (
	idPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`) })
	hex4Pattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{4}$`) })
)

// codePages are the tables the encoder can produce.
var codePages = map[string]*charmap.Charmap{
	"cp437":        charmap.CodePage437,
	"cp850":        charmap.CodePage850,
	"cp852":        charmap.CodePage852,
	"cp858":        charmap.CodePage858,
	"cp866":        charmap.CodePage866,
	"windows-1252": charmap.Windows1252,
}

// ParseProfile parses and validates one profile; unknown keys are refused.
func ParseProfile(data []byte, name string) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return p, fmt.Errorf("display profile %s: empty file", name)
		}
		return p, fmt.Errorf("display profile %s: %s", name, strings.ReplaceAll(err.Error(), "\n ", ""))
	}
	p.File = name
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("display profile %s: %w", name, err)
	}
	return p, nil
}

// Validate checks every field; errors name the key.
func (p Profile) Validate() error {
	if !idPattern().MatchString(p.ID) {
		return fmt.Errorf("key id: %q is not [a-z0-9-]{1,64}", p.ID)
	}
	if p.Name == "" {
		return errors.New("key name: missing")
	}
	for i, u := range p.Match.USB {
		if !hex4Pattern().MatchString(u.VID) || (u.PID != "" && !hex4Pattern().MatchString(u.PID)) {
			return fmt.Errorf("key match.usb[%d]: %q:%q is not 4 lower-case hex digits each", i, u.VID, u.PID)
		}
	}
	if p.Commands != CommandsESCPOS && p.Commands != CommandsCD5220 {
		return fmt.Errorf("key commands: %q (escpos or cd5220)", p.Commands)
	}
	if p.Columns < 8 || p.Columns > 40 {
		return fmt.Errorf("key columns: %d is outside 8..40", p.Columns)
	}
	if p.Lines < 1 || p.Lines > 4 {
		return fmt.Errorf("key lines: %d is outside 1..4", p.Lines)
	}
	if _, ok := codePages[p.CodePage]; !ok {
		names := make([]string, 0, len(codePages))
		for k := range codePages {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("key code_page: %q (%s)", p.CodePage, strings.Join(names, ", "))
	}
	if p.CodePageSelect < -1 || p.CodePageSelect > 255 {
		return fmt.Errorf("key code_page_select: %d is outside -1..255", p.CodePageSelect)
	}
	if p.Commands == CommandsCD5220 && p.CodePageSelect != -1 {
		return errors.New("key code_page_select: the CD5220 set has no ESC t; use -1 and international")
	}
	if p.International != "" && (p.Commands != CommandsCD5220 || len(p.International) != 1 || p.International[0] < 'A' || p.International[0] > 'Z') {
		return fmt.Errorf("key international: %q is one upper-case letter, cd5220 only", p.International)
	}
	if b := p.Serial.Baud; b != 0 && !slices.Contains([]int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200}, b) {
		return fmt.Errorf("key serial.baud: %d", b)
	}
	return nil
}

// LoadProfiles loads dir/*.yaml of fsys by id; two files with one id are an error.
func LoadProfiles(fsys fs.FS, dir string) (map[string]Profile, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := map[string]Profile{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read display profile %s: %w", n, err)
		}
		p, err := ParseProfile(data, n)
		if err != nil {
			return nil, err
		}
		if q, dup := out[p.ID]; dup {
			return nil, fmt.Errorf("display profile %s: key id: %q already defined in %s", n, p.ID, q.File)
		}
		out[p.ID] = p
	}
	return out, nil
}

// LoadProfilesWithOverrides loads the built-in display profiles (ProfileDir of builtin) and, when
// overrideDir is set and has a displays folder, the store's own profiles there, which replace
// built-in ones of the same id (the config's profiles_dir).
func LoadProfilesWithOverrides(builtin fs.FS, overrideDir string) (map[string]Profile, error) {
	out, err := LoadProfiles(builtin, ProfileDir)
	if err != nil {
		return nil, err
	}
	if overrideDir == "" {
		return out, nil
	}
	if _, err := os.Stat(filepath.Join(overrideDir, ProfileDir)); err != nil {
		return out, nil
	}
	own, err := LoadProfiles(os.DirFS(overrideDir), ProfileDir)
	if err != nil {
		return nil, fmt.Errorf("profiles_dir %s: %w", overrideDir, err)
	}
	for id, p := range own {
		out[id] = p
	}
	return out, nil
}
