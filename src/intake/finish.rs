//! Finishing uploads: worker threads on every node take whole uploads from the shared queue (a
//! lease in the database, so a node that dies mid-finish hands its work on), verify the batch
//! with the same code as `enroll-kit verify` while streaming its packets into one transaction,
//! and record the signed receipt the kit polls for. A request never waits for a finish.

use super::IntakeError;
use super::routes::Intake;
use super::store::{Refusal, Upload, hold_audit, record_receipt, store_packet};
use crate::batch::BatchError;
use crate::batch::registry::{KitRegistry, RegisteredKit};
use crate::batch::verify::verify_batch_each;
use crate::packet::PublicKey;
use crate::sync::{RECEIPT_FORMAT, RECEIPT_VERSION, Receipt, SignedReceipt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

/// How often an idle worker looks for work left by a dead node and lets abandoned uploads go.
const SWEEP: Duration = Duration::from_secs(5);

/// The node's finishing workers.
#[derive(Default)]
pub(super) struct Workers {
    work: Mutex<bool>,
    woken: Condvar,
    stop: AtomicBool,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Workers {
    /// Tells a worker there is work.
    pub(super) fn wake(&self) {
        *self.work.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = true;
        self.woken.notify_one();
    }

    /// Starts `n` workers on `intake` (held weakly, so that stopping the server frees it).
    pub(super) fn start(self: &Arc<Self>, intake: &Arc<Intake>, n: usize) -> std::io::Result<()> {
        let mut threads = self.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for i in 0..n.max(1) {
            let (workers, intake) = (self.clone(), Arc::downgrade(intake));
            threads.push(std::thread::Builder::new().name(format!("finish-{i}")).spawn(move || workers.run(intake))?);
        }
        Ok(())
    }

    /// Stops the workers once their batch in hand is done.
    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.woken.notify_all();
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for t in threads {
            let _ = t.join();
        }
    }

    fn run(&self, intake: Weak<Intake>) {
        while !self.stop.load(Ordering::SeqCst) {
            let Some(node) = intake.upgrade() else { return };
            let worked = match node.db.claim_finish(super::now(), node.config.limits.finish_lease_secs) {
                Ok(Some(upload)) => {
                    finish_one(&node, upload);
                    true
                }
                Ok(None) => {
                    if let Err(e) = node.db.expire(super::now(), &node.config.limits) {
                        tracing::warn!("letting abandoned uploads go failed: {e}");
                    }
                    false
                }
                Err(e) => {
                    tracing::warn!("the finish queue cannot be read: {e}");
                    false
                }
            };
            drop(node);
            if !worked {
                let mut work = self.work.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if !*work && !self.stop.load(Ordering::SeqCst) {
                    work = self.woken.wait_timeout(work, SWEEP).unwrap_or_else(std::sync::PoisonError::into_inner).0;
                }
                *work = false;
            }
        }
    }
}

/// The one kit allowed to have sealed a batch: the kit that uploaded it.
struct Uploader(RegisteredKit);

impl KitRegistry for Uploader {
    fn lookup(&self, key: &PublicKey) -> Option<RegisteredKit> {
        (key == &self.0.public_key).then(|| self.0.clone())
    }

    fn unknown(&self, _key: &PublicKey, centre: &str, kit: &str) -> String {
        format!(
            "the batch is signed as kit {centre}/{kit}, not by the kit that uploaded it: a kit uploads its own batches only"
        )
    }
}

fn finish_one(intake: &Intake, upload: Upload) {
    let (batch, sha256) = (upload.batch_id.clone(), upload.sha256.clone());
    match take_batch(intake, &upload) {
        Ok(packets) => {
            let waited = (super::now() - upload.queued_at).max(0);
            intake.metrics.batch_stored(packets, waited as f64);
            tracing::info!(batch, packets, "batch stored");
        }
        Err(IntakeError::Refused { kind: Refusal::Conflict, message, .. }) => {
            // The bytes do not add up to the file announced: let them go; the kit sends it again.
            intake.metrics.batch_refused("damaged");
            tracing::warn!(batch, "{message}");
            if let Err(e) = intake.db.drop_upload(&batch, &sha256) {
                tracing::error!(batch, "{e}");
            }
        }
        Err(e @ (IntakeError::Refused { .. } | IntakeError::AuditHistory(_))) => {
            let reason = match &e {
                IntakeError::AuditHistory(_) => "audit_history",
                _ => "invalid",
            };
            intake.metrics.batch_refused(reason);
            let said = match e {
                IntakeError::Refused { message, .. } => message,
                other => other.to_string(),
            };
            tracing::warn!(batch, "refused: {said}");
            if let Err(e) = intake.db.refuse_upload(&batch, &sha256, &said, super::now()) {
                tracing::error!(batch, "{e}");
            }
        }
        Err(e) => {
            // The database failed us: give the batch back to the queue, for this node or another.
            tracing::error!(batch, "finishing failed, queued again: {e}");
            if let Err(e) = intake.db.unclaim(&batch) {
                tracing::error!(batch, "{e}");
            }
            std::thread::sleep(SWEEP);
        }
    }
}

fn refused(message: impl Into<String>) -> IntakeError {
    IntakeError::Refused { kind: Refusal::Unprocessable, message: message.into(), retry: false }
}

/// Checks the whole file, verifies the batch, stores its packets and its kit's audit log and
/// records the receipt — one transaction, streamed from the database. Returns the packets.
fn take_batch(intake: &Intake, upload: &Upload) -> Result<usize, IntakeError> {
    let key = PublicKey::from_text(&upload.kit_key).map_err(|e| IntakeError::Store(e.to_string()))?;
    let kit =
        intake.db.kit(&key)?.ok_or_else(|| refused("the kit that uploaded this batch is no longer registered"))?;
    let sha256 = intake
        .db
        .with_upload_bytes(upload, |reader, _| {
            crate::packet::sha256_of_reader(&mut &mut *reader).map_err(|e| IntakeError::Store(e.to_string()))
        })?
        .1;
    if sha256 != upload.sha256 {
        return Err(IntakeError::Refused {
            kind: Refusal::Conflict,
            message: "the file arrived damaged (its SHA-256 differs): send it again".into(),
            retry: true,
        });
    }
    let registry = Uploader(kit);
    let label = std::path::PathBuf::from(&upload.batch_id);
    let received_at = crate::packet::utc_text(chrono::Utc::now());
    intake.db.with_upload_bytes(upload, |reader, tx| {
        let mut verdicts = Vec::new();
        let verified =
            verify_batch_each(reader, &label, &intake.config.identities, Some(&registry), &mut |rid, data| {
                let mut tx = tx.try_borrow_mut().map_err(|e| BatchError::Handoff(Box::new(e)))?;
                let verdict = store_packet(&mut **tx, rid, &data, &upload.kit_key, &upload.batch_id, &received_at)
                    .map_err(|e| BatchError::Handoff(Box::new(e)))?;
                verdicts.push(verdict);
                Ok(())
            });
        let verified = match verified {
            Ok(v) => v,
            Err(BatchError::Handoff(e)) => return Err(IntakeError::Store(e.to_string())),
            Err(BatchError::Decrypt { .. }) if intake.config.training => {
                return Err(refused(
                    "the pilot key cannot open it: a production batch is never taken by a training intake; send it \
                     to the central office's production intake",
                ));
            }
            Err(BatchError::Decrypt { .. }) => {
                return Err(refused(
                    "the central office's key cannot open it: a training batch (sealed to the pilot key) is never \
                     taken by a production intake; otherwise the kit's kit.toml has the wrong recipients",
                ));
            }
            Err(other) => return Err(refused(other.to_string())),
        };
        if verified.manifest.training != intake.config.training {
            return Err(refused(if intake.config.training {
                "a production batch: a training intake never takes real people's data"
            } else {
                "a training batch: a production intake never takes training data"
            }));
        }
        if verified.manifest.batch_id != upload.batch_id {
            return Err(refused(format!(
                "the batch inside is {}, uploaded as {}: send each batch under its own id",
                verified.manifest.batch_id, upload.batch_id
            )));
        }
        let mut tx = tx.try_borrow_mut().map_err(|e| IntakeError::Store(e.to_string()))?;
        hold_audit(&mut **tx, &upload.kit_key, &verified.audit)?;
        let receipt = Receipt {
            format: RECEIPT_FORMAT.into(),
            version: RECEIPT_VERSION,
            batch_id: upload.batch_id.clone(),
            batch_sha256: upload.sha256.clone(),
            kit_public_key: upload.kit_key.clone(),
            received_at: received_at.clone(),
            packets: std::mem::take(&mut verdicts),
        };
        let count = receipt.packets.len();
        let signature = hex::encode(intake.config.signing_key.sign(&SignedReceipt::signed_bytes(&receipt)));
        let text = serde_json::to_string(&SignedReceipt { receipt, signature })
            .map_err(|e| IntakeError::Store(e.to_string()))?;
        record_receipt(&mut **tx, upload, &text, &received_at, super::now())?;
        Ok(count)
    })
}
