//! Uploading exported batches when there is a network: which to send ([`crate::sync::plan`]),
//! sending each with resume ([`crate::sync::client`]), checking the receipt, and only then
//! marking packets acknowledged. Failures that may pass are retried with backoff and jitter;
//! ones that will not (a refused batch, a wrong certificate) wait for the supervisor.

use super::{Operator, WorkflowError};
use crate::batch::export::{Destination, copy_batch};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::notice::{Notice, NoticeArg};
use crate::kit::Kit;
use crate::kit::config::UploadConfig;
use crate::store::NewAuditEntry;
pub use crate::store::UploadRow;
use crate::sync::client::{Intake, Uploaded, file_digest};
use crate::sync::plan::{backoff, plan};
use crate::sync::{SignedReceipt, SyncError};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::Duration;

/// How long one request may wait on the network before the try is given up.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How often the worker looks for the central office when nobody asks.
pub const CHECK_EVERY: Duration = Duration::from_secs(180);

/// How one batch's upload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// The batch.
    pub batch_id: String,
    /// Packets the central office took (now or before).
    pub accepted: usize,
    /// Packets it rejected, with the reason.
    pub rejected: Vec<(String, String)>,
    /// Bytes sent, the ones sent again after a cut included.
    pub bytes_sent: u64,
    /// The file's size.
    pub size: u64,
}

/// Each batch sent in a round and how it ended (the error worded for the supervisor).
pub type Outcomes = Vec<(String, Result<Acknowledged, Failed>)>;

/// Why a batch did not go: in English for the command line and the logs, and as the notice the
/// window words in the language on screen.
#[derive(Debug, Clone)]
pub struct Failed {
    /// The English sentence.
    pub english: String,
    /// What the supervisor is told.
    pub notice: Notice,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

/// Every exported batch and where its upload stands, oldest first.
pub fn uploads(kit: &Kit) -> Result<Vec<UploadRow>, WorkflowError> {
    Ok(kit.store.upload_rows()?)
}

/// The intake named in kit.toml.
pub fn intake(kit: &Kit, timeout: Duration) -> Result<Intake, SyncError> {
    let upload = kit.config.upload.as_ref().ok_or(SyncError::NotConfigured)?;
    intake_at(kit, &upload.url, &upload.certificate_sha256, timeout)
}

/// The intake at `url` with certificate `pin`, spoken to as this kit (its requests signed with
/// the kit's key): tests and benchmarks that put a proxy in between.
pub fn intake_at(kit: &Kit, url: &str, pin: &str, timeout: Duration) -> Result<Intake, SyncError> {
    Intake::new(url, pin, timeout, kit.request_signer())
}

fn outbox(kit: &Kit) -> PathBuf {
    kit.dir.root().join("outbox")
}

/// The sealed file to upload for `batch_id`: kept in DATA/outbox until acknowledged, so a resumed
/// upload sends the same bytes; sealed afresh from the stored packets when it is not there.
fn sealed_file(kit: &mut Kit, batch_id: &str, cancel: &AtomicBool) -> Result<PathBuf, WorkflowError> {
    let dir = outbox(kit);
    let path = dir.join(format!("{batch_id}.age"));
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir).map_err(|e| SyncError::File { path: dir.clone(), detail: e.to_string() })?;
    // A kit receipt from an earlier sealing would stop the copy; it is the kit's own file.
    let _ = std::fs::remove_file(dir.join(format!("{batch_id}.receipt.json")));
    let written = copy_batch(kit, "upload", batch_id, &Destination::folder(&dir), cancel, &mut |_, _| {})?;
    Ok(written.path)
}

fn audit(kit: &mut Kit, action: AuditAction, batch_id: &str, detail: serde_json::Value) -> Result<(), WorkflowError> {
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry { at: now, actor: None, action, subject: Some(batch_id.to_string()), detail })?;
    tx.commit()?;
    Ok(())
}

