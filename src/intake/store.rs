//! What the intake keeps, in one database every intake node shares (SQLite for one machine,
//! PostgreSQL for several): the register of kits, the nonces of signed requests, uploads in
//! progress and their bytes, packets by RID, the kits' audit logs and the receipts it signed.
//!
//! Every query is written once over [`super::db`]; every change is one transaction, so a node
//! killed at any point leaves the database as it was before or after, and another node goes on.

use super::IntakeError;
use super::db::{Db, Dialect, P, Row, Tx, schema_sql, transaction};
use crate::batch::registry::{KitState, RegisteredKit};
use crate::packet::PublicKey;
use crate::store::AuditEntry;
use crate::sync::PacketVerdict;
use std::path::Path;
use std::sync::Arc;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS intake_packets (
    rid TEXT PRIMARY KEY, sha256 TEXT NOT NULL, kit_key TEXT NOT NULL, batch_id TEXT NOT NULL,
    data {blob} NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intake_receipts (
    batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, receipt TEXT NOT NULL, received_at TEXT NOT NULL,
    PRIMARY KEY (batch_id, sha256));
CREATE TABLE IF NOT EXISTS intake_audit (
    kit_key TEXT NOT NULL, seq BIGINT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL,
    PRIMARY KEY (kit_key, seq));
CREATE TABLE IF NOT EXISTS intake_kits (
    public_key TEXT PRIMARY KEY, centre TEXT NOT NULL, kit TEXT NOT NULL, state TEXT NOT NULL,
    since TEXT, reason TEXT, added_at TEXT NOT NULL, UNIQUE (centre, kit));
CREATE TABLE IF NOT EXISTS intake_nonces (
    kit_key TEXT NOT NULL, nonce TEXT NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (kit_key, nonce));
CREATE TABLE IF NOT EXISTS intake_uploads (
    batch_id TEXT PRIMARY KEY, kit_key TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,
    received BIGINT NOT NULL, state TEXT NOT NULL, error TEXT, opened_at BIGINT NOT NULL,
    touched_at BIGINT NOT NULL, queued_at BIGINT NOT NULL, claimed_until BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS intake_chunks (
    batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, at BIGINT NOT NULL, data {blob} NOT NULL,
    PRIMARY KEY (batch_id, sha256, at));
CREATE TABLE IF NOT EXISTS intake_receipt_kits (
    batch_id TEXT NOT NULL, sha256 TEXT NOT NULL, kit_key TEXT NOT NULL, PRIMARY KEY (batch_id, sha256));
CREATE INDEX IF NOT EXISTS intake_receipt_kits_kit ON intake_receipt_kits (kit_key);
";

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Bytes arriving.
    Open,
    /// Every byte in; waiting for a node to verify and store it.
    Queued,
    /// A node is verifying and storing it.
    Finishing,
    /// Stored; the receipt is on record.
    Done,
    /// Verified and refused; the reason is kept for the kit.
    Refused,
}

impl Phase {
    /// The name kept in the database and sent to kits.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Open => "open",
            Phase::Queued => "queued",
            Phase::Finishing => "finishing",
            Phase::Done => "done",
            Phase::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Result<Phase, IntakeError> {
        Ok(match text {
            "open" => Phase::Open,
            "queued" => Phase::Queued,
            "finishing" => Phase::Finishing,
            "done" => Phase::Done,
            "refused" => Phase::Refused,
            other => return Err(IntakeError::Store(format!("an upload in an unknown state {other:?}"))),
        })
    }

    /// Still holding spool space.
    pub fn live(self) -> bool {
        matches!(self, Phase::Open | Phase::Queued | Phase::Finishing)
    }
}

/// An upload as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The batch id.
    pub batch_id: String,
    /// The kit that opened it (hex); only it may continue or reset it.
    pub kit_key: String,
    /// The announced size.
    pub size: u64,
    /// The announced SHA-256.
    pub sha256: String,
    /// Bytes held.
    pub received: u64,
    /// Where it stands.
    pub phase: Phase,
    /// Why it was refused.
    pub error: Option<String>,
    /// When every byte was in (Unix seconds; 0 before).
    pub queued_at: i64,
}

const UPLOAD_COLUMNS: &str = "batch_id, kit_key, size, sha256, received, state, error, queued_at";

fn upload_of(row: &Row) -> Result<Upload, IntakeError> {
    Ok(Upload {
        batch_id: row.text(0)?,
        kit_key: row.text(1)?,
        size: row.int(2)? as u64,
        sha256: row.text(3)?,
        received: row.int(4)? as u64,
        phase: Phase::parse(&row.text(5)?)?,
        error: row.opt_text(6)?,
        queued_at: row.int(7)?,
    })
}

