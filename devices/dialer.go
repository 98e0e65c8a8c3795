package devices

import (
	"context"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/devices/hid"
)

// SystemDialer opens real ports: serial via github.com/tarm/serial, hid via evdev, usblp via the
// device node, tcp via the network. Zero durations take the package defaults.
type SystemDialer struct {
	// ReadTimeout bounds every Read (default 100 ms).
	ReadTimeout time.Duration
	// ConnectTimeout bounds a TCP connection attempt (default 5 s).
	ConnectTimeout time.Duration
	// WriteTimeout bounds a Write on usblp and tcp ports (default 10 s).
	WriteTimeout time.Duration
	// NoGrab leaves HID scanners shared with the desktop (for diagnostics); by default they are
	// grabbed exclusively.
	NoGrab bool
}

// Dial implements Dialer.
func (d SystemDialer) Dial(ctx context.Context, spec Spec) (Port, error) {
	switch spec.Transport {
	case TransportSerial:
		return OpenSerial(spec.Path, spec.SerialSettings(), d.ReadTimeout)
	case TransportHID:
		p, err := hid.Open(spec.Path, !d.NoGrab, d.readTimeout())
		if err != nil {
			return nil, err
		}
		return p, nil
	case TransportUSBLP:
		return OpenUSBLP(spec.Path, d.ReadTimeout, d.WriteTimeout)
	case TransportTCP:
		return DialTCP(ctx, spec.Path, d.ConnectTimeout, d.ReadTimeout, d.WriteTimeout)
	}
	return nil, fmt.Errorf("device %q: unknown transport %q", spec.Name, spec.Transport)
}

func (d SystemDialer) readTimeout() time.Duration {
	if d.ReadTimeout > 0 {
		return d.ReadTimeout
	}
	return DefaultReadTimeout
}

// Compile-time checks that every transport's port is a Port.
var (
	_ Port = (*hid.Device)(nil)
	_ Port = (*filePort)(nil)
	_ Port = (*tcpPort)(nil)
)
