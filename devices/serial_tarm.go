//go:build linux || windows || cgo

package devices

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tarm/serial"
)

func parity(name string) (serial.Parity, error) {
	switch name {
	case "", "none":
		return serial.ParityNone, nil
	case "even":
		return serial.ParityEven, nil
	case "odd":
		return serial.ParityOdd, nil
	case "mark":
		return serial.ParityMark, nil
	case "space":
		return serial.ParitySpace, nil
	}
	return 0, fmt.Errorf("parity %q (none, even, odd, mark or space)", name)
}

// OpenSerial opens a serial or USB CDC-ACM port (github.com/tarm/serial) with a read timeout,
// 100 ms if readTimeout is zero. A blocking read on such a port is not released by Close, so a
// timeout is mandatory; tarm reports it as (0, io.EOF), which the returned Port turns into
// (0, nil).
func OpenSerial(path string, s SerialSettings, readTimeout time.Duration) (Port, error) {
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("open serial %s: %w", path, err)
	}
	par, _ := parity(s.Parity)
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	p, err := serial.OpenPort(&serial.Config{
		Name:        path,
		Baud:        s.Baud,
		Size:        byte(s.DataBits),
		Parity:      par,
		StopBits:    serial.StopBits(s.StopBits),
		ReadTimeout: readTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("open serial %s: %w", path, err)
	}
	return &serialPort{p: p, path: path, timeout: readTimeout}, nil
}

type serialPort struct {
	p       *serial.Port
	path    string
	timeout time.Duration
	quick   int // consecutive empty reads that returned well before the timeout
}

// Read implements Port. An empty read that returns long before the read timeout, three times in
// a row, or a device node that disappeared, means the device hung up (USB unplug).
func (s *serialPort) Read(b []byte) (int, error) {
	start := time.Now()
	n, err := s.p.Read(b)
	if n > 0 {
		s.quick = 0
		if err == io.EOF {
			err = nil
		}
		return n, err
	}
	if err != nil && err != io.EOF {
		return 0, err
	}
	if time.Since(start) < s.timeout/4 {
		s.quick++
		if s.quick >= 3 {
			return 0, fmt.Errorf("read %s: %w", s.path, ErrHungUp)
		}
	} else {
		s.quick = 0
	}
	if _, err := os.Stat(s.path); err != nil {
		return 0, fmt.Errorf("read %s: %w", s.path, ErrHungUp)
	}
	return 0, nil
}

func (s *serialPort) Write(b []byte) (int, error) { return s.p.Write(b) }
func (s *serialPort) Close() error                { return s.p.Close() }

var _ Port = (*serialPort)(nil)