/// How much of the intake one kit, and all kits, may hold at once.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest batch taken: a kit's busiest day is far below.
    pub max_batch: u64,
    /// Uploads one kit may have open (sending, queued or finishing) at once.
    pub kit_open_uploads: u64,
    /// Bytes one kit's open uploads may announce in all.
    pub kit_spool_bytes: u64,
    /// Bytes every open upload may announce in all (the database's room for uploads in progress).
    pub spool_bytes: u64,
    /// An open upload nobody touched for this long is abandoned: its bytes go.
    pub abandon_after_secs: i64,
    /// A node that claimed a finish and went quiet for this long is presumed dead: another takes it.
    pub finish_lease_secs: i64,
    /// How far a signed request's time may be from the intake's.
    pub clock_window_secs: i64,
    /// How long an ended upload's state is kept for the kit to read (its receipt stays for good).
    pub keep_ended_secs: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch: 2 << 30,
            kit_open_uploads: 8,
            kit_spool_bytes: 4 << 30,
            spool_bytes: 256 << 30,
            abandon_after_secs: 3 * 24 * 3600,
            finish_lease_secs: 600,
            clock_window_secs: 300,
            keep_ended_secs: 30 * 24 * 3600,
        }
    }
}

/// What the kit is told when its request cannot be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request is malformed or impossible (400).
    Bad,
    /// Not signed, signed wrongly, stale or replayed (401).
    Unauthenticated,
    /// Signed, but by a kit that may not do this (403).
    Forbidden,
    /// Nothing of that name (404).
    NotFound,
    /// The state moved on: ask again (409).
    Conflict,
    /// Too big for the limits (413).
    TooLarge,
    /// The batch did not verify (422).
    Unprocessable,
    /// The kit's quota is used up (429).
    Quota,
    /// The intake's room for uploads is full (507).
    Full,
}

fn refuse(kind: Refusal, message: impl Into<String>, retry: bool) -> IntakeError {
    IntakeError::Refused { kind, message: message.into(), retry }
}

/// The intake's database.
#[derive(Clone)]
pub struct IntakeDb {
    db: Arc<dyn Db>,
}

/// Which database, from the command line or a test.
#[derive(Debug, Clone)]
pub enum Database {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

fn kit_of(row: &Row) -> Result<RegisteredKit, IntakeError> {
    let key = row.text(0)?;
    let public_key = PublicKey::from_text(&key)
        .map_err(|e| IntakeError::Store(format!("the register holds {key:?}, not a key: {e}")))?;
    let reason = row.opt_text(5)?.unwrap_or_default();
    let state = match row.text(3)?.as_str() {
        "active" => KitState::Active,
        "suspended" => KitState::Suspended { reason },
        "revoked" => KitState::Revoked { since: row.opt_text(4)?.unwrap_or_default(), reason },
        other => return Err(IntakeError::Store(format!("kit {key} is in an unknown state {other:?}"))),
    };
    Ok(RegisteredKit { public_key, centre: Some(row.text(1)?), kit: Some(row.text(2)?), state })
}

const KIT_COLUMNS: &str = "public_key, centre, kit, state, since, reason";

impl IntakeDb {
    /// Opens the database and makes what is missing.
    pub fn open(database: &Database) -> Result<IntakeDb, IntakeError> {
        let db: Arc<dyn Db> = match database {
            Database::Sqlite(path) => Arc::new(super::db::Sqlite::open(path)?),
            Database::Postgres(url) => Arc::new(super::db::Postgres::connect(url, 8)?),
        };
        let intake = IntakeDb { db };
        intake.create_schema()?;
        Ok(intake)
    }

    /// A SQLite intake database at `path` (or `verify --ledger`'s own file).
    pub fn sqlite(path: &Path) -> Result<IntakeDb, IntakeError> {
        Self::open(&Database::Sqlite(path.to_path_buf()))
    }

    fn create_schema(&self) -> Result<(), IntakeError> {
        let dialect = self.db.dialect();
        transaction(self.db.as_ref(), |tx| {
            // Two nodes starting at once on an empty PostgreSQL must not both create the tables.
            tx.lock_key("intake schema")?;
            for statement in schema_sql(dialect, SCHEMA).split(';').map(str::trim).filter(|s| !s.is_empty()) {
                tx.exec(statement, &[])?;
            }
            Ok(())
        })
    }

    fn tx<T>(&self, f: impl FnMut(&mut dyn Tx) -> Result<T, IntakeError>) -> Result<T, IntakeError> {
        transaction(self.db.as_ref(), f)
    }

    /// Whether the database answers (the readiness check).
    pub fn ping(&self) -> Result<(), IntakeError> {
        self.tx(|tx| tx.rows("SELECT 1", &[]).map(|_| ()))
    }

    // --- the register of kits ---

    /// Every registered kit.
    pub fn kits(&self) -> Result<Vec<RegisteredKit>, IntakeError> {
        let rows =
            self.tx(|tx| tx.rows(&format!("SELECT {KIT_COLUMNS} FROM intake_kits ORDER BY centre, kit"), &[]))?;
        rows.iter().map(kit_of).collect()
    }

