//! Where the intake keeps packets (by RID) and the receipts it signed: SQLite by default (a file,
//! nothing to set up), PostgreSQL for a real central deployment. Both behind [`IntakeStore`],
//! both holding the same two tables.

use super::IntakeError;
use crate::store::AuditEntry;
use crate::sync::PacketVerdict;
use std::path::Path;
use std::sync::Mutex;

/// A verified batch on its way into the store.
#[derive(Debug)]
pub struct IncomingBatch {
    /// The batch id.
    pub batch_id: String,
    /// SHA-256 of the file received.
    pub sha256: String,
    /// The sealing kit (hex).
    pub kit_key: String,
    /// When it arrived, UTC text.
    pub received_at: String,
    /// Each packet: RID, SHA-256, bytes.
    pub packets: Vec<(String, String, Vec<u8>)>,
    /// The kit's audit log as the batch carried it (checked; empty from an older kit).
    pub audit: Vec<AuditEntry>,
}

/// The entries of `log` the central office does not hold yet, after checking that `log` extends
/// what it holds (`held`, in order), as canonical JSON text to keep.
fn new_audit_entries(held: &[(i64, String)], log: &[AuditEntry]) -> Result<Vec<(i64, String, String)>, IntakeError> {
    crate::batch::verify::check_extends(held, log).map_err(IntakeError::AuditHistory)?;
    let last = held.last().map_or(0, |h| h.0);
    log.iter()
        .filter(|e| e.seq > last)
        .map(|e| {
            let value = serde_json::to_value(e).map_err(|err| IntakeError::Store(err.to_string()))?;
            let text = String::from_utf8_lossy(&crate::packet::canonical::to_canonical_json(&value)).into_owned();
            Ok((e.seq, e.hash.clone(), text))
        })
        .collect()
}

/// The intake's storage.
pub trait IntakeStore: Send + Sync {
    /// The receipt already issued for this batch file, if any.
    fn receipt(&self, batch_id: &str, sha256: &str) -> Result<Option<String>, IntakeError>;

    /// Stores the batch's packets — each RID once: a packet held before is accepted again, a
    /// different one under a RID held is rejected — and the receipt `sign` makes of the verdicts,
    /// all in one transaction. Returns the receipt on record (an earlier one if two finishes race).
    fn store_batch(
        &self,
        batch: &IncomingBatch,
        sign: &dyn Fn(Vec<PacketVerdict>) -> Result<String, IntakeError>,
    ) -> Result<String, IntakeError>;

    /// Packets held.
    fn packet_count(&self) -> Result<u64, IntakeError>;

