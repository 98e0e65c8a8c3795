package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/storeagent/storeagent/devices/fiscalprinter"
	"github.com/storeagent/storeagent/pos/document"
)

// Run registers jobs in order until ctx is cancelled, then returns nil. A job found in sending
// (the previous attempt may have reached the RT) is reconciled before anything is sent. After a
// fault the same job is tried again with backoff, so later jobs wait: a refund never goes before
// the sale it refers to.
func (q *RTQueue) Run(ctx context.Context) error {
	tick := time.NewTicker(q.opts.PollInterval)
	defer tick.Stop()
	failures := 0
	for {
		for ctx.Err() == nil {
			j, ok, err := q.next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					q.log.Error("next RT job", "err", err)
				}
				break
			}
			if !ok {
				failures = 0
				break
			}
			if err := q.process(ctx, j); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				q.log.Warn("RT job not registered yet; will retry", "job", j.ID, "kind", j.Kind, "doc", j.DocID, "err", err)
				wait := q.backoff(failures)
				if fiscalprinter.IsAmbiguous(err) {
					wait = max(wait, q.opts.Settle)
				}
				if !sleepCtx(ctx, wait) {
					return nil
				}
				failures++
				continue
			}
			failures = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case <-tick.C:
		}
	}
}

// next returns the job in sending, else the oldest job not yet finished.
func (q *RTQueue) next(ctx context.Context) (RTJob, bool, error) {
	// A job in sending goes first: what the RT did with it decides the (Z, doc) the next one is
	// compared against (a job re-queued by RetryRT may have a lower id).
	j, err := scanRTJob(q.db.R.QueryRowContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs
		WHERE status IN ('pending', 'sending') ORDER BY status = 'sending' DESC, id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	return j, err == nil, err
}

// process takes one job a step further. nil means the job is finished (registered or failed)
// and the next one may go; an error means it is still open and waits for a retry.
func (q *RTQueue) process(ctx context.Context, j RTJob) error {
	pm := q.premarked
	q.premarked = nil
	if pm != nil && pm.id == j.ID && j.Status == RTSending {
		// Stored as sending with the previous registration; its request never went out.
		return q.send(ctx, j, pm.doc)
	}
	if j.Kind == RTZ {
		return q.sendZ(ctx, j)
	}
	if j.Status == RTSending {
		done, err := q.reconcile(ctx, j)
		if err != nil || done {
			return err
		}
	}
	if j.Status == RTPending && j.Attempts > 0 && !j.KnownZ.Valid {
		// Re-queued by the staff (RetryRT, maybe by the CLI while this worker ran): the RT may have
		// been used by hand meanwhile, so its last document is read again before anything is sent.
		q.invalidate()
	}
	f, err := q.document(ctx, j)
	if errors.Is(err, errRTPermanent) {
		q.log.Error("RT job failed", "job", j.ID, "kind", j.Kind, "doc", j.DocID, "err", err)
		return q.finish(context.WithoutCancel(ctx), j, nil, err.Error())
	}
	if err != nil {
		return err
	}
	known, err := q.lastKnown(ctx)
	if err != nil {
		q.probe(ctx, err)
		return err
	}
	if err := q.markSending(ctx, j, known); err != nil {
		return err
	}
	return q.send(ctx, j, f)
}

// send registers f, the document of job j already stored as sending. Its registration is stored
// in one transaction with the next sale's job moving to sending (premarked): one write for each
// sale instead of two while sales queue up.
func (q *RTQueue) send(ctx context.Context, j RTJob, f document.Fiscal) error {
	// Once sending is stored the outcome is stored even if ctx ends.
	store := context.WithoutCancel(ctx)
	reg, err := q.p.Register(ctx, f)
	if err != nil {
		return q.refused(store, j, err)
	}
	q.noteKnown(reg.ZNo, reg.DocNo)
	if reg.Warning == "paper_low" {
		q.setState("paper_low", "the RT's paper is low")
	} else {
		q.setState("connected", "")
	}
	next, doc, ok := q.nextSale(ctx, j)
	if !ok {
		return q.finish(store, j, &reg, "")
	}
	err = q.finishWith(store, j, &reg, "", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(store, `UPDATE rt_jobs SET status = 'sending', attempts = attempts + 1, sent_at = ?2,
			known_z = ?3, known_doc = ?4 WHERE id = ?1 AND status = 'pending'`, next.ID, q.stamp(), reg.ZNo, reg.DocNo)
		return err
	})
	if err == nil {
		q.premarked = &premark{id: next.ID, doc: doc}
	}
	return err
}