    /// The kit with this key.
    pub fn kit(&self, key: &PublicKey) -> Result<Option<RegisteredKit>, IntakeError> {
        let hex = key.to_hex();
        let row = self.tx(|tx| {
            tx.row(&format!("SELECT {KIT_COLUMNS} FROM intake_kits WHERE public_key = $1"), &[P::Text(&hex)])
        })?;
        row.as_ref().map(kit_of).transpose()
    }

    /// Registers a kit, active. A key or a centre/kit pair already registered is refused.
    pub fn add_kit(&self, key: &PublicKey, centre: &str, kit: &str, now: &str) -> Result<(), IntakeError> {
        let hex = key.to_hex();
        self.tx(|tx| add_kit(tx, &hex, centre, kit, now))
    }

    /// Registers every kit of a registered-kits file that is not yet registered; returns how
    /// many were added and how many were there already (same key, same numbers).
    pub fn import_kits(&self, kits: &[RegisteredKit], now: &str) -> Result<(usize, usize), IntakeError> {
        self.tx(|tx| {
            let (mut added, mut held) = (0, 0);
            for k in kits {
                let (Some(centre), Some(number)) = (&k.centre, &k.kit) else {
                    return Err(refuse(
                        Refusal::Bad,
                        format!(
                            "key {} has no centre and kit numbers: write them after the key (KEY CENTRE KIT)",
                            k.public_key.fingerprint()
                        ),
                        false,
                    ));
                };
                let hex = k.public_key.to_hex();
                let same = tx.row(
                    "SELECT 1 FROM intake_kits WHERE public_key = $1 AND centre = $2 AND kit = $3",
                    &[P::Text(&hex), P::Text(centre), P::Text(number)],
                )?;
                if same.is_some() {
                    held += 1;
                } else {
                    add_kit(tx, &hex, centre, number, now)?;
                    added += 1;
                }
            }
            Ok((added, held))
        })
    }

    /// Suspends, revokes or restores a kit.
    pub fn set_kit_state(&self, key: &PublicKey, state: &KitState) -> Result<(), IntakeError> {
        let hex = key.to_hex();
        let (since, reason) = match state {
            KitState::Active => (None, None),
            KitState::Suspended { reason } => (None, Some(reason.as_str())),
            KitState::Revoked { since, reason } => (Some(since.as_str()), Some(reason.as_str())),
        };
        self.tx(|tx| {
            let held = tx.row("SELECT state FROM intake_kits WHERE public_key = $1", &[P::Text(&hex)])?;
            match held {
                None => {
                    return Err(refuse(
                        Refusal::NotFound,
                        format!("no kit with key {} is registered", key.fingerprint()),
                        false,
                    ));
                }
                Some(row) if row.text(0)? == "revoked" => {
                    return Err(refuse(
                        Refusal::Conflict,
                        "that kit is revoked, and a revoked kit stays revoked: register its replacement under a new key",
                        false,
                    ));
                }
                Some(_) => {}
            }
            tx.exec(
                "UPDATE intake_kits SET state = $1, since = $2, reason = $3 WHERE public_key = $4",
                &[
                    P::Text(state.name()),
                    since.map_or(P::Text(""), P::Text),
                    reason.map_or(P::Text(""), P::Text),
                    P::Text(&hex),
                ],
            )
            .map(|_| ())
        })
    }

    // --- signed requests ---

    /// Records a request's nonce; `false` if this kit sent it before (a replay). Nonces older than
    /// `forget_before` (Unix seconds) go: a request that old is refused by its time anyway.
    pub fn use_nonce(&self, kit_key: &str, nonce: &str, created: i64, forget_before: i64) -> Result<bool, IntakeError> {
        self.tx(|tx| {
            tx.exec(
                "DELETE FROM intake_nonces WHERE kit_key = $1 AND created < $2",
                &[P::Text(kit_key), P::Int(forget_before)],
            )?;
            let n = tx.exec(
                "INSERT INTO intake_nonces (kit_key, nonce, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[P::Text(kit_key), P::Text(nonce), P::Int(created)],
            )?;
            Ok(n == 1)
        })
    }

    // --- uploads ---

    /// The upload of `batch_id`, if any.
    pub fn upload(&self, batch_id: &str) -> Result<Option<Upload>, IntakeError> {
        self.tx(|tx| get_upload(tx, batch_id))
    }

