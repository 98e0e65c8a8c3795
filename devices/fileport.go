package devices

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// OpenUSBLP opens a USB printer-class device (/dev/usb/lp*) read-write where the device allows
// it, so the printer can answer status queries, else write-only (Read then returns
// ErrWriteOnly). A FIFO, the test stand-in, is opened write-only. Reads wait at most readTimeout
// and writes writeTimeout (zero: defaults).
func OpenUSBLP(path string, readTimeout, writeTimeout time.Duration) (Port, error) {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	if writeTimeout <= 0 {
		writeTimeout = DefaultWriteTimeout
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open usblp %s: %w", path, err)
	}
	nonblock := syscall.O_NONBLOCK // so the file joins Go's poller and deadlines work
	if fi.Mode()&fs.ModeNamedPipe == 0 {
		f, err := os.OpenFile(path, os.O_RDWR|nonblock, 0)
		if err == nil {
			return &filePort{f: f, readable: true, rt: readTimeout, wt: writeTimeout}, nil
		}
		if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.EROFS) && !errors.Is(err, syscall.EINVAL) {
			return nil, fmt.Errorf("open usblp %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|nonblock, 0)
	if err != nil {
		return nil, fmt.Errorf("open usblp %s: %w", path, err)
	}
	return &filePort{f: f, rt: readTimeout, wt: writeTimeout}, nil
}

// filePort is a Port over a device node with poller-backed deadlines.
type filePort struct {
	f        *os.File
	readable bool
	rt, wt   time.Duration
}

func (p *filePort) Read(b []byte) (int, error) {
	if !p.readable {
		return 0, ErrWriteOnly
	}
	if err := p.f.SetReadDeadline(time.Now().Add(p.rt)); err != nil {
		return p.f.Read(b)
	}
	n, err := p.f.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, nil
	}
	return n, err
}

func (p *filePort) Write(b []byte) (int, error) {
	_ = p.f.SetWriteDeadline(time.Now().Add(p.wt)) // unsupported on plain files: no deadline
	return p.f.Write(b)
}

func (p *filePort) Close() error { return p.f.Close() }
