//! Finger templates (ISO/IEC 19794-2 records) kept beside each packet for duplicate searches.

use super::{OrStore, Store, StoreError, Tx};
use rusqlite::params;

/// One stored template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    /// The packet.
    pub rid: String,
    /// Finger position 1–10.
    pub position: u8,
    /// The ISO/IEC 19794-2 record.
    pub iso: Vec<u8>,
}

impl Tx<'_> {
    /// Stores a packet's templates, one per captured finger.
    pub fn insert_templates(&self, rid: &str, templates: &[(u8, Vec<u8>)]) -> Result<(), StoreError> {
        for (position, iso) in templates {
            self.conn()
                .execute(
                    "INSERT OR REPLACE INTO finger_templates (rid, position, iso) VALUES (?1, ?2, ?3)",
                    params![rid, position, iso],
                )
                .or_store(self.path())?;
        }
        Ok(())
    }
}

impl Store {
    /// Every stored template, grouped by packet (ordered by RID, then finger).
    pub fn templates(&self) -> Result<Vec<StoredTemplate>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT rid, position, iso FROM finger_templates ORDER BY rid, position")
            .or_store(self.path())?;
        let rows = stmt
            .query_map([], |r| Ok(StoredTemplate { rid: r.get(0)?, position: r.get(1)?, iso: r.get(2)? }))
            .or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// Packets with no stored template (sealed before migration 4).
    pub fn rids_without_templates(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT rid FROM packets WHERE rid NOT IN (SELECT DISTINCT rid FROM finger_templates) ORDER BY rid",
            )
            .or_store(self.path())?;
        let rows = stmt.query_map([], |r| r.get(0)).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }
}