    /// Opens `batch_id` for `kit_key` (or finds it open), within the limits. A batch id belongs
    /// to the kit that first opened it; another file under it (the kit sealed the batch again)
    /// starts over, unless that file is being finished.
    pub fn open_upload(
        &self,
        kit_key: &str,
        batch_id: &str,
        size: u64,
        sha256: &str,
        limits: &Limits,
        now: i64,
    ) -> Result<Upload, IntakeError> {
        if size == 0 || size > limits.max_batch {
            return Err(refuse(
                Refusal::TooLarge,
                format!("a batch of {size} bytes is not taken (1 to {} bytes)", limits.max_batch),
                false,
            ));
        }
        self.tx(|tx| {
            tx.lock_key(&format!("kit {kit_key}"))?;
            let held = get_upload(tx, batch_id)?;
            let owner = match &held {
                Some(u) => Some(u.kit_key.clone()),
                None => tx
                    .row("SELECT kit_key FROM intake_packets WHERE batch_id = $1 LIMIT 1", &[P::Text(batch_id)])?
                    .map(|r| r.text(0))
                    .transpose()?,
            };
            if owner.as_deref().is_some_and(|o| o != kit_key) {
                return Err(refuse(
                    Refusal::Forbidden,
                    format!("batch {batch_id} belongs to another kit: a kit uploads its own batches only"),
                    false,
                ));
            }
            if let Some(u) = &held {
                if u.size == size && u.sha256 == sha256 && u.phase != Phase::Refused {
                    return Ok(u.clone());
                }
                if matches!(u.phase, Phase::Queued | Phase::Finishing) {
                    return Err(refuse(
                        Refusal::Conflict,
                        format!("the intake is storing another file of batch {batch_id}: try again when it is done"),
                        true,
                    ));
                }
            }
            let receipt = tx.row(
                "SELECT 1 FROM intake_receipts WHERE batch_id = $1 AND sha256 = $2",
                &[P::Text(batch_id), P::Text(sha256)],
            )?;
            if receipt.is_some() {
                // This very file was stored before (its upload's state since forgotten).
                tx.exec("DELETE FROM intake_uploads WHERE batch_id = $1", &[P::Text(batch_id)])?;
                insert_upload(tx, kit_key, batch_id, size, sha256, size, Phase::Done, now)?;
                return get_upload(tx, batch_id)?.ok_or_else(|| IntakeError::Store("the upload vanished".into()));
            }
            // A kit's quota and everyone's room, counting what this upload held before as freed.
            let others = "FROM intake_uploads WHERE state IN ('open', 'queued', 'finishing') AND batch_id <> $1";
            let mine = tx
                .row(
                    &format!("SELECT count(*), CAST(coalesce(sum(size), 0) AS BIGINT) {others} AND kit_key = $2"),
                    &[P::Text(batch_id), P::Text(kit_key)],
                )?
                .ok_or_else(|| IntakeError::Store("no count".into()))?;
            if mine.int(0)? as u64 >= limits.kit_open_uploads {
                return Err(refuse(
                    Refusal::Quota,
                    format!(
                        "this kit has {} uploads open already: finish or let them expire before opening more",
                        mine.int(0)?
                    ),
                    true,
                ));
            }
            if mine.int(1)? as u64 + size > limits.kit_spool_bytes {
                return Err(refuse(
                    Refusal::Quota,
                    format!(
                        "this kit's open uploads hold {} bytes; with this one it would pass its {} bytes",
                        mine.int(1)?,
                        limits.kit_spool_bytes
                    ),
                    true,
                ));
            }
            let all = tx
                .row(&format!("SELECT CAST(coalesce(sum(size), 0) AS BIGINT) {others}"), &[P::Text(batch_id)])?
                .ok_or_else(|| IntakeError::Store("no sum".into()))?;
            if all.int(0)? as u64 + size > limits.spool_bytes {
                return Err(refuse(
                    Refusal::Full,
                    "the intake has no room for uploads just now: the kit will try again later",
                    true,
                ));
            }
            tx.exec("DELETE FROM intake_chunks WHERE batch_id = $1", &[P::Text(batch_id)])?;
            tx.exec("DELETE FROM intake_uploads WHERE batch_id = $1", &[P::Text(batch_id)])?;
            insert_upload(tx, kit_key, batch_id, size, sha256, 0, Phase::Open, now)?;
            get_upload(tx, batch_id)?.ok_or_else(|| IntakeError::Store("the upload vanished".into()))
        })
    }

    /// Keeps `bytes` at `offset` of an open upload, in the same transaction that moves its count
    /// on: once this returns, the bytes are on the database's disk, and any node can go on.
    /// An offset other than what is held answers [`Refusal::Conflict`] with nothing written.
    pub fn append(&self, upload: &Upload, offset: u64, bytes: &[u8], now: i64) -> Result<u64, IntakeError> {
        let n = bytes.len() as u64;
        self.tx(|tx| {
            let moved = tx.exec(
                "UPDATE intake_uploads SET received = received + $1, touched_at = $2
                 WHERE batch_id = $3 AND kit_key = $4 AND sha256 = $5 AND received = $6 AND state = 'open'
                   AND received + $1 <= size",
                &[
                    P::Int(n as i64),
                    P::Int(now),
                    P::Text(&upload.batch_id),
                    P::Text(&upload.kit_key),
                    P::Text(&upload.sha256),
                    P::Int(offset as i64),
                ],
            )?;
            if moved != 1 {
                return Err(refuse(Refusal::Conflict, "the upload moved on: ask where it stands", true));
            }
            tx.exec(
                "INSERT INTO intake_chunks (batch_id, sha256, at, data) VALUES ($1, $2, $3, $4)",
                &[P::Text(&upload.batch_id), P::Text(&upload.sha256), P::Int(offset as i64), P::Blob(bytes)],
            )?;
            Ok(offset + n)
        })
    }

