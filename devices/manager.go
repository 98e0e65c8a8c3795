package devices

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"sync"
	"time"

	"github.com/storeagent/storeagent/scanner/framing"
)

// Device states reported in events and by States.
const (
	StateConnected    = "connected"
	StateReconnecting = "reconnecting"
	StateFailed       = "failed"
)

// Event kinds.
const (
	EventFrame = "frame"
	EventState = "state"
)

// Event is something that happened on a device: a scanned frame or a state change.
type Event struct {
	// Device is the spec's name.
	Device string
	// Kind is EventFrame or EventState.
	Kind string
	// Frame is the scanned frame (Kind frame).
	Frame framing.Frame
	// State and Reason describe the new state (Kind state).
	State  string
	Reason string
	// Time is when it happened.
	Time time.Time
}

// DeviceState is the current state of one device, for /api/v1/status.
type DeviceState struct {
	Name   string
	Type   string
	State  string
	Reason string
	Since  time.Time
}

// Options configure a Manager. The zero value works.
type Options struct {
	// Dialer opens ports; nil means SystemDialer{}.
	Dialer Dialer
	// OnEvent receives every event. It is called from the devices' goroutines (in order for any
	// one device) and must not block for long. Nil drops events.
	OnEvent func(Event)
	// MinBackoff and MaxBackoff bound the reconnect delay, which doubles after each failure
	// and carries random jitter (defaults 250 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// InitSettle is how long replies to a profile's init commands are read and discarded after
	// sending them (default 300 ms).
	InitSettle time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Now returns the time; nil means time.Now. Frame timing uses it.
	Now func() time.Time
	// PrinterWatch is how often Run checks that local printers' device nodes are still there
	// (0: the default, 2 s; negative: never).
	PrinterWatch time.Duration
}

// Manager keeps the configured devices open: it reads scanners into frames, reconnects after
// unplugs and read errors, and tracks every device's state. Create it with NewManager.
type Manager struct {
	specs []Spec
	opts  Options
	log   *slog.Logger

	mu     sync.Mutex
	states map[string]*DeviceState
	// drawers holds the state of the cash drawer on a printer's kick-out connector, by printer
	// name, once the printer reported it (drawer.go).
	drawers map[string]*DeviceState
	// open holds the port of each scanner session in progress, for WriteTo.
	open map[string]Port
}

// NewManager checks the specs (unique names, known types and transports, usable profiles) and
// returns a Manager for them.
func NewManager(specs []Spec, opts Options) (*Manager, error) {
	if opts.Dialer == nil {
		opts.Dialer = SystemDialer{}
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(30*time.Second, opts.MinBackoff)
	}
	if opts.InitSettle <= 0 {
		opts.InitSettle = 300 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{opts: opts, log: log.With("component", "devices")}
	var err error
	if m.specs, m.states, err = m.checkSpecs(specs, nil); err != nil {
		return nil, err
	}
	return m, nil
}

// checkSpecs checks specs (unique names, known types and transports, usable profiles) and
// returns them with their initial states; a device in keep whose spec is unchanged keeps its state.
func (m *Manager) checkSpecs(specs []Spec, keep map[string]Spec) ([]Spec, map[string]*DeviceState, error) {
	states := map[string]*DeviceState{}
	var out []Spec
	for _, s := range specs {
		if err := s.Validate(); err != nil {
			return nil, nil, err
		}
		if _, dup := states[s.Name]; dup {
			return nil, nil, fmt.Errorf("device %q: name used twice", s.Name)
		}
		if s.Type == TypeScanner {
			if _, err := s.Profile.FramingConfig(); err != nil {
				return nil, nil, fmt.Errorf("device %q: profile %q: %w", s.Name, s.Profile.ID, err)
			}
			if s.Transport == TransportHID {
				if _, err := newHIDDecoder(s); err != nil {
					return nil, nil, fmt.Errorf("device %q: %w", s.Name, err)
				}
			}
		}
		out = append(out, s)
		if old, ok := keep[s.Name]; ok && reflect.DeepEqual(old, s) && m.states[s.Name] != nil {
			st := *m.states[s.Name]
			states[s.Name] = &st
			continue
		}
		state, reason := StateReconnecting, ""
		if s.Type == TypePrinter {
			state, reason = printerPresence(s)
		}
		states[s.Name] = &DeviceState{Name: s.Name, Type: s.Type, State: state, Reason: reason, Since: m.opts.Now()}
	}
	return out, states, nil
}

// Reconfigure replaces the configured devices with specs (checked as NewManager checks them),
// keeping the state of the devices whose spec did not change. Call it only while Run is not
// running: the agent stops Run, reconfigures and runs it again (a fleet config overlay that
// changes the scanners, docs/fleet.md).
func (m *Manager) Reconfigure(specs []Spec) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep := map[string]Spec{}
	for _, s := range m.specs {
		keep[s.Name] = s
	}
	out, states, err := m.checkSpecs(specs, keep)
	if err != nil {
		return err
	}
	m.specs, m.states = out, states
	for name := range m.open {
		if _, ok := states[name]; !ok {
			delete(m.open, name)
		}
	}
	return nil
}

