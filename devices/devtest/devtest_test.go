//go:build linux || darwin || freebsd

package devtest

import (
	"bytes"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestTCPPrinter(t *testing.T) {
	p := NewTCPPrinter(t)
	p.SetStatus(1, 0x16)
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Run("status request split across writes", func(t *testing.T) {
		c.Write([]byte("ab\x10"))
		time.Sleep(30 * time.Millisecond)
		c.Write([]byte("\x04\x01"))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 1)
		if _, err := c.Read(b); err != nil || b[0] != 0x16 {
			t.Errorf("status answer % x, %v; want 16", b, err)
		}
		if got := p.Bytes(); !bytes.Equal(got, []byte("ab\x10\x04\x01")) {
			t.Errorf("recorded %q", got)
		}
	})
	t.Run("stall blocks the writer", func(t *testing.T) {
		p.Stall(true)
		c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		var err error
		chunk := bytes.Repeat([]byte("x"), 64*1024)
		for i := 0; i < 1000 && err == nil; i++ {
			_, err = c.Write(chunk)
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("write to a stalled printer: %v, want a timeout", err)
		}
		p.Stall(false)
	})
	t.Run("drop after n bytes", func(t *testing.T) {
		p.DropAfter(3)
		c2, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		c2.Write([]byte("12345"))
		c2.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c2.Read(make([]byte, 1)); err == nil {
			t.Error("connection still open after the drop")
		}
		if got := p.Connections(); got != 2 {
			t.Errorf("Connections() = %d, want 2", got)
		}
	})
}

func TestPTYScanner_symlinkFollowsReplug(t *testing.T) {
	s := NewPTYScanner(t)
	if _, err := os.Readlink(s.Path); err != nil {
		t.Fatalf("Path is not a symlink: %v", err)
	}
	s.Unplug()
	if _, err := s.Write([]byte("x")); err == nil {
		t.Error("Write after Unplug: error = nil")
	}
	s.Replug()
	f, err := os.OpenFile(s.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s.Write([]byte("\r1\n"))
	b := make([]byte, 8)
	n, _ := f.Read(b)
	if string(b[:n]) != "\r1\n" {
		t.Errorf("read %q through the symlink, want raw \\r1\\n", b[:n])
	}
}
