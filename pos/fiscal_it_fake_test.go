package pos

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/pos/document"
)

// Faults the fake RT can be told to act out on its next Register calls.
const (
	// fakeLost registers the document, then loses the answer (a dropped connection, a timeout
	// after the RT printed): ambiguous.
	fakeLost = "lost"
	// fakeLostDown is fakeLost, after which LastDocument fails until setLastDocDown(false).
	fakeLostDown = "lost_down"
	// fakeTimeout loses the request before the RT saw it: ambiguous, nothing registered.
	fakeTimeout = "timeout"
	// fakePaperEnd refuses with EPTR_REC_EMPTY status 3 (Retry); Status says paper_end.
	fakePaperEnd = "paper_end"
	// fakeOpen refuses with status 11 (a document is open) until Reset.
	fakeOpen = "open"
	// fakeBad refuses the document for good (status 13, wrong value).
	fakeBad = "bad"
)

// fakeRT is an in-memory RT: a serial, Z and document counters, the last document, and every
// document it registered, with faults programmed per Register call.
type fakeRT struct {
	mu       sync.Mutex
	serial   string
	z, doc   int
	last     fiscalprinter.LastDocument
	docs     []document.Fiscal
	faults   []string
	calls    int // Register calls
	resets   int
	zReports int
	xReports int
	paperEnd bool
	docOpen  bool
	// zLost makes the next ZReport close the day and lose the answer.
	zLost bool
	// zDropped makes the next ZReport lose the request before the RT saw it.
	zDropped bool
	// lastDocDown makes LastDocument fail (the RT unreachable) while true.
	lastDocDown bool
}

func newFakeRT() *fakeRT { return &fakeRT{serial: "99MEY012345", z: 1} }

var _ fiscalprinter.Printer = (*fakeRT)(nil)

func (f *fakeRT) program(faults ...string) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

func (f *fakeRT) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeRT) documents() []document.Fiscal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]document.Fiscal(nil), f.docs...)
}

func (f *fakeRT) setLastDocDown(down bool) {
	f.mu.Lock()
	f.lastDocDown = down
	f.mu.Unlock()
}

// registerLocked records f as the RT does.
func (f *fakeRT) registerLocked(d document.Fiscal) fiscalprinter.Registration {
	f.doc++
	amount := d.TotalMinor
	if d.Kind != RTSale {
		amount = -amount
	}
	at := time.Date(2026, 12, 2, 10, 0, f.doc, 0, time.UTC)
	f.last = fiscalprinter.LastDocument{Serial: f.serial, ZNo: f.z, DocNo: f.doc, AmountMinor: amount, At: at, Fiscal: true}
	f.docs = append(f.docs, d)
	return fiscalprinter.Registration{Serial: f.serial, ZNo: f.z, DocNo: f.doc, AmountMinor: d.TotalMinor, At: at}
}

func (f *fakeRT) Register(ctx context.Context, d document.Fiscal) (fiscalprinter.Registration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	fault := ""
	if len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	switch {
	case f.docOpen:
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Status: 11, Retry: true}
	case fault == fakeLost:
		f.registerLocked(d)
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Ambiguous: true, Err: errors.New("connection reset by peer")}
	case fault == fakeLostDown:
		f.registerLocked(d)
		f.lastDocDown = true
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Ambiguous: true, Err: errors.New("EOF")}
	case fault == fakeTimeout:
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Ambiguous: true, Err: context.DeadlineExceeded}
	case fault == fakePaperEnd:
		f.paperEnd = true
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Code: "EPTR_REC_EMPTY", Status: 3, Retry: true}
	case fault == fakeOpen:
		f.docOpen = true
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Status: 11, Retry: true}
	case fault == fakeBad:
		return fiscalprinter.Registration{}, &fiscalprinter.Error{Op: "printerFiscalReceipt", Status: 13, Err: errors.New("wrong value")}
	}
	f.paperEnd = false
	return f.registerLocked(d), nil
}

func (f *fakeRT) LastDocument(context.Context) (fiscalprinter.LastDocument, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lastDocDown {
		return fiscalprinter.LastDocument{}, &fiscalprinter.Error{Op: "directIO 1387", Ambiguous: true, Err: errors.New("no route to host")}
	}
	return f.last, nil
}

func (f *fakeRT) Status(context.Context) (fiscalprinter.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := fiscalprinter.Status{Printer: "ok", Journal: "ok", DocumentOpen: f.docOpen}
	if f.paperEnd {
		st.Printer = "paper_end"
	}
	return st, nil
}

func (f *fakeRT) Serial(context.Context) (string, error) { return f.serial, nil }

func (f *fakeRT) XReport(context.Context) error {
	f.mu.Lock()
	f.xReports++
	f.mu.Unlock()
	return nil
}

func (f *fakeRT) ZReport(context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.zReports++
	if f.zDropped {
		f.zDropped = false
		return 0, &fiscalprinter.Error{Op: "printZReport", Ambiguous: true, Err: errors.New("connection reset by peer")}
	}
	z := f.z
	f.z++
	f.doc = 0
	if f.zLost {
		f.zLost = false
		return 0, &fiscalprinter.Error{Op: "printZReport", Ambiguous: true, Err: errors.New("EOF")}
	}
	return z, nil
}

// DayOpen: documents since the last closure.
func (f *fakeRT) DayOpen(context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.doc > 0, nil
}

func (f *fakeRT) Reset(context.Context) error {
	f.mu.Lock()
	f.resets++
	f.docOpen = false
	f.mu.Unlock()
	return nil
}
