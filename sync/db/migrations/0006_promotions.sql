-- 0006: promotions and price history (CONTRACT.md wave 2, "Promotions and the 30-day lowest price").
-- Written by sync (central's promotions) and pos (the price history of the catalogue it sells from).
--
-- A promotion is kept whole as central sent it (body, JSON, validated before it is stored); the
-- columns beside it are what the store filters on. An inactive or expired promotion stays until
-- central drops it: the engine ignores it, and a sale names only the ones it used.

CREATE TABLE promotions (
    promotion_id  TEXT PRIMARY KEY,
    version       INTEGER NOT NULL CHECK (version > 0),
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    starts_at     TEXT NOT NULL DEFAULT '',
    ends_at       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL,
    promotion_seq INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
) STRICT;

-- Every price a SKU has had, from when: the 30-day lowest price before a reduction is read here.
CREATE TABLE price_history (
    sku          TEXT NOT NULL,
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    effective_at TEXT NOT NULL,
    PRIMARY KEY (sku, effective_at)
) STRICT;

-- Chunks of a promotions snapshot being received (written by sync); applied together when the
-- last one arrives, like the catalogue's.
CREATE TABLE promotion_snapshot_chunks (
    seq         INTEGER NOT NULL,
    chunk       INTEGER NOT NULL,
    chunks      INTEGER NOT NULL,
    promotions  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (seq, chunk)
) STRICT;

-- Every catalogue path (deltas, snapshots, seeding) writes products, so the history is kept by
-- triggers: a new product or a changed price adds a row stamped with the database clock.
CREATE TRIGGER products_price_history_insert AFTER INSERT ON products BEGIN
    INSERT INTO price_history (sku, price_minor, effective_at)
    VALUES (NEW.sku, NEW.price_minor, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (sku, effective_at) DO UPDATE SET price_minor = excluded.price_minor;
END;
CREATE TRIGGER products_price_history_update AFTER UPDATE OF price_minor ON products
WHEN NEW.price_minor != OLD.price_minor BEGIN
    INSERT INTO price_history (sku, price_minor, effective_at)
    VALUES (NEW.sku, NEW.price_minor, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (sku, effective_at) DO UPDATE SET price_minor = excluded.price_minor;
END;
-- Products already in the replica start their history now.
INSERT INTO price_history (sku, price_minor, effective_at)
SELECT sku, price_minor, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM products;
