package main

import (
	"fmt"
	"time"

	"github.com/storeagent/storeagent/agent"
	"github.com/storeagent/storeagent/devices/payterm/caisseapemu"
)

// demoTerminalDelay is how long the demo's card terminal "works" before it approves, so the POS's
// waiting screen shows.
const demoTerminalDelay = 1500 * time.Millisecond

// startDemoTerminal runs the Caisse-AP emulator as lane1's card payment terminal (docs/payments.md)
// and adds it to cfg; close stops it.
func startDemoTerminal(cfg *agent.Config) (close func(), addr string, err error) {
	e, err := caisseapemu.Start("127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("demo payment terminal: %w", err)
	}
	e.Set(caisseapemu.Behaviour{Mode: caisseapemu.Success, Delay: demoTerminalDelay, CC: "00B", CI: "2"})
	cfg.Devices = append(cfg.Devices, agent.Device{Name: "lane1-ept", Type: "payment", Transport: "tcp", Path: e.Addr(), Profile: "caisse-ap"})
	cfg.Terminals[0].PaymentTerminal = "lane1-ept"
	if err := cfg.Validate(); err != nil {
		e.Close()
		return nil, "", fmt.Errorf("demo payment terminal: %w", err)
	}
	return func() { e.Close() }, e.Addr(), nil
}
