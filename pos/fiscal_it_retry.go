package pos

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/storeagent/storeagent/sync/db"
)

// RetryRT puts a sale's failed RT registration back in the queue, after the staff fixed what the RT
// refused (a VAT rate with no department, a wrong payment mapping, a document the RT could not take),
// together with the sale's refunds and voids that failed with it (they had no document to refer to).
// Only a failed job is re-queued: a failed job is one the RT refused (or that was never sent), so the
// RT holds no document for it. The job goes back to pending with no known (Z, doc): the worker
// reads the RT's last document (directIO 1387) before it sends, and from there on the job follows
// the same exactly-once path as any other. The sale's fiscal object is pending again.
//
// A sale whose registration is not failed is 409 rt_not_failed (pending: it is on its way;
// registered: it has its document), one never queued is 404.
func RetryRT(ctx context.Context, d *db.DB, saleID string) ([]RTJob, error) {
	if err := validUUID("sale_id", saleID); err != nil {
		return nil, err
	}
	var jobs []RTJob
	err := d.Group.Do(ctx, func(tx *sql.Tx) error {
		jobs = nil
		var st string
		err := tx.QueryRowContext(ctx, `SELECT status FROM rt_jobs WHERE kind = 'sale' AND doc_id = ?1`, saleID).Scan(&st)
		if err == sql.ErrNoRows {
			var n int
			_ = tx.QueryRowContext(ctx, `SELECT count(*) FROM sales WHERE sale_id = ?1`, saleID).Scan(&n)
			if n == 0 {
				return reqErr(http.StatusNotFound, "not_found", "no sale %q", saleID)
			}
			return reqErr(http.StatusNotFound, "not_found", "sale %s was never queued for the RT (a training sale, or made without an RT)", saleID)
		}
		if err != nil {
			return err
		}
		// The sale's own job and its refunds and voids: those may have failed while the sale is
		// registered (a reso the RT refused), so they count even when the sale's job is not failed.
		rows, err := tx.QueryContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs WHERE sale_id = ?1 AND kind <> 'z' AND status = 'failed' ORDER BY id`, saleID)
		if err != nil {
			return err
		}
		var failed []RTJob
		for rows.Next() {
			j, err := scanRTJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			failed = append(failed, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(failed) == 0 {
			what := "is pending: it is on its way to the RT"
			if st == RTRegistered {
				what = "is registered: it has its RT document"
			}
			return reqErr(http.StatusConflict, "rt_not_failed", "sale %s: nothing to retry, its RT registration %s", saleID, what)
		}
		for _, j := range failed {
			if err := requeueRT(ctx, tx, j); err != nil {
				return err
			}
			j.Status, j.KnownZ, j.KnownDoc = RTPending, sql.NullInt64{}, sql.NullInt64{} // LastError: why it had failed
			jobs = append(jobs, j)
		}
		return nil
	})
	if err != nil {
		if _, ok := err.(*RequestError); ok {
			return nil, err
		}
		return nil, db.Explain(err)
	}
	return jobs, nil
}

// RetryAllFailedRT re-queues every failed sale, refund and void registration (see RetryRT). A
// failed daily closure is not: its till session names it, and a second Z closes an empty day.
func RetryAllFailedRT(ctx context.Context, d *db.DB) ([]RTJob, error) {
	var jobs []RTJob
	err := d.Group.Do(ctx, func(tx *sql.Tx) error {
		jobs = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+rtJobCols+` FROM rt_jobs WHERE kind <> 'z' AND status = 'failed' ORDER BY id`)
		if err != nil {
			return err
		}
		var failed []RTJob
		for rows.Next() {
			j, err := scanRTJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			failed = append(failed, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, j := range failed {
			if err := requeueRT(ctx, tx, j); err != nil {
				return err
			}
			j.Status, j.KnownZ, j.KnownDoc = RTPending, sql.NullInt64{}, sql.NullInt64{} // LastError: why it had failed
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs, db.Explain(err)
}

// requeueRT moves failed job j back to pending (no known (Z, doc): the worker reads the RT's last
// document first) and its document's fiscal object back to pending.
func requeueRT(ctx context.Context, tx *sql.Tx, j RTJob) error {
	res, err := tx.ExecContext(ctx, `UPDATE rt_jobs SET status = 'pending', last_error = '', known_z = NULL, known_doc = NULL
		WHERE id = ?1 AND status = 'failed'`, j.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("RT job %d is no longer failed", j.ID)
	}
	ref, _ := json.Marshal(FiscalRef{Status: RTPending})
	table, key := "sales", "sale_id"
	if j.Kind != RTSale {
		table, key = "refunds", "refund_id"
	}
	_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET body = json_set(body, '$.fiscal', json(?2)) WHERE `+key+` = ?1`, j.DocID, string(ref))
	return err
}

// Retry re-queues a sale's failed registration (RetryRT) and wakes the worker, which reads the
// RT's last document before it sends anything.
func (q *RTQueue) Retry(ctx context.Context, saleID string) ([]RTJob, error) {
	jobs, err := RetryRT(ctx, q.db, saleID)
	if err == nil {
		q.invalidate()
		q.Wake()
	}
	return jobs, err
}

// retryFiscal is POST /api/v1/sales/{id}/fiscal/retry: the sale with its fiscal object pending again.
func (s *Server) retryFiscal(w http.ResponseWriter, r *http.Request, term Terminal) {
	if s.svc.opts.RT == nil {
		writeError(w, reqErr(http.StatusNotFound, "rt_off", "this store has no RT (fiscal.country is not IT)"))
		return
	}
	ctx := context.WithoutCancel(r.Context())
	jobs, err := s.svc.opts.RT.Retry(ctx, r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	s.svc.opts.RT.log.Info("RT registration re-queued by staff", "sale", r.PathValue("id"), "terminal", term.ID, "jobs", len(jobs))
	body, err := s.svc.GetSale(ctx, r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, body)
}
