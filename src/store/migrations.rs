//! Numbered schema migrations, applied in order inside one transaction each.

use super::{OrStore, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// Every migration this build knows, in order. Append only: a shipped one is never edited.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (2, "batches", include_str!("migrations/0002_batches.sql")),
];

/// The newest schema version this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

pub(crate) fn current(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .or_store(path)?;
    conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0)).or_store(path)
}

pub(crate) fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = current(conn, path)?;
    if found > latest() {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found, known: latest() });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        let tx = conn.transaction().or_store(path)?;
        tx.execute_batch(sql).or_store(path)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, crate::packet::utc_text(chrono::Utc::now())],
        )
        .or_store(path)?;
        tx.commit().or_store(path)?;
    }
    Ok(())
}
