//! Retention: what the kit deletes once the central office has a person's record, and the
//! receipts file that tells an offline kit so.

use super::{Operator, WorkflowError, require};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::kit::Kit;
use crate::store::NewAuditEntry;
use crate::sync::SignedReceipt;
use crate::sync::receipts::ReceiptsFile;
use serde_json::json;
use std::path::Path;

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Packets whose images and personal data were deleted.
    pub packets: Vec<String>,
    /// Packets whose templates were deleted too (the retention period in kit.toml is over).
    pub templates_expired: usize,
}

/// Deletes the images and personal data of every acknowledged packet, and the templates of
/// those purged longer ago than kit.toml's `template_retention_days`; audited in the same
/// transaction.
pub fn purge_acknowledged(kit: &mut Kit) -> Result<Purged, WorkflowError> {
    let now = kit.now();
    let days = i64::from(kit.config.template_retention_days);
    let tx = kit.store.begin()?;
    let packets = tx.purge_acknowledged(now)?;
    let templates_expired = tx.expire_templates(now - chrono::Duration::days(days))?;
    if !packets.is_empty() || templates_expired > 0 {
        tx.audit(NewAuditEntry {
            at: now,
            actor: None,
            action: AuditAction::PacketsPurged,
            subject: None,
            detail: json!({
                "purged": packets.len(), "rids": packets, "templates_expired": templates_expired,
                "template_retention_days": days,
            }),
        })?;
    }
    tx.commit()?;
    Ok(Purged { packets, templates_expired })
}

/// What importing a receipts file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Batches newly acknowledged.
    pub acknowledged: Vec<String>,
    /// Receipts for batches already acknowledged.
    pub already: usize,
    /// Receipts for other kits, or for batches this kit never exported.
    pub not_ours: usize,
    /// Receipts refused, with why.
    pub refused: Vec<(String, String)>,
    /// What the purge that followed removed.
    pub purged: Purged,
}

/// Imports a receipts file the central office wrote (a supervisor, `Permission::Upload`): each
/// receipt for a batch this kit exported is checked as an upload's receipt is (the office's
/// key in kit.toml, the batch id, the file's SHA-256 — the original's or a copy's — the kit, the
/// packets), recorded, and the acknowledged packets purged.
pub fn import_receipts(kit: &mut Kit, op: &Operator, path: &Path) -> Result<Imported, WorkflowError> {
    require(op, Permission::Upload)?;
    let file = ReceiptsFile::read(path).map_err(WorkflowError::Refused)?;
    let me = kit.public_key();
    let mut report = Imported::default();
    let uploads = kit.store.upload_rows()?;
    let log = kit.store.audit_entries(None)?;
    for signed in file.receipts {
        let r = &signed.receipt;
        if crate::packet::PublicKey::from_text(&r.kit_public_key).ok() != Some(me) {
            report.not_ours += 1;
            continue;
        }
        let Some((record, rows)) = kit.store.batch(&r.batch_id)? else {
            report.not_ours += 1;
            continue;
        };
        if uploads.iter().any(|u| {
            u.upload.batch_id == record.id && u.upload.state == crate::domain::status::UploadStatus::Acknowledged
        }) {
            report.already += 1;
            continue;
        }
        let office = if record.training {
            crate::packet::PublicKey::from_text(crate::assets::PILOT_HQ_VERIFY_KEY).ok()
        } else {
            kit.config.hq_verify_key()
        }
        .ok_or_else(|| WorkflowError::Refused("kit.toml has no valid hq_verify_key".into()))?;
        let rids: Vec<String> = rows.iter().map(|r| r.rid.clone()).collect();
        let file_hashes = batch_file_hashes(&log, &record);
        let checked = file_hashes
            .iter()
            .map(|sha| signed.check(&office, &record.id, sha, &me, &rids))
            .find(Result::is_ok)
            .unwrap_or_else(|| signed.check(&office, &record.id, &record.sha256, &me, &rids));
        if let Err(e) = checked {
            report.refused.push((record.id.clone(), e.to_string()));
            continue;
        }
        record_offline_receipt(kit, op, &signed)?;
        report.acknowledged.push(record.id);
    }
    report.purged = purge_acknowledged(kit)?;
    Ok(report)
}

/// The SHA-256 of every file this batch was written as: the export, and each copy (the copies'
/// hashes are in their audit entries).
fn batch_file_hashes(log: &[crate::store::AuditEntry], record: &crate::store::BatchRecord) -> Vec<String> {
    let mut hashes = vec![record.sha256.clone()];
    for e in log {
        if e.action == AuditAction::BatchCopied.as_str() && e.subject.as_deref() == Some(record.id.as_str()) {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            if let Some(sha) = detail["sha256"].as_str() {
                hashes.push(sha.to_string());
            }
        }
    }
    hashes
}

fn record_offline_receipt(kit: &mut Kit, op: &Operator, signed: &SignedReceipt) -> Result<(), WorkflowError> {
    let now = kit.now();
    let text = serde_json::to_string(signed).map_err(|e| WorkflowError::Refused(e.to_string()))?;
    let accepted = signed.receipt.packets.iter().filter(|p| p.accepted).count();
    let tx = kit.store.begin()?;
    tx.record_receipt(&signed.receipt.batch_id, &text, &signed.receipt.packets, now)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::BatchAcknowledged,
        subject: Some(signed.receipt.batch_id.clone()),
        detail: json!({
            "accepted": accepted, "rejected": signed.receipt.packets.len() - accepted, "via": "receipts file",
        }),
    })?;
    tx.commit()?;
    Ok(())
}
