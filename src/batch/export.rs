//! Writing a batch: stream the tar through age into a temporary file while hashing it, fsync,
//! rename, read it back and compare, write a signed receipt beside it, and only then mark the
//! packets exported — all or nothing. A past batch can be written again to a second stick.

use super::{AuditHead, BATCH_FORMAT, BATCH_VERSION, BatchEntry, BatchError, BatchManifest};
use crate::domain::audit::AuditAction;
use crate::domain::status::PacketStatus;
use crate::kit::Kit;
use crate::packet::canonical::to_canonical_json;
use crate::packet::{sha256_hex, utc_text};
use crate::store::{BatchRecord, NewAuditEntry, PacketRow};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Wraps the file a batch is written into (see [`Destination::with_writer`]).
pub type WriterWrap = dyn Fn(File) -> Box<dyn Write + Send> + Send + Sync;

/// Where a batch goes: a folder, usually on a USB stick.
#[derive(Clone)]
pub struct Destination {
    dir: PathBuf,
    wrap: Option<Arc<WriterWrap>>,
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Destination").field("dir", &self.dir).field("wrapped", &self.wrap.is_some()).finish()
    }
}

impl Destination {
    /// The folder `dir`.
    pub fn folder(dir: impl Into<PathBuf>) -> Self {
        Destination { dir: dir.into(), wrap: None }
    }

    /// Sends every byte of the batch file through `wrap`: how the tests pull a stick out or fill
    /// it at a chosen byte. The fsync still goes to the real file.
    pub fn with_writer(mut self, wrap: Arc<WriterWrap>) -> Self {
        self.wrap = Some(wrap);
        self
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A batch safely on the destination.
#[derive(Debug, Clone)]
pub struct ExportedBatch {
    /// What was recorded (for a copy: the original record, with this copy's SHA-256).
    pub record: BatchRecord,
    /// The sealed file.
    pub path: PathBuf,
    /// The signed receipt beside it.
    pub receipt: PathBuf,
}

/// The chunk size handed from the encrypting stage to the file stage.
const CHUNK: usize = 1 << 20;

/// Collects the encrypted stream into chunks for the file stage.
struct Chunked {
    buf: Vec<u8>,
    to: std::sync::mpsc::SyncSender<Vec<u8>>,
}

impl Chunked {
    fn send(&mut self) -> std::io::Result<()> {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.to.send(full).map_err(|_| std::io::Error::other("the batch file writer stopped"))
    }
}

impl Write for Chunked {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() { Ok(()) } else { self.send() }
    }
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, bytes: &[u8], mtime: u64) -> std::io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(name)?;
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(mtime);
    header.set_cksum();
    tar.append(&header, bytes)
}

fn write_err(path: &Path, e: &dyn std::fmt::Display) -> BatchError {
    BatchError::Write { path: path.to_path_buf(), detail: e.to_string() }
}

