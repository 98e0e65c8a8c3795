package devices_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	firmwareprofiles "github.com/storeagent/storeagent/firmware-profiles"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/escpos"
)

func printerProfile(t *testing.T, id string) escpos.Profile {
	t.Helper()
	all, err := escpos.LoadProfiles(firmwareprofiles.FS, "printers")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := all[id]
	if !ok {
		t.Fatalf("no profile %s", id)
	}
	return p
}

// newPrinterDriver configures one printer named "p" and returns the driver and its manager.
func newPrinterDriver(t *testing.T, transport, path string, prof escpos.Profile) (*devices.Printer, *devices.Manager) {
	t.Helper()
	m, err := devices.NewManager([]devices.Spec{{Name: "p", Type: devices.TypePrinter, Transport: transport, Path: path}},
		devices.Options{Dialer: devices.SystemDialer{ConnectTimeout: time.Second, WriteTimeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	drv := devices.NewPrinter(m, map[string]escpos.Profile{"p": prof},
		devices.PrinterOptions{StatusTimeout: 300 * time.Millisecond, DrainTimeout: 2 * time.Second})
	return drv, m
}

func state(m *devices.Manager) string { return m.States()[0].State }

// job is a small receipt-like job: init, text, cut.
var job = append(append([]byte{0x1b, '@'}, bytes.Repeat([]byte("RECEIPT LINE\n"), 50)...), 0x1d, 'V', 66, 0)

func setAll(p *devtest.TCPPrinter, v byte) {
	for n := byte(1); n <= 4; n++ {
		p.SetStatus(n, v)
	}
}

func TestPrinter_Print(t *testing.T) {
	prof := printerProfile(t, "epson-tm-t20")
	ctx := context.Background()

	t.Run("tcp online", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		setAll(tp, 0x12)
		drv, m := newPrinterDriver(t, devices.TransportTCP, tp.Addr, prof)
		if err := drv.Print(ctx, "p", job); err != nil {
			t.Fatalf("Print: %v", err)
		}
		if got := bytes.Count(tp.Bytes(), job); got != 1 {
			t.Errorf("copies of the job received = %d, want 1", got)
		}
		// The TM-T20 has Automatic Status Back: GS a enables it and its first report is the
		// pre-job check; GS a 0 turns it off after the job.
		if !bytes.HasPrefix(tp.Bytes(), []byte{0x1d, 'a', 0x0f}) || tp.ASBRequests() != 1 {
			t.Errorf("the job was not preceded by GS a (ASB): % x, %d ASB requests", tp.Bytes()[:6], tp.ASBRequests())
		}
		waitFor(t, func() bool { return bytes.HasSuffix(tp.Bytes(), []byte{0x1d, 'a', 0}) }, "ASB turned off after the job (GS a 0)")
		if got := state(m); got != devices.StateConnected {
			t.Errorf("state = %q, want connected", got)
		}
	})

	refusals := []struct {
		name   string
		status map[byte]byte
		want   string
	}{
		// DLE EOT 4 = 0x72: roll paper end sensor bits 5,6 on (Epson ESC/POS "DLE EOT", n=4).
		{"paper out", map[byte]byte{1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x72}, devices.StatePaperOut},
		// DLE EOT 2 = 0x16: cover open (bit 2); DLE EOT 1 = 0x1a: off-line (bit 3).
		{"cover open", map[byte]byte{1: 0x1a, 2: 0x16, 3: 0x12, 4: 0x12}, devices.StateCoverOpen},
		{"offline", map[byte]byte{1: 0x1a, 2: 0x12, 3: 0x12, 4: 0x12}, devices.StateFailed},
		{"no reply", map[byte]byte{}, devices.StateFailed},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			tp := devtest.NewTCPPrinter(t)
			for n, v := range tc.status {
				tp.SetStatus(n, v)
			}
			drv, m := newPrinterDriver(t, devices.TransportTCP, tp.Addr, prof)
			err := drv.Print(ctx, "p", job)
			if !errors.Is(err, devices.ErrPrinterNotReady) {
				t.Fatalf("Print error = %v, want ErrPrinterNotReady", err)
			}
			if ns := (*devices.NotSentError)(nil); !errors.As(err, &ns) {
				t.Errorf("Print error %v is not a NotSentError, though no byte of the job went out", err)
			}
			if bytes.Contains(tp.Bytes(), job[:20]) {
				t.Errorf("job bytes were sent to a printer that is not ready")
			}
			if got := state(m); got != tc.want {
				t.Errorf("state = %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("a printer without ASB is checked with DLE EOT", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		setAll(tp, 0x12)
		tp.SetStatus(4, 0x72) // paper out
		tp.SetASB(false)
		drv, m := newPrinterDriver(t, devices.TransportTCP, tp.Addr, prof)
		if err := drv.Print(ctx, "p", job); !errors.Is(err, devices.ErrPrinterNotReady) {
			t.Fatalf("Print error = %v, want ErrPrinterNotReady", err)
		}
		if !bytes.Contains(tp.Bytes(), []byte{0x10, 0x04, 4}) || bytes.Contains(tp.Bytes(), job[:20]) {
			t.Errorf("want a DLE EOT check and no job: % x", tp.Bytes())
		}
		if got := state(m); got != devices.StatePaperOut {
			t.Errorf("state = %q, want paper_out", got)
		}
	})

	t.Run("paper low prints with a warning state", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		setAll(tp, 0x12)
		tp.SetStatus(4, 0x1e) // near-end sensor bits 2,3 on
		drv, m := newPrinterDriver(t, devices.TransportTCP, tp.Addr, prof)
		if err := drv.Print(ctx, "p", job); err != nil {
			t.Fatalf("Print: %v", err)
		}
		if got := state(m); got != devices.StatePaperLow {
			t.Errorf("state = %q, want paper_low", got)
		}
	})

	t.Run("dropped mid-job", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		setAll(tp, 0x12)
		tp.DropAfter(200)
		drv, m := newPrinterDriver(t, devices.TransportTCP, tp.Addr, prof)
		err := drv.Print(ctx, "p", job)
		if err == nil {
			t.Fatal("Print succeeded on a printer that dropped the connection mid-job")
		}
		if ns := (*devices.NotSentError)(nil); errors.As(err, &ns) {
			t.Errorf("Print error %v says nothing was sent, but 200 bytes reached the printer", err)
		}
		if got := state(m); got != devices.StateFailed {
			t.Errorf("state = %q, want failed", got)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		tp := devtest.NewTCPPrinter(t)
		addr := tp.Addr
		tp.Close()
		drv, m := newPrinterDriver(t, devices.TransportTCP, addr, prof)
		err := drv.Print(ctx, "p", job)
		if err == nil {
			t.Fatal("Print succeeded with no printer listening")
		}
		if ns := (*devices.NotSentError)(nil); !errors.As(err, &ns) {
			t.Errorf("Print error %v is not a NotSentError, though the connection was refused", err)
		}
		if got := state(m); got != devices.StateFailed {
			t.Errorf("state = %q, want failed", got)
		}
	})

	t.Run("usblp fifo, write-only", func(t *testing.T) {
		fp := devtest.NewFIFOPrinter(t)
		drv, m := newPrinterDriver(t, devices.TransportUSBLP, fp.Path, prof)
		if err := drv.Print(ctx, "p", job); err != nil {
			t.Fatalf("Print: %v", err)
		}
		waitFor(t, func() bool { return bytes.Equal(fp.Bytes(), job) }, "the FIFO to receive exactly the job (no status requests)")
		if got := state(m); got != devices.StateConnected {
			t.Errorf("state = %q, want connected", got)
		}
	})

	t.Run("serial pty without status support", func(t *testing.T) {
		pty := devtest.NewPTYScanner(t)
		noStatus := prof
		noStatus.Status.DLEEOT, noStatus.Status.ASB = false, false
		drv, _ := newPrinterDriver(t, devices.TransportSerial, pty.Path, noStatus)
		if err := drv.Print(ctx, "p", job); err != nil {
			t.Fatalf("Print: %v", err)
		}
		waitFor(t, func() bool { return bytes.Equal(pty.Received(), job) }, "the pty to receive exactly the job")
	})

	t.Run("unknown printer", func(t *testing.T) {
		drv, _ := newPrinterDriver(t, devices.TransportTCP, "127.0.0.1:1", prof)
		if err := drv.Print(ctx, "nope", job); err == nil {
			t.Fatal("Print on an unconfigured printer succeeded")
		}
	})
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
