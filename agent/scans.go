package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/storeagent/storeagent/devices"
	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"
	"github.com/storeagent/storeagent/pos"
	"github.com/storeagent/storeagent/scanner"
)

// rcnLayouts are the variable-measure layouts of the store: the config's own, else the region's
// built-in ones.
func rcnLayouts(cfg *Config) []scanner.RCNLayout {
	if len(cfg.RCNLayouts) == 0 {
		return scanner.RCNLayoutsFor(cfg.RCNRegion)
	}
	out := make([]scanner.RCNLayout, 0, len(cfg.RCNLayouts))
	for _, l := range cfg.RCNLayouts {
		out = append(out, scanner.RCNLayout{Prefix: l.Prefix, ItemStart: l.ItemStart, ItemLen: l.ItemLen, Kind: l.Kind,
			ValueStart: l.ValueStart, ValueLen: l.ValueLen, ValueCheckPos: max(l.ValueCheckPos, 0), Multiplier: l.Multiplier})
	}
	return out
}

// embeddedParser adapts scanner.ParseRCN to the selling domain's lookup.
func embeddedParser(layouts []scanner.RCNLayout) pos.EmbeddedParser {
	if len(layouts) == 0 {
		return nil
	}
	return func(code string) (pos.EmbeddedCode, bool) {
		r, ok, err := scanner.ParseRCN(code, layouts)
		if !ok || err != nil {
			return pos.EmbeddedCode{}, false
		}
		return pos.EmbeddedCode{LookupGTIN: r.LookupGTIN, Embedded: pos.Embedded{PriceMinor: r.PriceMinor, WeightG: r.WeightG}}, true
	}
}

// ScanEvent is the data of an `event: scan` on /api/v1/events.
type ScanEvent struct {
	Device    string            `json:"device"`
	Symbology string            `json:"symbology"`
	Data      string            `json:"data"`
	Valid     bool              `json:"valid"`
	Reason    string            `json:"reason,omitempty"`
	Product   *pos.Product      `json:"product,omitempty"`
	GS1       map[string]string `json:"gs1,omitempty"`
	Embedded  *pos.Embedded     `json:"embedded,omitempty"`
}

// DeviceEvent is the data of an `event: device`.
type DeviceEvent struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// scanRouter turns the device manager's frames into scan events for the terminal that owns each
// scanner, and its state changes into device events for the terminals that use the device.
type scanRouter struct {
	svc     *pos.Service
	opts    map[string]scanner.Options // per device
	owners  map[string][]string        // device → terminals
	types   map[string]string
	log     *slog.Logger
	scans   *prometheus.CounterVec
	state   *prometheus.GaugeVec
	timeout time.Duration
	// embedded decodes the region's variable-measure codes (nil: none built in or configured).
	embedded pos.EmbeddedParser
}

func newScanRouter(cfg *Config, svc *pos.Service, reg prometheus.Registerer, log *slog.Logger) *scanRouter {
	r := &scanRouter{svc: svc, opts: map[string]scanner.Options{}, owners: map[string][]string{}, types: map[string]string{},
		log: log.With("component", "scans"), timeout: 2 * time.Second, embedded: embeddedParser(rcnLayouts(cfg)),
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "storeagent_scans_total",
			Help: "Scans read, by device and validity."}, []string{"device", "valid"}),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "storeagent_device_up",
			Help: "1 when the device is connected (for printers: or paper low), else 0."}, []string{"device", "type"}),
	}
	reg.MustRegister(r.scans, r.state)
	for _, t := range cfg.Terminals {
		for _, s := range t.Scanners {
			r.owners[s] = append(r.owners[s], t.ID)
		}
		if t.Printer != "" {
			r.owners[t.Printer] = append(r.owners[t.Printer], t.ID)
		}
	}
	for _, d := range cfg.Devices {
		r.types[d.Name] = d.Type
	}
	return r
}

// onEvent handles one device manager event. It runs on the device's read goroutine, so the
// lookup is bounded.
func (r *scanRouter) onEvent(ev devices.Event) {
	switch ev.Kind {
	case devices.EventFrame:
		se := r.scanEvent(ev.Device, ev.Frame.Data, ev.Frame.Err)
		r.scans.WithLabelValues(ev.Device, fmt.Sprint(se.Valid)).Inc()
		r.publish(ev.Device, pos.Event{Name: "scan", Data: se})
	case devices.EventState:
		up := 0.0
		if ev.State == devices.StateConnected || ev.State == devices.StatePaperLow {
			up = 1
		}
		r.state.WithLabelValues(ev.Device, r.types[ev.Device]).Set(up)
		r.publish(ev.Device, pos.Event{Name: "device", Data: DeviceEvent{Name: ev.Device, Type: r.types[ev.Device], State: ev.State, Reason: ev.Reason}})
	}
}

func (r *scanRouter) publish(device string, ev pos.Event) {
	for _, term := range r.owners[device] {
		r.svc.Events().Publish(term, ev)
	}
}

// scanEvent decodes a frame and resolves it to a product through the replica.
func (r *scanRouter) scanEvent(device string, data []byte, frameErr error) ScanEvent {
	if frameErr != nil {
		reason := "bad read: " + frameErr.Error()
		s := scanner.Parse(data, r.opts[device]) // for the truncated, printable data
		return ScanEvent{Device: device, Symbology: scanner.Unknown, Data: s.Data, Valid: false, Reason: reason}
	}
	s := scanner.Parse(data, r.opts[device])
	ev := ScanEvent{Device: device, Symbology: s.Symbology, Data: s.Data, Valid: s.Valid, Reason: s.Reason}
	if len(s.GS1) > 0 {
		ev.GS1 = s.GS1Map()
	}
	if !s.Valid {
		return ev
	}
	code := s.GTIN
	if code == "" {
		code = s.Data
	}
	// The price or weight in a variable-measure code is the barcode's content, like gs1: the
	// event carries it whether or not the replica knows the product.
	if r.embedded != nil {
		if ec, ok := r.embedded(code); ok {
			emb := ec.Embedded
			ev.Embedded = &emb
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	p, err := r.svc.Lookup(ctx, code)
	var re *pos.RequestError
	switch {
	case err == nil:
		ev.Product = &p
		if p.Embedded != nil {
			ev.Embedded = p.Embedded
		}
	case errors.As(err, &re):
		// Unknown or inactive: the scan is still a good read; the POS shows the reason.
		ev.Reason = re.Message
	default:
		r.log.Warn("scan lookup", "device", device, "err", err)
	}
	return ev
}

// deviceSpecs builds the device manager's specs from the config and the firmware profiles.
func deviceSpecs(cfg *Config) ([]devices.Spec, error) {
	profiles, err := devices.LoadScannerProfiles(firmwareprofiles.FS, cfg.ProfilesDir)
	if err != nil {
		return nil, fmt.Errorf("scanner profiles: %w", err)
	}
	var specs []devices.Spec
	for i, d := range cfg.Devices {
		if d.Type == "payment" {
			continue // payment terminals are driven per transaction by pos (agent/payments.go)
		}
		spec := devices.Spec{Name: d.Name, Type: d.Type, Transport: d.Transport, Path: d.Path,
			Serial: devices.SerialSettings{Baud: d.Baud, DataBits: d.DataBits, Parity: d.Parity, StopBits: d.StopBits}}
		if d.Type == "scanner" {
			p, ok := profiles[d.Profile]
			if !ok {
				return nil, fmt.Errorf("devices[%d].profile: no scanner profile %q", i, d.Profile)
			}
			spec.Profile = p
		}
		specs = append(specs, spec)
	}
	return specs, nil
}
