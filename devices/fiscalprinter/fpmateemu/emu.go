// Package fpmateemu emulates an Epson RT printer's fpmate endpoint (POST
// /cgi-bin/fpmate.cgi) for tests and the demo: a serial number, Z and document counters, the
// last document, the registered documents, paper/cover/journal state, and fault injection.
//
// It is built from the protocol facts in ../shared/research/fiscal-and-payments.md, not from
// the fpmate driver (it does not import it), so the two can disagree and a test can catch it.
package fpmateemu

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// MaxRequest bounds a request body.
const MaxRequest = 256 << 10

// Document is one document the emulated RT registered.
type Document struct {
	Kind        string // sale, refund, void
	ZNo, DocNo  int
	AmountMinor int64
	At          time.Time
	Lottery     string
	// RefZNo/RefDocNo name the original of a refund or void.
	RefZNo, RefDocNo int
	// Refunded is how much of a sale later refunds took back; Voided marks a voided sale.
	Refunded int64
	Voided   bool
}

// FaultKind is one injected failure.
type FaultKind int

const (
	// Drop closes the TCP connection without an answer (after registering when Commit).
	Drop FaultKind = iota + 1
	// Stall waits Fault.Stall (or until the client gives up) and then answers nothing (after
	// registering when Commit).
	Stall
	// HTTP500 answers 500 Internal Server Error (after registering when Commit).
	HTTP500
	// Malformed answers 200 with broken XML (after registering when Commit).
	Malformed
	// RecEmpty refuses with success="false" code="EPTR_REC_EMPTY" status="3".
	RecEmpty
	// PaperLow registers and answers status="2" (paper low) with printerStatus "2…".
	PaperLow
	// DocOpen refuses with status 11 and leaves a document open: every fiscal request fails with
	// status 11 until a resetPrinter.
	DocOpen
	// ClockBehind refuses with status 9 (date earlier than the last Z).
	ClockBehind
	// NoAnswer answers success="false" code="LAN_TIME_OUT": fpmate.cgi lost the fiscal
	// firmware's answer (after the firmware registered when Commit).
	NoAnswer
)

// Fault is a failure applied to the next matching requests.
type Fault struct {
	Kind FaultKind
	// On is the request's root element it applies to ("printerFiscalReceipt",
	// "printerFiscalReport", "printerCommand"); "" is any request.
	On string
	// Count is how many matching requests it applies to (0 means 1).
	Count int
	// Commit registers the document before the failure (Drop, DropMidResponse, Stall, HTTP500,
	// Malformed, NoAnswer).
	Commit bool
	// Stall is how long Stall waits (default 1 minute, cut short when the client goes away).
	Stall time.Duration
}

// Emulator is an fpmate endpoint. Its zero value is not usable: call New.
type Emulator struct {
	mu       sync.Mutex
	serial   string
	z        int // number of the open period: the Z its documents carry and its closure gets
	doc      int // last document number in period z
	docs     []Document
	lastZAt  time.Time
	now      func() time.Time
	faults   []Fault
	paperLow bool
	paperEnd bool
	cover    bool
	journal  byte // '0' ok … '5' full
	docOpen  bool
	drawer   int // openDrawer commands done
	requests map[string]int
	lastReq  Request
}

// Request is what the emulator saw of the last request (for tests of the transport).
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// New returns an emulator with serial (11 characters; "99MEY012345" when empty), in period Z 1.
func New(serial string) *Emulator {
	if serial == "" {
		serial = "99MEY012345"
	}
	return &Emulator{serial: serial, z: 1, now: time.Now, journal: '0', requests: map[string]int{}}
}

// Serial returns the emulated serial number.
func (e *Emulator) Serial() string { return e.serial }

// SetClock replaces the printer's clock (time.Now by default).
func (e *Emulator) SetClock(now func() time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = now
}

// SetPaper sets the paper state: low still prints (status 2), end refuses (EPTR_REC_EMPTY).
func (e *Emulator) SetPaper(low, end bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.paperLow, e.paperEnd = low, end
}

// SetCoverOpen opens or closes the cover (open refuses like paper end).
func (e *Emulator) SetCoverOpen(open bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cover = open
}

// SetJournal sets the electronic journal's state digit ('0' ok, '1' low, '5' full: refuses).
func (e *Emulator) SetJournal(state byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.journal = state
}

// Inject queues a fault; faults apply in the order given.
func (e *Emulator) Inject(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, f)
}

// ClearFaults drops every queued fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// Documents returns a copy of every registered document, in order.
func (e *Emulator) Documents() []Document {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Document(nil), e.docs...)
}

// DrawerOpens returns how many times the drawer was kicked (openDrawer).
func (e *Emulator) DrawerOpens() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.drawer
}

// Z returns the open period's number and its last document number.
func (e *Emulator) Z() (z, doc int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.z, e.doc
}

// Requests returns how many requests came with the root element root ("" all).
func (e *Emulator) Requests(root string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if root == "" {
		n := 0
		for _, c := range e.requests {
			n += c
		}
		return n
	}
	return e.requests[root]
}

// LastRequest returns the last request seen.
func (e *Emulator) LastRequest() Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.lastReq
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}

// takeFault pops the first fault matching root. Called with e.mu held.
func (e *Emulator) takeFault(root string) (Fault, bool) {
	for i, f := range e.faults {
		if f.On != "" && f.On != root {
			continue
		}
		e.faults[i].Count--
		if e.faults[i].Count <= 0 {
			e.faults = append(e.faults[:i], e.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// Start serves the emulator on addr ("127.0.0.1:0" for any port) until ctx ends. It returns the
// endpoint URL (http://host:port/cgi-bin/fpmate.cgi) and a channel closed when it stopped.
func (e *Emulator) Start(ctx context.Context, addr string) (string, <-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
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
