package hid

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// eviocgrab is EVIOCGRAB, _IOW('E', 0x90, int) in include/uapi/linux/input.h, with the generic
// ioctl encoding (direction bits 30-31, size 16-29, type 8-15, number 0-7).
const eviocgrab = 1<<30 | 4<<16 | 'E'<<8 | 0x90

// Device is an open /dev/input/event* node. Read returns raw input_event records for a Decoder.
type Device struct {
	f           *os.File
	readTimeout time.Duration
}

// Open opens an evdev node and, if grab is set, takes it exclusively (EVIOCGRAB) so the scanner's
// keystrokes reach only the agent, not the desktop or console. Reads wait at most readTimeout
// (0: 200 ms) and then return (0, nil): "no data yet".
func Open(path string, grab bool, readTimeout time.Duration) (*Device, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open input device: %w", err)
	}
	if grab {
		if err := ioctlInt(f, eviocgrab, 1); err != nil {
			f.Close()
			return nil, fmt.Errorf("grab input device %s: %w", path, err)
		}
	}
	if readTimeout <= 0 {
		readTimeout = 200 * time.Millisecond
	}
	return &Device{f: f, readTimeout: readTimeout}, nil
}

func ioctlInt(f *os.File, req uint, v int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		ioErr = unix.IoctlSetInt(int(fd), req, v)
	}); err != nil {
		return err
	}
	return ioErr
}

// Read reads whole input_event records into p (which must hold at least one). It returns (0, nil)
// when nothing arrived within the read timeout, and an error once the device is gone.
func (d *Device) Read(p []byte) (int, error) {
	if err := d.f.SetReadDeadline(time.Now().Add(d.readTimeout)); err != nil {
		// Not pollable (a plain file in tests): read without deadline.
		return d.f.Read(p)
	}
	n, err := d.f.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

// Write is not supported: keyboard-wedge scanners take no commands over evdev.
func (d *Device) Write(p []byte) (int, error) {
	return 0, errors.New("hid: input devices are read-only")
}

// Close releases the grab and closes the device. It interrupts a pending Read.
func (d *Device) Close() error {
	return d.f.Close()
}
