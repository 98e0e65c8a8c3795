-- 0007: web POS sessions, the customer lookup audit, and the terminal of stock movements (issue 16 items 11 and 12). The POS cookie holds a random session id; only its
-- SHA-256 is stored, with the terminal and the SHA-256 of the terminal's token at login (a changed
-- token ends its sessions), so a restart of the agent does not log the lanes out mid-basket.

CREATE TABLE pos_sessions (
    id_hash    BLOB PRIMARY KEY,
    terminal   TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX pos_sessions_terminal ON pos_sessions (terminal, started_at);

-- Customer lookups (issue 16 item 11): who looked up which customer, when, and what came of it.
-- Kept 90 days; the newest 100,000 at most.
CREATE TABLE customer_lookups (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    terminal    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    outcome     TEXT NOT NULL
) STRICT;

CREATE INDEX customer_lookups_at ON customer_lookups (at);

-- The terminal a stock movement was made at (issue 16 item 11): adjustments and sales record it;
-- '' for movements from central and those made before this version.
ALTER TABLE stock_movements ADD COLUMN terminal TEXT NOT NULL DEFAULT '';