// nextSale is the job after j when it is a pending sale whose document builds (refunds, voids
// and closures take the ordinary path: their documents depend on what j's outcome stores).
func (q *RTQueue) nextSale(ctx context.Context, j RTJob) (RTJob, document.Fiscal, bool) {
	next, err := scanRTJob(q.db.R.QueryRowContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs
		WHERE status = 'pending' AND id > ?1 ORDER BY id LIMIT 1`, j.ID))
	if err != nil || next.Kind != RTSale || (next.Attempts > 0 && !next.KnownZ.Valid) {
		return next, document.Fiscal{}, false
	}
	var lower int
	if err := q.db.R.QueryRowContext(ctx, `SELECT count(*) FROM rt_jobs WHERE status IN ('pending', 'sending') AND id < ?1 AND id <> ?2`,
		next.ID, j.ID).Scan(&lower); err != nil || lower > 0 {
		return next, document.Fiscal{}, false // a re-queued older job goes first
	}
	doc, err := q.document(ctx, next)
	if err != nil {
		return next, document.Fiscal{}, false
	}
	return next, doc, true
}

// reconcile decides a job in sending by the RT's last document: registered (adopted, true) when
// (Z, doc) advanced past the one known before the send and the amount is the job's; otherwise the
// job is pending again (false) and is sent again. An error leaves it in sending.
func (q *RTQueue) reconcile(ctx context.Context, j RTJob) (bool, error) {
	ld, err := q.p.LastDocument(ctx)
	if err != nil {
		q.probe(ctx, err)
		return false, fmt.Errorf("reconcile: %w", err)
	}
	store := context.WithoutCancel(ctx)
	q.noteKnown(ld.ZNo, ld.DocNo)
	if j.KnownZ.Valid && ld.After(int(j.KnownZ.Int64), int(j.KnownDoc.Int64)) && abs64(ld.AmountMinor) == abs64(j.TotalMinor) {
		q.log.Info("RT job adopted: the RT registered it though the answer was lost", "job", j.ID, "z", ld.ZNo, "doc", ld.DocNo)
		q.setState("connected", "")
		return true, q.finish(store, j, &fiscalprinter.Registration{Serial: ld.Serial, ZNo: ld.ZNo, DocNo: ld.DocNo,
			AmountMinor: ld.AmountMinor, At: ld.At}, "")
	}
	msg := fmt.Sprintf("not on the RT (its last document is Z %d doc %d, %d): sent again", ld.ZNo, ld.DocNo, ld.AmountMinor)
	return false, q.setPending(store, j.ID, msg)
}

// refused handles a failed Register: an ambiguous failure leaves the job in sending (the next
// pass reconciles it after the backoff, giving the RT time to finish); a refusal registered
// nothing: status 11 resets the open document, a Retry refusal waits, any other fails the job.
func (q *RTQueue) refused(ctx context.Context, j RTJob, err error) error {
	if fiscalprinter.IsAmbiguous(err) {
		q.setState("reconnecting", err.Error())
		if serr := q.setLastError(ctx, j.ID, err.Error()); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	if serr := q.setPending(ctx, j.ID, err.Error()); serr != nil {
		return errors.Join(err, serr)
	}
	var fe *fiscalprinter.Error
	errors.As(err, &fe)
	switch {
	case fe != nil && fe.Status == 11:
		if rerr := q.p.Reset(ctx); rerr != nil {
			q.log.Warn("reset the RT's open document", "err", rerr)
		}
		return err
	case fe != nil && fe.Retry:
		q.probe(ctx, err)
		return err
	}
	q.log.Error("RT refused the document", "job", j.ID, "kind", j.Kind, "doc", j.DocID, "err", err)
	q.setState("failed", truncate(err.Error(), 200))
	return q.finish(ctx, j, nil, err.Error())
}

// errZUnknown is a daily closure whose outcome the RT could not tell: sending it again could
// close an empty day, so the job fails with what the staff must check.
const errZUnknown = "the RT may have made the daily closure, but its answer was lost: check the RT's last Z on its paper or display, and make the closure from the RT's keypad if it is not there"

// sendZ makes the RT's daily closure, at most once. Before it is sent the job stores the RT's day
// as it was: known_z, the Z number of the RT's last document (the period the closure closes),
// and known_doc, that document's number, only when the RT said its day was open (documents
// since its last closure; NULL otherwise). A Z whose answer was lost (a timeout, a dropped
// connection, a crash) is resolved by asking the RT again (resolveZ); it is sent again only when
// the RT shows it was not made, and only once.
func (q *RTQueue) sendZ(ctx context.Context, j RTJob) error {
	store := context.WithoutCancel(ctx)
	if j.Status == RTSending {
		return q.resolveZ(ctx, j)
	}
	ld, open, err := q.rtDay(ctx)
	if err != nil {
		q.probe(ctx, err)
		return err
	}
	var doc any
	if open {
		doc = ld.DocNo
	}
	if err := q.update(ctx, j.ID, `UPDATE rt_jobs SET status = 'sending', attempts = attempts + 1, sent_at = ?2,
		known_z = ?3, known_doc = ?4 WHERE id = ?1`, q.stamp(), ld.ZNo, doc); err != nil {
		return err
	}
	z, err := q.p.ZReport(ctx)
	q.invalidate() // the closure moves the RT's counters
	if err == nil {
		q.setState("connected", "")
		return q.finish(store, j, &fiscalprinter.Registration{ZNo: z, At: q.opts.Now()}, "")
	}
	if fiscalprinter.IsAmbiguous(err) {
		// Stays sending: the next pass (after Settle) asks the RT whether the closure was made.
		q.setState("reconnecting", truncate(err.Error(), 200))
		if serr := q.setLastError(store, j.ID, err.Error()); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	var fe *fiscalprinter.Error
	errors.As(err, &fe)
	if serr := q.setPending(store, j.ID, err.Error()); serr != nil {
		return errors.Join(err, serr)
	}
	switch {
	case fe != nil && fe.Status == 11:
		_ = q.p.Reset(ctx)
		return err
	case fe != nil && fe.Retry:
		q.probe(ctx, err)
		return err
	}
	q.setState("failed", truncate(err.Error(), 200))
	return q.finish(store, j, nil, err.Error())
}

// rtDay reads the RT's last document (directIO 1387) and whether its day is open. A printer that
// cannot tell the day counts as closed: a lost answer then stays unresolved (errZUnknown).
func (q *RTQueue) rtDay(ctx context.Context) (fiscalprinter.LastDocument, bool, error) {
	ld, err := q.p.LastDocument(ctx)
	if err != nil {
		return ld, false, fmt.Errorf("read the RT's last document: %w", err)
	}
	dr, ok := q.p.(fiscalprinter.DayReader)
	if !ok {
		return ld, false, nil
	}
	open, err := dr.DayOpen(ctx)
	if err != nil {
		return ld, false, fmt.Errorf("read the RT's day: %w", err)
	}
	return ld, open, nil
}

// resolveZ decides a daily closure in sending (its answer was lost) by the RT's day now:
//   - the day it closes was open (known_doc stored) and the RT's last document is still that one
//     but its day is closed, or its last document is of a later Z: the closure was made → adopted
//     with the Z number known_z;
//   - the day is still open and no later Z shows: it was not made → pending, sent again, once;
//   - the day was already closed before the send (nothing to tell by), or a second send lost its
//     answer too: failed with errZUnknown for the staff to check. Never a second closure blind.
//
// An RT that does not answer leaves the job in sending.
func (q *RTQueue) resolveZ(ctx context.Context, j RTJob) error {
	store := context.WithoutCancel(ctx)
	if !j.KnownZ.Valid || !j.KnownDoc.Valid {
		return q.finish(store, j, nil, errZUnknown+" (the RT's day had no documents before the closure, so its state cannot tell)")
	}
	ld, open, err := q.rtDay(ctx)
	if err != nil {
		q.probe(ctx, err)
		return fmt.Errorf("resolve the daily closure: %w", err)
	}
	kz, kd := int(j.KnownZ.Int64), int(j.KnownDoc.Int64)
	switch {
	case ld.ZNo > kz || (ld.ZNo == kz && ld.DocNo == kd && !open):
		q.log.Info("RT daily closure adopted: the RT made it though the answer was lost", "job", j.ID, "z", kz)
		q.setState("connected", "")
		return q.finish(store, j, &fiscalprinter.Registration{ZNo: kz, At: q.opts.Now()}, "")
	case open && ld.ZNo == kz:
		if j.Attempts >= 2 {
			return q.finish(store, j, nil, errZUnknown+" (sent twice, no answer either time; the RT's day is still open)")
		}
		return q.setPending(store, j.ID, fmt.Sprintf("the RT did not make the closure (its day is open, last document Z %d doc %d): sent again", ld.ZNo, ld.DocNo))
	}
	return q.finish(store, j, nil, fmt.Sprintf("%s (the RT's last document is Z %d doc %d, day open %v; before the closure Z %d doc %d)",
		errZUnknown, ld.ZNo, ld.DocNo, open, kz, kd))
}

// lastKnown is the RT's last document's (Z, doc), read from the RT when not known.
func (q *RTQueue) lastKnown(ctx context.Context) (*[2]int, error) {
	q.mu.Lock()
	if q.knownValid {
		k := q.known
		q.mu.Unlock()
		return &k, nil
	}
	q.mu.Unlock()
	ld, err := q.p.LastDocument(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the RT's last document: %w", err)
	}
	q.noteKnown(ld.ZNo, ld.DocNo)
	return &[2]int{ld.ZNo, ld.DocNo}, nil
}

func (q *RTQueue) noteKnown(z, doc int) {
	q.mu.Lock()
	q.known, q.knownValid = [2]int{z, doc}, true
	q.mu.Unlock()
}

func (q *RTQueue) invalidate() {
	q.mu.Lock()
	q.knownValid = false
	q.mu.Unlock()
}

// probe reads the RT's status after a failure and reports it as the device state.
func (q *RTQueue) probe(ctx context.Context, cause error) {
	st, err := q.p.Status(ctx)
	if err != nil {
		q.setState("reconnecting", truncate(cause.Error(), 200))
		return
	}
	state, reason := rtStateOf(st)
	if state == "connected" {
		state, reason = "reconnecting", truncate(cause.Error(), 200)
	}
	q.setState(state, reason)
}

// rtStateOf maps the RT's status to a device state (the `event: device` enum).
func rtStateOf(st fiscalprinter.Status) (string, string) {
	switch {
	case st.Journal == "journal_full":
		return "journal_full", "the RT's electronic journal is full"
	case st.Printer == "paper_end":
		return "paper_out", "the RT is out of paper"
	case st.Printer == "cover_open":
		return "cover_open", "the RT's cover is open"
	case st.Printer == "offline": // Epson's fpStatus does not tell paper end from an open cover
		return "paper_out", "the RT is offline: out of paper or its cover is open"
	case st.Printer == "paper_low":
		return "paper_low", "the RT's paper is low"
	}
	return "connected", ""
}

// RTStates lists every device state the RT worker reports, for the contract check against the
// OpenAPI enum of `event: device`.
func RTStates() []string {
	return []string{"connected", "reconnecting", "failed", "paper_low", "paper_out", "cover_open", "journal_full"}
}

func (q *RTQueue) markSending(ctx context.Context, j RTJob, known *[2]int) error {
	var z, doc any
	if known != nil {
		z, doc = known[0], known[1]
	}
	return q.update(ctx, j.ID, `UPDATE rt_jobs SET status = 'sending', attempts = attempts + 1, sent_at = ?2,
		known_z = ?3, known_doc = ?4 WHERE id = ?1`, q.stamp(), z, doc)
}

func (q *RTQueue) setPending(ctx context.Context, id int64, msg string) error {
	return q.update(ctx, id, `UPDATE rt_jobs SET status = 'pending', last_error = ?2 WHERE id = ?1`, truncate(msg, 500))
}

func (q *RTQueue) setLastError(ctx context.Context, id int64, msg string) error {
	return q.update(ctx, id, `UPDATE rt_jobs SET last_error = ?2 WHERE id = ?1`, truncate(msg, 500))
}

func (q *RTQueue) update(ctx context.Context, id int64, query string, args ...any) error {
	q.writes.Add(1)
	err := q.db.Group.Do(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, append([]any{id}, args...)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store RT job %d: %w", id, err)
	}
	return nil
}

// backoff is MinBackoff doubled per earlier failure, at most MaxBackoff.
func (q *RTQueue) backoff(failures int) time.Duration {
	d := q.opts.MinBackoff
	for i := 0; i < failures && d < q.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opts.MaxBackoff)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
