-- Issue 15: every batch carries the kit's audit log up to a head; a copy of a past batch carries
-- the same log as the original, so the head it was sealed at is kept (NULL: batches before this).
ALTER TABLE batches ADD COLUMN audit_seq INTEGER;