/// Uploads batch `batch_id` now. A receipt that checks out is recorded (packets acknowledged);
/// a failure is recorded with when to try again (or, if it will not pass, as refused) and returned.
pub fn upload_batch(
    kit: &mut Kit,
    intake: &Intake,
    batch_id: &str,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &AtomicBool,
) -> Result<Acknowledged, WorkflowError> {
    let (record, rows) = kit
        .store
        .batch(batch_id)?
        .ok_or_else(|| WorkflowError::Refused(format!("this kit exported no batch {batch_id}")))?;
    let rids: Vec<String> = rows.iter().map(|r| r.rid.clone()).collect();
    // Training batches go to a training intake, whose receipts the pilot key signs.
    let office = if record.training {
        crate::packet::PublicKey::from_text(crate::assets::PILOT_HQ_VERIFY_KEY).ok()
    } else {
        kit.config.hq_verify_key()
    }
    .ok_or_else(|| WorkflowError::Refused("kit.toml has no valid hq_verify_key".into()))?;
    let sent = (|| -> Result<(Uploaded, u64, String), WorkflowError> {
        let path = sealed_file(kit, &record.id, cancel)?;
        let (size, sha256) =
            file_digest(&path).map_err(|e| SyncError::File { path: path.clone(), detail: e.to_string() })?;
        let uploaded = intake.upload_digested(&record.id, &path, size, &sha256, progress, cancel)?;
        uploaded.receipt.check(&office, &record.id, &sha256, &kit.public_key(), &rids)?;
        Ok((uploaded, size, sha256))
    })();
    let now = kit.now();
    match sent {
        Ok((uploaded, size, _)) => {
            let receipt_text =
                serde_json::to_string(&uploaded.receipt).map_err(|e| WorkflowError::Refused(e.to_string()))?;
            let SignedReceipt { receipt, .. } = uploaded.receipt;
            let tx = kit.store.begin()?;
            tx.record_receipt(&record.id, &receipt_text, &receipt.packets, now)?;
            tx.commit()?;
            let rejected: Vec<(String, String)> = receipt
                .packets
                .iter()
                .filter(|p| !p.accepted)
                .map(|p| (p.rid.clone(), p.reason.clone().unwrap_or_default()))
                .collect();
            let accepted = receipt.packets.len() - rejected.len();
            audit(
                kit,
                AuditAction::BatchAcknowledged,
                &record.id,
                json!({"accepted": accepted, "rejected": rejected.len()}),
            )?;
            let _ = std::fs::remove_file(outbox(kit).join(format!("{}.age", record.id)));
            let _ = std::fs::remove_file(outbox(kit).join(format!("{}.receipt.json", record.id)));
            // The central office has them: the kit keeps no more of these people than it needs. The
            // receipt is recorded either way; a purge that fails now is done at the next acknowledgement.
            if let Err(e) = super::retention::purge_acknowledged(kit) {
                tracing::warn!("acknowledged packets not yet purged: {e}");
            }
            Ok(Acknowledged { batch_id: record.id, accepted, rejected, bytes_sent: uploaded.bytes_sent, size })
        }
        Err(WorkflowError::Sync(SyncError::Cancelled)) => Err(SyncError::Cancelled.into()),
        Err(e) => {
            let retry = match &e {
                WorkflowError::Sync(s) => s.retryable(),
                // The kit's own trouble (its disk, its store): try again later.
                _ => true,
            };
            let attempts = kit
                .store
                .upload_rows()?
                .into_iter()
                .find(|r| r.upload.batch_id == record.id)
                .map_or(0, |r| r.upload.attempts)
                + 1;
            let next = retry.then(|| now + backoff(attempts, jitter()));
            let tx = kit.store.begin()?;
            tx.record_upload_failure(&record.id, attempts, next, &stored_error(&e), !retry, now)?;
            tx.commit()?;
            if !retry {
                audit(kit, AuditAction::UploadRefused, &record.id, json!({"error": e.to_string()}))?;
            }
            Err(e)
        }
    }
}

/// A number in [0, 1) from the OS's randomness (0.5 if it has none).
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 0.5,
    }
}

