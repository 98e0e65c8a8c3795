-- 0007: web POS sessions (issue 16 item 12). The POS cookie holds a random session id; only its
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
