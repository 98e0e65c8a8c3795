package fpmateemu

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// ControlPath is where StartControl serves the control API (a bench or a test in another
// process drives the emulator through it): POST paper {"low","end"}, POST fault {"kind","on",
// "count","commit","stall_ms"}, POST clear, GET state, GET documents.
const ControlPath = "/emu/"

// faultKinds names the fault kinds for the control API.
var faultKinds = map[string]FaultKind{"drop": Drop, "stall": Stall, "http500": HTTP500, "malformed": Malformed,
	"rec_empty": RecEmpty, "paper_low": PaperLow, "doc_open": DocOpen, "clock_behind": ClockBehind,
	"no_answer": NoAnswer, "drop_mid_response": DropMidResponse}

// ControlFault is a Fault as the control API takes it.
type ControlFault struct {
	Kind    string `json:"kind"`
	On      string `json:"on,omitempty"`
	Count   int    `json:"count,omitempty"`
	Commit  bool   `json:"commit,omitempty"`
	StallMS int    `json:"stall_ms,omitempty"`
}

// State is what GET state answers.
type State struct {
	Z           int            `json:"z"`
	Doc         int            `json:"doc"`
	Documents   int            `json:"documents"`
	Faults      int            `json:"faults"` // queued, not yet applied
	Requests    map[string]int `json:"requests"`
	DrawerOpens int            `json:"drawer_opens"`
}

// ControlHandler serves the control API under ControlPath.
func (e *Emulator) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ControlPath+"paper", func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Low, End bool }
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.SetPaper(p.Low, p.End)
	})
	mux.HandleFunc("POST "+ControlPath+"fault", func(w http.ResponseWriter, r *http.Request) {
		var f ControlFault
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&f); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		k, ok := faultKinds[f.Kind]
		if !ok {
			http.Error(w, "unknown fault kind "+f.Kind, http.StatusBadRequest)
			return
		}
		e.Inject(Fault{Kind: k, On: f.On, Count: f.Count, Commit: f.Commit, Stall: time.Duration(f.StallMS) * time.Millisecond})
	})
	mux.HandleFunc("POST "+ControlPath+"clear", func(w http.ResponseWriter, r *http.Request) { e.ClearFaults() })
	mux.HandleFunc("GET "+ControlPath+"state", func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		st := State{Z: e.z, Doc: e.doc, Documents: len(e.docs), Faults: len(e.faults), Requests: map[string]int{}, DrawerOpens: e.drawer}
		for k, v := range e.requests {
			st.Requests[k] = v
		}
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET "+ControlPath+"documents", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(e.Documents())
	})
	return mux
}

// StartControl is Start with the control API (ControlHandler) on the same address: fpmate
// requests at /cgi-bin/fpmate.cgi (and any other path), control under ControlPath.
func (e *Emulator) StartControl(ctx context.Context, addr string) (string, <-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(ControlPath, e.ControlHandler())
	mux.Handle("/", e)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
		close(done)
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	return "http://" + ln.Addr().String() + "/cgi-bin/fpmate.cgi", done, nil
}