/// Sends every batch due now (all pending ones if `asked`), oldest first; stops at the first
/// failure that says the network is gone. Returns each batch's outcome.
pub fn upload_due(
    kit: &mut Kit,
    intake: &Intake,
    asked: bool,
    progress: &mut dyn FnMut(&str, u64, u64),
    cancel: &AtomicBool,
) -> Result<Outcomes, WorkflowError> {
    let rows: Vec<_> = kit.store.upload_rows()?.into_iter().map(|r| r.upload).collect();
    let due = plan(&rows, kit.config.training, kit.now(), asked);
    let mut out = Vec::new();
    for batch_id in due {
        let result = upload_batch(kit, intake, &batch_id, &mut |sent, size| progress(&batch_id, sent, size), cancel);
        let stop = matches!(&result, Err(WorkflowError::Sync(SyncError::Unreachable(_) | SyncError::Cancelled)));
        out.push((batch_id, result.map_err(|e| Failed { english: e.to_string(), notice: e.notice() })));
        if stop {
            break;
        }
    }
    Ok(out)
}

/// Keys a stored upload error may name besides the upload's own ([`crate::sync::NOTICE_KEYS`]):
/// the kit's own trouble while uploading.
const OTHER_KEYS: [&str; 6] =
    ["error-detail", "error-disk-full", "error-db-busy", "error-db-unwritable", "error-db-corrupt", "error-write"];
/// The argument names those notices use.
const ARG_NAMES: [&str; 4] = ["detail", "status", "path", "message"];

/// An upload's error as the uploads table keeps it: the English sentence, for the command line
/// and the logs, and the notice, for the window to word in the language on screen.
fn stored_error(e: &WorkflowError) -> String {
    let notice = e.notice();
    let args: serde_json::Map<String, serde_json::Value> = notice
        .args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                NoticeArg::Text(t) => json!(t),
                NoticeArg::Number(n) => json!(n),
            };
            ((*name).to_string(), value)
        })
        .collect();
    json!({"en": e.to_string(), "key": notice.key, "args": args}).to_string()
}

/// The English sentence of a stored upload error (a row an older kit wrote holds it alone).
pub fn last_error_text(stored: &str) -> String {
    serde_json::from_str::<serde_json::Value>(stored)
        .ok()
        .and_then(|v| v.get("en").and_then(serde_json::Value::as_str).map(str::to_string))
        .unwrap_or_else(|| stored.to_string())
}

/// The notice of a stored upload error; one this kit has no words for is shown in its English.
pub fn last_error_notice(stored: &str) -> Notice {
    let english = || Notice::detail(&last_error_text(stored));
    let Ok(v) = serde_json::from_str::<serde_json::Value>(stored) else { return english() };
    let key = v.get("key").and_then(serde_json::Value::as_str).unwrap_or_default();
    let Some(key) = crate::sync::NOTICE_KEYS.iter().chain(OTHER_KEYS.iter()).find(|k| **k == key) else {
        return english();
    };
    let mut notice = Notice::new(key);
    if let Some(args) = v.get("args").and_then(serde_json::Value::as_object) {
        for (name, value) in args {
            let Some(name) = ARG_NAMES.iter().find(|n| **n == name) else { return english() };
            notice = match value {
                serde_json::Value::Number(n) => notice.number(name, n.as_i64().unwrap_or_default()),
                other => notice.text(name, other.as_str().unwrap_or_default()),
            };
        }
    }
    notice
}

/// Sets where uploads go (supervisor, audited): a changed address or pinned certificate sends
/// every future batch elsewhere, so it is never a quiet change.
pub fn configure(kit: &mut Kit, op: &Operator, upload: UploadConfig) -> Result<(), WorkflowError> {
    super::require(op, Permission::Upload)?;
    let before = kit.config.upload.clone();
    let detail = serde_json::json!({
        "url": upload.url,
        "certificate_sha256": upload.certificate_sha256,
        "was": before.map(|b| serde_json::json!({"url": b.url, "certificate_sha256": b.certificate_sha256})),
    });
    kit.set_upload(Some(upload))?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::UploadConfigured,
        subject: None,
        detail,
    })?;
    tx.commit()?;
    Ok(())
}

/// The supervisor's "try again" on a refused or waiting batch.
pub fn retry_now(kit: &mut Kit, op: &Operator, batch_id: &str) -> Result<(), WorkflowError> {
    super::require(op, Permission::Upload)?;
    if let Some((_, rows)) = kit.store.batch(batch_id)?
        && rows.iter().any(|r| !kit.store.has_packet_data(&r.rid).unwrap_or(true))
    {
        return Err(WorkflowError::Refused(format!(
            "the central office acknowledged batch {batch_id} and the kit has deleted its people's images and \
             personal data: there is nothing to send again"
        )));
    }
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.reset_upload(batch_id, now)?;
    tx.commit()?;
    Ok(())
}

