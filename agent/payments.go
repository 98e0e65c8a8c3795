package agent

import (
	"context"
	"fmt"

	"github.com/storeagent/storeagent/devices/payterm"
	"github.com/storeagent/storeagent/devices/payterm/caisseap"
	"github.com/storeagent/storeagent/pos"
)

// paymentCharger adapts a payment-terminal driver to pos.PaymentCharger.
type paymentCharger struct{ t payterm.Terminal }

// Charge implements pos.PaymentCharger.
func (c paymentCharger) Charge(ctx context.Context, kind string, amountMinor int64, currency string) pos.PaymentOutcome {
	r := c.t.Transact(ctx, payterm.Request{Kind: payterm.Kind(kind), AmountMinor: amountMinor, Currency: currency})
	return pos.PaymentOutcome{Status: string(r.Status), Reason: r.Reason, AuthCode: r.AuthCode,
		CardMasked: r.CardMasked, Scheme: r.Scheme, EntryMode: r.EntryMode, Detail: r.Detail}
}

// paymentOptions builds each terminal's payment terminal from terminals[].payment_terminal. A
// Caisse-AP terminal's register number (CA) is the lane id's trailing number (lane1 → 01), else
// the lane's position in terminals[].
func paymentOptions(cfg *Config) (pos.PaymentOptions, error) {
	opts := pos.PaymentOptions{Devices: map[string]pos.PaymentDevice{}, UnclaimedAfter: cfg.Payments.UnclaimedAfter.Std()}
	for i, t := range cfg.Terminals {
		if t.PaymentTerminal == "" {
			continue
		}
		d, ok := cfg.Device(t.PaymentTerminal)
		if !ok || d.Type != "payment" {
			return opts, fmt.Errorf("terminals[%d].payment_terminal: %q is not a payment device", i, t.PaymentTerminal)
		}
		dev := pos.PaymentDevice{Name: d.Name, Profile: d.Profile}
		if d.Profile == pos.ProfileCaisseAP {
			term, err := caisseap.New(caisseap.Config{Addr: d.Path, Register: caisseap.RegisterFromID(t.ID, i+1),
				AnswerTimeout: cfg.Payments.AnswerTimeout.Std()})
			if err != nil {
				return opts, fmt.Errorf("devices %q: %w", d.Name, err)
			}
			dev.Charger = paymentCharger{term}
		}
		opts.Devices[t.ID] = dev
	}
	return opts, nil
}
