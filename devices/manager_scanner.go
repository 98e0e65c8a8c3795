package devices

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/hid"
	"github.com/storeagent/storeagent/scanner/framing"
)

// runScanner keeps one scanner open until ctx ends: dial, send init commands, read frames; on
// any failure report the state and retry after a backoff.
func (m *Manager) runScanner(ctx context.Context, s Spec) {
	log := m.log.With("device", s.Name)
	attempt := 0
	for ctx.Err() == nil {
		connected, err := m.session(ctx, s)
		if ctx.Err() != nil {
			return
		}
		if connected {
			attempt = 0
		}
		state := StateReconnecting
		if isPermanent(err) {
			state = StateFailed
			attempt = max(attempt, 64) // the slowest retry pace
		}
		_ = m.SetState(s.Name, state, err.Error())
		delay := m.backoff(attempt)
		log.Debug("reconnecting", "err", err, "in", delay)
		if !sleep(ctx, delay) {
			return
		}
		if attempt < 64 {
			attempt++
		}
	}
}

// session runs one connection of a scanner; it returns whether the scanner was connected and
// why the session ended.
func (m *Manager) session(ctx context.Context, s Spec) (bool, error) {
	port, err := m.opts.Dialer.Dial(ctx, s)
	if err != nil {
		return false, err
	}
	var once sync.Once
	closePort := func() { once.Do(func() { port.Close() }) }
	defer closePort()
	// Close releases a Read blocked on a pollable device at once; serial reads return within
	// their read timeout anyway.
	stop := context.AfterFunc(ctx, closePort)
	defer stop()

	if err := m.sendInit(ctx, s, port); err != nil {
		return false, err
	}
	// Open for writes (a scanner-scale's weight requests) before anyone is told it is connected:
	// a request made on the "connected" event must find the port.
	m.setOpen(s.Name, port)
	defer m.setOpen(s.Name, nil)
	_ = m.SetState(s.Name, StateConnected, "")
	return true, m.readFrames(ctx, s, port)
}

// sendInit writes the profile's init commands (serial and CDC scanners) and reads and discards
// the scanner's replies for InitSettle, so they are not taken for a scan.
func (m *Manager) sendInit(ctx context.Context, s Spec, port Port) error {
	if len(s.Profile.InitCommands) == 0 || s.Transport == TransportHID {
		return nil
	}
	for _, c := range s.Profile.InitCommands {
		if _, err := port.Write([]byte(c)); err != nil {
			return fmt.Errorf("send init command: %w", err)
		}
	}
	buf := make([]byte, 512)
	for deadline := time.Now().Add(m.opts.InitSettle); time.Now().Before(deadline) && ctx.Err() == nil; {
		if _, err := port.Read(buf); err != nil {
			return fmt.Errorf("read init reply: %w", err)
		}
	}
	return nil
}

func newHIDDecoder(s Spec) (*hid.Decoder, error) {
	return hid.NewDecoder(s.Profile.DecoderOptions())
}

// readFrames reads the port into the framer (through the HID decoder for keyboard-wedge
// scanners) and emits every frame until a read fails or ctx ends.
func (m *Manager) readFrames(ctx context.Context, s Spec, port Port) error {
	cfg, err := s.Profile.FramingConfig()
	if err != nil {
		return err
	}
	fr, err := framing.New(cfg)
	if err != nil {
		return err
	}
	var dec *hid.Decoder
	buf := make([]byte, 4096)
	if s.Transport == TransportHID {
		if dec, err = newHIDDecoder(s); err != nil {
			return err
		}
		buf = make([]byte, 64*dec.RecordSize())
	}
	var text []byte
	idle := 0
	for {
		start := time.Now()
		n, rerr := port.Read(buf)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		now := m.opts.Now()
		var frames []framing.Frame
		if n > 0 {
			data := buf[:n]
			if dec != nil {
				text = dec.Decode(text[:0], data)
				data = text
			}
			frames = fr.Feed(now, data)
			idle = 0
		} else {
			frames = fr.Tick(now)
			// A port that returns "no data" instantly forever would spin: slow it down.
			if time.Since(start) < time.Millisecond {
				if idle++; idle > 100 {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}
		if rerr != nil {
			frames = append(frames, fr.End()...)
		}
		for _, f := range frames {
			m.emit(Event{Device: s.Name, Kind: EventFrame, Frame: f, Time: now})
		}
		if rerr != nil {
			return fmt.Errorf("read %s: %w", s.Path, rerr)
		}
	}
}

func (m *Manager) setOpen(name string, p Port) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.open == nil {
		m.open = map[string]Port{}
	}
	if p == nil {
		delete(m.open, name)
		return
	}
	m.open[name] = p
}

// ErrNotOpen is a write to a scanner that is not connected.
var ErrNotOpen = errors.New("device not connected")

// WriteTo sends b to a connected serial scanner (a scanner-scale's weight request); the reply
// comes back among its frames.
func (m *Manager) WriteTo(name string, b []byte) error {
	m.mu.Lock()
	p := m.open[name]
	m.mu.Unlock()
	if p == nil {
		return fmt.Errorf("write to %q: %w", name, ErrNotOpen)
	}
	if _, err := p.Write(b); err != nil {
		return fmt.Errorf("write to %q: %w", name, err)
	}
	return nil
}
