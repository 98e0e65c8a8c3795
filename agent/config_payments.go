package agent

import (
	"fmt"
	"time"
)

// PaymentsConfig is the payments: key: how card payments through payment terminals behave
// (CONTRACT.md wave 2, "Payment terminals"). Which terminal has which payment terminal is
// terminals[].payment_terminal, naming a devices[] entry of type payment.
type PaymentsConfig struct {
	// AnswerTimeout is how long the agent waits for a terminal's answer once the request went out
	// (the cardholder types a PIN, the terminal calls the bank); after it the payment is unknown.
	AnswerTimeout Duration `yaml:"answer_timeout"`
	// UnclaimedAfter is how long an approved payment may wait for a sale before it goes to
	// central as retail.payment.unclaimed.
	UnclaimedAfter Duration `yaml:"unclaimed_after"`
}

// Defaults and bounds of the payments: key.
const (
	configDefaultAnswerTimeout  = Duration(3 * time.Minute)
	configDefaultUnclaimedAfter = Duration(30 * time.Minute)
	configPaymentProfileDefault = "caisse-ap"
)

// validatePayments checks the payments: key and the payment devices' profiles.
func (c *Config) validatePayments(ps *configProblems) {
	p := c.Payments
	if p.AnswerTimeout.Std() < 5*time.Second || p.AnswerTimeout.Std() > 10*time.Minute {
		ps.add("payments.answer_timeout", fmt.Sprintf("%s is outside 5s..10m", p.AnswerTimeout))
	}
	if p.UnclaimedAfter.Std() < time.Second || p.UnclaimedAfter.Std() > 24*time.Hour {
		ps.add("payments.unclaimed_after", fmt.Sprintf("%s is outside 1s..24h", p.UnclaimedAfter))
	}
	for i, d := range c.Devices {
		if d.Type != "payment" {
			continue
		}
		configOneOf(ps, configIndexPath("devices", i)+".profile", d.Profile, "caisse-ap", "standalone")
	}
}

// validatePaymentTerminal checks a terminal's payment_terminal and that no payment terminal
// serves two lanes (a terminal does one transaction at a time).
func (c *Config) validatePaymentTerminal(ps *configProblems, p string, t Terminal, owner map[string]string) {
	if t.PaymentTerminal == "" {
		return
	}
	d, ok := c.Device(t.PaymentTerminal)
	switch {
	case !ok:
		ps.add(p+".payment_terminal", fmt.Sprintf("%q is not a device name (devices[].name)", t.PaymentTerminal))
	case d.Type != "payment":
		ps.add(p+".payment_terminal", fmt.Sprintf("%q is a %s, not a payment terminal (type: payment)", t.PaymentTerminal, d.Type))
	case owner[t.PaymentTerminal] != "":
		ps.add(p+".payment_terminal", fmt.Sprintf("%q already belongs to %s; a payment terminal belongs to one terminal", t.PaymentTerminal, owner[t.PaymentTerminal]))
	default:
		owner[t.PaymentTerminal] = p
	}
}

// validatePaymentDevice checks a devices[] entry of type payment: caisse-ap talks TCP to
// host:port; standalone has no link (the cashier types the terminal's result).
func (c *Config) validatePaymentDevice(ps *configProblems, p string, d Device) {
	if d.Profile == "standalone" {
		if d.Transport != "" || d.Path != "" {
			ps.add(p, "a standalone payment terminal has no link: remove transport and path")
		}
	} else {
		if configOneOf(ps, p+".transport", d.Transport, "tcp") {
			if err := configHostPort(d.Path, false, true); err != nil {
				ps.add(p+".path", err.Error())
			}
		}
	}
	if d.Baud != 0 || d.DataBits != 0 || d.Parity != "" || d.StopBits != 0 {
		ps.add(p, "baud, data_bits, parity and stop_bits are only for transport serial")
	}
}
