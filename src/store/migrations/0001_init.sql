-- Migration 1: the kit's first schema. Never edit once shipped: add a new numbered file.

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('assistant', 'supervisor', 'trainer')),
    pin_hash        TEXT NOT NULL,            -- argon2id PHC string
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,                     -- UTC; set by too many wrong PINs
    disabled        INTEGER NOT NULL DEFAULT 0, -- locked by a supervisor
    language        TEXT NOT NULL DEFAULT 'en',
    created_at      TEXT NOT NULL
);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the audit log names drafts by id
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    training    INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    state       TEXT NOT NULL                 -- JSON: step, consent, form, capture metadata
);

CREATE TABLE draft_blobs (
    draft_id    INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    slot        TEXT NOT NULL,                -- face, finger-01 .. finger-10, exception
    data        BLOB NOT NULL,
    PRIMARY KEY (draft_id, slot)
);

-- Per UTC day, the last RID sequence issued: survives restarts, and a clock set back to
-- an earlier day continues that day's sequence instead of repeating it.
CREATE TABLE rid_sequences (
    day         TEXT PRIMARY KEY,
    last        INTEGER NOT NULL
);

CREATE TABLE packets (
    rid          TEXT PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    created_at   TEXT NOT NULL,
    training     INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected', 'exported', 'acknowledged')),
    status_note  TEXT,
    display_name TEXT NOT NULL,               -- for lists; the signed packet is the truth
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL
);
CREATE INDEX packets_by_status ON packets (status, created_at);

CREATE TRIGGER packets_sealed BEFORE UPDATE OF rid, data, sha256, size, training, created_at ON packets
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be changed'); END;
CREATE TRIGGER packets_kept BEFORE DELETE ON packets
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be deleted'); END;

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT NOT NULL,                -- canonical JSON object
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL                 -- sha256(prev_hash || canonical entry)
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
