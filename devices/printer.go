package devices

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/storeagent/storeagent/devices/escpos"
	"github.com/storeagent/storeagent/pos/document"
)

// Printer states reported through Manager.SetState besides connected and failed. They are the
// names escpos.Status.State gives and the contract's device events carry.
const (
	StatePaperLow  = "paper_low"
	StatePaperOut  = "paper_out"
	StateCoverOpen = "cover_open"
)

// ErrPrinterNotReady is wrapped by Print when the printer's status forbids sending (paper out,
// cover open, off-line, an error) or the printer does not answer a status request.
var ErrPrinterNotReady = errors.New("printer not ready")

// PrinterOptions configure a Printer. The zero value works with a Manager.
type PrinterOptions struct {
	// Open opens a printer's port by device name; nil means Manager.OpenPort (which bounds a TCP
	// connection attempt by DefaultConnectTimeout; the port's write timeout bounds each write).
	Open func(ctx context.Context, name string) (Port, error)
	// StatusTimeout bounds the wait for each DLE EOT reply before a job (default 1 s).
	StatusTimeout time.Duration
	// DrainTimeout bounds the wait, after the last byte of a job, for the printer to answer a
	// status request again (default 60 s): a printer that stalls with the job in its buffer
	// answers once it resumes, and the job then counts as printed.
	DrainTimeout time.Duration
	// ChunkSize is how many bytes are written at a time (default 4096).
	ChunkSize int
	// DrawerOpenWhen gives, by printer name, the level of kick-out connector pin 3 while the
	// drawer is open: "low" (the default: the Axiohm 7193 Owner's Guide documents DLE EOT 1 bit 2
	// off as "one or both cash drawers open") or "high"; it depends on the drawer's switch.
	DrawerOpenWhen map[string]string
}

// Printer is the ESC/POS receipt-printer driver: it sends whole jobs to the configured printers,
// checking their real-time status (DLE EOT 1..4) before and after a job where the profile
// supports it, and reports their state through the Manager (connected, paper_low, paper_out,
// cover_open, failed), so /api/v1/status and device events show it. Jobs to one printer must
// not be sent concurrently; the print queue in pos sends one at a time per printer.
type Printer struct {
	m        *Manager
	profiles map[string]escpos.Profile
	opts     PrinterOptions
	locks    sync.Map // printer name → *sync.Mutex (drawer.go)
}

// NewPrinter returns the driver for the printers in profiles (device name → the model's
// profile). m receives state changes and, unless opts.Open is set, opens the ports.
func NewPrinter(m *Manager, profiles map[string]escpos.Profile, opts PrinterOptions) *Printer {
	if opts.Open == nil {
		opts.Open = func(_ context.Context, name string) (Port, error) { return m.OpenPort(name) }
	}
	if opts.StatusTimeout <= 0 {
		opts.StatusTimeout = time.Second
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 60 * time.Second
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 4096
	}
	return &Printer{m: m, profiles: profiles, opts: opts}
}

// Profile returns the profile of the printer named name.
func (p *Printer) Profile(name string) (escpos.Profile, error) {
	prof, ok := p.profiles[name]
	if !ok {
		return escpos.Profile{}, fmt.Errorf("printer %q: not configured", name)
	}
	return prof, nil
}

// Has reports whether a printer named name is configured.
func (p *Printer) Has(name string) bool {
	_, ok := p.profiles[name]
	return ok
}

// Render lays doc out as ESC/POS bytes for the profile of the printer named name.
func (p *Printer) Render(name string, doc document.Document) ([]byte, error) {
	prof, err := p.Profile(name)
	if err != nil {
		return nil, err
	}
	return escpos.Render(doc, prof)
}

// Preview draws doc as the printer named name would print it.
func (p *Printer) Preview(name string, doc document.Document) (image.Image, error) {
	prof, err := p.Profile(name)
	if err != nil {
		return nil, err
	}
	return escpos.RenderDocumentPNG(doc, prof)
}

