package devices

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/escpos"
)

// The cash drawer on a printer's kick-out connector is reported as a device of its own type,
// named after its printer, once the printer told its state: the level of connector pin 3 in the
// reply to DLE EOT 1 (bit 2) or in an ASB message (first byte, bit 2), Epson ESC/POS Command
// Reference, "DLE EOT" and "GS a".
const (
	TypeDrawer        = "drawer"
	StateDrawerOpen   = "drawer_open"
	StateDrawerClosed = "drawer_closed"
	// EventDrawer is the kind of the event a drawer state change emits (State is drawer_open
	// or drawer_closed, Device the printer's name).
	EventDrawer = "drawer"
)

// Drawer polling bounds: a printer is asked at most every MinDrawerPoll.
const (
	MinDrawerPoll     = 250 * time.Millisecond
	MaxDrawerPoll     = time.Minute
	DefaultDrawerPoll = time.Second
)

// SetDrawer records the state of the drawer on printer name and emits an EventDrawer when it
// changed (or is first known).
func (m *Manager) SetDrawer(name string, open bool) error {
	state := StateDrawerClosed
	if open {
		state = StateDrawerOpen
	}
	m.mu.Lock()
	if _, ok := m.states[name]; !ok {
		m.mu.Unlock()
		return fmt.Errorf("device %q: not configured", name)
	}
	if m.drawers == nil {
		m.drawers = map[string]*DeviceState{}
	}
	st := m.drawers[name]
	if st != nil && st.State == state {
		m.mu.Unlock()
		return nil
	}
	now := m.opts.Now()
	m.drawers[name] = &DeviceState{Name: name, Type: TypeDrawer, State: state, Since: now}
	m.mu.Unlock()
	m.log.Info("drawer state", "printer", name, "state", state)
	m.emit(Event{Device: name, Kind: EventDrawer, State: state, Time: now})
	return nil
}

// DrawerState returns drawer_open or drawer_closed for the drawer on printer name, or "" while
// the printer has not reported it.
func (m *Manager) DrawerState(name string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st := m.drawers[name]; st != nil {
		return st.State
	}
	return ""
}

// Drawers returns the known drawer states, in the configuration order of their printers.
func (m *Manager) Drawers() []DeviceState {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []DeviceState
	for _, s := range m.specs {
		if st := m.drawers[s.Name]; st != nil {
			out = append(out, *st)
		}
	}
	return out
}

// printerLock serialises a printer's jobs and drawer polls, so a poll never interleaves its
// DLE EOT with a job's bytes.
func (p *Printer) printerLock(name string) *sync.Mutex {
	l, _ := p.locks.LoadOrStore(name, &sync.Mutex{})
	return l.(*sync.Mutex)
}

// recordDrawer passes the drawer level in st to the manager, by the printer's drawer polarity.
func (p *Printer) recordDrawer(name string, st escpos.Status) {
	if p.m == nil {
		return
	}
	if open, known := st.DrawerOpen(p.opts.DrawerOpenWhen[name]); known {
		_ = p.m.SetDrawer(name, open)
	}
}

// PollDrawer asks printer name for its DLE EOT 1 status once, unless a job is running, and
// records the drawer state. It returns the error of the exchange (nil also when skipped).
func (p *Printer) PollDrawer(ctx context.Context, name string) error {
	l := p.printerLock(name)
	if !l.TryLock() {
		return nil // a job runs: it reads the status itself
	}
	defer l.Unlock()
	port, err := p.opts.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("drawer poll on %q: %w", name, err)
	}
	defer port.Close()
	b, err := statusByte(ctx, port, 1, p.opts.StatusTimeout)
	if err != nil {
		return fmt.Errorf("drawer poll on %q: %w", name, err)
	}
	var st escpos.Status
	if err := st.ApplyStatusReply(1, b); err != nil {
		return err
	}
	p.recordDrawer(name, st)
	return nil
}

// DrawerWatch is a Part that polls one printer's drawer while the printer is idle, every Every
// (clamped to MinDrawerPoll..MaxDrawerPoll; 0 means DefaultDrawerPoll).
type DrawerWatch struct {
	Printer *Printer
	Name    string
	Every   time.Duration
}

// Run polls until ctx ends. Failed polls are retried at the same pace; the printer's own state
// is left to the print jobs and the presence watch.
func (w DrawerWatch) Run(ctx context.Context) error {
	every := w.Every
	if every == 0 {
		every = DefaultDrawerPoll
	}
	every = min(max(every, MinDrawerPoll), MaxDrawerPoll)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := w.Printer.PollDrawer(ctx, w.Name); err != nil && ctx.Err() == nil && w.Printer.m != nil {
			w.Printer.m.log.Debug("drawer poll", "printer", w.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
