package agent

import (
	"strings"
	"testing"
	"time"
)

// TestConfig_Validate_payments: payment devices and terminals[].payment_terminal are checked like
// the other keys, and a wrong one is named.
func TestConfig_Validate_payments(t *testing.T) {
	withEPT := func(c *Config) {
		c.Devices = append(c.Devices, Device{Name: "lane1-ept", Type: "payment", Transport: "tcp", Path: "192.168.1.60:8888", Profile: "caisse-ap"},
			Device{Name: "lane2-ept", Type: "payment", Profile: "standalone"})
		c.Terminals[0].PaymentTerminal = "lane1-ept"
		c.Terminals[1].PaymentTerminal = "lane2-ept"
	}
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"ok", func(c *Config) {}, ""},
		{"default profile is caisse-ap", func(c *Config) { c.Devices[4].Profile = "" }, ""},
		{"unknown profile", func(c *Config) { c.Devices[4].Profile = "nexi" }, `devices[4].profile: "nexi" is not one of caisse-ap, standalone`},
		{"caisse-ap needs tcp", func(c *Config) { c.Devices[4].Transport = "serial" }, `devices[4].transport: "serial" is not one of tcp`},
		{"caisse-ap needs host:port", func(c *Config) { c.Devices[4].Path = "192.168.1.60" }, `devices[4].path: "192.168.1.60" is not host:port`},
		{"standalone has no link", func(c *Config) { c.Devices[5].Path = "10.0.0.1:8888" }, "devices[5]: a standalone payment terminal has no link"},
		{"not a device", func(c *Config) { c.Terminals[0].PaymentTerminal = "nope" }, `terminals[0].payment_terminal: "nope" is not a device name`},
		{"a printer is not a payment terminal", func(c *Config) { c.Terminals[0].PaymentTerminal = "lane1-printer" }, `terminals[0].payment_terminal: "lane1-printer" is a printer, not a payment terminal`},
		{"one lane per payment terminal", func(c *Config) { c.Terminals[1].PaymentTerminal = "lane1-ept" }, `terminals[1].payment_terminal: "lane1-ept" already belongs to terminals[0]`},
		{"a payment terminal is not a printer", func(c *Config) { c.Terminals[0].Printer = "lane1-ept" }, `terminals[0].printer: "lane1-ept" is a payment, not a printer`},
		{"answer timeout bounded", func(c *Config) { c.Payments.AnswerTimeout = Duration(time.Second) }, "payments.answer_timeout: 1s is outside 5s..10m"},
		{"unclaimed bounded", func(c *Config) { c.Payments.UnclaimedAfter = 0 }, "payments.unclaimed_after: 0s is outside 1s..24h"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := configValidBase()
			withEPT(&c)
			tc.mutate(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v; want valid", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Validate() = %v; want a problem starting %q", err, tc.want)
			}
		})
	}
}

// TestPaymentOptions: a lane with a payment_terminal gets its driver, and the device manager
// never opens a payment terminal (pos drives it per transaction).
func TestPaymentOptions(t *testing.T) {
	c := configValidBase()
	c.Devices = append(c.Devices, Device{Name: "lane1-ept", Type: "payment", Transport: "tcp", Path: "127.0.0.1:8888", Profile: "caisse-ap"})
	c.Terminals[0].PaymentTerminal = "lane1-ept"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	opts, err := paymentOptions(&c)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := opts.Devices["lane1"]
	if !ok || d.Name != "lane1-ept" || d.Profile != "caisse-ap" || d.Charger == nil {
		t.Fatalf("lane1's payment terminal = %+v", d)
	}
	if _, ok := opts.Devices["lane2"]; ok {
		t.Fatal("lane2 has no payment terminal, but got one")
	}
	specs, err := deviceSpecs(&c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if s.Name == "lane1-ept" {
			t.Fatal("the device manager would open the payment terminal")
		}
	}
}