    /// Queues a whole upload for finishing (nothing if it is already queued or further on).
    pub fn queue(&self, batch_id: &str, now: i64) -> Result<(), IntakeError> {
        self.tx(|tx| {
            tx.exec(
                "UPDATE intake_uploads SET state = 'queued', queued_at = $1, touched_at = $1
                 WHERE batch_id = $2 AND state = 'open' AND received = size",
                &[P::Int(now), P::Text(batch_id)],
            )
            .map(|_| ())
        })
    }

    /// Claims the oldest upload waiting to be finished — queued, or claimed by a node whose
    /// lease ran out — for `lease_secs`.
    pub fn claim_finish(&self, now: i64, lease_secs: i64) -> Result<Option<Upload>, IntakeError> {
        self.tx(|tx| {
            let skip = if tx.dialect() == Dialect::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
            let Some(row) = tx.row(
                &format!(
                    "SELECT batch_id FROM intake_uploads
                     WHERE state = 'queued' OR (state = 'finishing' AND claimed_until < $1)
                     ORDER BY queued_at LIMIT 1{skip}"
                ),
                &[P::Int(now)],
            )?
            else {
                return Ok(None);
            };
            let batch_id = row.text(0)?;
            tx.exec(
                "UPDATE intake_uploads SET state = 'finishing', claimed_until = $1 WHERE batch_id = $2",
                &[P::Int(now + lease_secs), P::Text(&batch_id)],
            )?;
            get_upload(tx, &batch_id)
        })
    }

    /// Gives a claimed upload back to the queue (the node failed on its own account).
    pub fn unclaim(&self, batch_id: &str) -> Result<(), IntakeError> {
        self.tx(|tx| {
            tx.exec(
                "UPDATE intake_uploads SET state = 'queued' WHERE batch_id = $1 AND state = 'finishing'",
                &[P::Text(batch_id)],
            )
            .map(|_| ())
        })
    }

    /// Marks an upload refused with the reason, and lets its bytes go.
    pub fn refuse_upload(&self, batch_id: &str, sha256: &str, reason: &str, now: i64) -> Result<(), IntakeError> {
        self.tx(|tx| {
            tx.exec("DELETE FROM intake_chunks WHERE batch_id = $1 AND sha256 = $2", &[P::Text(batch_id), P::Text(sha256)])?;
            tx.exec(
                "UPDATE intake_uploads SET state = 'refused', error = $1, touched_at = $2 WHERE batch_id = $3 AND sha256 = $4",
                &[P::Text(reason), P::Int(now), P::Text(batch_id), P::Text(sha256)],
            )
            .map(|_| ())
        })
    }

    /// Forgets an upload and its bytes (they did not add up to the file announced): the kit's
    /// next open starts it over.
    pub fn drop_upload(&self, batch_id: &str, sha256: &str) -> Result<(), IntakeError> {
        self.tx(|tx| {
            tx.exec(
                "DELETE FROM intake_chunks WHERE batch_id = $1 AND sha256 = $2",
                &[P::Text(batch_id), P::Text(sha256)],
            )?;
            tx.exec(
                "DELETE FROM intake_uploads WHERE batch_id = $1 AND sha256 = $2",
                &[P::Text(batch_id), P::Text(sha256)],
            )
            .map(|_| ())
        })
    }

    /// Lets go of what nobody will come back for: uploads abandoned mid-way (and their bytes),
    /// ended uploads' states past their keeping time, and stale nonces. Returns the uploads
    /// and bytes freed.
    pub fn expire(&self, now: i64, limits: &Limits) -> Result<(u64, u64), IntakeError> {
        let abandoned = now - limits.abandon_after_secs;
        let ended = now - limits.keep_ended_secs;
        self.tx(|tx| {
            let freed = tx
                .row(
                    "SELECT count(*), CAST(coalesce(sum(received), 0) AS BIGINT) FROM intake_uploads
                     WHERE state = 'open' AND touched_at < $1",
                    &[P::Int(abandoned)],
                )?
                .ok_or_else(|| IntakeError::Store("no count".into()))?;
            tx.exec(
                "DELETE FROM intake_chunks WHERE batch_id IN
                 (SELECT batch_id FROM intake_uploads WHERE state = 'open' AND touched_at < $1)",
                &[P::Int(abandoned)],
            )?;
            tx.exec("DELETE FROM intake_uploads WHERE state = 'open' AND touched_at < $1", &[P::Int(abandoned)])?;
            tx.exec(
                "DELETE FROM intake_uploads WHERE state IN ('done', 'refused') AND touched_at < $1",
                &[P::Int(ended)],
            )?;
            tx.exec("DELETE FROM intake_nonces WHERE created < $1", &[P::Int(now - 2 * limits.clock_window_secs)])?;
            Ok((freed.int(0)? as u64, freed.int(1)? as u64))
        })
    }

