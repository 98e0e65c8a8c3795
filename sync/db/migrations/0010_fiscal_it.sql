-- 0010: Italian Registratore Telematico (RT) registration jobs. Written by pos (RTQueue) only.
--
-- A job commits in the transaction of what it registers (a sale, a refund, a void) or of the
-- till close that asks for the RT's daily closure (kind z). One worker sends them in id order.
-- A job moves pending -> sending -> registered; sending is stored, with the (known_z, known_doc)
-- the RT's last document had just before, before the request goes out, so a job found in sending
-- (a timeout, a dropped answer, a crash) is reconciled with the RT's last document (directIO 1387)
-- before anything is sent again: adopted when the RT's (Z, doc) advanced past the known one and
-- its amount is the job's, sent again otherwise. failed is a document the RT refused for good.
CREATE TABLE rt_jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('sale', 'refund', 'void', 'z')),
    doc_id        TEXT NOT NULL,              -- sale_id, refund_id (refund and void), session_id (z)
    sale_id       TEXT NOT NULL,              -- the sale (for a refund or void: the original); '' for z
    total_minor   INTEGER NOT NULL,           -- what the RT registers (the document's total)
    status        TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'registered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    known_z       INTEGER,
    known_doc     INTEGER,
    rt_serial     TEXT NOT NULL DEFAULT '',
    z_no          INTEGER,
    doc_no        INTEGER,
    registered_at TEXT,
    created_at    TEXT NOT NULL,
    sent_at       TEXT,
    UNIQUE (kind, doc_id)
) STRICT;
CREATE INDEX rt_jobs_open ON rt_jobs (status, id);
CREATE INDEX rt_jobs_sale ON rt_jobs (sale_id);
