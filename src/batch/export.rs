//! Writing a batch: stream the tar through age into a temporary file while hashing it, fsync,
//! rename, read it back and compare, write a signed receipt beside it, and only then mark the
//! packets exported — all or nothing.

use super::{BATCH_FORMAT, BATCH_VERSION, BatchEntry, BatchError, BatchManifest};
use crate::domain::audit::AuditAction;
use crate::domain::status::PacketStatus;
use crate::kit::Kit;
use crate::packet::canonical::to_canonical_json;
use crate::packet::{sha256_hex, utc_text};
use crate::store::{BatchRecord, NewAuditEntry};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

/// A batch safely on the destination.
#[derive(Debug, Clone)]
pub struct ExportedBatch {
    /// What was recorded.
    pub record: BatchRecord,
    /// The sealed file.
    pub path: PathBuf,
    /// The signed receipt beside it.
    pub receipt: PathBuf,
}

/// Counts and hashes what passes through to the file.
struct Hashing<W: Write> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
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

/// Exports every approved packet of one kind (production, or training when `training`) from
/// `kit` into `out_dir`, as `supervisor`. `progress` hears (packets written, packets in all).
pub fn export(
    kit: &mut Kit,
    supervisor: &str,
    training: bool,
    out_dir: &Path,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ExportedBatch, BatchError> {
    let rows: Vec<_> = kit
        .store
        .packet_rows(Some(PacketStatus::Approved))
        .map_err(|e| BatchError::Write { path: kit.store.path().to_path_buf(), detail: e.to_string() })?
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
    let recipient_texts: Vec<String> = if training {
        crate::assets::PILOT_HQ_RECIPIENT.lines().filter(|l| l.starts_with("age1")).map(String::from).collect()
    } else {
        kit.config.hq_recipients.clone()
    };
    let recipients: Vec<age::x25519::Recipient> = recipient_texts
        .iter()
        .map(|r| age::x25519::Recipient::from_str(r))
        .collect::<Result<_, _>>()
        .map_err(|e| BatchError::Write { path: kit.dir.config_path(), detail: format!("hq_recipients: {e}") })?;

    let manifest = BatchManifest {
        format: BATCH_FORMAT.into(),
        version: BATCH_VERSION,
        batch_id: batch_id.clone(),
        training,
        kit: kit.kit_info(),
        supervisor: supervisor.into(),
        created_at: utc_text(now),
        packets: rows
            .iter()
            .map(|r| BatchEntry { rid: r.rid.clone(), sha256: r.sha256.clone(), size: r.size })
            .collect(),
    };
    let manifest_value = serde_json::to_value(&manifest)
        .map_err(|e| BatchError::Invalid { path: out_dir.into(), detail: e.to_string() })?;
    let manifest_bytes = to_canonical_json(&manifest_value);

    let final_path = out_dir.join(format!("{batch_id}.age"));
    let temp_path = out_dir.join(format!(".{batch_id}.age.partial"));
    let receipt_path = out_dir.join(format!("{batch_id}.receipt.json"));
    let write_err =
        |path: &Path, e: &dyn std::fmt::Display| BatchError::Write { path: path.to_path_buf(), detail: e.to_string() };
    if final_path.exists() {
        return Err(write_err(&final_path, &"a batch of that name is already there"));
    }
    // create_new: a second export started at the same moment fails here instead of interleaving.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp_path)
        .map_err(|e| write_err(&temp_path, &e))?;

    let phase = std::time::Instant::now();
    let result = (|| -> Result<String, BatchError> {
        let (store, key) = kit.store_and_key();
        let signature = hex::encode(key.sign(&manifest_bytes));
        let hashing = Hashing { inner: BufWriter::new(file), hash: Sha256::new(), written: 0 };
        let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| write_err(&temp_path, &e))?;
        let sealed = encryptor.wrap_output(hashing).map_err(|e| write_err(&temp_path, &e))?;
        let mtime = u64::try_from(now.timestamp()).unwrap_or(0);
        // Two stages: this thread reads each packet from SQLite and re-checks its hash (a
        // connection stays on its thread); a second thread tars, encrypts, hashes and writes.
        // The bounded channel keeps at most a few packets in memory.
        let (to_writer, from_reader) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(4);
        let (sealed, read_result) = std::thread::scope(|scope| {
            let writer = scope.spawn(move || -> std::io::Result<_> {
                let mut tar = tar::Builder::new(sealed);
                append(&mut tar, "manifest.json", &manifest_bytes, mtime)?;
                append(&mut tar, "manifest.sig", signature.as_bytes(), mtime)?;
                for (name, bytes) in from_reader {
                    append(&mut tar, &name, &bytes, mtime)?;
                }
                tar.into_inner()
            });
            let read_result = (|| -> Result<(), BatchError> {
                for (i, row) in rows.iter().enumerate() {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(BatchError::Cancelled);
                    }
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
                    // A closed channel means the writer failed; its error is reported below.
                    if to_writer.send((format!("packets/{}.zst", row.rid), packet.data)).is_err() {
                        break;
                    }
                    progress(i + 1, rows.len());
                }
                Ok(())
            })();
            drop(to_writer);
            let sealed = writer.join().unwrap_or_else(|_| Err(std::io::Error::other("the batch writer stopped")));
            (sealed, read_result)
        });
        read_result?;
        let sealed = sealed.map_err(|e| write_err(&temp_path, &e))?;
        let mut hashing = sealed.finish().map_err(|e| write_err(&temp_path, &e))?;
        hashing.flush().map_err(|e| write_err(&temp_path, &e))?;
        let digest = hex::encode(hashing.hash.finalize());
        let file = hashing.inner.into_inner().map_err(|e| write_err(&temp_path, &e.error()))?;
        let written = phase.elapsed();
        file.sync_all().map_err(|e| write_err(&temp_path, &e))?;
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

    std::fs::rename(&temp_path, &final_path).map_err(|e| write_err(&final_path, &e))?;
    if let Ok(dir) = std::fs::File::open(out_dir) {
        let _ = dir.sync_all();
    }
    // Read back what the stick now holds and compare with what was written.
    let mut back = std::fs::File::open(&final_path).map_err(|e| write_err(&final_path, &e))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = back.read(&mut buf).map_err(|e| write_err(&final_path, &e))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    if hex::encode(hash.finalize()) != digest {
        return Err(BatchError::ReadBack(final_path));
    }
    tracing::info!(total_s = phase.elapsed().as_secs_f64(), "batch read back and compared");

    let receipt = json!({
        "batch_id": batch_id, "count": rows.len(), "sha256": digest, "training": training,
        "kit_public_key": kit.public_key().to_hex(), "created_at": utc_text(now),
    });
    let receipt_bytes = to_canonical_json(&receipt);
    let (store, key) = kit.store_and_key();
    let signed = json!({ "receipt": receipt, "signature": hex::encode(key.sign(&receipt_bytes)) });
    let text = serde_json::to_string_pretty(&signed).map_err(|e| write_err(&receipt_path, &e))?;
    crate::kit::keyfile::write_new(&receipt_path, &text, 0o644).map_err(|e| write_err(&receipt_path, &e))?;

    let record = BatchRecord {
        id: batch_id.clone(),
        created_at: utc_text(now),
        supervisor: supervisor.into(),
        training,
        count: rows.len() as u64,
        sha256: digest.clone(),
        file_name: format!("{batch_id}.age"),
    };
    let rids: Vec<String> = rows.iter().map(|r| r.rid.clone()).collect();
    let db = store.path().to_path_buf();
    let tx = store.begin().map_err(|e| write_err(&db, &e))?;
    tx.record_batch(&record, &rids).map_err(|e| write_err(&final_path, &e))?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(supervisor),
        action: AuditAction::BatchExported,
        subject: Some(batch_id),
        detail: json!({"count": rows.len(), "sha256": digest, "training": training}),
    })
    .map_err(|e| write_err(&final_path, &e))?;
    tx.commit().map_err(|e| write_err(&final_path, &e))?;
    Ok(ExportedBatch { record, path: final_path, receipt: receipt_path })
}
