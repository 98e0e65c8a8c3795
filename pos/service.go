// Package pos is the store's selling domain: the catalogue replica, stock, sales, refunds and the
// local HTTP API that POS terminals, price checkers and shoppers' phones use. It works from the local
// SQLite replica alone, so selling never waits for the network. The agent wires it; it imports the
// database, the outbox writer and nothing else of the agent.
package pos

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// Terminal is a POS lane as the API knows it.
type Terminal struct {
	ID       string
	Token    string
	Scanners []string
	Printer  string
	// Printers are the other printers this terminal may print on by name (a shared back-office
	// printer); its own Printer is always allowed.
	Printers []string
}

// mayPrintOn reports whether the terminal may print on (and kick the drawer of) printer.
func (t Terminal) mayPrintOn(printer string) bool {
	return printer == t.Printer || slices.Contains(t.Printers, printer)
}

// checkPrinter refuses a printer the terminal may not use (issue 16 item 11: any lane could print
// on, and open the drawer of, any printer).
func checkPrinter(t Terminal, printer string) error {
	if t.ID == "" || t.mayPrintOn(printer) {
		return nil // t.ID "": an internal caller (a fleet reprint), not a lane
	}
	var allowed []string
	if t.Printer != "" {
		allowed = append(allowed, t.Printer)
	}
	allowed = append(allowed, t.Printers...)
	list := strings.Join(allowed, ", ")
	if list == "" {
		list = "none"
	}
	return reqErr(http.StatusForbidden, "printer_not_allowed", "terminal %s may not print on %q (its printers: %s; terminals[].printers names more)",
		t.ID, truncate(printer, 40), list)
}

// DeviceState is a device's state for /api/v1/status.
type DeviceState struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// Printing queues receipt print jobs; the printer issue implements it.
type Printing interface {
	// Enqueue stores a print job for a sale in tx, so it commits with the sale, and returns its id.
	// drawer asks for a cash-drawer kick with the job (only the first print of a cash sale).
	Enqueue(ctx context.Context, tx *sql.Tx, saleID, printer string, drawer bool) (jobID string, err error)
	// EnqueueReport stores a print job for a till report in tx: doc names it (a session id, or
	// "day:YYYY-MM-DD"), payload is the report as it is now (JSON), printed in the store's
	// language. A Z or day report printed before is marked COPY.
	EnqueueReport(ctx context.Context, tx *sql.Tx, doc, printer string, payload []byte) (jobID string, err error)
	// Wake tells the print worker that jobs were committed.
	Wake()
}

// Options configure the service.
type Options struct {
	// Locale is the store's BCP 47 locale (it-IT …): discount names on quotes, sales and receipts
	// are taken in its language ("" = English).
	Locale            string
	StoreID           string
	Currency          string
	CashRoundingMinor int64
	Terminals         []Terminal
	// ParseEmbedded decodes variable-measure codes; nil means none are recognised.
	ParseEmbedded EmbeddedParser
	// Online reports whether the central link is up (nil: never).
	Online func() bool
	// Devices reports device states (nil: none).
	Devices func() []DeviceState
	// Printing queues receipts (nil: printing is not available).
	Printing Printing
	// Customers looks up loyalty customers (nil: not available).
	Customers CustomerDirectory
	// OnCommit is called after a transaction that queued outbox events committed (sync's wake-up).
	OnCommit func()
	// Lang is the store's language ("it", from the store locale): promotion names on quotes, sales
	// and the screen are in it, else English (empty: English).
	Lang string
	// QuickKeys are the SKUs of the POS screen's quick keys, in order (pos.quick_keys).
	QuickKeys []string
	// Now is the clock (nil: time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// SecureCookies marks the login cookie Secure (HTTPS).
	SecureCookies bool
	// Till configures till sessions.
	Till TillOptions
	// Journal is the fiscal journal (nil: none); sales, refunds and till closes are recorded in it.
	Journal Journal
	// Fiscal serves the journal on /api/v1/fiscal/* (nil: those answer 404 fiscal_off).
	Fiscal FiscalReader
	// RT registers sales, refunds, voids and the daily closure on the Italian Registratore
	// Telematico (fiscal.country IT; nil: none).
	RT *RTQueue
	// Payments are the terminals' card payment terminals (none: card amounts are typed).
	Payments PaymentOptions
	// Scale reads the terminals' scanner-scales (nil: none; scale_http.go).
	Scale ScaleReader
}

// Service is the selling domain over one database.
type Service struct {
	db     *db.DB
	opts   Options
	out    outbox.Writer
	log    *slog.Logger
	events *Hub
	auth   *authenticator
	wstmts *db.Stmts
	rstmts *db.Stmts
	promos *promoCache
	health healthCache
	pay    *paymentRunner
	// quickKeys are the quick keys in force (SetQuickKeys swaps them while serving).
	quickKeys atomic.Pointer[[]string]
}

