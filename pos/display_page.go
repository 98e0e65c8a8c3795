package pos

import (
	"net/http"
	stdsync "sync"
)

// The customer-facing display, /pos/display: a second window of the lane's browser on the screen
// that faces the customer, paired to the terminal by the same storeagent_pos session cookie (the
// lane's login), or a tablet paired with a code from the till (display_pair.go). It has no cashier controls and sees only the basket: the lines as priced, the
// total, the saving and, after a sale, the change; never the customer's identity, the payments
// or the cashier. It follows the terminal live through GET /api/v1/display/events, fed from the
// hub's in-process taps (display_events.go), so /api/v1/events consumers see nothing new.

// DisplayLine is a basket line as the customer sees it.
type DisplayLine struct {
	Name           string         `json:"name"`
	Qty            int64          `json:"qty"`
	WeightG        *int64         `json:"weight_g,omitempty"`
	UnitPriceMinor int64          `json:"unit_price_minor"`
	AmountMinor    int64          `json:"amount_minor"`
	Discounts      []LineDiscount `json:"discounts"`
}

// DisplayState is what the customer display shows: State is "idle" (no basket), "basket" or
// "paid" (TotalMinor and ChangeMinor of the sale just made).
type DisplayState struct {
	State string `json:"state"`
	// Seq grows with every change of the terminal's display: a page drops an older state.
	Seq         int64         `json:"seq"`
	Lines       []DisplayLine `json:"lines"`
	TotalMinor  int64         `json:"total_minor"`
	SavingMinor int64         `json:"saving_minor"`
	ChangeMinor int64         `json:"change_minor"`
}

// displays keeps each terminal's newest display state (one entry per configured terminal at
// most: taps name terminals the service authenticated) and streams changes.
type displays struct {
	mu   stdsync.Mutex
	last map[string]DisplayState
	seq  int64
	hub  *Hub
}

func newDisplays(svc *Service) *displays {
	d := &displays{last: map[string]DisplayState{}, hub: NewHub()}
	svc.events.Tap(func(term string, ev Event) {
		switch ev.Name {
		case "quote":
			if q, ok := ev.Data.(Quote); ok {
				d.set(term, displayQuote(q))
			}
		case "sale":
			if s, ok := ev.Data.(SaleDone); ok {
				d.set(term, DisplayState{State: "paid", Lines: []DisplayLine{}, TotalMinor: s.TotalMinor, ChangeMinor: s.ChangeMinor})
			}
		}
	})
	return d
}

func displayQuote(q Quote) DisplayState {
	st := DisplayState{State: "basket", Lines: make([]DisplayLine, len(q.Lines)), TotalMinor: q.TotalMinor, SavingMinor: q.SavingMinor}
	for i, l := range q.Lines {
		ds := l.Discounts
		if ds == nil {
			ds = []LineDiscount{}
		}
		st.Lines[i] = DisplayLine{Name: l.Name, Qty: l.Qty, WeightG: l.WeightG, UnitPriceMinor: l.UnitPriceMinor, AmountMinor: l.AmountMinor, Discounts: ds}
	}
	return st
}

func (d *displays) set(term string, st DisplayState) {
	if term == "" {
		return
	}
	d.mu.Lock()
	d.seq++
	st.Seq = d.seq
	d.last[term] = st
	d.mu.Unlock()
	d.hub.Publish(term, Event{Name: "display", Data: st})
}

func (d *displays) get(term string) DisplayState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st, ok := d.last[term]; ok {
		return st
	}
	return DisplayState{State: "idle", Lines: []DisplayLine{}}
}

func registerDisplay(srv *Server, p *pages) {
	d := newDisplays(p.svc)
	srv.Handle("GET /pos/display", false, func(w http.ResponseWriter, r *http.Request, _ Terminal) {
		p.render(w, http.StatusOK, "display.html", p.posView())
	})
	pair := newDisplayPairing(srv.svc.auth, srv.svc.opts.Now)
	registerDisplayPairing(srv, pair)
	// The feed: to the lane's login or to a tablet paired with a code (display_pair.go).
	srv.displayRoute("GET /api/v1/display", pair, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		writeJSON(w, http.StatusOK, d.get(term.ID))
	})
	srv.displayRoute("GET /api/v1/display/events", pair, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		d.hub.serveEvents(w, r, term.ID, srv.KeepAlive)
	})
	// The POS screen clears the display when its basket empties (voided to nothing, a new sale).
	srv.Handle("POST /api/v1/display/clear", true, func(w http.ResponseWriter, r *http.Request, term Terminal) {
		d.set(term.ID, DisplayState{State: "idle", Lines: []DisplayLine{}})
		w.WriteHeader(http.StatusNoContent)
	})
}
