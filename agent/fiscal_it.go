package agent

import (
	"errors"
	"fmt"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
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
		if p, err = rtDriver(a.cfg); err != nil {
			return nil, fmt.Errorf("fiscal.printer: %w", err)
		}
	}
	return pos.NewRTQueue(a.DB, p, pos.RTOptions{
		StoreID: a.cfg.StoreID, Epoch: a.DB.Epoch, Logger: a.opts.Logger,
		OnCommit: a.notifySync, OnState: a.rtState,
	}), nil
}

// errNoRTDriver is returned until the epson-fpmate driver is wired (issue 15, helper 15rt).
var errNoRTDriver = errors.New("the epson-fpmate driver is not built into this version")

// rtDriver builds the configured RT driver.
func rtDriver(cfg *Config) (fiscalprinter.Printer, error) {
	return nil, errNoRTDriver
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
