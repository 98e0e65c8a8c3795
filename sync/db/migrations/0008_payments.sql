-- 0008: card payment intents (CONTRACT.md wave 2, "Payment terminals"). Written by pos only.
--
-- A payment is stored (pending) before a byte goes to its terminal, and sent_at is set in a commit
-- of its own just before the request goes out; so after a crash a pending row with sent_at set may
-- have reached the terminal (it becomes unknown, never sent again), and one without never did.
-- A settled payment's outcome never changes: only an unknown (or standalone pending) one is
-- settled by a person (resolved_by), and a payment is used by at most one sale or refund.

CREATE TABLE payments (
    payment_id    TEXT PRIMARY KEY,
    terminal      TEXT NOT NULL,
    device        TEXT NOT NULL,
    profile       TEXT NOT NULL CHECK (profile IN ('caisse-ap', 'standalone')),
    kind          TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'unknown')),
    request_hash  TEXT NOT NULL,
    sent_at       TEXT NOT NULL DEFAULT '',
    auth_code     TEXT NOT NULL DEFAULT '',
    card_masked   TEXT NOT NULL DEFAULT '',
    scheme        TEXT NOT NULL DEFAULT '',
    entry_mode    TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    -- The sale or refund that used it (NULL while unused).
    used_by       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    resolved_by   TEXT NOT NULL DEFAULT '',
    resolved_at   TEXT NOT NULL DEFAULT '',
    -- Set when retail.payment.unclaimed went to central for it.
    unclaimed_at  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX payments_open ON payments (status) WHERE status IN ('pending', 'unknown');
CREATE INDEX payments_unclaimed ON payments (updated_at) WHERE status = 'approved' AND used_by IS NULL AND unclaimed_at = '';

-- An outcome, once settled, stays: approved, declined and cancelled are final, and unknown only
-- becomes approved or declined (resolve).
CREATE TRIGGER payments_final BEFORE UPDATE OF status ON payments
WHEN OLD.status IN ('approved', 'declined', 'cancelled') AND NEW.status <> OLD.status
  OR OLD.status = 'unknown' AND NEW.status NOT IN ('unknown', 'approved', 'declined')
BEGIN
    SELECT RAISE(ABORT, 'payment outcome is final');
END;

-- A payment is used once.
CREATE TRIGGER payments_used_once BEFORE UPDATE OF used_by ON payments
WHEN OLD.used_by IS NOT NULL AND NEW.used_by IS NOT OLD.used_by
BEGIN
    SELECT RAISE(ABORT, 'payment already used');
END;
