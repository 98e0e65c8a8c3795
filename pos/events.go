package pos

import (
	"encoding/json"
	"fmt"
	"net/http"
	stdsync "sync"
	"time"
)

// Event is one Server-Sent Event for a terminal: Name is "scan" or "device".
type Event struct {
	Name string
	Data any
}

// Hub fans events out to the terminals' open /api/v1/events streams. A slow client loses events
// rather than slowing the scanners: each subscriber has a bounded buffer.
type Hub struct {
	mu   stdsync.Mutex
	subs map[string]map[chan Event]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[chan Event]struct{}{}} }

// Publish sends ev to every stream of terminal term ("" = every terminal).
func (h *Hub) Publish(term string, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for t, set := range h.subs {
		if term != "" && t != term {
			continue
		}
		for ch := range set {
			select {
			case ch <- ev:
			default: // full: drop for this slow client
			}
		}
	}
}

// maxStreamsPerTerminal bounds a terminal's open event streams (issue 16, Low): a lane's POS
// screen, a customer display and a few reloads; a token leaked to a script cannot hold hundreds.
const maxStreamsPerTerminal = 8

// subscribe opens a stream for term, or returns nil when it has maxStreamsPerTerminal already.
func (h *Hub) subscribe(term string) chan Event {
	ch := make(chan Event, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs[term]) >= maxStreamsPerTerminal {
		return nil
	}
	if h.subs[term] == nil {
		h.subs[term] = map[chan Event]struct{}{}
	}
	h.subs[term][ch] = struct{}{}
	return ch
}

func (h *Hub) unsubscribe(term string, ch chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[term], ch)
	if len(h.subs[term]) == 0 {
		delete(h.subs, term)
	}
}

// Subscribers returns how many streams a terminal has open.
func (h *Hub) Subscribers(term string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[term])
}

// serveEvents streams a terminal's events until the client goes away. A comment line every 15 s
// keeps proxies and idle timeouts from closing the stream.
func (h *Hub) serveEvents(w http.ResponseWriter, r *http.Request, term string, keepAlive time.Duration) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, reqErr(http.StatusInternalServerError, "internal", "streaming unsupported"))
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	ch := h.subscribe(term)
	if ch == nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, reqErr(http.StatusTooManyRequests, "too_many_streams", "terminal %s has %d event streams open already: close a POS tab first", term, maxStreamsPerTerminal))
		return
	}
	defer h.unsubscribe(term, ch)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		case ev := <-ch:
			b, err := json.Marshal(ev.Data)
			if err != nil {
				continue
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Name, b)
			fl.Flush()
		}
	}
}
