//go:build linux || darwin || freebsd

package devices

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/storeagent/storeagent/devices/devtest"
	"github.com/storeagent/storeagent/scanner/framing"
)

// recorder collects a manager's events for assertions.
type recorder struct {
	mu     sync.Mutex
	events []Event
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

func (r *recorder) add(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// waitFor waits until an event after index from satisfies pred and returns its index.
func (r *recorder) waitFor(t *testing.T, from int, what string, pred func(Event) bool) int {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if pred(r.events[i]) {
				r.mu.Unlock()
				return i
			}
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; events: %s", what, r.dump())
		}
	}
}

func (r *recorder) frames(from int) []framing.Frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []framing.Frame
	for _, ev := range r.events[from:] {
		if ev.Kind == EventFrame {
			out = append(out, ev.Frame)
		}
	}
	return out
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, ev := range r.events {
		if ev.Kind == EventFrame {
			fmt.Fprintf(&b, "\n  frame %q err=%v", truncate(ev.Frame.Data), ev.Frame.Err)
		} else {
			fmt.Fprintf(&b, "\n  state %s (%s)", ev.State, ev.Reason)
		}
	}
	return b.String()
}

func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

func isState(s string) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventState && ev.State == s }
}

func isFrame(data string) func(Event) bool {
	return func(ev Event) bool {
		return ev.Kind == EventFrame && ev.Frame.Err == nil && string(ev.Frame.Data) == data
	}
}

func isFrameErr(err error) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventFrame && errors.Is(ev.Frame.Err, err) }
}

func serialProfile() ScannerProfile {
	return ScannerProfile{ID: "test", Name: "test", Modes: []string{ModeSerial},
		Serial: SerialSettings{Baud: 9600}, Framing: FramingSettings{Suffix: "cr", MaxLen: 4096}}
}

// startManager runs a manager until the test ends and checks that it stops promptly.
func startManager(t *testing.T, specs []Spec, opts Options) (*Manager, *recorder) {
	t.Helper()
	rec := newRecorder()
	opts.OnEvent = rec.add
	if opts.MinBackoff == 0 {
		opts.MinBackoff, opts.MaxBackoff = 5*time.Millisecond, 40*time.Millisecond
	}
	m, err := NewManager(specs, opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil on cancel", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Run took %v to return after cancel", d)
			}
		case <-time.After(3 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	return m, rec
}

func TestManager_Run_ptyScanner(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	m, rec := startManager(t, []Spec{{Name: "lane1-scanner", Type: TypeScanner, Transport: TransportSerial,
		Path: pty.Path, Profile: serialProfile()}}, Options{})
	at := rec.waitFor(t, 0, "connected", isState(StateConnected))

	t.Run("frames flow", func(t *testing.T) {
		pty.Write([]byte("]E04006381333931\r]C1"))
		pty.Write([]byte("0109501101530003\x1d10AB\r"))
		at = rec.waitFor(t, at, "EAN frame", isFrame("]E04006381333931"))
		at = rec.waitFor(t, at, "GS1 frame", isFrame("]C10109501101530003\x1d10AB"))
		if got := m.States()[0]; got.State != StateConnected || got.Name != "lane1-scanner" || got.Type != TypeScanner {
			t.Errorf("States()[0] = %+v, want lane1-scanner connected", got)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		pty.Write([]byte("\x00\x00\xff\xfe\r"))
		at = rec.waitFor(t, at, "NUL/invalid UTF-8 frame", isFrame("\x00\x00\xff\xfe"))
		junk := bytes.Repeat([]byte("x"), 100*1024)
		for i := 0; i < len(junk); i += 4096 {
			if _, err := pty.Write(junk[i : i+4096]); err != nil {
				t.Fatal(err)
			}
		}
		pty.Write([]byte("\rafter\r"))
		tooLong := rec.waitFor(t, at, "too-long frame", isFrameErr(framing.ErrTooLong))
		at = rec.waitFor(t, tooLong, "frame after junk", isFrame("after"))
		for _, f := range rec.frames(tooLong) {
			if len(f.Data) > 4096 {
				t.Errorf("a frame of %d bytes was passed on", len(f.Data))
			}
		}
		if n := len(rec.frames(tooLong)); n != 2 {
			t.Errorf("%d frames for 100 KB junk + good code, want 2 (one error, one code): %s", n, rec.dump())
		}
	})
	t.Run("unplug mid-line and replug", func(t *testing.T) {
		pty.Write([]byte("12345"))
		time.Sleep(50 * time.Millisecond) // let the partial line be read
		pty.Unplug()
		at = rec.waitFor(t, at, "unterminated frame", isFrameErr(framing.ErrUnterminated))
		at = rec.waitFor(t, at, "reconnecting", isState(StateReconnecting))
		if got := m.States()[0].State; got != StateReconnecting {
			t.Errorf("state while unplugged = %s, want reconnecting", got)
		}
		pty.Replug()
		at = rec.waitFor(t, at, "connected again", isState(StateConnected))
		pty.Write([]byte("96385074\r"))
		at = rec.waitFor(t, at, "frame after replug", isFrame("96385074"))
	})
}

func TestManager_Run_initCommands(t *testing.T) {
	pty := devtest.NewPTYScanner(t)
	p := serialProfile()
	p.InitCommands = []string{"\x16M\rPRECA2,BK2995C81!"}
	go func() { // the scanner answers with its echo and ACK, which must not become a frame
		for !bytes.Contains(pty.Received(), []byte("!")) {
			time.Sleep(5 * time.Millisecond)
		}
		pty.Write([]byte("PRECA2\x06,BK2995C81\x06!"))
	}()
	_, rec := startManager(t, []Spec{{Name: "s", Type: TypeScanner, Transport: TransportSerial, Path: pty.Path, Profile: p}},
		Options{InitSettle: 150 * time.Millisecond})
	at := rec.waitFor(t, 0, "connected", isState(StateConnected))
	if got := string(pty.Received()); got != p.InitCommands[0] {
		t.Errorf("scanner received %q, want %q", got, p.InitCommands[0])
	}
	pty.Write([]byte("]E05901234123457\r"))
	rec.waitFor(t, at, "scan", isFrame("]E05901234123457"))
	if fs := rec.frames(0); len(fs) != 1 {
		t.Errorf("frames = %d, want only the scan: %s", len(fs), rec.dump())
	}
}

// pipePort is a Port over an io.Pipe, for injected dialers.
type pipePort struct {
	r *io.PipeReader
}

func (p pipePort) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipePort) Write(b []byte) (int, error) { return len(b), nil }
func (p pipePort) Close() error                { return p.r.Close() }

