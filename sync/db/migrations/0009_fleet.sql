-- 0009: fleet operations (docs/fleet.md). Written by package fleet.
--
-- Every signed command the store has run or refused after its signature verified, kept until it
-- would be refused for its age anyway (issued_at + 10 min + 1 min of clock skew), so a command
-- replayed from the broker is refused instead of run twice.
CREATE TABLE fleet_commands (
    command_id  TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    issued_at   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;

CREATE INDEX fleet_commands_expires ON fleet_commands (expires_at);