// w wraps a group transaction with the writer's statement cache.
func (s *Service) w(tx *sql.Tx) db.Conn { return db.Conn{Tx: tx, Stmts: s.wstmts} }

// r is the read pool with its statement cache.
func (s *Service) r() db.Conn { return db.Conn{Stmts: s.rstmts} }

// New returns the service over an open database.
func New(d *db.DB, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		db:     d,
		opts:   opts,
		out:    outbox.Writer{StoreID: opts.StoreID, Epoch: d.Epoch},
		log:    opts.Logger.With("component", "pos"),
		events: NewHub(),
		auth:   newAuthenticator(opts.Terminals, d),
		wstmts: d.WStmts,
		rstmts: db.NewStmts(d.R),
		promos: &promoCache{},
		pay:    newPaymentRunner(),
	}
	s.SetQuickKeys(opts.QuickKeys)
	return s
}

// SetQuickKeys replaces the quick keys (pos.quick_keys) while the service runs: the next
// screen that asks for them gets the new ones (a fleet config overlay, docs/fleet.md).
func (s *Service) SetQuickKeys(skus []string) {
	q := append([]string(nil), skus...)
	s.quickKeys.Store(&q)
}

// Events is the hub that carries scan and device events to terminals.
func (s *Service) Events() *Hub { return s.events }

// committed tells sync that new outbox events are durable.
func (s *Service) committed(changed bool) {
	if changed && s.opts.OnCommit != nil {
		s.opts.OnCommit()
	}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Status answers GET /api/v1/status.
type Status struct {
	StoreID    string        `json:"store_id"`
	Online     bool          `json:"online"`
	Outbox     OutboxStatus  `json:"outbox"`
	CatalogSeq int64         `json:"catalog_seq"`
	Devices    []DeviceState `json:"devices"`
}

// OutboxStatus is the depth of the queue to central.
type OutboxStatus struct {
	Pending    int64 `json:"pending"`
	OldestAgeS int64 `json:"oldest_age_s"`
}

// Status reports the agent's state.
func (s *Service) Status(ctx context.Context) (Status, error) {
	st := Status{StoreID: s.opts.StoreID, Devices: []DeviceState{}}
	if s.opts.Online != nil {
		st.Online = s.opts.Online()
	}
	if s.opts.Devices != nil {
		st.Devices = append(st.Devices, s.opts.Devices()...)
	}
	n, age, err := outbox.Pending(ctx, s.r(), s.now())
	if err != nil {
		return st, err
	}
	st.Outbox = OutboxStatus{Pending: n, OldestAgeS: int64(age / time.Second)}
	err = s.r().QueryRowContext(ctx,
		`SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'catalog_seq'), 0)`).Scan(&st.CatalogSeq)
	return st, err
}

// minFreeBytes is the free disk space below which /healthz reports the store as unhealthy: a sale
// needs a few pages of WAL, and a tiny health-check write can still fit when a sale no longer does.
const minFreeBytes = 256 << 10

// healthTTL is how long a health probe's answer is reused: a public /healthz flood then costs
// one database write every healthTTL, not one per request (issue 16 item 9).
const healthTTL = 2 * time.Second

// healthCache holds the last probe's answer. One probe runs at a time; callers during it wait
// for its answer rather than starting their own.
type healthCache struct {
	mu   gosync.Mutex
	at   time.Time // monotonic time of the last probe; zero before the first
	full int64     // db.StorageFullSeq at the last probe
	err  error
}

// Healthy reports whether the database takes a durable write and the disk has room for sales.
// The answer is at most healthTTL old.
func (s *Service) Healthy(ctx context.Context) error {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	full := db.StorageFullSeq()
	if !h.at.IsZero() && time.Since(h.at) < healthTTL && full == h.full {
		return h.err
	}
	h.err = s.probeHealth(ctx)
	h.at, h.full = time.Now(), full
	if ctx.Err() != nil { // a caller that gave up proves nothing about the database
		h.at = time.Time{}
	}
	return h.err
}

// probeHealth makes one durable write and checks the free disk space.
func (s *Service) probeHealth(ctx context.Context) error {
	if free, err := db.FreeBytes(filepath.Dir(s.db.Path)); err == nil && free < minFreeBytes {
		return fmt.Errorf("%w: %d bytes free on the data_dir's disk", db.ErrStorageFull, free)
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('healthz', ?1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, s.now().Format(time.RFC3339Nano))
	return db.Explain(err)
}
