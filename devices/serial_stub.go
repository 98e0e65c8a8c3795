//go:build !linux && !windows && !cgo

package devices

import (
	"errors"
	"fmt"
	"time"
)

// OpenSerial is unavailable: github.com/tarm/serial needs cgo on this platform.
func OpenSerial(path string, s SerialSettings, readTimeout time.Duration) (Port, error) {
	return nil, fmt.Errorf("open serial %s: serial ports need a cgo build on this platform: %w", path, errors.ErrUnsupported)
}
