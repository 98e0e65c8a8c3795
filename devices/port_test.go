//go:build linux || darwin || freebsd

package devices

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
)

func TestOpenSerial(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	p, err := OpenSerial(pty.Path, SerialSettings{Baud: 115200, Parity: "even"}, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("OpenSerial: %v", err)
	}
	defer p.Close()
	buf := make([]byte, 100)

	t.Run("no data yet is (0, nil)", func(t *testing.T) {
		start := time.Now()
		n, err := p.Read(buf)
		if n != 0 || err != nil {
			t.Errorf("Read = %d, %v; want 0, nil", n, err)
		}
		if d := time.Since(start); d < 50*time.Millisecond || d > time.Second {
			t.Errorf("Read returned after %v, want about the 100 ms read timeout", d)
		}
	})
	t.Run("data", func(t *testing.T) {
		pty.Write([]byte("4006381333931\r"))
		n, err := p.Read(buf)
		if err != nil || string(buf[:n]) != "4006381333931\r" {
			t.Errorf("Read = %q, %v; want the bytes written, CR untranslated", buf[:n], err)
		}
	})
	t.Run("write reaches the device", func(t *testing.T) {
		if _, err := p.Write([]byte("\x16M\rREVINF.")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Second)
		for !bytes.Equal(pty.Received(), []byte("\x16M\rREVINF.")) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := pty.Received(); string(got) != "\x16M\rREVINF." {
			t.Errorf("device received %q", got)
		}
	})
	t.Run("hang-up is an error", func(t *testing.T) {
		pty.Unplug()
		var err error
		for i := 0; i < 5 && err == nil; i++ {
			_, err = p.Read(buf)
		}
		if !errors.Is(err, ErrHungUp) {
			t.Errorf("Read after unplug: %v, want ErrHungUp", err)
		}
	})
	t.Run("bad settings", func(t *testing.T) {
		if _, err := OpenSerial(pty.Path, SerialSettings{Baud: 1234}, 0); err == nil {
			t.Error("baud 1234: error = nil")
		}
		if _, err := OpenSerial(pty.Path+"-missing", SerialSettings{}, 0); err == nil {
			t.Error("missing device: error = nil")
		}
	})
}

func TestDialTCP(t *testing.T) {
	printer := devtest.NewTCPPrinter(t)
	printer.SetStatus(4, 0x72)
	p, err := DialTCP(context.Background(), printer.Addr, time.Second, 100*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Write([]byte("\x1b@hello\n\x10\x04\x04")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	var got []byte
	for deadline := time.Now().Add(2 * time.Second); len(got) == 0 && time.Now().Before(deadline); {
		n, err := p.Read(buf)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, []byte{0x72}) {
		t.Errorf("DLE EOT 4 answer = % x, want 72", got)
	}
	if !bytes.HasPrefix(printer.Bytes(), []byte("\x1b@hello\n")) {
		t.Errorf("printer received %q", printer.Bytes())
	}
	t.Run("drop mid-job", func(t *testing.T) {
		printer.DropAfter(4)
		q, err := DialTCP(context.Background(), printer.Addr, time.Second, 50*time.Millisecond, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		var werr error
		for i := 0; i < 50 && werr == nil; i++ {
			_, werr = q.Write(bytes.Repeat([]byte("x"), 4096))
			time.Sleep(2 * time.Millisecond)
		}
		if werr == nil {
			t.Error("writes to a dropped connection kept succeeding")
		}
	})
	t.Run("connect refused", func(t *testing.T) {
		if _, err := DialTCP(context.Background(), "127.0.0.1:1", 200*time.Millisecond, 0, 0); err == nil {
			t.Error("error = nil")
		}
	})
}

func TestOpenUSBLP_fifo(t *testing.T) {
	lp := devtest.NewFIFOPrinter(t)
	p, err := OpenUSBLP(lp.Path, 0, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Write([]byte("\x1b@receipt\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(make([]byte, 4)); !errors.Is(err, ErrWriteOnly) {
		t.Errorf("Read on a FIFO: %v, want ErrWriteOnly", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for string(lp.Bytes()) != "\x1b@receipt\n" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := lp.Bytes(); string(got) != "\x1b@receipt\n" {
		t.Errorf("printer got %q", got)
	}
}

func TestManager_OpenPort(t *testing.T) {
	printer := devtest.NewTCPPrinter(t)
	m, err := NewManager([]Spec{{Name: "lane1-printer", Type: TypePrinter, Transport: TransportTCP, Path: printer.Addr}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.OpenPort("lane1-printer")
	if err != nil {
		t.Fatalf("OpenPort: %v", err)
	}
	p.Write([]byte("x"))
	p.Close()
	if s, ok := m.Spec("lane1-printer"); !ok || s.Path != printer.Addr {
		t.Errorf("Spec(lane1-printer) = %+v, %v", s, ok)
	}
	if _, err := m.OpenPort("nope"); err == nil {
		t.Error("OpenPort of an unknown device: error = nil")
	}
}
