package agent

import (
	"slices"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/escpos"
)

// drawerPolarity gives each printer's drawer_open_when (empty: the driver's default, low).
func (a *Agent) drawerPolarity() map[string]string {
	out := map[string]string{}
	for _, d := range a.cfg.Devices {
		if d.Type == "printer" && d.DrawerOpenWhen != "" {
			out[d.Name] = d.DrawerOpenWhen
		}
	}
	return out
}

// watchDrawers runs a drawer poll with the agent for every printer that has one configured
// (drawer_poll, or till.require_drawer_closed) and whose model has a drawer port and answers
// DLE EOT.
func (a *Agent) watchDrawers(drv *devices.Printer, profiles map[string]escpos.Profile) {
	for _, d := range a.cfg.Devices {
		every := a.cfg.drawerPoll(d)
		prof, ok := profiles[d.Name]
		if every == 0 || !ok || !prof.Status.DLEEOT || len(prof.Drawer.Pins) == 0 {
			continue
		}
		a.Add("drawer "+d.Name, devices.DrawerWatch{Printer: drv, Name: d.Name, Every: every})
	}
}

// drawerHold returns the sale hold of till.require_drawer_closed (nil when off): a terminal is
// held while its printer last reported the drawer open. A drawer not reported yet holds nothing.
func (a *Agent) drawerHold() func(terminal string) bool {
	if !a.cfg.Till.RequireDrawerClosed {
		return nil
	}
	printers := map[string]string{}
	for _, t := range a.cfg.Terminals {
		if t.Printer != "" && slices.ContainsFunc(a.cfg.Devices, func(d Device) bool { return d.Name == t.Printer }) {
			printers[t.ID] = t.Printer
		}
	}
	return func(terminal string) bool {
		p, ok := printers[terminal]
		return ok && a.Devices != nil && a.Devices.DrawerState(p) == devices.StateDrawerOpen
	}
}
