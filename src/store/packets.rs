//! Sealed packets, their status, and the RID sequence.

use super::{OrStore, Store, StoreError, Tx};
use crate::domain::rid::MAX_DAILY_SEQUENCE;
use crate::domain::status::PacketStatus;
use crate::packet::{SealedPacket, utc_text};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

/// A packet as listed, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketRow {
    /// RID.
    pub rid: String,
    /// The capturing assistant's account.
    pub account_id: i64,
    /// Sealed at, UTC text.
    pub created_at: String,
    /// A training record.
    pub training: bool,
    /// Status.
    pub status: PacketStatus,
    /// The reason given with the last status change (rejections).
    pub status_note: Option<String>,
    /// Applicant's name for lists.
    pub display_name: String,
    /// SHA-256 of the stored bytes, as recorded when sealed.
    pub sha256: String,
    /// Size of the stored bytes, as recorded when sealed.
    pub size: u64,
}

/// A packet with its bytes.
#[derive(Debug, Clone)]
pub struct StoredPacket {
    /// Its listing.
    pub row: PacketRow,
    /// The compressed tar.
    pub data: Vec<u8>,
}

const ROW_COLUMNS: &str = "rid, account_id, created_at, training, status, status_note, display_name, sha256, size";

fn row_of(r: &Row<'_>) -> rusqlite::Result<(PacketRow, String)> {
    let status: String = r.get(4)?;
    Ok((
        PacketRow {
            rid: r.get(0)?,
            account_id: r.get(1)?,
            created_at: r.get(2)?,
            training: r.get(3)?,
            status: PacketStatus::PendingReview,
            status_note: r.get(5)?,
            display_name: r.get(6)?,
            sha256: r.get(7)?,
            size: r.get::<_, i64>(8)?.max(0) as u64,
        },
        status,
    ))
}

impl Store {
    fn finish_row(&self, (mut row, status): (PacketRow, String)) -> Result<PacketRow, StoreError> {
        row.status = PacketStatus::parse(&status).ok_or_else(|| StoreError::BadRow {
            path: self.path().to_path_buf(),
            what: format!("packet {}", row.rid),
            detail: format!("status {status:?}"),
        })?;
        Ok(row)
    }

    /// Packets, oldest first, optionally only those with `status`.
    pub fn packet_rows(&self, status: Option<PacketStatus>) -> Result<Vec<PacketRow>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM packets WHERE ?1 IS NULL OR status = ?1 ORDER BY created_at, rid"
            ))
            .or_store(self.path())?;
        let rows = stmt.query_map([status.map(PacketStatus::as_str)], row_of).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path()).and_then(|r| self.finish_row(r))).collect()
    }

    /// The packets sealed from `from` up to (not including) `to`, both stored UTC text, oldest first.
    pub fn packet_rows_between(&self, from: &str, to: &str) -> Result<Vec<PacketRow>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM packets WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, rid"
            ))
            .or_store(self.path())?;
        let rows = stmt.query_map([from, to], row_of).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path()).and_then(|r| self.finish_row(r))).collect()
    }

    /// One packet's listing, without its bytes.
    pub fn packet_row(&self, rid: &str) -> Result<Option<PacketRow>, StoreError> {
        let found = self
            .conn()
            .query_row(&format!("SELECT {ROW_COLUMNS} FROM packets WHERE rid = ?1"), [rid], row_of)
            .optional()
            .or_store(self.path())?;
        found.map(|r| self.finish_row(r)).transpose()
    }

    /// One packet with its bytes.
    pub fn packet(&self, rid: &str) -> Result<Option<StoredPacket>, StoreError> {
        let found = self
            .conn()
            .query_row(
                &format!("SELECT {ROW_COLUMNS}, data FROM packets JOIN packet_data USING (rid) WHERE rid = ?1"),
                [rid],
                |r| Ok((row_of(r)?, r.get::<_, Vec<u8>>(9)?)),
            )
            .optional()
            .or_store(self.path())?;
        match found {
            None => Ok(None),
            Some((row, data)) => Ok(Some(StoredPacket { row: self.finish_row(row)?, data })),
        }
    }

    /// Whether packet `rid`'s bytes are still held (false once retention purged them).
    pub fn has_packet_data(&self, rid: &str) -> Result<bool, StoreError> {
        self.conn()
            .query_row("SELECT count(*) FROM packet_data WHERE rid = ?1", [rid], |r| r.get::<_, i64>(0))
            .map(|n| n > 0)
            .or_store(self.path())
    }

    /// Calls `f` with every packet in turn, oldest first, one in memory at a time.
    pub fn for_each_packet(&self, mut f: impl FnMut(StoredPacket)) -> Result<u64, StoreError> {
        // Ordering a query that returns the blobs would make SQLite sort every packet's bytes
        // through temp files; order the small keys, then read each packet by its primary key.
        let rids: Vec<String> = {
            let mut stmt =
                self.conn().prepare("SELECT rid FROM packets ORDER BY created_at, rid").or_store(self.path())?;
            let rows = stmt.query_map([], |r| r.get(0)).or_store(self.path())?;
            rows.collect::<Result<_, _>>().or_store(self.path())?
        };
        let mut count = 0;
        for rid in rids {
            if let Some(packet) = self.packet(&rid)? {
                f(packet);
                count += 1;
            }
        }
        Ok(count)
    }

    /// How many packets were sealed from `from` up to (not including) `to` (stored UTC text),
    /// training ones included.
    pub fn packets_between(&self, from: &str, to: &str) -> Result<u64, StoreError> {
        self.conn()
            .query_row("SELECT count(*) FROM packets WHERE created_at >= ?1 AND created_at < ?2", [from, to], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .or_store(self.path())
    }
}

