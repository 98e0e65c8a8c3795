package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrNoAnswer is a scale that did not answer a request in time.
var ErrNoAnswer = errors.New("scale: no answer")

// Scale asks a scanner-scale for its weight over the scanner's port: Write sends the request,
// and the caller routes scale answers among the port's frames to Deliver.
type Scale struct {
	// Write sends bytes to the scanner-scale (the device manager's open session).
	Write func([]byte) error
	// Timeout bounds the wait for an answer (default 1 s).
	Timeout time.Duration
	// Protocol is the scale protocol (nil: Magellan Single Cable).
	Protocol Protocol

	ask     sync.Mutex // one request at a time
	mu      sync.Mutex
	waiting chan []byte
}

func (s *Scale) protocol() Protocol {
	if s.Protocol == nil {
		return Magellan
	}
	return s.Protocol
}

// IsReply reports whether a frame from the port is an answer of the scale's protocol.
func (s *Scale) IsReply(frame []byte) bool { return s.protocol().IsReply(frame) }

// Deliver hands a scale answer to the request waiting for it; an answer nobody waits for is
// dropped.
func (s *Scale) Deliver(frame []byte) {
	s.mu.Lock()
	ch := s.waiting
	s.mu.Unlock()
	if ch != nil {
		select {
		case ch <- append([]byte(nil), frame...):
		default:
		}
	}
}

// Read sends the protocol's weight request and returns the answer.
func (s *Scale) Read(ctx context.Context) (Reading, error) {
	s.ask.Lock()
	defer s.ask.Unlock()
	ch := make(chan []byte, 1)
	s.mu.Lock()
	s.waiting = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.waiting = nil
		s.mu.Unlock()
	}()
	p := s.protocol()
	if err := s.Write(p.Request()); err != nil {
		return Reading{}, fmt.Errorf("scale: send request: %w", err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case f := <-ch:
		return p.Parse(f)
	case <-t.C:
		return Reading{}, ErrNoAnswer
	case <-ctx.Done():
		return Reading{}, ctx.Err()
	}
}
