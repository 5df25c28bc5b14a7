-- Migration 3: packet bytes move to their own table. SQLite rewrites a whole row on UPDATE,
-- overflow pages included, so every status change (approve, export) of a 1 MB packet wrote
-- 1 MB to the WAL and again at checkpoint: a day's approvals and export rewrote the day's
-- packets twice over, on flash that wears.

CREATE TABLE packet_data (
    rid   TEXT PRIMARY KEY REFERENCES packets(rid),
    data  BLOB NOT NULL
);
INSERT INTO packet_data (rid, data) SELECT rid, data FROM packets;

DROP TRIGGER packets_sealed;
ALTER TABLE packets DROP COLUMN data;
CREATE TRIGGER packets_sealed BEFORE UPDATE OF rid, sha256, size, training, created_at ON packets
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be changed'); END;

CREATE TRIGGER packet_data_sealed BEFORE UPDATE ON packet_data
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be changed'); END;
CREATE TRIGGER packet_data_kept BEFORE DELETE ON packet_data
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be deleted'); END;
