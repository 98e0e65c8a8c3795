//go:build !linux

package hid

import (
	"errors"
	"fmt"
	"time"
)

// Device is an open input device; reading keyboard-wedge scanners directly is Linux only.
type Device struct{}

// Open reports that HID keyboard-wedge scanners need Linux (evdev).
func Open(path string, grab bool, readTimeout time.Duration) (*Device, error) {
	return nil, fmt.Errorf("hid: reading keyboard-wedge scanners needs Linux (/dev/input/event*); configure the scanner for serial or USB CDC mode instead: %w", errors.ErrUnsupported)
}

// Read always fails.
func (d *Device) Read(p []byte) (int, error) { return 0, errors.New("hid: not supported") }

// Write always fails.
func (d *Device) Write(p []byte) (int, error) { return 0, errors.New("hid: not supported") }

// Close does nothing.
func (d *Device) Close() error { return nil }
