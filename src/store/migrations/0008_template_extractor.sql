-- Migration 8: which extractor made each template (kit_biometrics::template::EXTRACTOR). Rows from
-- before were made by the kit's first extractor (1); the search makes this kit's own again from
-- the packet's prints and leaves loaded ones out until the other kit sends a new list.

ALTER TABLE finger_templates ADD COLUMN extractor INTEGER NOT NULL DEFAULT 1;
