//! Uploads to the central office (migration 6): where each exported batch stands, and the
//! central office's verdict on each packet from its signed receipt.

use super::{OrStore, Store, StoreError, Tx};
use crate::domain::status::{BatchUpload, PacketStatus, PacketVerdict, UploadStatus};
use chrono::{DateTime, Utc};
use rusqlite::params;

/// An exported batch with its upload's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    /// For the planner.
    pub upload: BatchUpload,
    /// Packets in the batch.
    pub count: u64,
    /// When the batch was exported, UTC text.
    pub created_at: String,
    /// The last failure, worded for the supervisor.
    pub last_error: Option<String>,
    /// Packets the central office rejected: RID and reason.
    pub rejected: Vec<(String, String)>,
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
}

impl Store {
    /// Every exported batch with its upload's standing, oldest first.
    pub fn upload_rows(&self) -> Result<Vec<UploadRow>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT b.id, b.training, b.count, b.created_at, coalesce(u.state, 'pending'), coalesce(u.attempts, 0),
                        u.next_try_at, u.last_error
                 FROM batches b LEFT JOIN uploads u ON u.batch_id = b.id ORDER BY b.created_at, b.id",
            )
            .or_store(self.path())?;
        type Row = (String, bool, i64, String, String, i64, Option<String>, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })
            .or_store(self.path())?
            .collect::<Result<_, _>>()
            .or_store(self.path())?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, training, count, created_at, state, attempts, next_try_at, last_error) in rows {
            let state = UploadStatus::parse(&state).ok_or_else(|| StoreError::BadRow {
                path: self.path().to_path_buf(),
                what: format!("upload of batch {id}"),
                detail: format!("state {state:?}"),
            })?;
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT rid, coalesce(reason, '') FROM packet_verdicts WHERE batch_id = ?1 AND accepted = 0 ORDER BY rid")
                .or_store(self.path())?;
            let rejected = stmt
                .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .or_store(self.path())?
                .collect::<Result<_, _>>()
                .or_store(self.path())?;
            out.push(UploadRow {
                upload: BatchUpload {
                    batch_id: id,
                    training,
                    state,
                    attempts: attempts.clamp(0, u32::MAX as i64) as u32,
                    next_try_at: parse_time(next_try_at),
                },
                count: count.max(0) as u64,
                created_at,
                last_error,
                rejected,
            });
        }
        Ok(out)
    }
}

/// An upload row as written.
struct Put<'a> {
    batch_id: &'a str,
    state: UploadStatus,
    attempts: u32,
    next_try_at: Option<DateTime<Utc>>,
    last_error: Option<&'a str>,
    receipt: Option<&'a str>,
    now: DateTime<Utc>,
}

impl Tx<'_> {
    fn put_upload(&self, p: Put<'_>) -> Result<(), StoreError> {
        let Put { batch_id, state, attempts, next_try_at, last_error, receipt, now } = p;
        self.conn()
            .execute(
                "INSERT INTO uploads (batch_id, state, attempts, next_try_at, last_error, receipt, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (batch_id) DO UPDATE SET state = ?2, attempts = ?3, next_try_at = ?4, last_error = ?5,
                     receipt = coalesce(?6, receipt), updated_at = ?7",
                params![
                    batch_id,
                    state.as_str(),
                    attempts,
                    next_try_at.map(crate::packet::utc_text),
                    last_error,
                    receipt,
                    crate::packet::utc_text(now)
                ],
            )
            .or_store(self.path())?;
        Ok(())
    }

    /// A try that failed: pending again after `next_try_at`, or refused for good.
    pub fn record_upload_failure(
        &self,
        batch_id: &str,
        attempts: u32,
        next_try_at: Option<DateTime<Utc>>,
        error: &str,
        refused: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let state = if refused { UploadStatus::Refused } else { UploadStatus::Pending };
        self.put_upload(Put { batch_id, state, attempts, next_try_at, last_error: Some(error), receipt: None, now })
    }

    /// Pending again at once (the supervisor's "try again").
    pub fn reset_upload(&self, batch_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let state = UploadStatus::Pending;
        self.put_upload(Put { batch_id, state, attempts: 0, next_try_at: None, last_error: None, receipt: None, now })
    }

    /// A checked receipt: the batch is acknowledged, each packet's verdict kept, and the accepted
    /// packets move from exported to acknowledged.
    pub fn record_receipt(
        &self,
        batch_id: &str,
        receipt: &str,
        verdicts: &[PacketVerdict],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let state = UploadStatus::Acknowledged;
        let receipt = Some(receipt);
        self.put_upload(Put { batch_id, state, attempts: 0, next_try_at: None, last_error: None, receipt, now })?;
        for v in verdicts {
            self.conn()
                .execute(
                    "INSERT INTO packet_verdicts (rid, batch_id, accepted, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (rid) DO UPDATE SET batch_id = ?2, accepted = ?3, reason = ?4, at = ?5",
                    params![v.rid, batch_id, v.accepted, v.reason, crate::packet::utc_text(now)],
                )
                .or_store(self.path())?;
            let status: Option<String> = rusqlite::OptionalExtension::optional(self.conn().query_row(
                "SELECT status FROM packets WHERE rid = ?1",
                [&v.rid],
                |r| r.get(0),
            ))
            .or_store(self.path())?;
            if v.accepted && status.as_deref() == Some(PacketStatus::Exported.as_str()) {
                self.set_packet_status(&v.rid, PacketStatus::Acknowledged, None)?;
            }
        }
        Ok(())
    }
}
