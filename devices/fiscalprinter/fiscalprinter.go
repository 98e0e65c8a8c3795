// Package fiscalprinter is the fiscal-printer device class: a device that registers fiscal
// documents with the tax authority (the Italian Registratore Telematico). Drivers live in
// subpackages (fpmate: Epson FP-81 II RT / FP-90III RT over fpmate XML/HTTP).
package fiscalprinter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/pos/document"
)

// Printer is one fiscal printer. Every method is one request to the device; none retries by
// itself: the registration job decides (see Error).
type Printer interface {
	// Register sends one fiscal document (sale, refund or void) and returns what the RT registered.
	Register(ctx context.Context, f document.Fiscal) (Registration, error)
	// LastDocument reads the RT's last emitted document (Epson: directIO 1387).
	LastDocument(ctx context.Context) (LastDocument, error)
	// Status reads the printer's state (Epson: queryPrinterStatus).
	Status(ctx context.Context) (Status, error)
	// Serial reads the RT's serial number (Epson: directIO 3217).
	Serial(ctx context.Context) (string, error)
	// XReport prints a reading (no closure).
	XReport(ctx context.Context) error
	// ZReport makes the RT's daily closure and returns its Z number.
	ZReport(ctx context.Context) (int, error)
	// Reset clears a document left open (Epson: resetPrinter).
	Reset(ctx context.Context) error
}

// DayReader is a Printer that can tell whether its fiscal day is open: documents were registered
// since its last daily closure (Epson: queryPrinterStatus statusType=1, rtDailyOpen). With the
// last document (its Z number) it tells whether a closure whose answer was lost was made.
type DayReader interface {
	DayOpen(ctx context.Context) (bool, error)
}

// DrawerOpener is a Printer with a cash-drawer port (Epson: printerCommand openDrawer).
type DrawerOpener interface {
	OpenDrawer(ctx context.Context) error
}

// Registration is what the RT answered for a registered document.
type Registration struct {
	Serial      string
	ZNo, DocNo  int
	AmountMinor int64
	At          time.Time
	// Warning is a state worth showing though the document registered ("paper_low").
	Warning string
}

// LastDocument is the RT's last emitted document.
type LastDocument struct {
	Serial      string
	ZNo, DocNo  int
	AmountMinor int64
	At          time.Time
	Fiscal      bool
}

// After reports whether d came after the document (z, doc).
func (d LastDocument) After(z, doc int) bool { return d.ZNo > z || (d.ZNo == z && d.DocNo > doc) }

// Status is the printer's state. Paper, Cover and Journal are "ok" or the problem ("paper_end",
// "paper_low", "cover_open", "journal_low", "journal_full", "offline"); DocumentOpen is true while
// a fiscal or non-fiscal document is open.
type Status struct {
	Printer      string
	Journal      string
	DocumentOpen bool
	// Raw is the device's own status text (Epson: the 5-character fpStatus).
	Raw string
}

// OK reports whether the printer can register a document now.
func (s Status) OK() bool {
	return (s.Printer == "ok" || s.Printer == "paper_low") && s.Journal != "journal_full"
}

// Error is a failed request. Ambiguous means the device may have registered the document
// anyway (a timeout, a dropped connection, an HTTP error after the request went out): the caller
// must read LastDocument before sending again. Otherwise the device refused it and registered
// nothing; Retry says whether waiting may help (paper end, busy) or not (a bad document).
type Error struct {
	Op        string
	Code      string // the device's code, e.g. "EPTR_REC_EMPTY", "LAN_TIME_OUT"; "" for transport errors
	Status    int    // the device's status number (Epson: 3 offline, 9 clock behind the last Z, 11 document open …)
	Ambiguous bool
	Retry     bool
	Err       error
}

func (e *Error) Error() string {
	s := "fiscal printer: " + e.Op
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Status != 0 {
		s += fmt.Sprintf(" (status %d)", e.Status)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// IsAmbiguous reports whether err may hide a registration (see Error.Ambiguous). An error that
// is not an *Error (a context deadline, a broken connection) counts as ambiguous.
func IsAmbiguous(err error) bool {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Ambiguous
	}
	return err != nil
}
