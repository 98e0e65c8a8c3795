-- 0003: receipt print jobs. Written by pos (Printing) only.
--
-- A job is queued inside the sale's transaction (or by POST /api/v1/sales/{id}/print) and moves
-- queued -> sending -> done; a fault puts it back to queued with attempts and last_error, and a
-- job found in sending at start is queued again (it may have been cut off mid-send). failed is a
-- job that can never print (its sale or printer profile is gone). copy is 0 for the first print
-- of a sale, 1 for a reprint (printed with a COPY mark and never with a drawer kick).
CREATE TABLE print_jobs (
    job_id     TEXT PRIMARY KEY,
    sale_id    TEXT NOT NULL,
    printer    TEXT NOT NULL,
    copy       INTEGER NOT NULL CHECK (copy IN (0, 1)),
    drawer     INTEGER NOT NULL CHECK (drawer IN (0, 1)),
    status     TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    done_at    TEXT
) STRICT;
CREATE INDEX print_jobs_sale ON print_jobs (sale_id);
CREATE INDEX print_jobs_pending ON print_jobs (printer, status, created_at);
