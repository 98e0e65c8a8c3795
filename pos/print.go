package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/sync/db"
)

// Driver renders documents for printers and sends them. devices.Printer drives real ESC/POS
// printers; devices.DemoPrinter renders receipts to PNG files. A driver that is also a
// Previewer draws receipt.png and report.png for its printers.
type Driver interface {
	// Has reports whether a printer named printer is configured.
	Has(printer string) bool
	// Render lays doc out for the printer named printer and returns the bytes Print sends; it
	// fails when no such printer is configured or doc cannot be laid out on its paper.
	Render(printer string, doc document.Document) ([]byte, error)
	// Print sends one job's bytes (from Render). It returns nil only when the whole job was accepted (and, where
	// the printer can tell, it is on-line with paper afterwards); any error means the job may not
	// have been printed completely and will be sent again.
	Print(ctx context.Context, printer string, data []byte) error
}

// Previewer draws documents as a printer's paper shows them (receipt.png, report.png).
type Previewer interface {
	// Preview draws doc as the printer named printer prints it; PrintOptions.Preview, the model
	// of lanes without a printer, is asked with printer "".
	Preview(printer string, doc document.Document) (image.Image, error)
}

// Print job states (print_jobs.status).
const (
	JobQueued  = "queued"
	JobSending = "sending"
	JobDone    = "done"
	JobFailed  = "failed"
)

// PrintOptions configure a PrintQueue: the store header printed on receipts and the retry pace.
type PrintOptions struct {
	// StoreName, StoreAddress and StoreVATID head every receipt (config store:).
	StoreName    string
	StoreAddress string
	StoreVATID   string
	// Timezone is the store's (store.timezone); nil prints UTC.
	Timezone *time.Location
	// Locale (it-IT, fr-FR, fi-FI, en-GB …) and Currency (ISO 4217) format money and texts.
	Locale   string
	Currency string
	// ReceiptURL is links.receipt, printed as a QR code; "{sale_id}" is replaced.
	ReceiptURL string
	// Journal records each copy of a receipt in the fiscal duplicate chain (nil: none).
	Journal Journal
	// SIRET turns on the French receipt mentions (fiscal.country FR): ticket number, SIRET,
	// totals excluding and including VAT per rate, signature excerpt, DUPLICATA n° N.
	SIRET string
	// AttachFiscal puts the sale's fiscal part (receipt.BuildFiscal) in the original receipt's
	// Document, for a fiscal printer's driver (the Italian RT) to register; a copy never carries
	// one, so a reprint is not registered twice. Paper drivers ignore it.
	AttachFiscal bool
	// Preview draws receipt.png and report.png when the terminal has no printer, or its driver
	// is no Previewer (the agent passes the generic-80mm model); nil answers 503 then.
	Preview Previewer
	// MinBackoff and MaxBackoff bound the wait before a failed job is tried again; it doubles
	// after each failure on the same printer (defaults 1 s and 60 s).
	MinBackoff, MaxBackoff time.Duration
	// PollInterval is how often queued jobs are looked for without a Wake (default 2 s).
	PollInterval time.Duration
	// Registerer receives storeagent_print_jobs_total; nil registers nothing.
	Registerer prometheus.Registerer
	// OnFailed is told of each job the queue gives up on (a French duplicate that may be on
	// paper already, a job that can never print), once the failure is stored; the agent shows it
	// on the POS screens of the lanes that print there. nil: nobody is told.
	OnFailed func(PrintJob)
	Logger   *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// PrintQueue keeps receipt print jobs in SQLite and prints them: it implements Printing for the
// sales path (Enqueue inside the sale's transaction) and Run sends the jobs.
//
// Delivery is at least one complete copy, never two: a job is marked sending before its first
// byte and done once the driver reports the whole job accepted; a done job is never sent again.
// A job interrupted mid-send (unplug, paper out, timeout, a crash) is sent again in full after
// recovery, so the paper may carry a cut-off partial copy before the complete one. A crash in the
// instant between the printer accepting the last byte and done being stored also prints the job
// again; nothing can tell those apart. A French duplicate ("DUPLICATA n° N", one journal record)
// is the exception to resending after a crash: found in sending at start, it may be on paper
// already, so it is failed with ErrDuplicateInterrupted and reported, and the cashier asks for a
// new duplicate (the next number) if no paper came out.
type PrintQueue struct {
	db   *db.DB
	drv  Driver
	opts PrintOptions
	log  *slog.Logger
	jobs *prometheus.CounterVec
	wake chan struct{}

	mu      sync.Mutex
	running map[string]bool
}

var _ Printing = (*PrintQueue)(nil)

// NewPrintQueue returns the print queue over d, printing through drv.
func NewPrintQueue(d *db.DB, drv Driver, opts PrintOptions) (*PrintQueue, error) {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(60*time.Second, opts.MinBackoff)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	q := &PrintQueue{
		db: d, drv: drv, opts: opts, log: opts.Logger.With("component", "print"),
		wake: make(chan struct{}, 1), running: map[string]bool{},
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storeagent_print_jobs_total",
			Help: "Print job attempts by printer and result (done, retry, failed).",
		}, []string{"printer", "result"}),
	}
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(q.jobs); err != nil {
			return nil, fmt.Errorf("register print metrics: %w", err)
		}
	}
	return q, nil
}

