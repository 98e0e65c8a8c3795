//go:build unix

package devtest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// FIFOPrinter stands in for a USB printer node (/dev/usb/lp*): a named pipe whose reader records
// everything written to it. Openers see a FIFO, which devices.OpenUSBLP opens write-only.
type FIFOPrinter struct {
	// Path is the FIFO to configure as the printer's path.
	Path string

	f    *os.File
	mu   sync.Mutex
	data bytes.Buffer
	done chan struct{}
}

// NewFIFOPrinter creates the FIFO and its reader; both go away when the test ends.
func NewFIFOPrinter(t testing.TB) *FIFOPrinter {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lp0")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("devtest: mkfifo: %v", err)
	}
	// Read-write so the open does not wait for a writer and the reader never sees EOF between
	// writers.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("devtest: open fifo: %v", err)
	}
	p := &FIFOPrinter{Path: path, f: f, done: make(chan struct{})}
	go p.read()
	t.Cleanup(func() {
		f.Close()
		<-p.done
	})
	return p
}

func (p *FIFOPrinter) read() {
	defer close(p.done)
	buf := make([]byte, 4096)
	for {
		n, err := p.f.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.data.Write(buf[:n])
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Bytes returns everything written to the printer so far.
func (p *FIFOPrinter) Bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.data.Bytes())
}
