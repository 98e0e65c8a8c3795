-- 0004: till sessions (CONTRACT.md wave 2, "Till sessions"). Written by pos only.
--
-- A session is a terminal's drawer from its opening float to its Z close. Its running totals
-- (the session row's counters, till_tenders per method, till_taxes per VAT rate) are updated in
-- the same transaction as each sale, refund or movement, so an X report reads a few rows however
-- many sales the session holds. Once a session is closed nothing of it changes: triggers refuse
-- any write to a closed session's rows, and any sale, refund or movement naming it.

CREATE TABLE till_sessions (
    session_id         TEXT PRIMARY KEY,
    terminal           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    implicit           INTEGER NOT NULL CHECK (implicit IN (0, 1)),
    z_no               INTEGER NOT NULL CHECK (z_no > 0),
    opened_at          TEXT NOT NULL,
    opened_by          TEXT NOT NULL,
    closed_at          TEXT NOT NULL DEFAULT '',
    closed_by          TEXT NOT NULL DEFAULT '',
    float_minor        INTEGER NOT NULL CHECK (float_minor >= 0),
    float_json         TEXT NOT NULL DEFAULT '[]',
    open_hash          TEXT NOT NULL,
    close_hash         TEXT NOT NULL DEFAULT '',
    sales_count        INTEGER NOT NULL DEFAULT 0,
    sales_gross_minor  INTEGER NOT NULL DEFAULT 0,
    sales_tax_minor    INTEGER NOT NULL DEFAULT 0,
    rounding_minor     INTEGER NOT NULL DEFAULT 0,
    refunds_count      INTEGER NOT NULL DEFAULT 0,
    refunds_gross_minor INTEGER NOT NULL DEFAULT 0,
    refunds_tax_minor  INTEGER NOT NULL DEFAULT 0,
    -- The Z report as first returned (closed sessions), so a repeated close answers it byte for byte.
    z_body             TEXT NOT NULL DEFAULT '',
    UNIQUE (terminal, z_no)
) STRICT;
-- At most one open session per terminal.
CREATE UNIQUE INDEX till_sessions_open ON till_sessions (terminal) WHERE status = 'open';
CREATE INDEX till_sessions_opened ON till_sessions (opened_at);

CREATE TABLE till_tenders (
    session_id     TEXT NOT NULL REFERENCES till_sessions (session_id),
    method         TEXT NOT NULL,
    sales_minor    INTEGER NOT NULL DEFAULT 0,
    refunds_minor  INTEGER NOT NULL DEFAULT 0,
    pay_in_minor   INTEGER NOT NULL DEFAULT 0,
    pay_out_minor  INTEGER NOT NULL DEFAULT 0,
    drops_minor    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, method)
) STRICT, WITHOUT ROWID;

CREATE TABLE till_taxes (
    session_id          TEXT NOT NULL REFERENCES till_sessions (session_id),
    tax_rate_bp         INTEGER NOT NULL,
    sales_gross_minor   INTEGER NOT NULL DEFAULT 0,
    sales_tax_minor     INTEGER NOT NULL DEFAULT 0,
    refunds_gross_minor INTEGER NOT NULL DEFAULT 0,
    refunds_tax_minor   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, tax_rate_bp)
) STRICT, WITHOUT ROWID;

CREATE TABLE till_movements (
    movement_id  TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES till_sessions (session_id),
    kind         TEXT NOT NULL CHECK (kind IN ('pay_in', 'pay_out', 'drop')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    reason       TEXT NOT NULL,
    cashier      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    body         TEXT NOT NULL
) STRICT;
CREATE INDEX till_movements_session ON till_movements (session_id);
CREATE INDEX till_movements_created ON till_movements (created_at);

ALTER TABLE sales ADD COLUMN till_session_id TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN till_session_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sales_till_session ON sales (till_session_id);
CREATE INDEX refunds_till_session ON refunds (till_session_id);
CREATE INDEX refunds_created ON refunds (created_at);

-- Reports print through the receipt queue: kind 'report' jobs carry the report as it was when
-- the print was asked for (sale_id then holds the session id, or "day:YYYY-MM-DD").
ALTER TABLE print_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'receipt' CHECK (kind IN ('receipt', 'report'));
ALTER TABLE print_jobs ADD COLUMN payload TEXT NOT NULL DEFAULT '';

-- A closed session never changes.
CREATE TRIGGER till_sessions_closed_update BEFORE UPDATE ON till_sessions WHEN OLD.status = 'closed'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER till_sessions_no_delete BEFORE DELETE ON till_sessions
BEGIN SELECT RAISE(ABORT, 'till sessions are never deleted'); END;
CREATE TRIGGER till_tenders_closed_insert BEFORE INSERT ON till_tenders
WHEN (SELECT status FROM till_sessions WHERE session_id = NEW.session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER till_tenders_closed_update BEFORE UPDATE ON till_tenders
WHEN (SELECT status FROM till_sessions WHERE session_id = OLD.session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER till_taxes_closed_insert BEFORE INSERT ON till_taxes
WHEN (SELECT status FROM till_sessions WHERE session_id = NEW.session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER till_taxes_closed_update BEFORE UPDATE ON till_taxes
WHEN (SELECT status FROM till_sessions WHERE session_id = OLD.session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER till_movements_closed_insert BEFORE INSERT ON till_movements
WHEN (SELECT status FROM till_sessions WHERE session_id = NEW.session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER sales_till_closed_insert BEFORE INSERT ON sales
WHEN NEW.till_session_id <> '' AND (SELECT status FROM till_sessions WHERE session_id = NEW.till_session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
CREATE TRIGGER refunds_till_closed_insert BEFORE INSERT ON refunds
WHEN NEW.till_session_id <> '' AND (SELECT status FROM till_sessions WHERE session_id = NEW.till_session_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'till session is closed'); END;
