package devices

import (
	"errors"
	"fmt"
)

// SerialSettings are the line settings of a serial or USB CDC-ACM port.
type SerialSettings struct {
	// Baud is the bit rate (e.g. 9600, 115200).
	Baud int `yaml:"baud"`
	// DataBits is 7 or 8 (5 and 6 are accepted for completeness).
	DataBits int `yaml:"data_bits"`
	// Parity is none, even, odd, mark or space.
	Parity string `yaml:"parity"`
	// StopBits is 1 or 2.
	StopBits int `yaml:"stop_bits"`
}

// validBaud reports whether github.com/tarm/serial accepts a rate on Linux (serial_linux.go).
func validBaud(b int) bool {
	switch b {
	case 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
		57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000,
		2000000, 2500000, 3000000, 3500000, 4000000:
		return true
	}
	return false
}

// merge returns s with the non-zero fields of o applied.
func (s SerialSettings) merge(o SerialSettings) SerialSettings {
	if o.Baud != 0 {
		s.Baud = o.Baud
	}
	if o.DataBits != 0 {
		s.DataBits = o.DataBits
	}
	if o.Parity != "" {
		s.Parity = o.Parity
	}
	if o.StopBits != 0 {
		s.StopBits = o.StopBits
	}
	return s
}

func (s SerialSettings) withDefaults() SerialSettings {
	return SerialSettings{Baud: 9600, DataBits: 8, Parity: "none", StopBits: 1}.merge(s)
}

// Validate reports settings the port cannot be opened with; zero fields are allowed (defaults).
func (s SerialSettings) Validate() error {
	if s.Baud != 0 && !validBaud(s.Baud) {
		return fmt.Errorf("baud %d not supported", s.Baud)
	}
	if s.DataBits != 0 && (s.DataBits < 5 || s.DataBits > 8) {
		return fmt.Errorf("data_bits %d (5 to 8)", s.DataBits)
	}
	switch s.Parity {
	case "", "none", "even", "odd", "mark", "space":
	default:
		return fmt.Errorf("parity %q (none, even, odd, mark or space)", s.Parity)
	}
	if s.StopBits != 0 && s.StopBits != 1 && s.StopBits != 2 {
		return fmt.Errorf("stop_bits %d (1 or 2)", s.StopBits)
	}
	return nil
}

// ErrHungUp reports a serial device that went away: reads return nothing at once instead of
// waiting for the timeout, which is how a tty reports a hang-up.
var ErrHungUp = errors.New("device hung up")
