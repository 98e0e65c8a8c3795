-- 0002: sync state — catalogue items waiting for their effective_from, and staged snapshot chunks.
-- Written by the sync package only.

-- Catalogue item versions whose effective_from is in the future; switched in when due.
-- effective_from is normalised to RFC 3339 UTC whole seconds ("2006-01-02T15:04:05Z") so text
-- comparison orders it.
CREATE TABLE catalog_pending (
    sku            TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    catalog_seq    INTEGER NOT NULL,
    item           TEXT NOT NULL,
    PRIMARY KEY (sku, version)
) STRICT;
CREATE INDEX catalog_pending_due ON catalog_pending (effective_from);

-- Chunks of a catalogue snapshot, kept until every chunk of its seq has arrived; then applied
-- atomically and deleted. A newer snapshot deletes an older unfinished one. The items stay in the
-- chunk's inbox row (event_id), so they are written to the file once before the apply.
CREATE TABLE catalog_snapshot_chunks (
    seq         INTEGER NOT NULL,
    chunk       INTEGER NOT NULL,
    chunks      INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (seq, chunk)
) STRICT;
