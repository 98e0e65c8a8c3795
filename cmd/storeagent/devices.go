package main

import (
	"context"
	"flag"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/display"
	"github.com/storeagent/storeagent/devices/escpos"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
)

// devicesCmd lists the serial, USB printer and input devices present, with USB VID:PID and the
// firmware profile that matches. -config adds the config's profiles_dir overrides.
func (m *Main) devicesCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	configPath := fs.String("config", "", "config file (for profiles_dir)")
	sysRoot := fs.String("sys", "/sys", "sysfs root")
	devRoot := fs.String("dev", "/dev", "device node root")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	overrides := ""
	if *configPath != "" {
		cfg, err := m.loadConfig(*configPath)
		if err != nil {
			return err
		}
		overrides = cfg.ProfilesDir
	}
	profiles, err := devices.LoadScannerProfiles(firmwareprofiles.FS, overrides)
	if err != nil {
		return err
	}
	printers, err := escpos.LoadProfilesWithOverrides(firmwareprofiles.FS, overrides)
	if err != nil {
		return err
	}
	displays, err := display.LoadProfilesWithOverrides(firmwareprofiles.FS, overrides)
	if err != nil {
		return err
	}
	found, err := devices.Enumerate(*sysRoot, *devRoot)
	if err != nil {
		return err
	}
	return devices.WriteDeviceTable(m.Stdout, found, profiles, printerMatcher(printers), displayMatcher(displays))
}
