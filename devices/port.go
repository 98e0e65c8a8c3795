package devices

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Port is an open connection to a device. Implementations never block forever in Read, so a
// reader loop notices cancellation: serial ports are opened with a read timeout because a
// blocking read on them is not released by Close.
type Port interface {
	// Read reads what the device sent, waiting at most the port's read timeout. It returns
	// (0, nil) when nothing arrived in that time ("no data yet"). An error means the device is
	// gone or broken: close the port and open it again.
	Read(p []byte) (int, error)
	// Write sends p to the device, failing after the port's write timeout where it has one.
	Write(p []byte) (int, error)
	// Close releases the device. It is safe to call while a Read is in progress.
	Close() error
}

// Dialer opens the port of a device spec. The Manager uses SystemDialer unless a test injects
// another one.
type Dialer interface {
	// Dial opens spec's port. ctx bounds the time spent connecting (TCP).
	Dial(ctx context.Context, spec Spec) (Port, error)
}

// DialerFunc adapts a function to Dialer.
type DialerFunc func(ctx context.Context, spec Spec) (Port, error)

// Dial calls f.
func (f DialerFunc) Dial(ctx context.Context, spec Spec) (Port, error) { return f(ctx, spec) }

// Transports a Spec may name.
const (
	TransportSerial = "serial"
	TransportHID    = "hid"
	TransportUSBLP  = "usblp"
	TransportTCP    = "tcp"
)

// Device types a Spec may name.
const (
	TypeScanner = "scanner"
	TypePrinter = "printer"
	// TypeDisplay is a customer pole display, opened on demand through OpenPort by its driver
	// (devices/display), which reports its state with SetState.
	TypeDisplay = "display"
)

// ErrWriteOnly is returned by Read on ports that cannot report anything back, such as a USB
// printer opened write-only.
var ErrWriteOnly = errors.New("port is write-only")

// Spec describes one configured device, as the config's devices: list gives it.
type Spec struct {
	// Name is the device's unique name (config devices[].name).
	Name string
	// Type is TypeScanner or TypePrinter.
	Type string
	// Transport is serial, hid, usblp or tcp.
	Transport string
	// Path is the device node (/dev/ttyACM0, /dev/input/event3, /dev/usb/lp0) or host:port.
	Path string
	// Profile is the scanner's firmware profile (scanners only).
	Profile ScannerProfile
	// Serial overrides the profile's serial settings field by field; zero fields keep the
	// profile's values.
	Serial SerialSettings
}

// SerialSettings returns the effective serial settings: the profile's, then the spec's overrides,
// then defaults (9600 8N1).
func (s Spec) SerialSettings() SerialSettings {
	return s.Profile.Serial.merge(s.Serial).withDefaults()
}

// Validate checks what the Manager needs of a spec.
func (s Spec) Validate() error {
	if s.Name == "" {
		return errors.New("device without a name")
	}
	switch s.Type {
	case TypeScanner, TypePrinter, TypeDisplay:
	default:
		return fmt.Errorf("device %q: type %q (scanner, printer or display)", s.Name, s.Type)
	}
	switch s.Transport {
	case TransportSerial, TransportUSBLP, TransportTCP:
	case TransportHID:
		if s.Type != TypeScanner {
			return fmt.Errorf("device %q: transport hid is for scanners only", s.Name)
		}
	default:
		return fmt.Errorf("device %q: transport %q (serial, hid, usblp or tcp)", s.Name, s.Transport)
	}
	if s.Path == "" {
		return fmt.Errorf("device %q: empty path", s.Name)
	}
	if s.Transport == TransportSerial {
		if err := s.SerialSettings().Validate(); err != nil {
			return fmt.Errorf("device %q: %w", s.Name, err)
		}
	}
	return nil
}

// Default timeouts of SystemDialer.
const (
	DefaultReadTimeout    = 100 * time.Millisecond
	DefaultConnectTimeout = 5 * time.Second
	DefaultWriteTimeout   = 10 * time.Second
)
