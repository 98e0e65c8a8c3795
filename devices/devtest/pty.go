//go:build linux || darwin || freebsd

package devtest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTYScanner is a serial scanner simulated with a pseudo-terminal. The code under test opens
// Path (a symlink to the pty's slave side); the test writes what the scanner "scans" with Write.
type PTYScanner struct {
	// Path is the device path to configure; it stays the same across Unplug and Replug.
	Path string

	t        testing.TB
	mu       sync.Mutex
	master   *os.File
	slave    *os.File
	received bytes.Buffer
	reading  sync.WaitGroup
}

// NewPTYScanner creates a plugged-in pty scanner; it is unplugged when the test ends.
func NewPTYScanner(t testing.TB) *PTYScanner {
	t.Helper()
	s := &PTYScanner{t: t, Path: filepath.Join(t.TempDir(), "ttyScanner")}
	s.Replug()
	t.Cleanup(s.Unplug)
	return s
}

// Replug plugs a new pseudo-terminal in at Path (after Unplug, or replacing the current one),
// as a scanner plugged back in gets a new device re-pointed by a udev symlink.
func (s *PTYScanner) Replug() {
	s.t.Helper()
	master, slave, err := openPTY()
	if err != nil {
		s.t.Fatalf("devtest: open pty: %v", err)
	}
	// Raw mode from the start, so bytes written before the code under test configures the port
	// are not echoed or translated (CR to NL) by the line discipline.
	if tio, err := unix.IoctlGetTermios(int(slave.Fd()), ioctlGetTermios); err == nil {
		makeRaw(tio)
		_ = unix.IoctlSetTermios(int(slave.Fd()), ioctlSetTermios, tio)
	}
	tmp := s.Path + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		s.t.Fatalf("devtest: symlink pty: %v", err)
	}
	if err := os.Rename(tmp, s.Path); err != nil {
		s.t.Fatalf("devtest: re-point pty symlink: %v", err)
	}
	s.mu.Lock()
	old := s.master
	oldSlave := s.slave
	s.master, s.slave = master, slave
	s.mu.Unlock()
	if old != nil {
		old.Close()
		oldSlave.Close()
	}
	s.reading.Add(1)
	go s.readMaster(master)
}

// openPTY opens a pty pair whose master is in non-blocking mode under Go's poller, so closing
// it interrupts the goroutine reading it and the slave side hangs up at once. (pty.Open leaves
// the master blocking: it calls Fd(), and a blocked Read would delay the close indefinitely.)
func openPTY() (master, slave *os.File, err error) {
	m, slave, err := pty.Open()
	if err != nil {
		return nil, nil, err
	}
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		slave.Close()
		return nil, nil, err
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), slave, nil
}

// readMaster records what the code under test writes to the scanner (init commands).
func (s *PTYScanner) readMaster(master *os.File) {
	defer s.reading.Done()
	buf := make([]byte, 1024)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.received.Write(buf[:n])
			s.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Write sends bytes from the scanner to the host, as if scanned.
func (s *PTYScanner) Write(p []byte) (int, error) {
	s.mu.Lock()
	m := s.master
	s.mu.Unlock()
	if m == nil {
		return 0, os.ErrClosed
	}
	return m.Write(p)
}

// Unplug closes the pseudo-terminal: the host side sees a hang-up. Path keeps pointing at the
// dead pty until Replug.
func (s *PTYScanner) Unplug() {
	s.mu.Lock()
	m, sl := s.master, s.slave
	s.master, s.slave = nil, nil
	s.mu.Unlock()
	if m != nil {
		m.Close()
		sl.Close()
	}
}

// Received returns everything the code under test wrote to the scanner so far.
func (s *PTYScanner) Received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.received.Bytes())
}

// makeRaw is cfmakeraw(3).
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
}
