//! The kit's SQLite store: accounts, drafts, packets, RID sequences and the audit log.
//!
//! WAL journal, foreign keys on, numbered migrations applied in order and never edited once
//! shipped. Every change that the audit log records is written in the same transaction as
//! its audit entry, through `Tx`.

mod accounts;
pub mod audit;
pub mod drafts;
mod migrations;
mod packets;
pub mod scenario_runs;
pub mod settings;
mod templates;
mod uploads;

pub use accounts::{Account, NewAccount};
pub use audit::{AuditEntry, AuditFault, NewAuditEntry};
pub use drafts::DraftSummary;
pub use packets::{BatchRecord, PacketRow, StoredPacket};
pub use templates::{FingerTemplate, StoredTemplate};
pub use uploads::UploadRow;

use crate::domain::notice::Notice;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What went wrong in the store. Each names the database file.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file is not a database, or its pages are damaged.
    #[error(
        "the kit database {path} is damaged ({detail}). Nothing was changed. Keep the file as it is for \
         recovery, and restore the latest backup or call the support desk"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// SQLite's words.
        detail: String,
    },
    /// No database where one should be.
    #[error("no kit database at {0}: run `enroll-kit init` first, or pass the right --data-dir")]
    Missing(PathBuf),
    /// A database file exists where a new one was to be made.
    #[error("a database already exists at {0}; refusing to overwrite it")]
    Exists(PathBuf),
    /// The database was written by a newer enroll-kit.
    #[error(
        "the kit database {path} has schema version {found}, newer than this program knows ({known}): update enroll-kit"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The disk holding the database is full: SQLite rolled the step back.
    #[error(
        "the disk holding the kit database {path} is full: this step was not saved and nothing saved before it was lost; free space on that disk (export the day, purge acknowledged batches) and try again"
    )]
    DiskFull {
        /// The database file.
        path: PathBuf,
    },
    /// The disk or the file refused.
    #[error("the kit database {path} could not be used: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A row holds data this build cannot read.
    #[error("the kit database {path} holds an unreadable {what}: {detail}")]
    BadRow {
        /// The database file.
        path: PathBuf,
        /// Which row.
        what: String,
        /// Why.
        detail: String,
    },
    /// Something looked for is not there.
    #[error("{0} not found")]
    NotFound(String),
    /// A change that the store's rules refuse.
    #[error("{0}")]
    Refused(String),
}

impl StoreError {
    /// What the person at the kit is told, in the language on screen, with the next step.
    pub fn notice(&self) -> Notice {
        use rusqlite::ErrorCode;
        match self {
            StoreError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. } => match e.code {
                ErrorCode::DiskFull => Notice::new("error-disk-full"),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Notice::new("error-db-busy"),
                ErrorCode::ReadOnly
                | ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::SystemIoFailure => Notice::new("error-db-unwritable").text("detail", e.to_string()),
                _ => Notice::detail(self),
            },
            StoreError::Corrupt { .. } => Notice::new("error-db-corrupt"),
            StoreError::DiskFull { .. } => Notice::new("error-disk-full"),
            other => Notice::detail(other),
        }
    }
}

/// The key of the kit's encrypted database (SQLCipher, raw 256-bit key: no passphrase
/// derivation, the key store already did that).
pub struct DbKey(crate::secret::Secret<32>);

impl DbKey {
    /// Wraps the key bytes.
    pub fn new(key: crate::secret::Secret<32>) -> Self {
        Self(key)
    }

    /// A second copy (a worker thread's connection).
    pub fn duplicate(&self) -> Self {
        Self(self.0.duplicate())
    }

    /// The key bytes, for the key store that seals them.
    pub(crate) fn secret(&self) -> crate::secret::Secret<32> {
        self.0.duplicate()
    }

    /// A fixed key for the store's own unit tests.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self(crate::secret::Secret::from_slice(&[9u8; 32]).expect("32 bytes"))
    }

    /// Gives the key to SQLCipher; must be the first statement on a connection.
    pub(crate) fn apply(&self, conn: &Connection, path: &Path) -> Result<(), StoreError> {
        use zeroize::Zeroize;
        keep_provider_alive();
        let mut statement = format!("PRAGMA key = \"x'{}'\";", hex::encode(self.0.expose()));
        let result = conn.execute_batch(&statement).or_store(path);
        statement.zeroize();
        result
    }
}

/// SQLCipher's crypto provider (libtomcrypt) tears its random generator down when the process's
/// last keyed connection closes, under another lock than the one its readers take: a database
/// keyed or created on another thread at that moment can fail ("An error occurred with PRAGMA
/// key…", seen once in CI while tests opened and closed kits on parallel threads). One keyed
/// connection to a private temporary database, held for the life of the process, keeps the
/// provider up. Nothing is ever stored in it.
fn keep_provider_alive() {
    static KEEPALIVE: std::sync::OnceLock<Option<std::sync::Mutex<Connection>>> = std::sync::OnceLock::new();
    KEEPALIVE.get_or_init(|| {
        let conn = Connection::open("").ok()?;
        conn.execute_batch("PRAGMA key = 'provider-keepalive';").ok()?;
        // The codec attaches at once; its provider is what the pragma names.
        let provider: String = conn.query_row("PRAGMA cipher_provider", [], |r| r.get(0)).ok()?;
        tracing::debug!(provider, "SQLCipher's provider is kept up for the life of the process");
        Some(std::sync::Mutex::new(conn))
    });
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

/// The open kit database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A write transaction: commit to keep, drop to roll back.
pub struct Tx<'s> {
    tx: rusqlite::Transaction<'s>,
    path: &'s Path,
}