/// Holds the kit's export lock: one export or copy at a time, even from two windows or a window
/// and the command line. The lock is the kernel's, so a crashed export leaves nothing to clean.
struct ExportLock(#[allow(dead_code)] File);

fn lock_exports(kit: &Kit) -> Result<ExportLock, BatchError> {
    let path = kit.dir.root().join("export.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| write_err(&path, &e))?;
    match file.try_lock() {
        Ok(()) => Ok(ExportLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(BatchError::Busy),
        Err(std::fs::TryLockError::Error(e)) => Err(write_err(&path, &e)),
    }
}

/// The age recipients for a batch: the pilot's for training, kit.toml's otherwise.
fn recipients(kit: &Kit, training: bool) -> Result<Vec<age::x25519::Recipient>, BatchError> {
    let texts: Vec<String> = if training {
        crate::assets::PILOT_HQ_RECIPIENT.lines().filter(|l| l.starts_with("age1")).map(String::from).collect()
    } else {
        kit.config.hq_recipients.clone()
    };
    texts
        .iter()
        .map(|r| age::x25519::Recipient::from_str(r))
        .collect::<Result<_, _>>()
        .map_err(|e| write_err(&kit.dir.config_path(), &format!("hq_recipients: {e}")))
}

fn manifest_for(
    kit: &Kit,
    batch_id: &str,
    supervisor: &str,
    created_at: &str,
    training: bool,
    rows: &[PacketRow],
    audit: Option<AuditHead>,
) -> BatchManifest {
    BatchManifest {
        format: BATCH_FORMAT.into(),
        version: BATCH_VERSION,
        batch_id: batch_id.into(),
        training,
        kit: kit.kit_info(),
        supervisor: supervisor.into(),
        created_at: created_at.into(),
        packets: rows
            .iter()
            .map(|r| BatchEntry { rid: r.rid.clone(), sha256: r.sha256.clone(), size: r.size })
            .collect(),
        audit,
    }
}

/// The log a batch carries as `audit.jsonl` lines, and its head for the manifest: a new batch
/// signs the chain's head as a checkpoint and carries the whole log; a copy of a past batch
/// (`upto`) carries the log up to where the original ended.
fn audit_for_batch(
    kit: &mut Kit,
    at: chrono::DateTime<chrono::Utc>,
    upto: Option<i64>,
) -> Result<(AuditHead, Vec<u8>), BatchError> {
    let db = kit.dir.db_path();
    let store_err = |e: crate::store::StoreError| write_err(&db, &e);
    if upto.is_none() {
        let (store, key) = kit.store_and_key();
        let tx = store.begin().map_err(store_err)?;
        tx.audit_checkpoint(at, &|message| key.sign(message)).map_err(store_err)?;
        tx.commit().map_err(store_err)?;
    }
    let mut entries = kit.store.audit_entries(None).map_err(store_err)?;
    if let Some(seq) = upto {
        entries.retain(|e| e.seq <= seq);
    }
    let head = entries
        .last()
        .map(|e| AuditHead { seq: e.seq, hash: e.hash.clone() })
        .ok_or_else(|| write_err(kit.store.path(), &"the audit log is empty"))?;
    let mut lines = Vec::with_capacity(entries.len() * 320);
    for entry in &entries {
        let value = serde_json::to_value(entry).map_err(|e| write_err(kit.store.path(), &e))?;
        lines.extend_from_slice(&to_canonical_json(&value));
        lines.push(b'\n');
    }
    Ok((head, lines))
}

/// Drops a file's pages from the page cache, so that reading it back reads the stick itself and
/// not the copy in memory (after fsync the pages are clean and the kernel can let them go).
/// Without this the read-back would compare memory with memory and prove nothing about the stick.
fn evict_from_cache(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: `file` is an open descriptor for the call's whole duration; fadvise is advice
        // to the kernel and touches no memory of ours. Failure only means a warmer read.
        let result = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        if result != 0 {
            tracing::warn!(
                errno = result,
                "could not drop the batch from the page cache; the read-back may come from memory"
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// The file written, read back and compared, with its signed receipt beside it.
struct Written {
    path: PathBuf,
    receipt: PathBuf,
    sha256: String,
}

/// What goes into a batch file: the manifest, the audit log it names, the packets it lists.
struct Contents<'a> {
    manifest: &'a BatchManifest,
    audit_log: &'a [u8],
    rows: &'a [PacketRow],
}

/// Writes `manifest` and its packets sealed to `recipients` into `dest`: temporary name, fsync,
/// rename, read back, receipt. Leaves nothing behind when it fails.
fn write_sealed(
    kit: &Kit,
    contents: Contents<'_>,
    recipients: &[age::x25519::Recipient],
    dest: &Destination,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Written, BatchError> {
    let Contents { manifest, audit_log, rows } = contents;
    let manifest_value = serde_json::to_value(manifest)
        .map_err(|e| BatchError::Invalid { path: dest.dir.clone(), detail: e.to_string() })?;
    let manifest_bytes = to_canonical_json(&manifest_value);
    let batch_id = &manifest.batch_id;
    let final_path = dest.dir.join(format!("{batch_id}.age"));
    let temp_path = dest.dir.join(format!(".{batch_id}.age.partial"));
    let receipt_path = dest.dir.join(format!("{batch_id}.receipt.json"));
    if final_path.exists() {
        return Err(write_err(&final_path, &"a batch of that name is already there; use another stick or folder"));
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp_path)
        .map_err(|e| write_err(&temp_path, &e))?;

    let phase = std::time::Instant::now();
    let result = (|| -> Result<String, BatchError> {
        let store = &kit.store;
        let signature = hex::encode(kit.sign(&manifest_bytes));
        let sync_handle = file.try_clone().map_err(|e| write_err(&temp_path, &e))?;
        let sink: Box<dyn Write + Send> = match &dest.wrap {
            Some(wrap) => wrap(file),
            None => Box::new(file),
        };
        let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| write_err(&temp_path, &e))?;
        let mtime = chrono::DateTime::parse_from_rfc3339(&manifest.created_at)
            .ok()
            .and_then(|t| u64::try_from(t.timestamp()).ok())
            .unwrap_or(0);
        // Three stages on bounded channels, so a few packets and chunks are in memory at a time
        // and two cores share the work: this thread reads each packet from SQLite and re-checks
        // its hash (a connection stays on its thread); a second tars and encrypts; a third hashes
        // what goes to the file and writes it.
        let (to_sealer, from_reader) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(4);
        let (to_file, from_sealer) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
        let (filed, sealed, read_result) = std::thread::scope(|scope| {
            let filer = scope.spawn(move || -> std::io::Result<String> {
                let mut sink = sink;
                let mut hash = Sha256::new();
                for chunk in from_sealer {
                    hash.update(&chunk);
                    sink.write_all(&chunk)?;
                }
                sink.flush()?;
                Ok(hex::encode(hash.finalize()))
            });
            let sealer = scope.spawn(move || -> std::io::Result<()> {
                let sealed = encryptor.wrap_output(Chunked { buf: Vec::with_capacity(CHUNK), to: to_file })?;
                let mut tar = tar::Builder::new(sealed);
                append(&mut tar, "manifest.json", &manifest_bytes, mtime)?;
                append(&mut tar, "manifest.sig", signature.as_bytes(), mtime)?;
                append(&mut tar, "audit.jsonl", audit_log, mtime)?;
                let mut busy = std::time::Duration::ZERO;
                for (name, bytes) in from_reader {
                    let started = std::time::Instant::now();
                    append(&mut tar, &name, &bytes, mtime)?;
                    busy += started.elapsed();
                }
                tracing::info!(busy_s = busy.as_secs_f64(), "batch sealer: tar and encrypt");
                tar.into_inner()?.finish()?.flush()
            });
            let mut busy = std::time::Duration::ZERO;
            let read_result = (|| -> Result<(), BatchError> {
                for (i, row) in rows.iter().enumerate() {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(BatchError::Cancelled);
                    }
                    let started = std::time::Instant::now();
                    let packet = store
                        .packet(&row.rid)
                        .map_err(|e| write_err(&temp_path, &e))?
                        .ok_or_else(|| write_err(&temp_path, &format!("packet {} vanished", row.rid)))?;
                    if sha256_hex(&packet.data) != row.sha256 {
                        return Err(BatchError::Invalid {
                            path: store.path().to_path_buf(),
                            detail: format!(
                                "stored packet {} no longer matches its hash: run `enroll-kit packet verify`",
                                row.rid
                            ),
                        });
                    }
                    // The wall: whatever the store's columns say, a packet goes only into a batch of
                    // its own kind, as its signed packet.json says.
                    let training = manifest.training;
                    let is_training = crate::packet::training_flag(&packet.data).map_err(|e| BatchError::Invalid {
                        path: store.path().to_path_buf(),
                        detail: format!("stored packet {}: {e}", row.rid),
                    })?;
                    if is_training != training {
                        return Err(BatchError::Invalid {
                            path: store.path().to_path_buf(),
                            detail: format!(
                                "packet {} is a {} record but is listed for a {} batch: nothing was exported; \
                                 run `enroll-kit packet verify` and tell the support desk",
                                row.rid,
                                if is_training { "training" } else { "production" },
                                if training { "training" } else { "production" },
                            ),
                        });
                    }
                    busy += started.elapsed();
                    // A closed channel means a later stage failed; its error is reported below.
                    if to_sealer.send((format!("packets/{}.zst", row.rid), packet.data)).is_err() {
                        break;
                    }
                    progress(i + 1, rows.len());
                }
                Ok(())
            })();
            drop(to_sealer);
            tracing::info!(busy_s = busy.as_secs_f64(), "batch reader: SQLite reads and hash checks");
            let stopped = || std::io::Error::other("the batch writer stopped");
            let sealed = sealer.join().unwrap_or_else(|_| Err(stopped()));
            let filed = filer.join().unwrap_or_else(|_| Err(stopped()));
            (filed, sealed, read_result)
        });
        // The file's own error comes first: the other stages only saw their channel close.
        let digest = filed.map_err(|e| write_err(&temp_path, &e))?;
        read_result?;
        sealed.map_err(|e| write_err(&temp_path, &e))?;
        let written = phase.elapsed();
        sync_handle.sync_all().map_err(|e| write_err(&temp_path, &e))?;
        tracing::info!(
            write_s = written.as_secs_f64(),
            fsync_s = (phase.elapsed() - written).as_secs_f64(),
            "batch written"
        );
        Ok(digest)
    })();
    let digest = match result {
        Ok(d) => d,
        Err(e) => {
            let _ = std::fs::remove_file(&temp_path);
            return Err(e);
        }
    };

    if let Err(e) = std::fs::rename(&temp_path, &final_path) {
        let _ = std::fs::remove_file(&temp_path);
        return Err(write_err(&final_path, &e));
    }
    if let Ok(dir) = File::open(&dest.dir) {
        let _ = dir.sync_all();
    }
    crate::crashpoint::reached("export-renamed");
    // Read back what the stick now holds and compare with what was written. A file that fails
    // the comparison is left where it is, renamed as damaged, so nobody carries it away as good.
    let back_digest = (|| -> std::io::Result<String> {
        let mut back = File::open(&final_path)?;
        evict_from_cache(&back);
        Ok(crate::packet::sha256_of_reader(&mut back)?.1)
    })();
    if back_digest.as_deref().ok() != Some(digest.as_str()) {
        let _ = std::fs::rename(&final_path, dest.dir.join(format!("{batch_id}.age.damaged")));
        return Err(BatchError::ReadBack(final_path));
    }
    tracing::info!(total_s = phase.elapsed().as_secs_f64(), "batch read back and compared");

    let receipt = json!({
        "batch_id": batch_id, "count": rows.len(), "sha256": digest, "training": manifest.training,
        "kit_public_key": kit.public_key().to_hex(), "created_at": manifest.created_at,
        "written_at": utc_text(kit.now()),
    });
    let receipt_bytes = to_canonical_json(&receipt);
    let signed = json!({ "receipt": receipt, "signature": hex::encode(kit.sign(&receipt_bytes)) });
    let written = serde_json::to_string_pretty(&signed).map_err(|e| write_err(&receipt_path, &e)).and_then(|text| {
        crate::kit::keyfile::write_new(&receipt_path, &text, 0o644).map_err(|e| write_err(&receipt_path, &e))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&final_path);
        return Err(e);
    }
    Ok(Written { path: final_path, receipt: receipt_path, sha256: digest })
}

/// Takes off `dir` what an export of this kit that died half way (a power cut, a crash) left
/// there: a `.ID.age.partial` file, and a whole `ID.age` the kit never recorded as exported (it
/// died between the stick and its database) whose receipt beside it this kit signed. Neither is a
/// batch anyone may carry away — its packets are still approved and go into the batch written
/// next. A batch another kit (even one with the same numbers) wrote is never touched, nor one
/// whose receipt is missing: what cannot be shown to be this kit's unrecorded leftover stays.
fn sweep_leftovers(kit: &Kit, dir: &Path) {
    let prefix = format!("{}{}-", kit.config.centre, kit.config.kit);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let Ok(recorded) = kit.store.batches() else { return };
    let ours = kit.public_key().to_hex();
    let signed_here = |id: &str| -> bool {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{id}.receipt.json"))) else { return false };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
        value["receipt"]["kit_public_key"].as_str() == Some(ours.as_str())
            && value["receipt"]["batch_id"].as_str() == Some(id)
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let gone: Vec<String> = if let Some(id) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".age.partial")) {
            if id.starts_with(&prefix) { vec![name.clone()] } else { vec![] }
        } else if let Some(id) = name.strip_suffix(".age") {
            let unrecorded = id.starts_with(&prefix) && !recorded.iter().any(|r| r.id == id);
            if unrecorded && signed_here(id) { vec![format!("{id}.receipt.json"), name.clone()] } else { vec![] }
        } else {
            vec![]
        };
        for file in gone {
            if std::fs::remove_file(dir.join(&file)).is_ok() {
                tracing::warn!(file = %file, "removed what an interrupted export left on the stick");
            }
        }
    }
}

/// Exports every approved packet of one kind (production, or training when `training`) from
/// `kit` into `dest`, as `supervisor`. `progress` hears (packets written, packets in all).
pub fn export(
    kit: &mut Kit,
    supervisor: &str,
    training: bool,
    dest: &Destination,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, BatchError> {
    let _lock = lock_exports(kit)?;
    let rows: Vec<_> = kit
        .store
        .packet_rows(Some(PacketStatus::Approved))
        .map_err(|e| write_err(kit.store.path(), &e))?
        .into_iter()
        .filter(|r| r.training == training)
        .collect();
    if rows.is_empty() {
        return Err(BatchError::Empty(if training { "training" } else { "production" }));
    }
    let now = kit.now();
    let batch_id = format!(
        "{}{}-{}{}",
        kit.config.centre,
        kit.config.kit,
        now.format("%Y%m%d%H%M%S"),
        if training { "-T" } else { "" }
    );
    let recipients = recipients(kit, training)?;
    sweep_leftovers(kit, &dest.dir);
    let (head, audit_log) = audit_for_batch(kit, now, None)?;
    let audit_seq = Some(head.seq);
    let manifest = manifest_for(kit, &batch_id, supervisor, &utc_text(now), training, &rows, Some(head));
    let written = write_sealed(
        kit,
        Contents { manifest: &manifest, audit_log: &audit_log, rows: &rows },
        &recipients,
        dest,
        cancel,
        progress,
    )?;

    let record = BatchRecord {
        id: batch_id.clone(),
        created_at: manifest.created_at.clone(),
        supervisor: supervisor.into(),
        training,
        count: rows.len() as u64,
        sha256: written.sha256.clone(),
        file_name: format!("{batch_id}.age"),
        audit_seq,
    };
    let rids: Vec<String> = rows.iter().map(|r| r.rid.clone()).collect();
    crate::crashpoint::reached("export-before-mark");
    let recorded = (|| -> Result<(), crate::store::StoreError> {
        let tx = kit.store.begin()?;
        tx.record_batch(&record, &rids)?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(supervisor),
            action: AuditAction::BatchExported,
            subject: Some(batch_id),
            detail: json!({"count": rows.len(), "sha256": written.sha256, "training": training}),
        })?;
        tx.commit()
    })();
    if let Err(e) = recorded {
        // Not recorded means not exported: take the files back off the stick so the next export
        // does not leave two batches holding the same packets.
        let _ = std::fs::remove_file(&written.path);
        let _ = std::fs::remove_file(&written.receipt);
        return Err(write_err(kit.store.path(), &e));
    }
    Ok(ExportedBatch { record, path: written.path, receipt: written.receipt })
}

/// Writes exported batch `batch_id` again into `dest` (a second stick), as `actor`: the same
/// manifest, signature and packets, sealed afresh; the packets' status does not change.
pub fn copy_batch(
    kit: &mut Kit,
    actor: &str,
    batch_id: &str,
    dest: &Destination,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, BatchError> {
    let _lock = lock_exports(kit)?;
    let (record, rows) = kit
        .store
        .batch(batch_id)
        .map_err(|e| write_err(kit.store.path(), &e))?
        .ok_or_else(|| BatchError::UnknownBatch(batch_id.into()))?;
    let recipients = recipients(kit, record.training)?;
    let now = kit.now();
    // The same manifest as the original: the log up to where it ended (a batch from before logs
    // were carried gets the log as it is now, and a head of its own).
    let (head, audit_log) = audit_for_batch(kit, now, record.audit_seq)?;
    let manifest =
        manifest_for(kit, &record.id, &record.supervisor, &record.created_at, record.training, &rows, Some(head));
    let written = write_sealed(
        kit,
        Contents { manifest: &manifest, audit_log: &audit_log, rows: &rows },
        &recipients,
        dest,
        cancel,
        progress,
    )?;
    let audited = (|| -> Result<(), crate::store::StoreError> {
        let tx = kit.store.begin()?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: Some(actor),
            action: AuditAction::BatchCopied,
            subject: Some(record.id.clone()),
            detail: json!({"count": rows.len(), "sha256": written.sha256, "to": dest.dir.display().to_string()}),
        })?;
        tx.commit()
    })();
    audited.map_err(|e| write_err(kit.store.path(), &e))?;
    Ok(ExportedBatch {
        record: BatchRecord { sha256: written.sha256, ..record },
        path: written.path,
        receipt: written.receipt,
    })
}