// evdevKey encodes a key press and release as 24-byte input_event records.
func evdevKey(code uint16, mods ...uint16) []byte {
	var b []byte
	rec := func(code uint16, value int32) {
		r := make([]byte, 24)
		r[16], r[18] = 1, byte(code) // EV_KEY
		r[19] = byte(code >> 8)
		r[20] = byte(value)
		b = append(b, r...)
	}
	for _, m := range mods {
		rec(m, 1)
	}
	rec(code, 1)
	rec(code, 0)
	for _, m := range mods {
		rec(m, 0)
	}
	return b
}

func TestManager_Run_hidScanner(t *testing.T) {
	pr, pw := io.Pipe()
	dialer := DialerFunc(func(ctx context.Context, s Spec) (Port, error) { return pipePort{pr}, nil })
	p := ScannerProfile{ID: "hid", Name: "hid", Modes: []string{ModeHID}, Framing: FramingSettings{Suffix: "cr"}, HID: HIDSettings{Layout: "fr"}}
	_, rec := startManager(t, []Spec{{Name: "wedge", Type: TypeScanner, Transport: TransportHID, Path: "/dev/input/event9", Profile: p}},
		Options{Dialer: dialer})
	at := rec.waitFor(t, 0, "connected", isState(StateConnected))
	// "]C1" then GS and "1" on an AZERTY keyboard: AltGr+KEY_MINUS, Shift+KEY_C, Shift+KEY_1,
	// Ctrl+KEY_RIGHTBRACE, Shift+KEY_1, Enter. Key codes from linux/input-event-codes.h.
	var raw []byte
	raw = append(raw, evdevKey(12, 100)...)
	raw = append(raw, evdevKey(46, 42)...)
	raw = append(raw, evdevKey(2, 42)...)
	raw = append(raw, evdevKey(27, 29)...)
	raw = append(raw, evdevKey(2, 42)...)
	raw = append(raw, evdevKey(28)...)
	go func() {
		for i := 0; i < len(raw); i += 10 { // odd-sized writes split records
			pw.Write(raw[i:min(i+10, len(raw))])
		}
	}()
	at = rec.waitFor(t, at, "hid frame", isFrame("]C1\x1d1"))
	pw.CloseWithError(errors.New("ENODEV"))
	rec.waitFor(t, at, "reconnecting after device error", isState(StateReconnecting))
}