impl Tx<'_> {
    /// Takes the next RID sequence number for a UTC day (`yyyymmdd`).
    pub fn next_sequence(&self, day: &str) -> Result<u32, StoreError> {
        let next: u32 = self
            .conn()
            .query_row(
                "INSERT INTO rid_sequences (day, last) VALUES (?1, 1) \
                 ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last",
                [day],
                |r| r.get(0),
            )
            .or_store(self.path())?;
        if next > MAX_DAILY_SEQUENCE {
            return Err(StoreError::Refused(format!(
                "the kit has issued {MAX_DAILY_SEQUENCE} registration ids on {day}, the most one day allows"
            )));
        }
        Ok(next)
    }

    /// Stores a sealed packet, status pending review.
    pub fn insert_packet(
        &self,
        packet: &SealedPacket,
        account_id: i64,
        display_name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO packets (rid, account_id, created_at, training, status, display_name, sha256, size) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    packet.rid.as_str(),
                    account_id,
                    utc_text(at),
                    packet.json.training,
                    PacketStatus::PendingReview.as_str(),
                    display_name,
                    packet.sha256,
                    packet.bytes.len() as i64,
                ],
            )
            .or_store(self.path())?;
        self.conn()
            .execute("INSERT INTO packet_data (rid, data) VALUES (?1, ?2)", params![packet.rid.as_str(), packet.bytes])
            .or_store(self.path())?;
        Ok(())
    }

    /// Moves a packet to `next`, if its status allows; returns the status it had.
    pub fn set_packet_status(
        &self,
        rid: &str,
        next: PacketStatus,
        note: Option<&str>,
    ) -> Result<PacketStatus, StoreError> {
        let current: Option<String> = self
            .conn()
            .query_row("SELECT status FROM packets WHERE rid = ?1", [rid], |r| r.get(0))
            .optional()
            .or_store(self.path())?;
        let current = current.ok_or_else(|| StoreError::NotFound(format!("packet {rid}")))?;
        let current = PacketStatus::parse(&current).ok_or_else(|| StoreError::BadRow {
            path: self.path().to_path_buf(),
            what: format!("packet {rid}"),
            detail: format!("status {current:?}"),
        })?;
        if !current.can_move_to(next) {
            return Err(StoreError::Refused(format!("packet {rid} is {current}; it cannot become {next}")));
        }
        self.conn()
            .execute(
                "UPDATE packets SET status = ?2, status_note = ?3 WHERE rid = ?1",
                params![rid, next.as_str(), note],
            )
            .or_store(self.path())?;
        Ok(current)
    }
}

/// A batch as recorded when exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRecord {
    /// Batch id.
    pub id: String,
    /// When, UTC text.
    pub created_at: String,
    /// The supervisor's login name.
    pub supervisor: String,
    /// A training batch.
    pub training: bool,
    /// Packets in it.
    pub count: u64,
    /// SHA-256 of the sealed file.
    pub sha256: String,
    /// Its file name.
    pub file_name: String,
    /// The audit entry its log ended at (`None` for batches from before logs were carried).
    pub audit_seq: Option<i64>,
}

