package agent

import (
	"fmt"
	"time"

	"github.com/storeagent/storeagent/devices"
)

// validateDrawers checks the cash-drawer keys of printers (drawer_open_when, drawer_poll).
func (c *Config) validateDrawers(ps *configProblems) {
	for i, d := range c.Devices {
		p := configIndexPath("devices", i)
		if d.DrawerOpenWhen == "" && d.DrawerPoll == 0 {
			continue
		}
		if d.Type != "printer" {
			ps.add(p, fmt.Sprintf("drawer_open_when and drawer_poll are only for printers, not %q", d.Type))
			continue
		}
		if d.DrawerOpenWhen != "" {
			configOneOf(ps, p+".drawer_open_when", d.DrawerOpenWhen, "low", "high")
		}
		if v := d.DrawerPoll.Std(); v != 0 && (v < devices.MinDrawerPoll || v > devices.MaxDrawerPoll) {
			ps.add(p+".drawer_poll", fmt.Sprintf("%s is outside %s..%s", Duration(v), Duration(devices.MinDrawerPoll), Duration(devices.MaxDrawerPoll)))
		}
	}
}

// drawerPoll returns how often printer d's drawer is polled, 0 for never: its drawer_poll, else
// the default while till.require_drawer_closed is on and a terminal prints on it.
func (c *Config) drawerPoll(d Device) time.Duration {
	if d.Type != "printer" {
		return 0
	}
	if d.DrawerPoll != 0 {
		return d.DrawerPoll.Std()
	}
	if !c.Till.RequireDrawerClosed {
		return 0
	}
	for _, t := range c.Terminals {
		if t.Printer == d.Name {
			return devices.DefaultDrawerPoll
		}
	}
	return 0
}

// validateTerminalDisplay checks terminals[].display: a device of type display, on one terminal.
func (c *Config) validateTerminalDisplay(ps *configProblems, p string, t Terminal, owner map[string]string) {
	if t.Display == "" {
		return
	}
	d, ok := c.Device(t.Display)
	switch {
	case !ok:
		ps.add(p+".display", fmt.Sprintf("%q is not a device name (devices[].name)", t.Display))
	case d.Type == "scanner" || d.Type == "printer":
		ps.add(p+".display", fmt.Sprintf("%q is a %s, not a display", t.Display, d.Type))
	case owner[t.Display] != "":
		ps.add(p+".display", fmt.Sprintf("%q already belongs to %s; a display shows one lane", t.Display, owner[t.Display]))
	default:
		owner[t.Display] = p
	}
}