    /// Checks a kit's audit log against the history held from it and keeps what is new
    /// (`enroll-kit verify --ledger`); returns how many entries were new.
    fn hold_audit(&self, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError>;
}

fn sqlite_hold_audit(tx: &rusqlite::Transaction<'_>, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
    let held: Vec<(i64, String)> = {
        let mut stmt =
            tx.prepare("SELECT seq, hash FROM intake_audit WHERE kit_key = ?1 ORDER BY seq").map_err(sqlite_err)?;
        let rows = stmt.query_map([kit_key], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sqlite_err)?;
        rows.collect::<Result<_, _>>().map_err(sqlite_err)?
    };
    let new = new_audit_entries(&held, log)?;
    for (seq, hash, entry) in &new {
        tx.execute(
            "INSERT INTO intake_audit (kit_key, seq, hash, entry) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![kit_key, seq, hash, entry],
        )
        .map_err(sqlite_err)?;
    }
    Ok(new.len())
}

fn pg_hold_audit(tx: &mut postgres::Transaction<'_>, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
    // Two batches of one kit finishing at once: the second waits for the first's rows.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&kit_key]).map_err(pg_err)?;
    let held: Vec<(i64, String)> = tx
        .query("SELECT seq, hash FROM intake_audit WHERE kit_key = $1 ORDER BY seq", &[&kit_key])
        .map_err(pg_err)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let new = new_audit_entries(&held, log)?;
    for (seq, hash, entry) in &new {
        tx.execute(
            "INSERT INTO intake_audit (kit_key, seq, hash, entry) VALUES ($1, $2, $3, $4)",
            &[&kit_key, seq, hash, entry],
        )
        .map_err(pg_err)?;
    }
    Ok(new.len())
}

fn verdict(rid: &str, held: Option<(String, String)>, sha256: &str) -> PacketVerdict {
    match held {
        Some((h, batch)) if h != sha256 => PacketVerdict {
            rid: rid.into(),
            accepted: false,
            reason: Some(format!(
                "a different packet with this RID arrived before (in batch {batch}); the kit's supervisor must call the central office"
            )),
        },
        _ => PacketVerdict { rid: rid.into(), accepted: true, reason: None },
    }
}

/// SQLite.
pub struct SqliteIntake(Mutex<rusqlite::Connection>);

impl SqliteIntake {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteIntake, IntakeError> {
        let db = |e: rusqlite::Error| IntakeError::Store(format!("{}: {e}", path.display()));
        let conn = rusqlite::Connection::open(path).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS intake_packets (
                 rid TEXT PRIMARY KEY, sha256 TEXT NOT NULL, kit_key TEXT NOT NULL, batch_id TEXT NOT NULL,
                 data BLOB NOT NULL, received_at TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS intake_receipts (
                 batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, receipt TEXT NOT NULL, received_at TEXT NOT NULL,
                 PRIMARY KEY (batch_id, sha256));
             CREATE TABLE IF NOT EXISTS intake_audit (
                 kit_key TEXT NOT NULL, seq BIGINT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL,
                 PRIMARY KEY (kit_key, seq));",
        )
        .map_err(db)?;
        Ok(SqliteIntake(Mutex::new(conn)))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        // A panic while holding the lock leaves a connection that is still usable: SQLite rolled back.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn sqlite_err(e: rusqlite::Error) -> IntakeError {
    IntakeError::Store(e.to_string())
}

impl IntakeStore for SqliteIntake {
    fn receipt(&self, batch_id: &str, sha256: &str) -> Result<Option<String>, IntakeError> {
        use rusqlite::OptionalExtension;
        self.conn()
            .query_row(
                "SELECT receipt FROM intake_receipts WHERE batch_id = ?1 AND sha256 = ?2",
                [batch_id, sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(sqlite_err)
    }

    fn store_batch(
        &self,
        batch: &IncomingBatch,
        sign: &dyn Fn(Vec<PacketVerdict>) -> Result<String, IntakeError>,
    ) -> Result<String, IntakeError> {
        use rusqlite::OptionalExtension;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sqlite_err)?;
        // The kit's history first: a batch from a kit whose log was rewritten stores nothing.
        sqlite_hold_audit(&tx, &batch.kit_key, &batch.audit)?;
        let mut verdicts = Vec::with_capacity(batch.packets.len());
        for (rid, sha256, data) in &batch.packets {
            let held: Option<(String, String)> = tx
                .query_row("SELECT sha256, batch_id FROM intake_packets WHERE rid = ?1", [rid], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(sqlite_err)?;
            if held.is_none() {
                tx.execute(
                    "INSERT INTO intake_packets (rid, sha256, kit_key, batch_id, data, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    rusqlite::params![rid, sha256, batch.kit_key, batch.batch_id, data, batch.received_at],
                )
                .map_err(sqlite_err)?;
            }
            verdicts.push(verdict(rid, held, sha256));
        }
        let receipt = sign(verdicts)?;
        tx.execute(
            "INSERT INTO intake_receipts (batch_id, sha256, receipt, received_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (batch_id, sha256) DO NOTHING",
            rusqlite::params![batch.batch_id, batch.sha256, receipt, batch.received_at],
        )
        .map_err(sqlite_err)?;
        let on_record: String = tx
            .query_row(
                "SELECT receipt FROM intake_receipts WHERE batch_id = ?1 AND sha256 = ?2",
                [&batch.batch_id, &batch.sha256],
                |r| r.get(0),
            )
            .map_err(sqlite_err)?;
        tx.commit().map_err(sqlite_err)?;
        Ok(on_record)
    }

    fn hold_audit(&self, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sqlite_err)?;
        let new = sqlite_hold_audit(&tx, kit_key, log)?;
        tx.commit().map_err(sqlite_err)?;
        Ok(new)
    }

    fn packet_count(&self) -> Result<u64, IntakeError> {
        self.conn()
            .query_row("SELECT count(*) FROM intake_packets", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(sqlite_err)
    }
}

/// PostgreSQL.
pub struct PostgresIntake(Mutex<postgres::Client>);

fn pg_err(e: postgres::Error) -> IntakeError {
    IntakeError::Store(format!("PostgreSQL: {e}"))
}

impl PostgresIntake {
    /// Connects with `url` (`postgres://user@host/db` or `host=… user=… dbname=…`) and makes the
    /// tables if they are not there.
    pub fn connect(url: &str) -> Result<PostgresIntake, IntakeError> {
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
            IntakeError::Store(format!(
                "cannot connect to PostgreSQL ({e}): check the connection string and that the server runs"
            ))
        })?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS intake_packets (
                     rid TEXT PRIMARY KEY, sha256 TEXT NOT NULL, kit_key TEXT NOT NULL, batch_id TEXT NOT NULL,
                     data BYTEA NOT NULL, received_at TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS intake_receipts (
                     batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, receipt TEXT NOT NULL, received_at TEXT NOT NULL,
                     PRIMARY KEY (batch_id, sha256));
                 CREATE TABLE IF NOT EXISTS intake_audit (
                     kit_key TEXT NOT NULL, seq BIGINT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL,
                     PRIMARY KEY (kit_key, seq));",
            )
            .map_err(pg_err)?;
        Ok(PostgresIntake(Mutex::new(client)))
    }