func TestManager_Run_dialFailures(t *testing.T) {
	var calls sync.Map
	dialer := DialerFunc(func(ctx context.Context, s Spec) (Port, error) {
		n, _ := calls.LoadOrStore(s.Name, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		if s.Name == "denied" {
			return nil, fmt.Errorf("open %s: %w", s.Path, fs.ErrPermission)
		}
		return nil, fmt.Errorf("open %s: %w", s.Path, fs.ErrNotExist)
	})
	p := serialProfile()
	_, rec := startManager(t, []Spec{
		{Name: "absent", Type: TypeScanner, Transport: TransportSerial, Path: "/dev/ttyACM7", Profile: p},
		{Name: "denied", Type: TypeScanner, Transport: TransportSerial, Path: "/dev/ttyACM8", Profile: p},
	}, Options{Dialer: dialer})
	i := rec.waitFor(t, 0, "absent reconnecting", func(ev Event) bool { return ev.Device == "absent" && ev.State == StateReconnecting })
	rec.mu.Lock()
	reason := rec.events[i].Reason
	rec.mu.Unlock()
	if r := reason; !strings.Contains(r, "/dev/ttyACM7") {
		t.Errorf("reason %q should name the device path", r)
	}
	rec.waitFor(t, 0, "denied failed", func(ev Event) bool { return ev.Device == "denied" && ev.State == StateFailed })
	time.Sleep(60 * time.Millisecond)
	n, _ := calls.Load("absent")
	if got := n.(*atomic.Int32).Load(); got < 2 {
		t.Errorf("absent device dialled %d times, want retries", got)
	}
}

func TestManager_backoff(t *testing.T) {
	m, err := NewManager(nil, Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for n, full := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		full *= time.Millisecond
		for range 20 {
			if d := m.backoff(n); d < full/2 || d > full {
				t.Errorf("backoff(%d) = %v, want in [%v, %v]", n, d, full/2, full)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[m.backoff(3)] = true
	}
	if len(seen) < 2 {
		t.Error("backoff has no jitter")
	}
}

func TestNewManager_invalid(t *testing.T) {
	p := serialProfile()
	tests := map[string][]Spec{
		"duplicate name": {{Name: "a", Type: TypeScanner, Transport: TransportSerial, Path: "/x", Profile: p},
			{Name: "a", Type: TypeScanner, Transport: TransportSerial, Path: "/y", Profile: p}},
		"bad transport":  {{Name: "a", Type: TypeScanner, Transport: "bluetooth", Path: "/x", Profile: p}},
		"bad type":       {{Name: "a", Type: "scale", Transport: TransportSerial, Path: "/x", Profile: p}},
		"hid printer":    {{Name: "a", Type: TypePrinter, Transport: TransportHID, Path: "/x"}},
		"bad baud":       {{Name: "a", Type: TypeScanner, Transport: TransportSerial, Path: "/x", Profile: p, Serial: SerialSettings{Baud: 1234}}},
		"no path":        {{Name: "a", Type: TypeScanner, Transport: TransportSerial, Profile: p}},
		"bad framing":    {{Name: "a", Type: TypeScanner, Transport: TransportSerial, Path: "/x", Profile: ScannerProfile{Framing: FramingSettings{Suffix: "none"}}}},
		"unknown layout": {{Name: "a", Type: TypeScanner, Transport: TransportHID, Path: "/x", Profile: ScannerProfile{Framing: FramingSettings{Suffix: "cr"}, HID: HIDSettings{Layout: "xx"}}}},
	}
	for name, specs := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewManager(specs, Options{}); err == nil {
				t.Error("NewManager error = nil, want an error")
			} else if !strings.Contains(err.Error(), `"a"`) {
				t.Errorf("error %q should name the device", err)
			}
		})
	}
}

func TestManager_SetState(t *testing.T) {
	rec := newRecorder()
	m, err := NewManager([]Spec{{Name: "p", Type: TypePrinter, Transport: TransportTCP, Path: "127.0.0.1:9"}}, Options{OnEvent: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.States()[0].State; got != StateReconnecting {
		t.Errorf("initial network printer state %s, want %s until it is reached", got, StateReconnecting)
	}
	m.SetState("p", "paper_out", "DLE EOT 4: 0x72")
	m.SetState("p", "paper_out", "DLE EOT 4: 0x72") // unchanged: no second event
	rec.mu.Lock()
	evs := append([]Event(nil), rec.events...)
	rec.mu.Unlock()
	if len(evs) != 1 || evs[0].State != "paper_out" || evs[0].Device != "p" {
		t.Errorf("events = %s, want one paper_out", rec.dump())
	}
	if err := m.SetState("nope", StateConnected, ""); err == nil {
		t.Error("SetState of an unknown device: error = nil")
	}
}