// Enqueue implements Printing: it stores a job for saleID on printer in tx. A sale printed
// before gets a copy job (marked COPY, never with a drawer kick); drawer is kept only on the
// sale's first print.
func (q *PrintQueue) Enqueue(ctx context.Context, tx *sql.Tx, saleID, printer string, drawer bool) (string, error) {
	if !q.drv.Has(printer) {
		return "", unprocessable("unknown_printer", "printer %q is not configured", truncate(printer, 40))
	}
	var prior int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM print_jobs WHERE sale_id = ?1 AND kind = 'receipt'`, saleID).Scan(&prior); err != nil {
		return "", fmt.Errorf("enqueue print of sale %s: %w", saleID, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("enqueue print of sale %s: %w", saleID, err)
	}
	isCopy := prior > 0
	drawer = drawer && !isCopy
	if isCopy && q.opts.Journal != nil {
		// A reprint is a fiscal record of its own: "DUPLICATA n° N", N = copies so far; a
		// training sale's copy stays in training.
		var training bool
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(json_extract(body, '$.training'), 0) FROM sales WHERE sale_id = ?1`,
			saleID).Scan(&training); err != nil {
			return "", fmt.Errorf("enqueue print of sale %s: %w", saleID, err)
		}
		if _, err := q.opts.Journal.Record(ctx, tx, JournalDuplicate, training, map[string]any{
			"sale_id": saleID, "copy_no": prior, "printer": printer, "job_id": id.String()}); err != nil {
			return "", fmt.Errorf("enqueue print of sale %s: %w", saleID, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO print_jobs (job_id, sale_id, printer, copy, drawer, status, created_at)
		VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6)`,
		id.String(), saleID, printer, b2i(isCopy), b2i(drawer), q.stamp())
	if err != nil {
		return "", fmt.Errorf("enqueue print of sale %s: %w", saleID, err)
	}
	return id.String(), nil
}

// EnqueueReport implements Printing: it stores a job printing payload ({"kind":"x"|"z"|"day",
// "report":{…}}) on printer in tx. A Z or day report printed before is marked COPY; X reports are readings of a
// moment and never are.
func (q *PrintQueue) EnqueueReport(ctx context.Context, tx *sql.Tx, doc, printer string, payload []byte) (string, error) {
	if !q.drv.Has(printer) {
		return "", unprocessable("unknown_printer", "printer %q is not configured", truncate(printer, 40))
	}
	var w struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(payload, &w); err != nil {
		return "", fmt.Errorf("enqueue report %s: %w", doc, err)
	}
	var prior int64
	if w.Kind != "x" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM print_jobs WHERE sale_id = ?1 AND kind = 'report'`, doc).Scan(&prior); err != nil {
			return "", fmt.Errorf("enqueue report %s: %w", doc, err)
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("enqueue report %s: %w", doc, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO print_jobs (job_id, sale_id, printer, copy, drawer, status, created_at, kind, payload)
		VALUES (?1, ?2, ?3, ?4, 0, 'queued', ?5, 'report', ?6)`, id.String(), doc, printer, b2i(prior > 0), q.stamp(), string(payload))
	if err != nil {
		return "", fmt.Errorf("enqueue report %s: %w", doc, err)
	}
	return id.String(), nil
}

// Wake implements Printing: committed jobs are looked at now rather than at the next poll.
func (q *PrintQueue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// PrintJob is one stored print job.
type PrintJob struct {
	JobID     string `json:"job_id"`
	SaleID    string `json:"sale_id"`
	Printer   string `json:"printer"`
	Copy      bool   `json:"copy"`
	Drawer    bool   `json:"drawer"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	// Kind is receipt (SaleID is the sale) or report (SaleID names the report, Payload holds it).
	Kind    string `json:"kind"`
	Payload []byte `json:"-"`
}

// Job returns a stored job by id.
func (q *PrintQueue) Job(ctx context.Context, id string) (PrintJob, error) {
	var j PrintJob
	err := q.db.R.QueryRowContext(ctx, `SELECT job_id, sale_id, printer, copy, drawer, status, attempts, last_error,
		kind, payload FROM print_jobs WHERE job_id = ?1`, id).
		Scan(&j.JobID, &j.SaleID, &j.Printer, &j.Copy, &j.Drawer, &j.Status, &j.Attempts, &j.LastError, &j.Kind, &j.Payload)
	if errors.Is(err, sql.ErrNoRows) {
		return j, reqErr(http.StatusNotFound, "not_found", "no print job %q", truncate(id, 40))
	}
	if err != nil {
		return j, fmt.Errorf("print job %s: %w", id, err)
	}
	return j, nil
}

// next returns the oldest queued job of printer, or ok false.
func (q *PrintQueue) next(ctx context.Context, printer string) (PrintJob, bool, error) {
	var id string
	err := q.db.R.QueryRowContext(ctx, `SELECT job_id FROM print_jobs WHERE printer = ?1 AND status = 'queued'
		ORDER BY created_at, job_id LIMIT 1`, printer).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return PrintJob{}, false, nil
	}
	if err != nil {
		return PrintJob{}, false, fmt.Errorf("next print job for %q: %w", printer, err)
	}
	j, err := q.Job(ctx, id)
	return j, err == nil, err
}

// setStatus moves a job to status; sending counts an attempt, done stamps done_at.
func (q *PrintQueue) setStatus(ctx context.Context, id, status, lastErr string) error {
	now := q.stamp()
	err := q.db.Group.Do(ctx, func(tx *sql.Tx) error {
		var err error
		switch status {
		case JobSending:
			_, err = tx.ExecContext(ctx, `UPDATE print_jobs SET status = 'sending', attempts = attempts + 1, sent_at = ?2
				WHERE job_id = ?1`, id, now)
		case JobDone:
			_, err = tx.ExecContext(ctx, `UPDATE print_jobs SET status = 'done', last_error = '', done_at = ?2
				WHERE job_id = ?1`, id, now)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE print_jobs SET status = ?2, last_error = ?3 WHERE job_id = ?1`,
				id, status, truncate(lastErr, 500))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("mark print job %s %s: %w", id, status, err)
	}
	return nil
}

func (q *PrintQueue) stamp() string { return q.opts.Now().UTC().Format(time.RFC3339Nano) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