impl Tx<'_> {
    /// Records an exported batch and moves its packets from approved to exported.
    pub fn record_batch(&self, batch: &BatchRecord, rids: &[String]) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO batches (id, created_at, supervisor, training, count, sha256, file_name, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![batch.id, batch.created_at, batch.supervisor, batch.training, batch.count as i64, batch.sha256, batch.file_name, batch.audit_seq],
            )
            .or_store(self.path())?;
        for rid in rids {
            self.set_packet_status(rid, PacketStatus::Exported, None)?;
            self.conn()
                .execute("INSERT INTO batch_packets (batch_id, rid) VALUES (?1, ?2)", params![batch.id, rid])
                .or_store(self.path())?;
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// Deletes the images and personal data of every acknowledged packet not yet purged (the
    /// packet file and the name in the list); the row, hashes, status, receipt and templates stay.
    /// Returns the RIDs purged.
    pub fn purge_acknowledged(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<String>, StoreError> {
        let rids: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT rid FROM packets WHERE status = 'acknowledged' AND purged_at IS NULL ORDER BY rid")
                .or_store(self.path())?;
            let rows = stmt.query_map([], |r| r.get(0)).or_store(self.path())?;
            rows.collect::<Result<_, _>>().or_store(self.path())?
        };
        let at = crate::packet::utc_text(now);
        for rid in &rids {
            self.conn().execute("DELETE FROM packet_data WHERE rid = ?1", [rid]).or_store(self.path())?;
            self.conn()
                .execute("UPDATE packets SET display_name = '', purged_at = ?2 WHERE rid = ?1", params![rid, at])
                .or_store(self.path())?;
        }
        Ok(rids)
    }

    /// Deletes this kit's own templates of packets purged before `before` (the retention period
    /// in kit.toml is over). Returns how many packets lost their templates.
    pub fn expire_templates(&self, before: chrono::DateTime<chrono::Utc>) -> Result<usize, StoreError> {
        let cutoff = crate::packet::utc_text(before);
        let rids: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare(
                    "SELECT DISTINCT t.rid FROM finger_templates t JOIN packets p USING (rid)
                     WHERE t.origin IS NULL AND p.purged_at IS NOT NULL AND p.purged_at < ?1",
                )
                .or_store(self.path())?;
            let rows = stmt.query_map([&cutoff], |r| r.get(0)).or_store(self.path())?;
            rows.collect::<Result<_, _>>().or_store(self.path())?
        };
        for rid in &rids {
            self.conn()
                .execute("DELETE FROM finger_templates WHERE rid = ?1 AND origin IS NULL", [rid])
                .or_store(self.path())?;
        }
        Ok(rids.len())
    }
}

impl Store {
    /// Exported batches, newest first.
    pub fn batches(&self) -> Result<Vec<BatchRecord>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, created_at, supervisor, training, count, sha256, file_name, audit_seq FROM batches ORDER BY created_at DESC, id DESC")
            .or_store(self.path())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BatchRecord {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                    supervisor: r.get(2)?,
                    training: r.get(3)?,
                    count: r.get::<_, i64>(4)?.max(0) as u64,
                    sha256: r.get(5)?,
                    file_name: r.get(6)?,
                    audit_seq: r.get(7)?,
                })
            })
            .or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// One exported batch and its packets' listings, in the order they were written.
    pub fn batch(&self, id: &str) -> Result<Option<(BatchRecord, Vec<PacketRow>)>, StoreError> {
        let Some(record) = self.batches()?.into_iter().find(|b| b.id == id) else { return Ok(None) };
        let mut stmt = self
            .conn()
            .prepare("SELECT rid FROM batch_packets WHERE batch_id = ?1 ORDER BY rowid")
            .or_store(self.path())?;
        let rids: Vec<String> = stmt
            .query_map([id], |r| r.get(0))
            .or_store(self.path())?
            .collect::<Result<_, _>>()
            .or_store(self.path())?;
        let mut rows = Vec::with_capacity(rids.len());
        for rid in rids {
            rows.push(
                self.packet_row(&rid)?.ok_or_else(|| StoreError::NotFound(format!("packet {rid} of batch {id}")))?,
            );
        }
        Ok(Some((record, rows)))
    }
}
