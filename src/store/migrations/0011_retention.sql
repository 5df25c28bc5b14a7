-- Issue 15: once the central office acknowledges a packet, the kit deletes its images and
-- personal data (the packet file and the name in the list), keeping the RID, hashes, status,
-- receipt and the templates the duplicate search needs.
DROP TRIGGER packet_data_kept;
CREATE TRIGGER packet_data_kept BEFORE DELETE ON packet_data
WHEN (SELECT status FROM packets WHERE rid = OLD.rid) IS NOT 'acknowledged'
BEGIN SELECT RAISE(ABORT, 'a sealed packet cannot be deleted before the central office acknowledged it'); END;
ALTER TABLE packets ADD COLUMN purged_at TEXT;   -- UTC: when its images and personal data were deleted
