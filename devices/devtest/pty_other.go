//go:build !(linux || darwin || freebsd)

package devtest

import (
	"errors"
	"testing"
)

// PTYScanner stands in for a serial scanner or printer; pseudo-terminals exist only on Unix.
type PTYScanner struct {
	// Path is the device path to configure.
	Path string
}

// NewPTYScanner skips the test: there is no pseudo-terminal here.
func NewPTYScanner(t testing.TB) *PTYScanner {
	t.Helper()
	t.Skip("a pseudo-terminal scanner needs Linux, macOS or FreeBSD")
	return nil
}

// Write fails: there is no pseudo-terminal.
func (s *PTYScanner) Write(p []byte) (int, error) { return 0, errors.ErrUnsupported }

// Unplug does nothing.
func (s *PTYScanner) Unplug() {}

// Replug does nothing.
func (s *PTYScanner) Replug() {}

// Received returns nothing.
func (s *PTYScanner) Received() []byte { return nil }
