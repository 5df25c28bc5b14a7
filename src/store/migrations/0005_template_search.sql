-- Migration 5: what the duplicate search needs beyond migration 4's templates.
-- * digest: each template's first-pass digest (kit_biometrics::search::Digest). Derived data like
--   the template: NULL (rows from before, or a digest made with other parameters) means "make it
--   again from the template".
-- * origin: NULL for this kit's own packets; for templates loaded from another kit's signed
--   template list, that kit ("centre/kit key-fingerprint"). Such rows have no packet here, so the
--   table is rebuilt without migration 4's reference to packets(rid).

CREATE TABLE finger_templates_v5 (
    rid       TEXT NOT NULL,
    position  INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    iso       BLOB NOT NULL,
    digest    BLOB,
    origin    TEXT,
    PRIMARY KEY (rid, position)
);
-- Row ids carried over: the search reads "rows after the last one seen".
INSERT INTO finger_templates_v5 (rowid, rid, position, iso) SELECT rowid, rid, position, iso FROM finger_templates;
DROP TABLE finger_templates;
ALTER TABLE finger_templates_v5 RENAME TO finger_templates;