    /// Uploads open (sending, queued or finishing) and the bytes they hold.
    pub fn spooled(&self) -> Result<(u64, u64), IntakeError> {
        let row = self.tx(|tx| {
            tx.row(
                "SELECT count(*), CAST(coalesce(sum(received), 0) AS BIGINT) FROM intake_uploads
                 WHERE state IN ('open', 'queued', 'finishing')",
                &[],
            )
        })?;
        let row = row.ok_or_else(|| IntakeError::Store("no count".into()))?;
        Ok((row.int(0)? as u64, row.int(1)? as u64))
    }

    /// Runs `f` in one transaction with a reader of the upload's bytes (read from the database
    /// a piece at a time), so a batch of any size is verified and stored in bounded memory.
    pub fn with_upload_bytes<T>(
        &self,
        upload: &Upload,
        mut f: impl FnMut(&mut dyn std::io::BufRead, &std::cell::RefCell<&mut dyn Tx>) -> Result<T, IntakeError>,
    ) -> Result<T, IntakeError> {
        self.tx(|tx| {
            let cell = std::cell::RefCell::new(tx);
            let mut reader = std::io::BufReader::with_capacity(
                64 << 10,
                UploadBytes { tx: &cell, upload, at: 0, piece: Vec::new(), pos: 0 },
            );
            f(&mut reader, &cell)
        })
    }

    /// The receipt on record for this batch file.
    pub fn receipt(&self, batch_id: &str, sha256: &str) -> Result<Option<String>, IntakeError> {
        let row = self.tx(|tx| {
            tx.row(
                "SELECT receipt FROM intake_receipts WHERE batch_id = $1 AND sha256 = $2",
                &[P::Text(batch_id), P::Text(sha256)],
            )
        })?;
        row.map(|r| r.text(0)).transpose()
    }

    /// Every receipt signed for one kit, oldest first.
    pub fn receipts_of(&self, kit_key: &str) -> Result<Vec<String>, IntakeError> {
        let rows = self.tx(|tx| {
            tx.rows(
                "SELECT r.receipt FROM intake_receipts r JOIN intake_receipt_kits k
                   ON k.batch_id = r.batch_id AND k.sha256 = r.sha256
                 WHERE k.kit_key = $1 ORDER BY r.received_at, r.batch_id",
                &[P::Text(kit_key)],
            )
        })?;
        rows.iter().map(|r| r.text(0)).collect()
    }

    /// Packets held.
    pub fn packet_count(&self) -> Result<u64, IntakeError> {
        let row = self.tx(|tx| tx.row("SELECT count(*) FROM intake_packets", &[]))?;
        Ok(row.map(|r| r.int(0)).transpose()?.unwrap_or(0) as u64)
    }