/// What the upload worker tells the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadEvent {
    /// Looking for the central office.
    Checking,
    /// The central office answered or did not.
    Reachable(bool),
    /// Bytes of a batch sent so far.
    Progress {
        /// The batch.
        batch_id: String,
        /// Sent.
        sent: u64,
        /// Its size.
        size: u64,
    },
    /// A batch ended (acknowledged, or what the supervisor is told).
    Finished(String, Result<Acknowledged, Notice>),
    /// A round ended; the list of uploads may have changed.
    Idle,
}

/// The background uploader: every [`CHECK_EVERY`] (and at once when asked) it looks for the
/// central office and sends what is due, on its own kit connection.
pub struct UploadWorker {
    events: Receiver<UploadEvent>,
    asks: Sender<()>,
    stop: Arc<AtomicBool>,
}

impl UploadWorker {
    /// Starts the worker; `wake` is called after each event.
    pub fn start(kit: &Kit, every: Duration, wake: impl Fn() + Send + 'static) -> Result<UploadWorker, WorkflowError> {
        let mut conn = kit.second_connection()?;
        let (events_tx, events) = channel();
        let (asks, asks_rx) = channel::<()>();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        std::thread::Builder::new()
            .name("upload".into())
            .spawn(move || {
                let send = |e: UploadEvent| {
                    let _ = events_tx.send(e);
                    wake();
                };
                let mut asked = true;
                while !stopping.load(Ordering::Relaxed) {
                    send(UploadEvent::Checking);
                    let reachable = intake(&conn, TIMEOUT).and_then(|i| i.health().map(|_| i));
                    send(UploadEvent::Reachable(reachable.is_ok()));
                    if let Ok(i) = reachable {
                        let mut progress =
                            |b: &str, sent, size| send(UploadEvent::Progress { batch_id: b.into(), sent, size });
                        if let Ok(done) = upload_due(&mut conn, &i, asked, &mut progress, &stopping) {
                            for (b, r) in done {
                                send(UploadEvent::Finished(b, r.map_err(|f| f.notice)));
                            }
                        }
                    }
                    send(UploadEvent::Idle);
                    asked = match asks_rx.recv_timeout(every) {
                        Ok(()) => true,
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => false,
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    };
                }
            })
            .map_err(|e| WorkflowError::Refused(format!("the upload worker could not start ({e})")))?;
        Ok(UploadWorker { events, asks, stop })
    }

    /// Look and send now (the supervisor's button).
    pub fn ask(&self) {
        let _ = self.asks.send(());
    }

    /// Events since the last call.
    pub fn events(&self) -> Vec<UploadEvent> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(e) => out.push(e),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }
}

impl Drop for UploadWorker {
    fn drop(&mut self) {
        // The thread notices between chunks or when its wait ends (the sender it waits on is gone).
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_upload_error_reads_back_as_english_and_as_its_notice() {
        let e = WorkflowError::Sync(SyncError::Refused {
            status: 403,
            message: "kit 00002 is revoked".into(),
            retry: false,
        });
        let stored = stored_error(&e);
        assert!(last_error_text(&stored).contains("kit 00002 is revoked"), "{stored}");
        let n = last_error_notice(&stored);
        assert_eq!(n.key, "upload-error-refused");
        assert_eq!(
            n.args,
            [("detail", NoticeArg::Text("kit 00002 is revoked".into())), ("status", NoticeArg::Number(403))]
        );
        // A row an older kit wrote holds the English alone; a key this kit does not know is not trusted.
        assert_eq!(last_error_text("the central office cannot be reached"), "the central office cannot be reached");
        assert_eq!(last_error_notice("the central office cannot be reached").key, "error-detail");
        let forged = r#"{"en":"x","key":"some-other-key","args":{}}"#;
        assert_eq!(last_error_notice(forged).key, "error-detail");
        let odd_arg = r#"{"en":"x","key":"upload-error-refused","args":{"secret":"y"}}"#;
        assert_eq!(last_error_notice(odd_arg), Notice::detail(&"x"));
    }
}