    fn client(&self) -> std::sync::MutexGuard<'_, postgres::Client> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl IntakeStore for PostgresIntake {
    fn receipt(&self, batch_id: &str, sha256: &str) -> Result<Option<String>, IntakeError> {
        let row = self
            .client()
            .query_opt("SELECT receipt FROM intake_receipts WHERE batch_id = $1 AND sha256 = $2", &[&batch_id, &sha256])
            .map_err(pg_err)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn store_batch(
        &self,
        batch: &IncomingBatch,
        sign: &dyn Fn(Vec<PacketVerdict>) -> Result<String, IntakeError>,
    ) -> Result<String, IntakeError> {
        let mut client = self.client();
        let mut tx = client.transaction().map_err(pg_err)?;
        pg_hold_audit(&mut tx, &batch.kit_key, &batch.audit)?;
        let mut verdicts = Vec::with_capacity(batch.packets.len());
        for (rid, sha256, data) in &batch.packets {
            // Two batches holding one RID may finish at once: the insert settles which came first.
            let inserted = tx
                .execute(
                    "INSERT INTO intake_packets (rid, sha256, kit_key, batch_id, data, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rid) DO NOTHING",
                    &[rid, sha256, &batch.kit_key, &batch.batch_id, data, &batch.received_at],
                )
                .map_err(pg_err)?;
            let held = if inserted == 1 {
                None
            } else {
                let row = tx
                    .query_one("SELECT sha256, batch_id FROM intake_packets WHERE rid = $1", &[rid])
                    .map_err(pg_err)?;
                Some((row.get(0), row.get(1)))
            };
            verdicts.push(verdict(rid, held, sha256));
        }
        let receipt = sign(verdicts)?;
        tx.execute(
            "INSERT INTO intake_receipts (batch_id, sha256, receipt, received_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (batch_id, sha256) DO NOTHING",
            &[&batch.batch_id, &batch.sha256, &receipt, &batch.received_at],
        )
        .map_err(pg_err)?;
        let on_record: String = tx
            .query_one(
                "SELECT receipt FROM intake_receipts WHERE batch_id = $1 AND sha256 = $2",
                &[&batch.batch_id, &batch.sha256],
            )
            .map_err(pg_err)?
            .get(0);
        tx.commit().map_err(pg_err)?;
        Ok(on_record)
    }

    fn hold_audit(&self, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
        let mut client = self.client();
        let mut tx = client.transaction().map_err(pg_err)?;
        let new = pg_hold_audit(&mut tx, kit_key, log)?;
        tx.commit().map_err(pg_err)?;
        Ok(new)
    }

    fn packet_count(&self) -> Result<u64, IntakeError> {
        let row = self.client().query_one("SELECT count(*) FROM intake_packets", &[]).map_err(pg_err)?;
        Ok(row.get::<_, i64>(0) as u64)
    }
}
