-- Migration 4: each captured finger's minutiae template (ISO/IEC 19794-2:2005 record), kept beside
-- its packet for the on-kit duplicate search. Derived data: rebuilt from the packet's image if lost.

CREATE TABLE finger_templates (
    rid       TEXT NOT NULL REFERENCES packets(rid),
    position  INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    iso       BLOB NOT NULL,
    PRIMARY KEY (rid, position)
);
