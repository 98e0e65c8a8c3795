-- 0001: the store's replica, its sales and the sync queues.
-- Money in integer minor units; tax rates in basis points; times RFC 3339 UTC text.
-- Stock counts in the item's base unit: pieces for "each", grams for "kg", millilitres for "l".

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Catalogue (owned by pos; written by sync when central sends deltas and snapshots).
CREATE TABLE products (
    sku          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    currency     TEXT NOT NULL,
    tax_rate_bp  INTEGER NOT NULL CHECK (tax_rate_bp >= 0),
    unit         TEXT NOT NULL CHECK (unit IN ('each', 'kg', 'l')),
    net_content  REAL,
    category     TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1,
    version      INTEGER NOT NULL DEFAULT 0,
    catalog_seq  INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX products_category ON products (category, active);

CREATE TABLE product_gtins (
    gtin TEXT PRIMARY KEY CHECK (length(gtin) = 14),
    sku  TEXT NOT NULL REFERENCES products (sku) ON DELETE CASCADE
) STRICT;
CREATE INDEX product_gtins_sku ON product_gtins (sku);

-- Stock per SKU. Not a foreign key: central may send stock before the item.
CREATE TABLE stock (
    sku              TEXT PRIMARY KEY,
    on_hand          INTEGER NOT NULL DEFAULT 0,
    reserved         INTEGER NOT NULL DEFAULT 0,
    last_count_as_of TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE stock_movements (
    movement_id  TEXT PRIMARY KEY,
    sku          TEXT NOT NULL,
    delta        INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    ref          TEXT NOT NULL DEFAULT '',
    occurred_at  TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('local', 'central')),
    request_hash TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX stock_movements_sku_time ON stock_movements (sku, occurred_at);

CREATE TABLE stock_counts (
    count_id   TEXT PRIMARY KEY,
    sku        TEXT NOT NULL,
    on_hand    INTEGER NOT NULL,
    as_of      TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT;

-- Sales. body is the response JSON as first returned, so a repeat answers byte for byte the same.
CREATE TABLE sales (
    sale_id        TEXT PRIMARY KEY,
    terminal       TEXT NOT NULL,
    cashier        TEXT NOT NULL,
    receipt_no     TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    currency       TEXT NOT NULL,
    total_minor    INTEGER NOT NULL,
    rounding_minor INTEGER NOT NULL,
    tax_minor      INTEGER NOT NULL,
    change_minor   INTEGER NOT NULL,
    customer_id    TEXT NOT NULL DEFAULT '',
    reservation_id TEXT NOT NULL DEFAULT '',
    completed_at   TEXT NOT NULL,
    body           TEXT NOT NULL,
    UNIQUE (terminal, receipt_no)
) STRICT;
CREATE INDEX sales_completed ON sales (completed_at);

CREATE TABLE sale_lines (
    sale_id          TEXT NOT NULL REFERENCES sales (sale_id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    sku              TEXT NOT NULL,
    name             TEXT NOT NULL,
    qty              INTEGER NOT NULL,
    weight_g         INTEGER,
    unit_price_minor INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL,
    tax_rate_bp      INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line_no)
) STRICT;

CREATE TABLE sale_payments (
    sale_id      TEXT NOT NULL REFERENCES sales (sale_id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    method       TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (sale_id, idx)
) STRICT;

CREATE TABLE receipt_counters (
    terminal TEXT PRIMARY KEY,
    last_no  INTEGER NOT NULL
) STRICT;

CREATE TABLE refunds (
    refund_id    TEXT PRIMARY KEY,
    sale_id      TEXT NOT NULL REFERENCES sales (sale_id),
    terminal     TEXT NOT NULL,
    cashier      TEXT NOT NULL,
    method       TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    total_minor  INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    body         TEXT NOT NULL
) STRICT;
CREATE INDEX refunds_sale ON refunds (sale_id);

CREATE TABLE refund_lines (
    refund_id    TEXT NOT NULL REFERENCES refunds (refund_id) ON DELETE CASCADE,
    line_no      INTEGER NOT NULL,
    sku          TEXT NOT NULL,
    qty          INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_no)
) STRICT;

-- Reservations (click and collect), written by sync, read and collected by pos.
CREATE TABLE reservations (
    reservation_id TEXT PRIMARY KEY,
    order_ref      TEXT NOT NULL DEFAULT '',
    customer_name  TEXT NOT NULL DEFAULT '',
    paid           INTEGER NOT NULL DEFAULT 0,
    expires_at     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'rejected', 'collected', 'released')),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX reservations_status ON reservations (status, expires_at);

CREATE TABLE reservation_lines (
    reservation_id   TEXT NOT NULL REFERENCES reservations (reservation_id) ON DELETE CASCADE,
    sku              TEXT NOT NULL,
    qty              INTEGER NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    PRIMARY KEY (reservation_id, sku)
) STRICT;
CREATE INDEX reservation_lines_sku ON reservation_lines (sku);

-- Outbox: events to central. seq is gapless per (epoch, topic); an event leaves only when central acks it.
CREATE TABLE outbox (
    epoch        TEXT NOT NULL,
    topic        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    event_id     TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    payload      BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_sent_at TEXT NOT NULL DEFAULT '',
    acked_at     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (epoch, topic, seq)
) STRICT;
CREATE INDEX outbox_pending ON outbox (created_at) WHERE acked_at = '';

CREATE TABLE outbox_seq (
    epoch    TEXT NOT NULL,
    topic    TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (epoch, topic)
) STRICT;

-- Inbox: events from central, stored (unique by id) before the MQTT delivery is acked.
CREATE TABLE inbox (
    event_id    TEXT PRIMARY KEY,
    topic       TEXT NOT NULL,
    type        TEXT NOT NULL,
    seq         INTEGER,
    payload     BLOB NOT NULL,
    received_at TEXT NOT NULL,
    applied_at  TEXT NOT NULL DEFAULT '',
    acked_at    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX inbox_unapplied ON inbox (received_at) WHERE applied_at = '';
CREATE INDEX inbox_unacked ON inbox (received_at) WHERE acked_at = '';

CREATE TABLE inbox_seq (
    topic    TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    topic       TEXT NOT NULL,
    event_id    TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    payload     BLOB NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

CREATE TABLE customers_cache (
    customer_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tier        TEXT NOT NULL DEFAULT '',
    points      INTEGER NOT NULL DEFAULT 0,
    fetched_at  TEXT NOT NULL
) STRICT;
