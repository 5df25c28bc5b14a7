//! Numbered schema migrations, applied in order inside one transaction each.

use super::{OrStore, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// Every migration this build knows, in order. Append only: a shipped one is never edited.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (2, "batches", include_str!("migrations/0002_batches.sql")),
    (3, "packet_data", include_str!("migrations/0003_packet_data.sql")),
    (4, "finger_templates", include_str!("migrations/0004_finger_templates.sql")),
    (5, "template_search", include_str!("migrations/0005_template_search.sql")),
    (6, "uploads", include_str!("migrations/0006_uploads.sql")),
    (7, "scenario_runs", include_str!("migrations/0007_scenario_runs.sql")),
    (8, "template_extractor", include_str!("migrations/0008_template_extractor.sql")),
    (9, "lockout_escalation", include_str!("migrations/0009_lockout_escalation.sql")),
    (10, "batch_audit_head", include_str!("migrations/0010_batch_audit_head.sql")),
    (11, "retention", include_str!("migrations/0011_retention.sql")),
    (12, "kit_settings", include_str!("migrations/0012_kit_settings.sql")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_stored_before_migration_3_keep_their_bytes_and_stay_sealed() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("kit.db");
        {
            // A kit database as version 2 left it, holding one packet.
            let conn = Connection::open(&path).unwrap();
            crate::store::DbKey::for_tests().apply(&conn, &path).unwrap();
            current(&conn, &path).unwrap();
            for (version, name, sql) in &MIGRATIONS[..2] {
                conn.execute_batch(sql).unwrap();
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, 'then')",
                    rusqlite::params![version, name],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO accounts (id, username, display_name, role, pin_hash, created_at) \
                 VALUES (1, 'a', 'A', 'assistant', 'x', 'then');
                 INSERT INTO packets (rid, account_id, created_at, training, status, display_name, sha256, size, data) \
                 VALUES ('R1', 1, '2026-11-24T09:00:00Z', 0, 'approved', 'A', 'h', 3, x'010203');",
            )
            .unwrap();
        }
        let store = crate::store::Store::open(&path, &crate::store::DbKey::for_tests()).unwrap();
        assert_eq!(current(store.conn(), &path).unwrap(), latest());
        let packet = store.packet("R1").unwrap().unwrap();
        assert_eq!(packet.data, [1, 2, 3]);
        assert_eq!(packet.row.status, crate::domain::status::PacketStatus::Approved);
        assert!(store.conn().execute("UPDATE packet_data SET data = x'00'", []).is_err());
        assert!(store.conn().execute("UPDATE packets SET size = 4", []).is_err());
        store.conn().execute("UPDATE packets SET status = 'exported'", []).expect("status still moves");
    }
}