// Run reads every scanner until ctx is cancelled, reconnecting as needed, and returns nil then
// (cancellation is not an error). Printers are opened on demand through OpenPort.
func (m *Manager) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	every := m.opts.PrinterWatch
	if every == 0 {
		every = 2 * time.Second
	}
	m.mu.Lock()
	specs := m.specs
	m.mu.Unlock()
	for _, s := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.Type == TypePrinter {
				m.watchPrinter(ctx, s, every)
				return
			}
			if s.Type == TypeDisplay {
				return // its driver opens it
			}
			m.runScanner(ctx, s)
		}()
	}
	wg.Wait()
	return nil
}

// States returns every device's current state, in configuration order.
func (m *Manager) States() []DeviceState {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]DeviceState, 0, len(m.specs))
	for _, s := range m.specs {
		out = append(out, *m.states[s.Name])
	}
	return out
}

// Spec returns the configured spec of a device, so consumers of frame events can look up the
// scanner's profile (code IDs) by the event's device name.
func (m *Manager) Spec(name string) (Spec, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// SetState records a device's state and emits a state event if it changed. Printer drivers use
// it to report connected, paper_out, cover_open and the like.
func (m *Manager) SetState(name, state, reason string) error {
	m.mu.Lock()
	st, ok := m.states[name]
	if !ok {
		m.mu.Unlock()
		return fmt.Errorf("device %q: not configured", name)
	}
	if st.State == state && st.Reason == reason {
		m.mu.Unlock()
		return nil
	}
	now := m.opts.Now()
	st.State, st.Reason, st.Since = state, reason, now
	m.mu.Unlock()
	m.log.Info("device state", "device", name, "state", state, "reason", reason)
	m.emit(Event{Device: name, Kind: EventState, State: state, Reason: reason, Time: now})
	return nil
}

// OpenPort opens the port of a configured device, for printer drivers. The caller closes it.
func (m *Manager) OpenPort(name string) (Port, error) {
	s, ok := m.Spec(name)
	if !ok {
		return nil, fmt.Errorf("open device %q: not configured", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultConnectTimeout)
	defer cancel()
	p, err := m.opts.Dialer.Dial(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("open device %q: %w", name, err)
	}
	return p, nil
}

func (m *Manager) emit(ev Event) {
	if m.opts.OnEvent != nil {
		m.opts.OnEvent(ev)
	}
}

// backoff returns the delay before reconnect attempt n (0-based): MinBackoff doubled n times,
// capped at MaxBackoff, then scaled by a random factor in [0.5, 1) so that many agents restarted
// together do not retry in lockstep.
func (m *Manager) backoff(n int) time.Duration {
	d := m.opts.MinBackoff
	for i := 0; i < n && d < m.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, m.opts.MaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// sleep waits d or until ctx is done; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// isPermanent reports dial errors that retrying will not fix without someone acting (no
// permission on the device node, a transport this platform lacks): the device then shows as
// failed; the manager still retries, at the slowest pace.
func isPermanent(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, errors.ErrUnsupported)
}
