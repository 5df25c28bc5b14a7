-- Migration 6: uploads to the central office, and its word on each packet.
-- A batch with no row here has never been tried: it is pending.

CREATE TABLE uploads (
    batch_id     TEXT PRIMARY KEY REFERENCES batches(id),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'acknowledged', 'refused')),
    attempts     INTEGER NOT NULL DEFAULT 0,   -- failed tries since the last success
    next_try_at  TEXT,                         -- backoff: not before this (UTC)
    last_error   TEXT,
    receipt      TEXT,                         -- the central office's signed receipt, as received
    updated_at   TEXT NOT NULL
);

CREATE TABLE packet_verdicts (
    rid       TEXT PRIMARY KEY REFERENCES packets(rid),
    batch_id  TEXT NOT NULL REFERENCES batches(id),
    accepted  INTEGER NOT NULL,
    reason    TEXT,
    at        TEXT NOT NULL
);
