-- Migration 2: the batches a kit has exported, and which packets each holds.

CREATE TABLE batches (
    id          TEXT PRIMARY KEY,             -- centre+kit-yyyymmddHHMMSS, "-T" for a training batch
    created_at  TEXT NOT NULL,
    supervisor  TEXT NOT NULL,
    training    INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,                -- of the sealed file as written and read back
    file_name   TEXT NOT NULL
);

CREATE TABLE batch_packets (
    batch_id    TEXT NOT NULL REFERENCES batches(id),
    rid         TEXT NOT NULL REFERENCES packets(rid),
    PRIMARY KEY (batch_id, rid)
);
