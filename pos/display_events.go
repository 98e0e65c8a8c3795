package pos

import "encoding/json"

// Events for in-process observers (the customer pole display): every Publish reaches the hub's
// taps, and so do "quote" (data Quote: a basket priced) and "sale" (data SaleDone: a sale
// completed), which are not sent to /api/v1/events streams.

// SaleDone is the data of a "sale" tap event.
type SaleDone struct {
	SaleID      string `json:"sale_id"`
	TotalMinor  int64  `json:"total_minor"`
	ChangeMinor int64  `json:"change_minor"`
}

// Tap registers f to receive every event of every terminal, before the streams. f must not
// block (the display driver only records the newest screen).
func (h *Hub) Tap(f func(term string, ev Event)) {
	h.mu.Lock()
	h.taps = append(h.taps, f)
	h.mu.Unlock()
}

func (h *Hub) notifyTaps(term string, ev Event) {
	h.mu.Lock()
	taps := h.taps
	h.mu.Unlock()
	for _, f := range taps {
		f(term, ev)
	}
}

// tapQuote tells the taps about a priced basket.
func (s *Service) tapQuote(term string, q Quote) {
	s.events.notifyTaps(term, Event{Name: "quote", Data: q})
}

// tapSale tells the taps about a sale just completed (not about a retry of a stored one).
func (s *Service) tapSale(term string, res SaleResult) {
	if !res.Created {
		return
	}
	var v SaleDone
	if err := json.Unmarshal(res.Body, &v); err != nil {
		return
	}
	s.events.notifyTaps(term, Event{Name: "sale", Data: v})
}
