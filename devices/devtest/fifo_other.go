//go:build !unix

package devtest

import "testing"

// FIFOPrinter stands in for a USB printer class node; named pipes of this kind exist only on Unix.
type FIFOPrinter struct {
	// Path is the device path to configure.
	Path string
}

// NewFIFOPrinter skips the test: there is no FIFO to stand in for /dev/usb/lp* here.
func NewFIFOPrinter(t testing.TB) *FIFOPrinter {
	t.Helper()
	t.Skip("a FIFO printer needs a Unix system")
	return nil
}

// Bytes returns nothing.
func (p *FIFOPrinter) Bytes() []byte { return nil }
