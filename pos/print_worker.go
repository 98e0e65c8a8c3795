package pos

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Run prints queued jobs until ctx is cancelled, then returns nil. Jobs found in sending (cut
// off by a crash or a shutdown mid-send) are queued again first, but for fiscal duplicates
// (see requeueSending). Each printer has its own
// sender, which takes that printer's jobs oldest first and, after a fault, waits with backoff
// and retries the same job, so the receipts of one printer come out in order.
func (q *PrintQueue) Run(ctx context.Context) error {
	if err := q.requeueSending(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(q.opts.PollInterval)
	defer tick.Stop()
	for {
		printers, err := q.pendingPrinters(ctx)
		if err != nil && ctx.Err() == nil {
			q.log.Error("list print jobs", "err", err)
		}
		for _, p := range printers {
			q.mu.Lock()
			busy := q.running[p]
			q.running[p] = true
			q.mu.Unlock()
			if busy {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				q.sender(ctx, p)
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case <-tick.C:
		}
	}
}

// ErrDuplicateInterrupted is the last_error of a fiscal duplicate whose printing a crash cut off.
const ErrDuplicateInterrupted = "interrupted while printing: this duplicate may be on paper already, so it is not printed again; " +
	"if it is not, print the receipt again (a new duplicate, with the next number)"

// ErrDuplicateFaulted starts the last_error of a fiscal duplicate whose printing failed after its
// first bytes went out (paper out or connection lost mid-job).
const ErrDuplicateFaulted = "the printer failed while printing: this duplicate may be on paper already, so it is not printed again; " +
	"if it is not, print the receipt again (a new duplicate, with the next number)"

// fiscalDuplicate reports whether job prints a journal-recorded duplicate ("DUPLICATA n° N").
func (q *PrintQueue) fiscalDuplicate(job PrintJob) bool {
	return q.opts.Journal != nil && job.Copy && job.Kind == "receipt"
}

// tellFailed passes a failed job to PrintOptions.OnFailed.
func (q *PrintQueue) tellFailed(job PrintJob) {
	job.Status = JobFailed
	if q.opts.OnFailed != nil {
		q.opts.OnFailed(job)
	}
}

// nothingSent reports whether a driver's Print error says no byte of the job reached the printer
// (devices.NotSentError), so that sending it again cannot make a second paper.
func nothingSent(err error) bool {
	var ns interface{ NotSent() bool }
	return errors.As(err, &ns) && ns.NotSent()
}

// requeueSending puts jobs left in sending back in the queue: they may not have been printed
// completely, so they are sent again in full. A fiscal duplicate (a copy on a store with a
// journal: "DUPLICATA n° N", one journal record) is the exception: it may already be on paper,
// and a second paper would carry the same number, so it is failed and reported instead; the
// cashier who finds no paper asks for a new duplicate, which gets the next number and its own
// record.
func (q *PrintQueue) requeueSending(ctx context.Context) error {
	type cut struct{ job, sale, printer string }
	var dups []cut
	err := q.db.Group.Do(ctx, func(tx *sql.Tx) error {
		dups = dups[:0]
		if q.opts.Journal != nil {
			rows, err := tx.QueryContext(ctx, `UPDATE print_jobs SET status = 'failed', last_error = ?1
				WHERE status = 'sending' AND copy = 1 AND kind = 'receipt' RETURNING job_id, sale_id, printer`, ErrDuplicateInterrupted)
			if err != nil {
				return err
			}
			for rows.Next() {
				var c cut
				if err := rows.Scan(&c.job, &c.sale, &c.printer); err != nil {
					rows.Close()
					return err
				}
				dups = append(dups, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE print_jobs SET status = 'queued',
			last_error = 'interrupted while sending; sent again' WHERE status = 'sending'`)
		return err
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("requeue interrupted print jobs: %w", err)
	}
	for _, c := range dups {
		q.jobs.WithLabelValues(c.printer, JobFailed).Inc()
		q.log.Warn("a duplicate's printing was interrupted by a stop; not printed again (it may be on paper already): "+
			"if it is not, print the receipt again for a new duplicate", "job", c.job, "sale", c.sale, "printer", c.printer)
		q.tellFailed(PrintJob{JobID: c.job, SaleID: c.sale, Printer: c.printer, Copy: true, Kind: "receipt", LastError: ErrDuplicateInterrupted})
	}
	return nil
}

func (q *PrintQueue) pendingPrinters(ctx context.Context) ([]string, error) {
	rows, err := q.db.R.QueryContext(ctx, `SELECT DISTINCT printer FROM print_jobs WHERE status = 'queued'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// sender prints printer's queued jobs one at a time until none is left or ctx ends.
func (q *PrintQueue) sender(ctx context.Context, printer string) {
	defer func() {
		q.mu.Lock()
		delete(q.running, printer)
		q.mu.Unlock()
	}()
	failures := 0
	for ctx.Err() == nil {
		job, ok, err := q.next(ctx, printer)
		if err != nil || !ok {
			if err != nil && ctx.Err() == nil {
				q.log.Error("next print job", "printer", printer, "err", err)
			}
			return
		}
		err = q.send(ctx, job)
		if err == nil {
			failures = 0
			continue
		}
		if ctx.Err() != nil {
			return
		}
		q.log.Warn("print job not printed; will retry", "job", job.JobID, "printer", printer, "err", err)
		if !sleepCtx(ctx, q.backoff(failures)) {
			return
		}
		failures++
	}
}

// errPermanent marks a job that can never print (its sale or its printer's profile is gone).
var errPermanent = errors.New("cannot print")

// send prints one job. A permanent problem fails the job; a printer fault queues it again.
func (q *PrintQueue) send(ctx context.Context, job PrintJob) error {
	data, err := q.jobBytes(ctx, job)
	if errors.Is(err, errPermanent) {
		q.jobs.WithLabelValues(job.Printer, JobFailed).Inc()
		q.log.Error("print job failed", "job", job.JobID, "printer", job.Printer, "err", err)
		job.LastError = err.Error()
		if err := q.setStatus(context.WithoutCancel(ctx), job.JobID, JobFailed, job.LastError); err != nil {
			return err
		}
		q.tellFailed(job)
		return nil
	}
	if err != nil {
		return err
	}
	if err := q.setStatus(ctx, job.JobID, JobSending, ""); err != nil {
		return err
	}
	// Once sending is stored, the outcome is stored even if ctx ends: a done job must never be
	// printed again.
	store := context.WithoutCancel(ctx)
	if perr := q.drv.Print(ctx, job.Printer, data); perr != nil {
		if q.fiscalDuplicate(job) && !nothingSent(perr) {
			// Part of "DUPLICATA n° N" may be on paper: a second copy would carry the same
			// number, so this one is failed and the cashier asks for a new duplicate.
			q.jobs.WithLabelValues(job.Printer, JobFailed).Inc()
			q.log.Warn("a duplicate's printing failed part way; not printed again (it may be on paper already): "+
				"if it is not, print the receipt again for a new duplicate", "job", job.JobID, "sale", job.SaleID, "printer", job.Printer, "err", perr)
			job.LastError = ErrDuplicateFaulted + " (" + perr.Error() + ")"
			if err := q.setStatus(store, job.JobID, JobFailed, job.LastError); err != nil {
				return err
			}
			q.tellFailed(job)
			return nil
		}
		q.jobs.WithLabelValues(job.Printer, "retry").Inc()
		if err := q.setStatus(store, job.JobID, JobQueued, perr.Error()); err != nil {
			return errors.Join(perr, err)
		}
		return perr
	}
	q.jobs.WithLabelValues(job.Printer, JobDone).Inc()
	return q.setStatus(store, job.JobID, JobDone, "")
}

// backoff is MinBackoff doubled per earlier failure, at most MaxBackoff.
func (q *PrintQueue) backoff(failures int) time.Duration {
	d := q.opts.MinBackoff
	for i := 0; i < failures && d < q.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.opts.MaxBackoff)
}

// sleepCtx waits d or until ctx is done; it reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
