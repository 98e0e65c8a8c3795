-- 0005: the French fiscal journal (CONTRACT.md wave 2, "Fiscal law → France"). Written by
-- pos/fiscal only, in the same transaction as the sale, refund, reprint or close it records.
--
-- fiscal_records is append-only: triggers refuse UPDATE and DELETE. Each row is chained to the
-- previous row of its chain by prev_hash and signed with the store's Ed25519 key.
-- fiscal_heads holds each chain's last seq and hash, written in the same transaction, so a
-- deleted last record is detected (the head names a record that is gone).

CREATE TABLE fiscal_records (
    chain       TEXT NOT NULL CHECK (chain IN ('ticket', 'duplicate', 'closure', 'event', 'training')),
    seq         INTEGER NOT NULL CHECK (seq > 0),
    recorded_at TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    signature   TEXT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
) WITHOUT ROWID;

CREATE TABLE fiscal_heads (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER fiscal_records_no_update BEFORE UPDATE ON fiscal_records
BEGIN
    SELECT RAISE(ABORT, 'fiscal_records is append-only: UPDATE refused');
END;

CREATE TRIGGER fiscal_records_no_delete BEFORE DELETE ON fiscal_records
BEGIN
    SELECT RAISE(ABORT, 'fiscal_records is append-only: DELETE refused');
END;

CREATE TRIGGER fiscal_heads_no_delete BEFORE DELETE ON fiscal_heads
BEGIN
    SELECT RAISE(ABORT, 'fiscal_heads: DELETE refused');
END;

CREATE TRIGGER fiscal_heads_forward BEFORE UPDATE ON fiscal_heads
WHEN NEW.seq <> OLD.seq + 1
BEGIN
    SELECT RAISE(ABORT, 'fiscal_heads: a head only moves forward by one');
END;