// Print sends one job to the printer named name and returns nil only when every byte was
// accepted and, where the profile supports DLE EOT and the port can be read, the printer
// answered afterwards that it is on-line with paper. Any error means the job may not have been
// printed completely; a job cut off mid-send may have left a partial copy on the paper. An error
// from before the first byte of the job went out (the port did not open, the printer said it
// cannot print) is a *NotSentError: sending the job again cannot make a second paper.
func (p *Printer) Print(ctx context.Context, name string, data []byte) error {
	prof, err := p.Profile(name)
	if err != nil {
		return notSent(err)
	}
	l := p.printerLock(name)
	l.Lock()
	defer l.Unlock()
	port, err := p.opts.Open(ctx, name)
	if err != nil {
		p.setState(name, StateFailed, err.Error())
		return notSent(fmt.Errorf("print on %q: %w", name, err))
	}
	defer port.Close()
	checks := prof.Status.DLEEOT
	checked := false
	if prof.Status.ASB {
		// Automatic Status Back where the model has it: one report instead of four round trips.
		// A printer that sends none (ASB switched off in its memory switches) falls back to DLE EOT.
		st, err := asbStatus(ctx, port, min(p.opts.StatusTimeout, 300*time.Millisecond))
		switch {
		case err == nil:
			defer disableASB(port)
			if err := p.ready(name, st); err != nil {
				return notSent(err)
			}
			checked = true
		case errors.Is(err, ErrWriteOnly):
			checks = false
		case errors.Is(err, errNoASB):
		default:
			p.setState(name, StateFailed, err.Error())
			return notSent(fmt.Errorf("print on %q: %w", name, err))
		}
	}
	if checks && !checked {
		st, err := queryStatus(ctx, port, p.opts.StatusTimeout)
		switch {
		case errors.Is(err, ErrWriteOnly):
			checks = false // a write-only usblp node cannot answer
		case err != nil:
			p.setState(name, StateFailed, err.Error())
			return notSent(fmt.Errorf("print on %q: %w", name, err))
		default:
			if err := p.ready(name, st); err != nil {
				return notSent(err)
			}
		}
	}
	if err := p.write(ctx, port, data); err != nil {
		p.setState(name, StateFailed, err.Error())
		return fmt.Errorf("print on %q: %w", name, err)
	}
	if !checks {
		p.setState(name, StateConnected, "")
		return nil
	}
	st, err := p.drain(ctx, port)
	if err != nil {
		p.setState(name, StateFailed, err.Error())
		return fmt.Errorf("print on %q: after sending: %w", name, err)
	}
	return p.ready(name, st)
}

// ready records st as the printer's state and returns an error when it cannot print.
func (p *Printer) ready(name string, st escpos.Status) error {
	p.recordDrawer(name, st)
	state := st.State()
	if state == StateConnected && !st.Online {
		state = StateFailed
	}
	switch state {
	case StateConnected, StatePaperLow:
		p.setState(name, state, "")
		return nil
	}
	reason := "printer reports " + state
	if state == StateFailed {
		reason = "printer is off-line or reports an error"
	}
	p.setState(name, state, reason)
	return fmt.Errorf("print on %q: %w: %s", name, ErrPrinterNotReady, reason)
}

func (p *Printer) setState(name, state, reason string) {
	if p.m != nil {
		_ = p.m.SetState(name, state, reason) // an unknown name was refused by Profile already
	}
}

// write sends data in chunks, stopping when ctx is cancelled.
func (p *Printer) write(ctx context.Context, port Port, data []byte) error {
	for off := 0; off < len(data); {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(off+p.opts.ChunkSize, len(data))
		n, err := port.Write(data[off:end])
		off += n
		if err != nil {
			return fmt.Errorf("write: %d of %d bytes sent: %w", off, len(data), err)
		}
		if n == 0 {
			return fmt.Errorf("write: %d of %d bytes sent: the port accepts nothing", off, len(data))
		}
	}
	return nil
}

// drain waits until the printer answers DLE EOT 1 after a job (it may be working through a full
// buffer, or stalled), discards late answers to repeated requests, then reads its full status.
func (p *Printer) drain(ctx context.Context, port Port) (escpos.Status, error) {
	deadline := time.Now().Add(p.opts.DrainTimeout)
	for {
		b, err := statusByte(ctx, port, 1, min(p.opts.StatusTimeout, time.Until(deadline)))
		if err == nil {
			var st escpos.Status
			_ = st.ApplyStatusReply(1, b)
			break
		}
		if !errors.Is(err, errNoReply) || time.Now().After(deadline) {
			return escpos.Status{}, err
		}
	}
	discard(port, 2*p.opts.StatusTimeout/10)
	return queryStatus(ctx, port, p.opts.StatusTimeout)
}

// discard reads and drops whatever the port delivers for d.
func discard(port Port, d time.Duration) {
	buf := make([]byte, 64)
	for end := time.Now().Add(d); time.Now().Before(end); {
		if n, err := port.Read(buf); err != nil || n == 0 {
			return
		}
	}
}

// NotSentError is Print's error when not one byte of the job reached the printer, so sending it
// again cannot put a second copy on paper (pos prints a French duplicate again only then).
type NotSentError struct{ Err error }

func (e *NotSentError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *NotSentError) Unwrap() error { return e.Err }

// NotSent reports true: the job did not start printing.
func (e *NotSentError) NotSent() bool { return true }

func notSent(err error) error { return &NotSentError{Err: err} }
