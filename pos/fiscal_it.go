package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/pos/document"
	"github.com/storeagent/storeagent/sync/db"
	"github.com/storeagent/storeagent/sync/outbox"
)

// RT job kinds (rt_jobs.kind) and states (rt_jobs.status). A sale's fiscal object shows pending
// for a job pending or sending.
const (
	RTSale   = "sale"
	RTRefund = "refund"
	RTVoid   = "void"
	RTZ      = "z"

	RTPending    = "pending"
	RTSending    = "sending"
	RTRegistered = "registered"
	RTFailed     = "failed"
)

// TypeSaleFiscalized is the outbox event that follows a document's registration on the RT.
const TypeSaleFiscalized = "retail.sale.fiscalized"

// RTOptions configure an RTQueue.
type RTOptions struct {
	// StoreID and Epoch name the store in outbox events.
	StoreID string
	Epoch   string
	// Operator is the RT operator number ("1" when empty).
	Operator string
	// MinBackoff and MaxBackoff bound the wait before a job is tried again after a fault; it
	// doubles per fault in a row (defaults 250 ms and 2 s: the RT is on the store's LAN, and a
	// sale waiting for it should go out within seconds of its coming back).
	MinBackoff, MaxBackoff time.Duration
	// Settle is the least wait after an ambiguous failure before the job is reconciled, so an
	// RT still printing the document that timed out has finished it (default 1 s).
	Settle time.Duration
	// PollInterval is how often pending jobs are looked for without a Wake (default 2 s).
	PollInterval time.Duration
	// DrawerWindow is how long after a cash sale its registration still opens the cash drawer
	// (default 30 s): a sale the RT registers later (after paper end, a restart) does not open
	// it, nor does a backlog open it once per sale.
	DrawerWindow time.Duration
	// OnState is told the RT's device state when it changes (connected, paper_low, paper_out,
	// cover_open, journal_full, reconnecting, failed) with a reason; nil: nobody.
	OnState func(state, reason string)
	// OnCommit is called after a registration's outbox event committed (sync's wake-up).
	OnCommit func()
	Logger   *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// RTQueue registers sales, refunds and voids on the Italian Registratore Telematico, exactly
// once: each is a job committed with the document (Enqueue*), and Run sends the jobs in order.
//
// Exactly once: before a request goes out the job is stored as sending with the (Z, doc) of the
// RT's last document. A job in sending after an ambiguous failure (timeout, dropped answer, HTTP
// error) or a crash is first reconciled with the RT's last document: it is adopted when (Z, doc)
// advanced past the known one and the amount is the job's; only when it did not is the document
// sent again. A refusal registers nothing: one that may pass later (paper end, busy) waits with
// backoff, any other fails the job with the RT's error.
type RTQueue struct {
	db   *db.DB
	p    fiscalprinter.Printer
	opts RTOptions
	out  outbox.Writer
	log  *slog.Logger
	wake chan struct{}

	mu    sync.Mutex
	state string
	// known is the RT's last document as this queue last saw it; valid false means it must be
	// read (directIO 1387) before the next document goes out.
	known      [2]int
	knownValid bool
	// writes counts the worker's write transactions (tests).
	writes atomic.Int64
	// premarked is the next sale's job, stored as sending in the transaction that stored the
	// previous job's registration, with its document: no request for it went out yet (Run).
	premarked *premark
	// kicks holds the sales whose registration opens the cash drawer, until when (kickAfter).
	kicks map[string]time.Time
	// saleDoc builds a sale's document (UseSaleDocuments); nil: fiscalDocOf of the stored sale.
	saleDoc func(ctx context.Context, saleID string) (*document.Fiscal, error)
}

// premark is a job stored as sending, with its document, whose request has not gone out.
type premark struct {
	id  int64
	doc document.Fiscal
}

// UseSaleDocuments makes the queue take a sale's fiscal document from build (the agent passes
// PrintQueue.ReceiptFiscal, receipt.BuildFiscal of the stored sale) instead of fiscalDocOf. A
// build error is permanent: the job fails with it. Call it before Run.
func (q *RTQueue) UseSaleDocuments(build func(ctx context.Context, saleID string) (*document.Fiscal, error)) {
	q.saleDoc = build
}

// NewRTQueue returns the queue over d, registering on p.
func NewRTQueue(d *db.DB, p fiscalprinter.Printer, opts RTOptions) *RTQueue {
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(2*time.Second, opts.MinBackoff)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	if opts.Settle <= 0 {
		opts.Settle = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Operator == "" {
		opts.Operator = "1"
	}
	if opts.DrawerWindow <= 0 {
		opts.DrawerWindow = 30 * time.Second
	}
	return &RTQueue{db: d, p: p, opts: opts, out: outbox.Writer{StoreID: opts.StoreID, Epoch: opts.Epoch},
		log: opts.Logger.With("component", "rt"), wake: make(chan struct{}, 1)}
}

// Printer is the RT the queue registers on.
func (q *RTQueue) Printer() fiscalprinter.Printer { return q.p }

// Wake tells the worker that jobs were committed.
func (q *RTQueue) Wake() {
	if q == nil {
		return
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// enqueue stores a pending job in tx and returns the document's fiscal object.
func (q *RTQueue) enqueue(ctx context.Context, tx dbtx, kind, docID, saleID string, total int64) (*FiscalRef, error) {
	_, err := tx.ExecContext(ctx, `INSERT INTO rt_jobs (kind, doc_id, sale_id, total_minor, status, created_at)
		VALUES (?1, ?2, ?3, ?4, 'pending', ?5)`, kind, docID, saleID, total, q.stamp())
	if err != nil {
		return nil, fmt.Errorf("queue RT %s %s: %w", kind, docID, err)
	}
	return &FiscalRef{Status: RTPending}, nil
}

// RTJob is one stored registration job.
type RTJob struct {
	ID           int64
	Kind         string
	DocID        string
	SaleID       string
	TotalMinor   int64
	Status       string
	Attempts     int
	LastError    string
	KnownZ       sql.NullInt64
	KnownDoc     sql.NullInt64
	RTSerial     string
	ZNo, DocNo   sql.NullInt64
	RegisteredAt sql.NullString
}

const rtJobCols = `id, kind, doc_id, sale_id, total_minor, status, attempts, last_error, known_z, known_doc,
	rt_serial, z_no, doc_no, registered_at`

func scanRTJob(row interface{ Scan(...any) error }) (RTJob, error) {
	var j RTJob
	err := row.Scan(&j.ID, &j.Kind, &j.DocID, &j.SaleID, &j.TotalMinor, &j.Status, &j.Attempts, &j.LastError,
		&j.KnownZ, &j.KnownDoc, &j.RTSerial, &j.ZNo, &j.DocNo, &j.RegisteredAt)
	return j, err
}

// Jobs returns every stored job in order (for tests and the CLI).
func (q *RTQueue) Jobs(ctx context.Context) ([]RTJob, error) {
	rows, err := q.db.R.QueryContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RTJob
	for rows.Next() {
		j, err := scanRTJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// Ref is the job's fiscal object as the document carries it.
func (j RTJob) Ref() FiscalRef {
	switch j.Status {
	case RTRegistered:
		return FiscalRef{Status: RTRegistered, RTSerial: j.RTSerial, ZNo: int(j.ZNo.Int64), DocNo: int(j.DocNo.Int64),
			RegisteredAt: j.RegisteredAt.String}
	case RTFailed:
		return FiscalRef{Status: RTFailed, Error: j.LastError}
	default:
		return FiscalRef{Status: RTPending}
	}
}

func (q *RTQueue) stamp() string { return q.opts.Now().UTC().Format(time.RFC3339Nano) }

// fiscalDocOf is what the RT registers for a stored sale: its lines with their discounts, the
// cash rounding as a subtotal adjustment, its payments as tendered (the RT gives the change).
func fiscalDocOf(s Sale) document.Fiscal {
	f := document.Fiscal{Kind: RTSale, Operator: "1", TotalMinor: s.DueMinor, LotteryCode: s.LotteryCode}
	for _, l := range s.Lines {
		it := document.FiscalItem{Description: l.Name, UnitPriceMinor: l.UnitPriceMinor, TaxRateBP: l.TaxRateBP,
			QtyMilli: l.Qty * 1000, AmountMinor: l.AmountMinor}
		if l.WeightG != nil {
			it.QtyMilli = *l.WeightG // grams are thousandths of a kg
		}
		for _, d := range l.Discounts {
			if d.AmountMinor > 0 {
				it.Discounts = append(it.Discounts, document.FiscalDiscount{Description: d.Name, AmountMinor: d.AmountMinor})
				it.AmountMinor += d.AmountMinor
			}
		}
		f.Items = append(f.Items, it)
	}
	if s.RoundingMinor != 0 {
		f.Adjustments = append(f.Adjustments, document.FiscalAdjustment{Description: "Arrotondamento", AmountMinor: s.RoundingMinor})
	}
	for _, p := range s.Payments {
		f.Payments = append(f.Payments, document.FiscalPayment{Method: p.Method, AmountMinor: p.AmountMinor})
	}
	return f
}

// fiscalDocOfRefund is the reso of refund r of the sale whose RT document is ref. names gives
// the sale's line names by SKU.
func fiscalDocOfRefund(r Refund, names map[string]string, ref document.FiscalRef) document.Fiscal {
	f := document.Fiscal{Kind: RTRefund, Operator: "1", TotalMinor: r.TotalMinor, Ref: &ref}
	for _, l := range r.Lines {
		it := document.FiscalItem{Description: names[l.SKU], TaxRateBP: l.TaxRateBP, AmountMinor: l.AmountMinor,
			QtyMilli: l.Qty * 1000, UnitPriceMinor: 0}
		if l.Qty > 0 && l.AmountMinor%l.Qty == 0 {
			it.UnitPriceMinor = l.AmountMinor / l.Qty
		} else { // a share that does not divide: one line for the whole amount
			it.QtyMilli, it.UnitPriceMinor = 1000, l.AmountMinor
			it.Description = fmt.Sprintf("%d x %s", l.Qty, it.Description)
		}
		if it.Description == "" {
			it.Description = l.SKU
		}
		f.Items = append(f.Items, it)
	}
	f.Payments = []document.FiscalPayment{{Method: r.Method, AmountMinor: r.TotalMinor}}
	return f
}

// errRTPermanent marks a job whose document cannot be built (its sale is gone, the original of
// a refund was never registered).
var errRTPermanent = errors.New("cannot register")

// document builds the job's fiscal document from what is stored.
func (q *RTQueue) document(ctx context.Context, j RTJob) (document.Fiscal, error) {
	var f document.Fiscal
	switch j.Kind {
	case RTSale:
		if q.saleDoc != nil {
			// The builder reads the stored sale itself: only the lottery code is needed here.
			var lottery sql.NullString
			if err := q.db.R.QueryRowContext(ctx, `SELECT json_extract(body, '$.lottery_code') FROM sales WHERE sale_id = ?1`,
				j.DocID).Scan(&lottery); err != nil {
				return f, rtLoadErr("sale "+j.DocID, err)
			}
			built, err := q.builtSaleDoc(ctx, Sale{SaleID: j.DocID, LotteryCode: lottery.String})
			return derefFiscal(built), err
		}
		var body []byte
		if err := q.db.R.QueryRowContext(ctx, `SELECT body FROM sales WHERE sale_id = ?1`, j.DocID).Scan(&body); err != nil {
			return f, rtLoadErr("sale "+j.DocID, err)
		}
		var s Sale
		if err := json.Unmarshal(body, &s); err != nil {
			return f, fmt.Errorf("%w: stored sale %s: %v", errRTPermanent, j.DocID, err)
		}
		if f, err := q.builtSaleDoc(ctx, s); err != nil || f != nil {
			return derefFiscal(f), err
		}
		f = fiscalDocOf(s)
	case RTRefund, RTVoid:
		ref, err := q.origRef(ctx, j.SaleID)
		if err != nil {
			return f, err
		}
		if j.Kind == RTVoid { // an annullo cancels the whole document as it was registered
			var body []byte
			if err := q.db.R.QueryRowContext(ctx, `SELECT body FROM sales WHERE sale_id = ?1`, j.SaleID).Scan(&body); err != nil {
				return f, rtLoadErr("sale "+j.SaleID, err)
			}
			var s Sale
			if err := json.Unmarshal(body, &s); err != nil {
				return f, fmt.Errorf("%w: stored sale %s: %v", errRTPermanent, j.SaleID, err)
			}
			built, err := q.builtSaleDoc(ctx, s)
			if err != nil {
				return f, err
			}
			if f = fiscalDocOf(s); built != nil {
				f = *built
			}
			f.Kind, f.Ref = RTVoid, &ref
			break
		}
		var body []byte
		if err := q.db.R.QueryRowContext(ctx, `SELECT body FROM refunds WHERE refund_id = ?1`, j.DocID).Scan(&body); err != nil {
			return f, rtLoadErr("refund "+j.DocID, err)
		}
		var r Refund
		if err := json.Unmarshal(body, &r); err != nil {
			return f, fmt.Errorf("%w: stored refund %s: %v", errRTPermanent, j.DocID, err)
		}
		names, err := lineNames(ctx, q.db.R, j.SaleID)
		if err != nil {
			return f, err
		}
		f = fiscalDocOfRefund(r, names, ref)
	default:
		return f, fmt.Errorf("%w: job kind %q has no document", errRTPermanent, j.Kind)
	}
	f.Operator = q.opts.Operator
	return f, nil
}

// builtSaleDoc is the sale's document from UseSaleDocuments' builder (nil, nil without one), with
// the sale's lottery code and the queue's operator.
func (q *RTQueue) builtSaleDoc(ctx context.Context, s Sale) (*document.Fiscal, error) {
	if q.saleDoc == nil {
		return nil, nil
	}
	f, err := q.saleDoc(ctx, s.SaleID)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errRTPermanent, err)
	}
	f.LotteryCode, f.Operator = s.LotteryCode, q.opts.Operator
	return f, nil
}

func derefFiscal(f *document.Fiscal) document.Fiscal {
	if f == nil {
		return document.Fiscal{}
	}
	return *f
}

func rtLoadErr(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s is not stored", errRTPermanent, what)
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// origRef is the RT document of a registered sale, which a refund or void refers to. The
// worker sends jobs in order, so the sale's job has finished before; one that failed leaves
// nothing to refer to.
func (q *RTQueue) origRef(ctx context.Context, saleID string) (document.FiscalRef, error) {
	orig, err := q.saleJob(ctx, saleID)
	if err != nil {
		return document.FiscalRef{}, err
	}
	if orig.Status != RTRegistered {
		return document.FiscalRef{}, fmt.Errorf("%w: the sale %s has no RT document (its registration is %s): nothing to refer to",
			errRTPermanent, saleID, orig.Status)
	}
	at, _ := time.Parse(time.RFC3339, orig.RegisteredAt.String)
	return document.FiscalRef{ZNo: int(orig.ZNo.Int64), DocNo: int(orig.DocNo.Int64), Date: at, Serial: orig.RTSerial}, nil
}

// saleJob returns the registration job of a sale.
func (q *RTQueue) saleJob(ctx context.Context, saleID string) (RTJob, error) {
	j, err := scanRTJob(q.db.R.QueryRowContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs WHERE kind = 'sale' AND doc_id = ?1`, saleID))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("%w: the sale %s was never queued for the RT", errRTPermanent, saleID)
	}
	return j, err
}

func lineNames(ctx context.Context, q querier, saleID string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT sku, name FROM sale_lines WHERE sale_id = ?1`, saleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var sku, name string
		if err := rows.Scan(&sku, &name); err != nil {
			return nil, err
		}
		out[sku] = name
	}
	return out, rows.Err()
}

// finish stores a job's outcome (registered or failed) with the document's fiscal object and,
// for a registration, the retail.sale.fiscalized event, in one transaction.
func (q *RTQueue) finish(ctx context.Context, j RTJob, reg *fiscalprinter.Registration, failure string) error {
	return q.finishWith(ctx, j, reg, failure, nil)
}

// finishWith is finish with also run in the same transaction (nil: nothing more).
func (q *RTQueue) finishWith(ctx context.Context, j RTJob, reg *fiscalprinter.Registration, failure string, also func(tx *sql.Tx) error) error {
	now := q.opts.Now().UTC()
	var ref FiscalRef
	q.writes.Add(1)
	err := q.db.Group.Do(ctx, func(tx *sql.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		var err error
		if reg != nil {
			at := reg.At
			if at.IsZero() {
				at = now
			}
			ref = FiscalRef{Status: RTRegistered, RTSerial: reg.Serial, ZNo: reg.ZNo, DocNo: reg.DocNo,
				RegisteredAt: at.UTC().Format(time.RFC3339)}
			_, err = tx.ExecContext(ctx, `UPDATE rt_jobs SET status = 'registered', rt_serial = ?2, z_no = ?3, doc_no = ?4,
				registered_at = ?5, last_error = '' WHERE id = ?1`, j.ID, reg.Serial, reg.ZNo, reg.DocNo, ref.RegisteredAt)
		} else {
			ref = FiscalRef{Status: RTFailed, Error: truncate(failure, 500)}
			_, err = tx.ExecContext(ctx, `UPDATE rt_jobs SET status = 'failed', last_error = ?2 WHERE id = ?1`, j.ID, ref.Error)
		}
		if err != nil {
			return err
		}
		if j.Kind == RTZ {
			return nil
		}
		refJSON, _ := json.Marshal(ref)
		table, key := "sales", "sale_id"
		if j.Kind != RTSale {
			table, key = "refunds", "refund_id"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET body = json_set(body, '$.fiscal', json(?2)) WHERE `+key+` = ?1`,
			j.DocID, string(refJSON)); err != nil {
			return err
		}
		if reg == nil {
			return nil
		}
		ev := FiscalizedEvent{SaleID: j.SaleID, Kind: j.Kind, Fiscal: ref}
		if j.Kind != RTSale {
			ev.RefundID = j.DocID
		}
		// One event per document: its id is derived from the document, so it can never be sent twice.
		id := uuid.NewSHA1(fiscalizedNamespace, []byte(j.Kind+":"+j.DocID)).String()
		_, err = q.out.Append(ctx, tx, outbox.TopicSales, TypeSaleFiscalized, id, now, ev)
		return err
	})
	if err != nil {
		return fmt.Errorf("store RT job %d outcome: %w", j.ID, err)
	}
	if q.opts.OnCommit != nil && reg != nil {
		q.opts.OnCommit()
	}
	if reg != nil && j.Kind == RTSale {
		q.kickDrawer(ctx, j.DocID)
	}
	return nil
}

// maxKicks bounds the sales waiting to open the drawer.
const maxKicks = 1000

// kickAfter asks for the cash drawer to open once sale saleID is registered, within DrawerWindow.
func (q *RTQueue) kickAfter(saleID string) {
	now := q.opts.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.kicks == nil {
		q.kicks = map[string]time.Time{}
	}
	for id, until := range q.kicks {
		if now.After(until) || len(q.kicks) >= maxKicks {
			delete(q.kicks, id)
		}
	}
	q.kicks[saleID] = now.Add(q.opts.DrawerWindow)
}

// kickDrawer opens the cash drawer through the RT's drawer port when sale saleID asked for it
// and is registered within its window. The RT answering no is logged, not retried: the cashier
// opens the drawer by hand.
func (q *RTQueue) kickDrawer(ctx context.Context, saleID string) {
	q.mu.Lock()
	until, ok := q.kicks[saleID]
	delete(q.kicks, saleID)
	q.mu.Unlock()
	dr, can := q.p.(fiscalprinter.DrawerOpener)
	if !ok || !can {
		return
	}
	if q.opts.Now().After(until) {
		q.log.Info("cash drawer not opened: the sale registered too long after it was made", "sale", saleID)
		return
	}
	if err := dr.OpenDrawer(ctx); err != nil {
		q.log.Warn("open the cash drawer on the RT", "sale", saleID, "err", err)
	}
}

var fiscalizedNamespace = uuid.MustParse("0c5b7e44-31a9-4f0e-8d2b-7a64e1f9c3d2")

// FiscalizedEvent is the data of retail.sale.fiscalized.
type FiscalizedEvent struct {
	SaleID string `json:"sale_id"`
	// RefundID names the refund (kind refund or void); "" for a sale.
	RefundID string    `json:"refund_id,omitempty"`
	Kind     string    `json:"kind"`
	Fiscal   FiscalRef `json:"fiscal"`
}

// setState reports the RT's device state when it changed.
func (q *RTQueue) setState(state, reason string) {
	q.mu.Lock()
	changed := q.state != state+"\x00"+reason
	q.state = state + "\x00" + reason
	q.mu.Unlock()
	if changed && q.opts.OnState != nil {
		q.opts.OnState(state, reason)
	}
}

// State is the RT's device state as last seen ("" before the first request).
func (q *RTQueue) State() (state, reason string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	state, reason, _ = strings.Cut(q.state, "\x00")
	return state, reason
}
