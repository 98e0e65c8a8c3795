//go:build linux || darwin || freebsd

package devices_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices"
	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/devices/escpos"
)

// drawerEvents records the drawer events of a manager.
type drawerEvents struct {
	mu     sync.Mutex
	states []string
}

func (d *drawerEvents) add(ev devices.Event) {
	if ev.Kind == devices.EventDrawer {
		d.mu.Lock()
		d.states = append(d.states, ev.State)
		d.mu.Unlock()
	}
}

func (d *drawerEvents) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.states...)
}

// serialPrinter configures the pty printer as "p" (DLE EOT, no ASB) with the drawer polarity given.
func serialPrinter(t *testing.T, pp *devtest.PTYPrinter, openWhen string) (*devices.Printer, *devices.Manager, *drawerEvents) {
	t.Helper()
	ev := &drawerEvents{}
	m, err := devices.NewManager([]devices.Spec{{Name: "p", Type: devices.TypePrinter, Transport: devices.TransportSerial, Path: pp.Path}},
		devices.Options{OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	prof := printerProfile(t, "epson-tm-t20")
	prof.Status.ASB = false
	drv := devices.NewPrinter(m, map[string]escpos.Profile{"p": prof}, devices.PrinterOptions{
		StatusTimeout: 300 * time.Millisecond, DrainTimeout: 2 * time.Second, DrawerOpenWhen: map[string]string{"p": openWhen}})
	return drv, m, ev
}

// TestPrinter_DrawerState_pty: the drawer state comes from the printer's real DLE EOT 1 reply
// over a serial line: 0x16 (pin 3 high) and 0x12 (pin 3 low), by the drawer's polarity; a poll
// sends exactly DLE EOT 1 (golden bytes) and emits an event only on a change.
func TestPrinter_DrawerState_pty(t *testing.T) {
	ctx := context.Background()
	t.Run("poll, open when low", func(t *testing.T) {
		pp := devtest.NewPTYPrinter(t)
		drv, m, ev := serialPrinter(t, pp, "low")
		if got := m.DrawerState("p"); got != "" {
			t.Errorf("drawer before any poll = %q, want unknown", got)
		}
		pp.SetStatus(1, 0x16) // on-line, pin 3 high: closed
		if err := drv.PollDrawer(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if got := pp.Received(); !bytes.Equal(got, []byte{0x10, 0x04, 0x01}) {
			t.Errorf("printer received % x, want 10 04 01", got)
		}
		if got := m.DrawerState("p"); got != devices.StateDrawerClosed {
			t.Errorf("drawer = %q, want drawer_closed", got)
		}
		pp.SetStatus(1, 0x12) // pin 3 low: open
		for range 2 {
			if err := drv.PollDrawer(ctx, "p"); err != nil {
				t.Fatal(err)
			}
		}
		if got := m.DrawerState("p"); got != devices.StateDrawerOpen {
			t.Errorf("drawer = %q, want drawer_open", got)
		}
		want := []string{devices.StateDrawerClosed, devices.StateDrawerOpen}
		if got := ev.list(); !slicesEqual(got, want) {
			t.Errorf("drawer events %v, want %v (one per change)", got, want)
		}
		if ds := m.Drawers(); len(ds) != 1 || ds[0].Type != devices.TypeDrawer || ds[0].Name != "p" || ds[0].State != devices.StateDrawerOpen {
			t.Errorf("Drawers() = %+v", ds)
		}
		if st := m.States(); len(st) != 1 || st[0].State == devices.StateDrawerOpen {
			t.Errorf("the printer's own state must not carry the drawer: %+v", st)
		}
	})
	t.Run("open when high", func(t *testing.T) {
		pp := devtest.NewPTYPrinter(t)
		drv, m, _ := serialPrinter(t, pp, "high")
		pp.SetStatus(1, 0x16)
		if err := drv.PollDrawer(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if got := m.DrawerState("p"); got != devices.StateDrawerOpen {
			t.Errorf("drawer = %q, want drawer_open (pin 3 high, open when high)", got)
		}
	})
	t.Run("a job reads the drawer too", func(t *testing.T) {
		pp := devtest.NewPTYPrinter(t)
		drv, m, _ := serialPrinter(t, pp, "low")
		pp.SetStatus(1, 0x12)
		if err := drv.Print(ctx, "p", []byte("\x1b@HELLO\n")); err != nil {
			t.Fatal(err)
		}
		if got := m.DrawerState("p"); got != devices.StateDrawerOpen {
			t.Errorf("drawer after a job = %q, want drawer_open", got)
		}
		if !bytes.Contains(pp.Received(), []byte("\x1b@HELLO\n")) {
			t.Errorf("job not received: % x", pp.Received())
		}
	})
	t.Run("silent printer", func(t *testing.T) {
		pp := devtest.NewPTYPrinter(t)
		drv, m, _ := serialPrinter(t, pp, "low")
		pp.SetSilent(true)
		if err := drv.PollDrawer(ctx, "p"); err == nil {
			t.Error("poll of a silent printer: error = nil")
		}
		if got := m.DrawerState("p"); got != "" {
			t.Errorf("drawer = %q, want unknown", got)
		}
	})
	t.Run("watch polls at a bounded rate", func(t *testing.T) {
		pp := devtest.NewPTYPrinter(t)
		drv, m, _ := serialPrinter(t, pp, "low")
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- devices.DrawerWatch{Printer: drv, Name: "p", Every: time.Millisecond}.Run(ctx) }()
		pp.SetStatus(1, 0x12)
		waitFor(t, func() bool { return m.DrawerState("p") == devices.StateDrawerOpen }, "drawer_open from the watch")
		pp.SetStatus(1, 0x16)
		waitFor(t, func() bool { return m.DrawerState("p") == devices.StateDrawerClosed }, "drawer_closed from the watch")
		time.Sleep(600 * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		// Every 1 ms is clamped to MinDrawerPoll: over about a second, a handful of polls.
		if n := pp.Requests(1); n > 8 {
			t.Errorf("%d polls, want at most 8 (every %v at the fastest)", n, devices.MinDrawerPoll)
		}
	})
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
