package agent

import (
	"context"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/scale"
	"github.com/storeagent/storeagent/pos"
)

// scalesFor makes a scale for every scanner whose profile has a scale protocol; its requests go
// out on the scanner's open port.
func (a *Agent) scalesFor(specs []devices.Spec) map[string]*scale.Scale {
	out := map[string]*scale.Scale{}
	for _, sp := range specs {
		if sp.Type != devices.TypeScanner || sp.Profile.Scale == "" || sp.Transport != devices.TransportSerial {
			continue
		}
		name := sp.Name
		out[name] = &scale.Scale{Protocol: scale.Lookup(sp.Profile.Scale), Write: func(b []byte) error { return a.Devices.WriteTo(name, b) }}
	}
	a.scales = out
	return out
}

// agentScales reads a terminal's scanner-scale for the selling domain.
type agentScales struct{ a *Agent }

// ReadScale reads the scale of the first of the terminal's scanners that has one.
func (s agentScales) ReadScale(ctx context.Context, terminal string) (pos.ScaleReading, error) {
	for _, t := range s.a.cfg.Terminals {
		if t.ID != terminal {
			continue
		}
		for _, name := range t.Scanners {
			sc := s.a.scales[name]
			if sc == nil {
				continue
			}
			r, err := sc.Read(ctx)
			if err != nil {
				return pos.ScaleReading{}, err
			}
			return pos.ScaleReading{Device: name, Status: r.Status, WeightG: r.WeightG, Stable: r.Status == scale.Stable || r.Status == scale.Zero}, nil
		}
	}
	return pos.ScaleReading{}, pos.ErrNoScale
}
