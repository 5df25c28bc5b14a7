//! Finger templates (ISO/IEC 19794-2 records) and their digests, kept beside each packet for
//! duplicate searches.

use super::{OrStore, Store, StoreError, Tx};
use rusqlite::params;
use std::path::Path;

/// One finger's template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerTemplate {
    /// Finger position 1–10.
    pub position: u8,
    /// The ISO/IEC 19794-2 record.
    pub iso: Vec<u8>,
    /// Its search digest (`None`: to be made again from the record).
    pub digest: Option<Vec<u8>>,
    /// The extractor that made it (`kit_biometrics::template::EXTRACTOR`).
    pub extractor: u8,
}

/// A stored template with the packet it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    /// Its row: rows only ever grow, so a reader can ask for those after the last it saw.
    pub row: i64,
    /// The packet.
    pub rid: String,
    /// The template.
    pub template: FingerTemplate,
    /// `None` for this kit's own packets; the kit a loaded template list came from.
    pub origin: Option<String>,
}

const COLUMNS: &str = "rowid, rid, position, iso, digest, origin, extractor";

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTemplate> {
    Ok(StoredTemplate {
        row: r.get(0)?,
        rid: r.get(1)?,
        template: FingerTemplate { position: r.get(2)?, iso: r.get(3)?, digest: r.get(4)?, extractor: r.get(6)? },
        origin: r.get(5)?,
    })
}

fn insert(conn: &rusqlite::Connection, path: &Path, rid: &str, templates: &[FingerTemplate]) -> Result<(), StoreError> {
    for t in templates {
        conn.execute(
            "INSERT INTO finger_templates (rid, position, iso, digest, extractor) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![rid, t.position, t.iso, t.digest, t.extractor],
        )
        .or_store(path)?;
    }
    Ok(())
}

impl Tx<'_> {
    /// Stores a packet's templates, one per captured finger.
    pub fn insert_templates(&self, rid: &str, templates: &[FingerTemplate]) -> Result<(), StoreError> {
        insert(self.conn(), self.path(), rid, templates)
    }
}

impl Store {
    /// The templates stored after row `after` (0: all), in the order they were stored.
    pub fn templates_after(&self, after: i64) -> Result<Vec<StoredTemplate>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM finger_templates WHERE rowid > ?1 ORDER BY rowid");
        let mut stmt = self.conn().prepare(&sql).or_store(self.path())?;
        let rows = stmt.query_map([after], stored).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// The templates of packet `rid`, by finger.
    pub fn templates_of(&self, rid: &str) -> Result<Vec<StoredTemplate>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM finger_templates WHERE rid = ?1 ORDER BY position");
        let mut stmt = self.conn().prepare_cached(&sql).or_store(self.path())?;
        let rows = stmt.query_map([rid], stored).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// This kit's own templates (not those loaded from other kits) of its training or of its
    /// production packets, by packet and finger.
    pub fn own_templates(&self, training: bool) -> Result<Vec<StoredTemplate>, StoreError> {
        let sql = "SELECT t.rowid, t.rid, t.position, t.iso, t.digest, t.origin, t.extractor FROM finger_templates t \
                   JOIN packets p ON p.rid = t.rid WHERE t.origin IS NULL AND p.training = ?1 ORDER BY t.rid, t.position";
        let mut stmt = self.conn().prepare(sql).or_store(self.path())?;
        let rows = stmt.query_map([training], stored).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// Loads another kit's templates (`origin` names it), all or none. A finger already held is
    /// kept as it is, so loading the same list twice adds nothing, unless the held one came from
    /// the same kit by an older extractor (a new list replaces it); returns the fingers added.
    pub fn import_templates(
        &self,
        origin: &str,
        people: &[(String, Vec<FingerTemplate>)],
    ) -> Result<usize, StoreError> {
        let tx = self.conn().unchecked_transaction().or_store(self.path())?;
        let mut added = 0;
        for (rid, fingers) in people {
            for t in fingers {
                added += tx
                    .execute(
                        "INSERT INTO finger_templates (rid, position, iso, digest, origin, extractor)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (rid, position) DO UPDATE SET iso = excluded.iso, digest = excluded.digest,
                             extractor = excluded.extractor
                         WHERE finger_templates.origin = excluded.origin AND finger_templates.extractor < excluded.extractor",
                        params![rid, t.position, t.iso, t.digest, origin, t.extractor],
                    )
                    .or_store(self.path())?;
            }
        }
        tx.commit().or_store(self.path())?;
        Ok(added)
    }

    /// Records a template's digest made again (its stored one was missing or out of date).
    pub fn set_template_digest(&self, row: i64, digest: &[u8]) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE finger_templates SET digest = ?1 WHERE rowid = ?2", params![digest, row])
            .or_store(self.path())?;
        Ok(())
    }

    /// Replaces a packet's own templates with ones made again from its prints, all or none.
    pub fn replace_templates(&self, rid: &str, templates: &[FingerTemplate]) -> Result<(), StoreError> {
        let tx = self.conn().unchecked_transaction().or_store(self.path())?;
        tx.execute("DELETE FROM finger_templates WHERE rid = ?1 AND origin IS NULL", [rid]).or_store(self.path())?;
        insert(&tx, self.path(), rid, templates)?;
        tx.commit().or_store(self.path())
    }

    /// Packets whose templates are to be made again from their prints: those with none (sealed
    /// before migration 4) and those with one made by an extractor other than `extractor`.
    pub fn rids_needing_templates(&self, extractor: u8) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT rid FROM packets WHERE rid IN (SELECT rid FROM packet_data) AND (
                     rid NOT IN (SELECT DISTINCT rid FROM finger_templates)
                     OR rid IN (SELECT rid FROM finger_templates WHERE origin IS NULL AND extractor != ?1)
                 ) ORDER BY rid",
            )
            .or_store(self.path())?;
        let rows = stmt.query_map([extractor], |r| r.get(0)).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }
}
