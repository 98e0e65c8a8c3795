package agent

import (
	"fmt"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/devices/fiscalprinter/fpmate"
	"github.com/storeagent/storeagent/pos"
)

// rtDeviceName names the RT in /api/v1/status and `event: device`.
const rtDeviceName = "rt"

// openRT builds the RT registration queue when fiscal.country is IT (nil otherwise). The printer
// is the caller's (Options.FiscalPrinter: tests, the demo) or the configured driver.
func (a *Agent) openRT() (*pos.RTQueue, error) {
	if !a.cfg.FiscalIT() {
		return nil, nil
	}
	p := a.opts.FiscalPrinter
	if p == nil {
		var err error
		if p, err = RTDriver(a.cfg); err != nil {
			return nil, fmt.Errorf("fiscal.printer: %w", err)
		}
	}
	return pos.NewRTQueue(a.DB, p, pos.RTOptions{
		StoreID: a.cfg.StoreID, Epoch: a.DB.Epoch, Logger: a.opts.Logger,
		OnCommit: a.notifySync, OnState: a.rtState,
	}), nil
}

// RTDriver builds the configured RT driver (fiscal.printer.driver; validated: epson-fpmate). It
// sends nothing.
func RTDriver(cfg *Config) (fiscalprinter.Printer, error) {
	pc := cfg.Fiscal.Printer
	if pc.Driver != "epson-fpmate" {
		return nil, fmt.Errorf("driver %q is not built in (epson-fpmate is)", pc.Driver)
	}
	deps := make(map[int64]int, len(pc.Departments))
	for bp, d := range pc.Departments {
		deps[bp] = int(d)
	}
	pays := make(map[string][2]int, len(pc.Payments))
	for m, v := range pc.Payments {
		if len(v) == 2 {
			pays[m] = [2]int{int(v[0]), int(v[1])}
		}
	}
	return fpmate.New(fpmate.Config{URL: pc.URL, Timeout: cfg.FiscalPrinterTimeout(), Departments: deps,
		Payments: pays, Location: cfg.Location()})
}

// useReceiptFiscal makes the RT register each sale as its receipt describes it
// (receipt.BuildFiscal through the print queue), so the RT and the receipt agree.
func (a *Agent) useReceiptFiscal() {
	if a.RT != nil && a.Printing != nil {
		a.RT.UseSaleDocuments(a.Printing.ReceiptFiscal)
	}
}

// rtState publishes the RT's state to every terminal as an `event: device`.
func (a *Agent) rtState(state, reason string) {
	if a.POS == nil {
		return
	}
	a.POS.Events().Publish("", pos.Event{Name: "device", Data: DeviceEvent{Name: rtDeviceName, Type: "fiscal_printer", State: state, Reason: reason}})
}

// rtDeviceStates is the RT's line in /api/v1/status (none before the first request).
func (a *Agent) rtDeviceStates() []pos.DeviceState {
	if a.RT == nil {
		return nil
	}
	state, reason := a.RT.State()
	if state == "" {
		state, reason = "reconnecting", "not contacted yet: its state is known after the first registration"
	}
	return []pos.DeviceState{{Name: rtDeviceName, Type: "fiscal_printer", State: state, Reason: reason}}
}