fn classify(path: &Path, source: rusqlite::Error) -> StoreError {
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_path_buf(), detail: source.to_string() }
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path: path.to_path_buf() },
        _ => StoreError::Sqlite { path: path.to_path_buf(), source },
    }
}

/// Maps SQLite errors to `StoreError`, naming the file.
pub(crate) trait OrStore<T> {
    fn or_store(self, path: &Path) -> Result<T, StoreError>;
}

impl<T> OrStore<T> for Result<T, rusqlite::Error> {
    fn or_store(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|e| classify(path, e))
    }
}

impl Store {
    /// Creates a new database at `path`, encrypted with `key`; refuses if a file is already there.
    pub fn create(path: &Path, key: &DbKey) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).or_store(path)?;
        key.apply(&conn, path)?;
        Self::prepare(conn, path)
    }

    /// Opens the existing database at `path` with its key and brings its schema up to date.
    pub fn open(path: &Path, key: &DbKey) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).or_store(path)?;
        key.apply(&conn, path)?;
        Self::prepare(conn, path)
    }

    /// A plain connection to the encrypted database, keyed and nothing else (see `Kit::insider_connection`).
    pub(crate) fn raw_connection(path: &Path, key: &DbKey) -> Result<Connection, StoreError> {
        let conn = Connection::open(path).or_store(path)?;
        key.apply(&conn, path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).or_store(path)?;
        Ok(conn)
    }

    fn prepare(mut conn: Connection, path: &Path) -> Result<Store, StoreError> {
        // Reading the header first turns "not a database" into a clear error before any write.
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).or_store(path)?;
        conn.pragma_update(None, "journal_mode", "WAL").or_store(path)?;
        conn.pragma_update(None, "foreign_keys", true).or_store(path)?;
        conn.pragma_update(None, "synchronous", "FULL").or_store(path)?;
        // A deleted draft or purged packet is overwritten with zeros, not left in free pages
        // for anyone who copies the file.
        conn.pragma_update(None, "secure_delete", true).or_store(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).or_store(path)?;
        migrations::apply(&mut conn, path)?;
        Ok(Store { conn, path: path.to_path_buf() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction (immediate, so two writers never deadlock).
    pub fn begin(&mut self) -> Result<Tx<'_>, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).or_store(&self.path)?;
        Ok(Tx { tx, path: &self.path })
    }

    /// Runs SQLite's own consistency check over every page.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let result: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).or_store(&self.path)?;
        if result == "ok" { Ok(()) } else { Err(StoreError::Corrupt { path: self.path.clone(), detail: result }) }
    }

    /// The schema version in force.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrations::current(&self.conn, &self.path)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Closes the database file (its WAL checkpointed and removed) so it can be deleted; the
    /// store then holds an empty in-memory database and must be replaced.
    pub(crate) fn close(&mut self) -> Result<(), StoreError> {
        let placeholder = Connection::open_in_memory().or_store(&self.path)?;
        let conn = std::mem::replace(&mut self.conn, placeholder);
        conn.close().map_err(|(_, e)| classify(&self.path, e))
    }
}

/// Writes an encrypted copy of the clear database at `from` to `to` (SQLCipher's own export:
/// every table, index, trigger and the schema version), for `keys protect`.
pub fn encrypt_copy(from: &Path, to: &Path, key: &DbKey) -> Result<(), StoreError> {
    if !from.is_file() {
        return Err(StoreError::Missing(from.to_path_buf()));
    }
    // CREATE too: the attached copy inherits the flags, and it is a new file.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let conn = Connection::open_with_flags(from, flags).or_store(from)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).or_store(from)?;
    {
        use zeroize::Zeroize;
        let mut attach = format!(
            "ATTACH DATABASE '{}' AS encrypted KEY \"x'{}'\";",
            to.display().to_string().replace('\'', "''"),
            hex::encode(key.0.expose())
        );
        let attached = conn.execute_batch(&attach).or_store(to);
        attach.zeroize();
        attached?;
    }
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(())).or_store(to)?;
    conn.execute_batch("DETACH DATABASE encrypted;").or_store(to)?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Refused(format!("{}: {e}", to.display())))
}

impl Tx<'_> {
    /// Keeps everything written in this transaction.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().or_store(self.path)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    pub(crate) fn path(&self) -> &Path {
        self.path
    }
}

#[cfg(test)]
mod provider_tests {
    use super::*;

    #[test]
    fn a_keyed_private_temporary_database_holds_a_provider() {
        // What keep_provider_alive relies on: keying "" attaches a codec (and so its provider).
        let conn = Connection::open("").expect("temporary database");
        conn.execute_batch("PRAGMA key = 'provider-keepalive';").expect("keyed");
        let provider: String = conn.query_row("PRAGMA cipher_provider", [], |r| r.get(0)).expect("a provider");
        assert!(!provider.is_empty());
    }

    #[test]
    fn keyed_connections_opened_and_closed_on_parallel_threads_never_fail() {
        let dir = tempfile::tempdir().expect("temp dir");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let root = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    for i in 0..150 {
                        let path = root.join(format!("{t}-{i}.db"));
                        let store = Store::create(&path, &DbKey::for_tests());
                        assert!(store.is_ok(), "thread {t}, database {i}: {:?}", store.err());
                        drop(store);
                        let _ = std::fs::remove_file(&path);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("no thread failed");
        }
    }
}