    /// Checks a kit's audit log against the history held from it and keeps what is new
    /// (`enroll-kit verify --ledger`); returns how many entries were new.
    pub fn hold_audit(&self, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
        self.tx(|tx| hold_audit(tx, kit_key, log))
    }
}

fn add_kit(tx: &mut dyn Tx, hex: &str, centre: &str, kit: &str, now: &str) -> Result<(), IntakeError> {
    for (what, code) in [("centre code", centre), ("kit number", kit)] {
        crate::domain::rid::Code5::parse(what, code).map_err(|e| refuse(Refusal::Bad, e.to_string(), false))?;
    }
    if let Some(row) = tx.row("SELECT centre, kit FROM intake_kits WHERE public_key = $1", &[P::Text(hex)])? {
        return Err(refuse(
            Refusal::Conflict,
            format!("that key is registered already, to kit {}/{}", row.text(0)?, row.text(1)?),
            false,
        ));
    }
    if let Some(row) =
        tx.row("SELECT public_key FROM intake_kits WHERE centre = $1 AND kit = $2", &[P::Text(centre), P::Text(kit)])?
    {
        let other = row.text(0)?;
        return Err(refuse(
            Refusal::Conflict,
            format!(
                "kit {centre}/{kit} is registered already under key {}: revoke it first if this kit replaces it, \
                 and give the new kit new numbers",
                &other[..other.len().min(16)]
            ),
            false,
        ));
    }
    tx.exec(
        "INSERT INTO intake_kits (public_key, centre, kit, state, since, reason, added_at) VALUES ($1, $2, $3, 'active', '', '', $4)",
        &[P::Text(hex), P::Text(centre), P::Text(kit), P::Text(now)],
    )
    .map(|_| ())
}

fn get_upload(tx: &mut dyn Tx, batch_id: &str) -> Result<Option<Upload>, IntakeError> {
    tx.row(&format!("SELECT {UPLOAD_COLUMNS} FROM intake_uploads WHERE batch_id = $1"), &[P::Text(batch_id)])?
        .as_ref()
        .map(upload_of)
        .transpose()
}

#[allow(clippy::too_many_arguments)]
fn insert_upload(
    tx: &mut dyn Tx,
    kit_key: &str,
    batch_id: &str,
    size: u64,
    sha256: &str,
    received: u64,
    phase: Phase,
    now: i64,
) -> Result<(), IntakeError> {
    tx.exec(
        "INSERT INTO intake_uploads (batch_id, kit_key, size, sha256, received, state, error, opened_at, touched_at, queued_at, claimed_until)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $7, 0, 0)",
        &[
            P::Text(batch_id),
            P::Text(kit_key),
            P::Int(size as i64),
            P::Text(sha256),
            P::Int(received as i64),
            P::Text(phase.as_str()),
            P::Int(now),
        ],
    )
    .map(|_| ())
}

/// An upload's bytes, read from the database a piece at a time.
struct UploadBytes<'c, 't> {
    tx: &'c std::cell::RefCell<&'t mut dyn Tx>,
    upload: &'c Upload,
    at: u64,
    piece: Vec<u8>,
    pos: usize,
}

impl std::io::Read for UploadBytes<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.piece.len() {
            if self.at >= self.upload.received {
                return Ok(0);
            }
            let mut tx = self.tx.try_borrow_mut().map_err(std::io::Error::other)?;
            let row = tx
                .row(
                    "SELECT data FROM intake_chunks WHERE batch_id = $1 AND sha256 = $2 AND at = $3",
                    &[P::Text(&self.upload.batch_id), P::Text(&self.upload.sha256), P::Int(self.at as i64)],
                )
                .map_err(std::io::Error::other)?;
            let Some(mut row) = row else {
                return Err(std::io::Error::other(format!("the bytes at {} of the upload are missing", self.at)));
            };
            self.piece = row.take_blob(0).map_err(std::io::Error::other)?;
            if self.piece.is_empty() {
                return Err(std::io::Error::other("an empty piece in the upload"));
            }
            self.at += self.piece.len() as u64;
            self.pos = 0;
        }
        let n = buf.len().min(self.piece.len() - self.pos);
        buf[..n].copy_from_slice(&self.piece[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
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

/// [`IntakeDb::hold_audit`] inside a transaction (two batches of one kit finishing at once on
/// two nodes: the second waits for the first's rows).
pub(super) fn hold_audit(tx: &mut dyn Tx, kit_key: &str, log: &[AuditEntry]) -> Result<usize, IntakeError> {
    tx.lock_key(&format!("audit {kit_key}"))?;
    let held: Vec<(i64, String)> = tx
        .rows("SELECT seq, hash FROM intake_audit WHERE kit_key = $1 ORDER BY seq", &[P::Text(kit_key)])?
        .iter()
        .map(|r| Ok((r.int(0)?, r.text(1)?)))
        .collect::<Result<_, IntakeError>>()?;
    let new = new_audit_entries(&held, log)?;
    for (seq, hash, entry) in &new {
        tx.exec(
            "INSERT INTO intake_audit (kit_key, seq, hash, entry) VALUES ($1, $2, $3, $4)",
            &[P::Text(kit_key), P::Int(*seq), P::Text(hash), P::Text(entry)],
        )?;
    }
    Ok(new.len())
}

/// Stores one packet — each RID once: a packet held before is accepted again, a different one
/// under a RID held is rejected with the reason — and returns the verdict.
pub(super) fn store_packet(
    tx: &mut dyn Tx,
    rid: &str,
    data: &[u8],
    kit_key: &str,
    batch_id: &str,
    received_at: &str,
) -> Result<PacketVerdict, IntakeError> {
    let sha256 = crate::packet::sha256_hex(data);
    let inserted = tx.exec(
        "INSERT INTO intake_packets (rid, sha256, kit_key, batch_id, data, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rid) DO NOTHING",
        &[P::Text(rid), P::Text(&sha256), P::Text(kit_key), P::Text(batch_id), P::Blob(data), P::Text(received_at)],
    )?;
    if inserted == 1 {
        return Ok(PacketVerdict { rid: rid.into(), accepted: true, reason: None });
    }
    let held = tx
        .row("SELECT sha256, batch_id FROM intake_packets WHERE rid = $1", &[P::Text(rid)])?
        .ok_or_else(|| IntakeError::Store(format!("packet {rid} neither stored nor held")))?;
    if held.text(0)? == sha256 {
        return Ok(PacketVerdict { rid: rid.into(), accepted: true, reason: None });
    }
    Ok(PacketVerdict {
        rid: rid.into(),
        accepted: false,
        reason: Some(format!(
            "a different packet with this RID arrived before (in batch {}); the kit's supervisor must call the central office",
            held.text(1)?
        )),
    })
}

/// Keeps the receipt signed for a batch file (the first one if two nodes raced), ends its
/// upload and lets its bytes go; returns the receipt on record.
pub(super) fn record_receipt(
    tx: &mut dyn Tx,
    upload: &Upload,
    receipt: &str,
    received_at: &str,
    now: i64,
) -> Result<String, IntakeError> {
    let (b, s) = (P::Text(&upload.batch_id), P::Text(&upload.sha256));
    tx.exec(
        "INSERT INTO intake_receipts (batch_id, sha256, receipt, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        &[b, s, P::Text(receipt), P::Text(received_at)],
    )?;
    tx.exec(
        "INSERT INTO intake_receipt_kits (batch_id, sha256, kit_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[b, s, P::Text(&upload.kit_key)],
    )?;
    tx.exec("DELETE FROM intake_chunks WHERE batch_id = $1 AND sha256 = $2", &[b, s])?;
    tx.exec(
        "UPDATE intake_uploads SET state = 'done', received = size, error = NULL, touched_at = $1 WHERE batch_id = $2 AND sha256 = $3",
        &[P::Int(now), b, s],
    )?;
    tx.row("SELECT receipt FROM intake_receipts WHERE batch_id = $1 AND sha256 = $2", &[b, s])?
        .ok_or_else(|| IntakeError::Store("the receipt vanished".into()))?
        .text(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::KitKey;

    fn db() -> (tempfile::TempDir, IntakeDb) {
        let dir = tempfile::tempdir().unwrap();
        let db = IntakeDb::sqlite(&dir.path().join("intake.db")).unwrap();
        (dir, db)
    }

    fn refused(r: Result<impl std::fmt::Debug, IntakeError>) -> (Refusal, String) {
        match r {
            Err(IntakeError::Refused { kind, message, .. }) => (kind, message),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_kit_is_registered_once_under_one_pair_of_numbers_and_a_revoked_kit_stays_revoked() {
        let (_d, db) = db();
        let (a, b) = (KitKey::from_seed([1; 32]).public(), KitKey::from_seed([2; 32]).public());
        db.add_kit(&a, "00042", "00007", "2026-12-01T08:00:00Z").unwrap();
        assert!(refused(db.add_kit(&a, "00042", "00008", "t")).1.contains("registered already, to kit 00042/00007"));
        assert!(refused(db.add_kit(&b, "00042", "00007", "t")).1.contains("kit 00042/00007 is registered already"));
        assert_eq!(refused(db.add_kit(&b, "42", "00007", "t")).0, Refusal::Bad);
        db.set_kit_state(&a, &KitState::Suspended { reason: "audit".into() }).unwrap();
        assert_eq!(db.kit(&a).unwrap().unwrap().state, KitState::Suspended { reason: "audit".into() });
        let revoked = KitState::Revoked { since: "2026-12-02T00:00:00Z".into(), reason: "stolen".into() };
        db.set_kit_state(&a, &revoked).unwrap();
        assert!(refused(db.set_kit_state(&a, &KitState::Active)).1.contains("stays revoked"));
        assert_eq!(db.kits().unwrap()[0].state, revoked);
        assert_eq!(refused(db.set_kit_state(&b, &KitState::Active)).0, Refusal::NotFound);
    }

    #[test]
    fn an_upload_belongs_to_its_kit_keeps_to_its_quota_and_is_let_go_when_abandoned() {
        let (_d, db) = db();
        let limits = Limits { kit_open_uploads: 2, kit_spool_bytes: 100, spool_bytes: 150, ..Limits::default() };
        let sha = "ab".repeat(32);
        let up = db.open_upload("kitA", "b1", 10, &sha, &limits, 1000).unwrap();
        assert_eq!(refused(db.open_upload("kitB", "b1", 10, &sha, &limits, 1000)).0, Refusal::Forbidden);
        assert_eq!(db.append(&up, 0, b"01234", 1001).unwrap(), 5);
        assert_eq!(refused(db.append(&up, 0, b"01234", 1001)).0, Refusal::Conflict, "a stale offset");
        assert_eq!(db.open_upload("kitA", "b1", 10, &sha, &limits, 1002).unwrap().received, 5, "found again");
        assert_eq!(refused(db.open_upload("kitA", "b2", 95, &sha, &limits, 1000)).0, Refusal::Quota, "bytes");
        db.open_upload("kitA", "b2", 90, &sha, &limits, 1000).unwrap();
        assert_eq!(refused(db.open_upload("kitA", "b3", 1, &sha, &limits, 1000)).0, Refusal::Quota, "count");
        assert_eq!(refused(db.open_upload("kitB", "b4", 51, &sha, &limits, 1000)).0, Refusal::Full);
        assert_eq!(db.spooled().unwrap(), (2, 5));
        let later = 1001 + limits.abandon_after_secs + 1;
        assert_eq!(db.expire(later, &limits).unwrap(), (2, 5));
        assert_eq!(db.spooled().unwrap(), (0, 0));
        assert!(db.upload("b1").unwrap().is_none());
        assert_eq!(refused(db.open_upload("kitA", "b9", 0, &sha, &limits, 1000)).0, Refusal::TooLarge);
    }

    #[test]
    fn a_nonce_is_taken_once() {
        let (_d, db) = db();
        assert!(db.use_nonce("k", "n1", 100, 0).unwrap());
        assert!(!db.use_nonce("k", "n1", 100, 0).unwrap(), "replayed");
        assert!(db.use_nonce("other", "n1", 100, 0).unwrap(), "nonces are per kit");
    }
}
