package agent

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

var (
	configDeviceNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })
	configTerminalIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9-]{1,32}$`) })
)

// configBaudRates are the standard serial rates (the termios B* constants up to 921600, which
// USB-serial scanners and printers use).
var configBaudRates = []int{300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

// configMinTokenLen is the shortest terminal token accepted: 16 characters keeps out the short
// demo tokens ("demo", "lane1", "1234") that must never reach a store.
const configMinTokenLen = 16

// validateDevices checks each device and that names are unique.
func (c *Config) validateDevices(ps *configProblems) {
	first := map[string]int{}
	for i, d := range c.Devices {
		p := configIndexPath("devices", i)
		switch {
		case d.Name == "":
			ps.add(p+".name", "required: [a-z0-9][a-z0-9._-]{0,63}, such as lane1-scanner")
		case !configDeviceNameRe().MatchString(d.Name):
			ps.add(p+".name", fmt.Sprintf("%q must start with a-z or 0-9 and hold at most 64 of a-z, 0-9, ., _ and -", d.Name))
		default:
			if j, dup := first[d.Name]; dup {
				ps.add(p+".name", fmt.Sprintf("%q is also devices[%d]; names must be unique", d.Name, j))
			} else {
				first[d.Name] = i
			}
		}
		typeOK := configOneOf(ps, p+".type", d.Type, "scanner", "printer", "payment", "display")
		if d.Type == "payment" {
			c.validatePaymentDevice(ps, p, d)
			continue
		}
		if configOneOf(ps, p+".transport", d.Transport, "serial", "hid", "usblp", "tcp") && typeOK {
			if d.Transport == "hid" && d.Type != "scanner" {
				ps.add(p+".transport", `"hid" is only for scanners`)
			}
			if d.Transport == "usblp" && d.Type != "printer" {
				ps.add(p+".transport", `"usblp" is only for printers`)
			}
			if d.Type == "display" && d.Transport != "serial" {
				ps.add(p+".transport", `a display is on "serial" (an RS-232 port or its USB CDC /dev/ttyACM* node)`)
			}
		}
		switch {
		case strings.TrimSpace(d.Path) == "":
			ps.add(p+".path", "required: a device path such as /dev/ttyACM0 or COM3, or host:port for tcp")
		case d.Transport == "tcp":
			if err := configHostPort(d.Path, false, true); err != nil {
				ps.add(p+".path", err.Error())
			}
		case d.Transport == "hid" && strings.HasPrefix(d.Path, "/dev/hidraw"):
			ps.add(p+".path", fmt.Sprintf("%q is a raw HID node; transport hid reads the scanner's input event node, such as /dev/input/event3 (storeagent devices lists it)", d.Path))
		}
		if d.Profile != "" && !configDeviceNameRe().MatchString(d.Profile) {
			ps.add(p+".profile", fmt.Sprintf("%q is not a profile name (a-z, 0-9, ., _ and -)", d.Profile))
		}
		c.validateSerial(ps, p, d)
	}
}

// validateSerial checks a device's serial overrides; zero values keep the profile's settings.
func (c *Config) validateSerial(ps *configProblems, p string, d Device) {
	set := d.Baud != 0 || d.DataBits != 0 || d.Parity != "" || d.StopBits != 0
	if set && d.Transport != "serial" && d.Transport != "" {
		ps.add(p, fmt.Sprintf("baud, data_bits, parity and stop_bits are only for transport serial, not %q", d.Transport))
		return
	}
	if d.Baud != 0 && !slices.Contains(configBaudRates, d.Baud) {
		rates := make([]string, len(configBaudRates))
		for i, r := range configBaudRates {
			rates[i] = strconv.Itoa(r)
		}
		ps.add(p+".baud", fmt.Sprintf("%d is not a standard rate (%s)", d.Baud, strings.Join(rates, ", ")))
	}
	if d.DataBits != 0 && (d.DataBits < 5 || d.DataBits > 8) {
		ps.add(p+".data_bits", fmt.Sprintf("%d is outside 5..8", d.DataBits))
	}
	if d.Parity != "" {
		configOneOf(ps, p+".parity", d.Parity, "none", "odd", "even")
	}
	if d.StopBits != 0 && d.StopBits != 1 && d.StopBits != 2 {
		ps.add(p+".stop_bits", fmt.Sprintf("%d is not 1 or 2", d.StopBits))
	}
}

// validateTerminals checks each terminal, its token and its references to devices.
func (c *Config) validateTerminals(ps *configProblems) {
	ids := map[string]int{}
	owner := map[string]string{}    // scanner → path of the terminal that has it
	payOwner := map[string]string{} // payment terminal → path of the terminal that has it
	displayOwner := map[string]string{}
	for i, t := range c.Terminals {
		p := configIndexPath("terminals", i)
		switch {
		case t.ID == "":
			ps.add(p+".id", "required: [a-z0-9-]{1,32}, such as lane1")
		case !configTerminalIDRe().MatchString(t.ID):
			ps.add(p+".id", fmt.Sprintf("%q must be 1 to 32 of a-z, 0-9 and -", t.ID))
		default:
			if j, dup := ids[t.ID]; dup {
				ps.add(p+".id", fmt.Sprintf("%q is also terminals[%d]; ids must be unique", t.ID, j))
			} else {
				ids[t.ID] = i
			}
		}
		configValidateToken(ps, p, t)
		for k, s := range t.Scanners {
			sp := configIndexPath(p+".scanners", k)
			d, ok := c.Device(s)
			switch {
			case !ok:
				ps.add(sp, fmt.Sprintf("%q is not a device name (devices[].name)", s))
			case d.Type == "printer" || d.Type == "payment" || d.Type == "display":
				ps.add(sp, fmt.Sprintf("%q is a %s, not a scanner", s, d.Type))
			case owner[s] != "":
				ps.add(sp, fmt.Sprintf("%q already belongs to %s; a scanner belongs to one terminal", s, owner[s]))
			default:
				owner[s] = p
			}
		}
		if t.Printer != "" {
			c.validatePrinterRef(ps, p+".printer", t.Printer)
		}
		for k, name := range t.Printers {
			c.validatePrinterRef(ps, configIndexPath(p+".printers", k), name)
		}
		c.validatePaymentTerminal(ps, p, t, payOwner)
		c.validateTerminalDisplay(ps, p, t, displayOwner)
	}
}

// validatePrinterRef checks that name, at path, is a device of type printer.
func (c *Config) validatePrinterRef(ps *configProblems, path, name string) {
	d, ok := c.Device(name)
	switch {
	case !ok:
		ps.add(path, fmt.Sprintf("%q is not a device name (devices[].name)", name))
	case d.Type == "scanner" || d.Type == "payment" || d.Type == "display": // an unknown type is reported on the device
		ps.add(path, fmt.Sprintf("%q is a %s, not a printer", name, d.Type))
	}
}

// configValidateToken checks that a terminal has exactly one of token and token_file and that
// the token is strong enough for `storeagent run`.
func configValidateToken(ps *configProblems, p string, t Terminal) {
	switch {
	case t.Token == "" && t.TokenFile == "":
		ps.add(p, "needs exactly one of token and token_file")
		return
	case t.Token != "" && t.TokenFile != "" && !t.tokenFromFile:
		ps.add(p, "sets both token and token_file; use one")
		return
	case t.Token == "":
		return // token_file not read yet (a Config built in code); loading checks the file.
	}
	tp := p + ".token"
	if t.tokenFromFile {
		tp = p + ".token_file"
	}
	if n := utf8.RuneCountInString(t.Token); n < configMinTokenLen {
		ps.add(tp, fmt.Sprintf("the token is %d characters; run needs at least %d, so short demo tokens are refused (make one with: openssl rand -hex 16)", n, configMinTokenLen))
		return
	}
	for _, r := range t.Token {
		if r <= ' ' || r > '~' {
			ps.add(tp, "the token must be printable ASCII without spaces (it travels in an HTTP header)")
			return
		}
	}
	if w := configPlaceholder(t.Token); w != "" {
		ps.add(tp, fmt.Sprintf("the token contains %q: it is a placeholder from a sample, not a secret; make one with: openssl rand -hex 16", w))
		return
	}
	distinct := map[rune]bool{}
	for _, r := range t.Token {
		distinct[r] = true
	}
	if len(distinct) < 6 {
		ps.add(tp, fmt.Sprintf("the token uses only %d different characters; run refuses such weak tokens", len(distinct)))
	}
}

// configPlaceholder returns the placeholder word in a token copied from a sample or a guide
// ("REPLACE-ME-…"), or "" when there is none.
func configPlaceholder(token string) string {
	low := strings.ToLower(token)
	for _, w := range []string{"replace", "changeme", "change-me", "change_me", "example", "placeholder", "your-token", "secret"} {
		if strings.Contains(low, w) {
			return w
		}
	}
	return ""
}

// validateRCN checks rcn_region and the own restricted-circulation layouts.
func (c *Config) validateRCN(ps *configProblems) {
	if c.RCNRegion != "" && !configRegionRe().MatchString(c.RCNRegion) {
		ps.add("rcn_region", fmt.Sprintf("%q is not two upper-case letters (an ISO 3166-1 country, such as IT)", c.RCNRegion))
	}
	prefixes := map[string]int{}
	for i, l := range c.RCNLayouts {
		configValidateRCNLayout(ps, configIndexPath("rcn_layouts", i), l, prefixes, i)
	}
}

// configRCNDigits is the number of digits before the EAN-13 check digit (index 12).
const configRCNDigits = 12

// configValidateRCNLayout checks one layout: prefix 20..29, kind, and ranges that lie inside the
// first 12 digits without overlapping each other or the prefix.
func configValidateRCNLayout(ps *configProblems, p string, l RCNLayout, prefixes map[string]int, i int) {
	n, err := strconv.Atoi(l.Prefix)
	if err != nil || len(l.Prefix) != 2 || n < 20 || n > 29 {
		ps.add(p+".prefix", fmt.Sprintf("%q is not one of 20..29 (GS1 restricted circulation numbers)", l.Prefix))
	} else if j, dup := prefixes[l.Prefix]; dup {
		ps.add(p+".prefix", fmt.Sprintf("%q is also rcn_layouts[%d]", l.Prefix, j))
	} else {
		prefixes[l.Prefix] = i
	}
	configOneOf(ps, p+".kind", l.Kind, "price", "weight")

	type span struct {
		key        string
		start, len int
	}
	spans := []span{{"prefix", 0, 2}}
	inside := func(key string, start, length int) {
		if length < 1 || start < 0 || start+length > configRCNDigits {
			ps.add(p+"."+key, fmt.Sprintf("digits %d..%d are not inside 0..%d (0-based; index 12 is the check digit)",
				start, start+length-1, configRCNDigits-1))
			return
		}
		for _, s := range spans {
			if start < s.start+s.len && s.start < start+length {
				ps.add(p+"."+key, fmt.Sprintf("digits %d..%d overlap the %s (%d..%d)",
					start, start+length-1, s.key, s.start, s.start+s.len-1))
				return
			}
		}
		spans = append(spans, span{key, start, length})
	}
	inside("item_start", l.ItemStart, l.ItemLen)
	inside("value_start", l.ValueStart, l.ValueLen)
	if l.Multiplier < 0 || l.Multiplier > 1000 {
		ps.add(p+".multiplier", fmt.Sprintf("%d is not between 0 and 1000", l.Multiplier))
	}
	if l.ValueCheckPos != -1 {
		inside("value_check_pos", l.ValueCheckPos, 1)
	}
}
