//go:build !linux

package devices

import (
	"errors"
	"fmt"
)

// Enumerate lists devices on Linux only (it reads sysfs). Elsewhere it explains how to find the
// port: the Device Manager (Windows) or /dev/cu.* (macOS) names it, and config takes the path.
func Enumerate(sysRoot, devRoot string) ([]Found, error) {
	return nil, fmt.Errorf("device enumeration reads Linux sysfs; on this system find the port in the OS device list and set devices[].path: %w", errors.ErrUnsupported)
}
