package agent

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/display"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/scanner"
)

// displayProfiles loads the display models, profiles_dir/displays overriding the built-in ones.
func displayProfiles(cfg *Config) (map[string]display.Profile, error) {
	out, err := display.LoadProfiles(firmwareprofiles.FS, display.ProfileDir)
	if err != nil {
		return nil, fmt.Errorf("display profiles: %w", err)
	}
	if cfg.ProfilesDir != "" {
		if _, err := os.Stat(filepath.Join(cfg.ProfilesDir, display.ProfileDir)); err == nil {
			own, err := display.LoadProfiles(os.DirFS(cfg.ProfilesDir), display.ProfileDir)
			if err != nil {
				return nil, fmt.Errorf("profiles_dir displays: %w", err)
			}
			for id, p := range own {
				out[id] = p
			}
		}
	}
	return out, nil
}

// displaySerial returns a display's serial settings: the config's overrides over its profile's.
func displaySerial(p display.Profile, d Device) devices.SerialSettings {
	s := devices.SerialSettings{Baud: p.Serial.Baud, DataBits: p.Serial.DataBits, Parity: p.Serial.Parity, StopBits: p.Serial.StopBits}
	if d.Baud != 0 {
		s.Baud = d.Baud
	}
	if d.DataBits != 0 {
		s.DataBits = d.DataBits
	}
	if d.Parity != "" {
		s.Parity = d.Parity
	}
	if d.StopBits != 0 {
		s.StopBits = d.StopBits
	}
	return s
}

// displayLabels are the pole display's words in the store's language.
func displayLabels(cfg *Config) display.Labels {
	idle := cfg.Store.Name
	switch strings.ToLower(strings.SplitN(cfg.Locale, "-", 2)[0]) {
	case "it":
		return display.Labels{Total: "TOTALE", Change: "RESTO", Idle1: "Benvenuti", Idle2: idle}
	case "fr":
		return display.Labels{Total: "TOTAL", Change: "RENDU", Idle1: "Bienvenue", Idle2: idle}
	case "fi":
		return display.Labels{Total: "YHTEENSÄ", Change: "VAIHTORAHA", Idle1: "Tervetuloa", Idle2: idle}
	}
	return display.Labels{Total: "TOTAL", Change: "CHANGE", Idle1: "Welcome", Idle2: idle}
}

// displayFormat returns the currency's decimals (ISO 4217 exponent) and the locale's decimal sign.
func displayFormat(cfg *Config) (int, byte) {
	decimals := 2
	if c, ok := scanner.LookupCurrency(cfg.Currency); ok && c.Exponent >= 0 {
		decimals = c.Exponent // ISO 4217 minor unit: JPY 0, KWD 3
	}
	sep := byte(',')
	if strings.HasPrefix(strings.ToLower(cfg.Locale), "en") {
		sep = '.'
	}
	return decimals, sep
}

// startDisplays runs a pole display driver for every terminal with terminals[].display and
// drives it from the terminal's events: a scan shows the item, a quote the last line and the
// running total, a completed sale the total and the change, then the idle message.
func (a *Agent) startDisplays() error {
	if a.Devices == nil {
		return nil
	}
	profiles, err := displayProfiles(a.cfg)
	if err != nil {
		return err
	}
	decimals, sep := displayFormat(a.cfg)
	for i, t := range a.cfg.Terminals {
		if t.Display == "" {
			continue
		}
		d, _ := a.cfg.Device(t.Display)
		p, ok := profiles[d.Profile]
		if !ok {
			return fmt.Errorf("terminals[%d].display: device %q: no display profile %q", i, d.Name, d.Profile)
		}
		name := d.Name
		drv, err := display.NewDriver(p, display.Options{
			Open:     func(context.Context) (io.WriteCloser, error) { return a.Devices.OpenPort(name) },
			Decimals: decimals, Sep: sep, Labels: displayLabels(a.cfg),
			OnState: func(err error) {
				if err != nil {
					_ = a.Devices.SetState(name, devices.StateReconnecting, err.Error())
					return
				}
				_ = a.Devices.SetState(name, devices.StateConnected, "")
			},
		})
		if err != nil {
			return fmt.Errorf("terminals[%d].display: %w", i, err)
		}
		term := t.ID
		a.POS.Events().Tap(func(tm string, ev pos.Event) {
			if tm == term {
				showOnDisplay(drv, ev)
			}
		})
		a.Add("display "+name, drv)
	}
	return nil
}

// showOnDisplay turns one terminal event into a screen.
func showOnDisplay(drv *display.Driver, ev pos.Event) {
	switch v := ev.Data.(type) {
	case ScanEvent:
		if !v.Valid || v.Product == nil {
			return
		}
		price := v.Product.PriceMinor
		if v.Embedded != nil && v.Embedded.PriceMinor != nil {
			price = *v.Embedded.PriceMinor
		}
		drv.ShowItem(v.Product.Name, price)
	case pos.Quote:
		if len(v.Lines) == 0 {
			drv.ShowIdle()
			return
		}
		last := v.Lines[len(v.Lines)-1]
		drv.ShowBasket(last.Name, last.AmountMinor, v.TotalMinor)
	case pos.SaleDone:
		drv.ShowPayment(v.TotalMinor, v.ChangeMinor)
	}
}

// displaySpecSerial is the serial settings of display device d for the device manager.
func displaySpecSerial(cfg *Config, d Device) (devices.SerialSettings, error) {
	profiles, err := displayProfiles(cfg)
	if err != nil {
		return devices.SerialSettings{}, err
	}
	p, ok := profiles[d.Profile]
	if !ok {
		return devices.SerialSettings{}, fmt.Errorf("profile: no display profile %q", d.Profile)
	}
	return displaySerial(p, d), nil
}
