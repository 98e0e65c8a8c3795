//go:build linux || darwin || freebsd

package devtest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// PTYPrinter is a serial ESC/POS printer simulated with a pseudo-terminal: it records every
// byte the code under test sends and answers each real-time status request DLE EOT n (0x10 0x04
// n, n = 1..4) with the status byte set for n, as a printer's firmware does at once, even in
// the middle of a job.
type PTYPrinter struct {
	// Path is the device path to configure (a symlink to the pty's slave side).
	Path string

	mu       sync.Mutex
	master   *os.File
	slave    *os.File
	received bytes.Buffer
	status   [5]byte
	requests [5]int
	silent   bool
	state    int // DLE EOT parser: 0 none, 1 after DLE, 2 after DLE EOT
	done     chan struct{}
}

// NewPTYPrinter returns a pty printer that is on-line with paper and a closed drawer whose
// switch pulls pin 3 low when open (DLE EOT 1 → 0x16, 2..4 → 0x12); it closes when the test ends.
func NewPTYPrinter(t testing.TB) *PTYPrinter {
	t.Helper()
	p := &PTYPrinter{Path: filepath.Join(t.TempDir(), "ttyPrinter"), done: make(chan struct{})}
	p.status = [5]byte{0, 0x16, 0x12, 0x12, 0x12}
	master, slave, err := openPTY()
	if err != nil {
		t.Fatalf("devtest: open pty: %v", err)
	}
	if tio, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios); err == nil {
		makeRaw(tio)
		_ = unix.IoctlSetTermios(int(slave.Fd()), ioctlSetTermios, tio)
	}
	if err := os.Symlink(slave.Name(), p.Path); err != nil {
		t.Fatalf("devtest: symlink pty: %v", err)
	}
	p.master, p.slave = master, slave
	go p.serve()
	t.Cleanup(func() {
		master.Close()
		slave.Close()
		<-p.done
	})
	return p
}

// SetStatus sets the byte the printer answers to DLE EOT n.
func (p *PTYPrinter) SetStatus(n int, b byte) {
	p.mu.Lock()
	p.status[n] = b
	p.mu.Unlock()
}

// SetSilent makes the printer stop (or resume) answering status requests.
func (p *PTYPrinter) SetSilent(on bool) {
	p.mu.Lock()
	p.silent = on
	p.mu.Unlock()
}

// Received returns every byte sent to the printer so far.
func (p *PTYPrinter) Received() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.received.Bytes())
}

// Requests returns how many DLE EOT n requests the printer received.
func (p *PTYPrinter) Requests(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[n]
}

func (p *PTYPrinter) serve() {
	defer close(p.done)
	buf := make([]byte, 1024)
	for {
		n, err := p.master.Read(buf)
		for _, b := range buf[:n] {
			p.mu.Lock()
			p.received.WriteByte(b)
			var reply []byte
			switch {
			case p.state == 0 && b == 0x10:
				p.state = 1
			case p.state == 1 && b == 0x04:
				p.state = 2
			case p.state == 2 && b >= 1 && b <= 4:
				p.requests[b]++
				if !p.silent {
					reply = []byte{p.status[b]}
				}
				p.state = 0
			default:
				p.state = 0
				if b == 0x10 {
					p.state = 1
				}
			}
			p.mu.Unlock()
			if reply != nil {
				_, _ = p.master.Write(reply)
			}
		}
		if err != nil {
			return
		}
	}
}
