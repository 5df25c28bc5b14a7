//! A supervisor's decisions on sealed packets: approve or reject.

use super::{Operator, WorkflowError, require};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::status::{PacketStatus, RejectReason};
use crate::kit::Kit;
use crate::packet::open_packet;
use crate::store::NewAuditEntry;
use crate::store::PacketRow;
use serde_json::json;

/// Approves a pending packet.
pub fn approve(kit: &mut Kit, op: &Operator, rid: &str) -> Result<(), WorkflowError> {
    decide(kit, op, rid, PacketStatus::Approved, None)
}

/// Rejects a pending packet with a reason from the list and a note (required for `Other`).
pub fn reject(kit: &mut Kit, op: &Operator, rid: &str, reason: RejectReason, note: &str) -> Result<(), WorkflowError> {
    let note = note.trim();
    if reason == RejectReason::Other && note.is_empty() {
        return Err(WorkflowError::Refused("a rejection for another reason needs a note saying what".into()));
    }
    let text = if note.is_empty() { reason.as_str().to_string() } else { format!("{}: {note}", reason.as_str()) };
    decide(kit, op, rid, PacketStatus::Rejected, Some(&text))
}

/// What a supervisor looks at in a packet before deciding: forced prints, exceptions, qualities.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PacketFlags {
    /// Prints force-captured below the threshold.
    pub forced: usize,
    /// Fingers recorded as exceptions.
    pub exceptions: usize,
    /// Each captured print's quality, in finger order.
    pub qualities: Vec<u8>,
    /// RIDs the kit's duplicate search matched.
    pub duplicates: Vec<String>,
}

impl PacketFlags {
    /// The flags of a verified packet.
    pub fn of(json: &crate::packet::manifest::PacketJson) -> Self {
        let captures: Vec<_> = json.fingers.iter().filter_map(|f| f.capture.as_ref()).collect();
        PacketFlags {
            forced: captures.iter().filter(|c| c.force_captured).count(),
            exceptions: json.exception_count(),
            qualities: captures.iter().map(|c| c.quality).collect(),
            duplicates: json.possible_duplicates.iter().map(|d| d.rid.clone()).collect(),
        }
    }

    /// The lowest print quality.
    pub fn min_quality(&self) -> Option<u8> {
        self.qualities.iter().copied().min()
    }
}

/// A pending packet as the review queue shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    /// The stored row.
    pub row: PacketRow,
    /// Who captured it.
    pub assistant: String,
    /// How many prints were forced below the threshold.
    pub forced: usize,
    /// How many fingers are exceptions.
    pub exceptions: usize,
    /// The lowest print quality.
    pub min_quality: Option<u8>,
    /// RIDs the kit's duplicate search matched.
    pub duplicates: Vec<String>,
}

impl QueueItem {
    /// No forced print, no exception, no possible duplicate: approvable with the others in one go.
    pub fn is_clean(&self) -> bool {
        self.forced == 0 && self.exceptions == 0 && self.duplicates.is_empty()
    }
}

/// The packets waiting for review, oldest first, with their flags (read from each verified packet).
pub fn queue(kit: &Kit, op: &Operator) -> Result<Vec<QueueItem>, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let key = kit.public_key();
    let mut items = Vec::new();
    for row in kit.store.packet_rows(Some(PacketStatus::PendingReview))? {
        let Some(stored) = kit.store.packet(&row.rid)? else { continue };
        let json = open_packet(&stored.data, Some(&key))?.json;
        let flags = PacketFlags::of(&json);
        items.push(QueueItem {
            forced: flags.forced,
            exceptions: flags.exceptions,
            min_quality: flags.min_quality(),
            duplicates: flags.duplicates,
            assistant: json.assistant,
            row,
        });
    }
    Ok(items)
}

/// Everything in one packet a supervisor needs to see: its details and its images' bytes.
#[derive(Debug, Clone)]
pub struct PacketDetail {
    /// The stored row.
    pub row: PacketRow,
    /// packet.json.
    pub json: crate::packet::manifest::PacketJson,
    /// The face photo (JPEG).
    pub face_jpeg: Vec<u8>,
    /// Each captured print (PNG), in finger order.
    pub prints: Vec<(crate::domain::biometrics::FingerPosition, Vec<u8>)>,
    /// The exception photo (JPEG), when a finger is an exception.
    pub exception_photo: Option<Vec<u8>>,
}

/// One packet, verified, with its images, for a supervisor to look at.
pub fn packet_detail(kit: &Kit, op: &Operator, rid: &str) -> Result<PacketDetail, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let stored = kit
        .store
        .packet(rid)?
        .ok_or_else(|| WorkflowError::Refused(format!("there is no packet {rid} on this kit")))?;
    let opened = open_packet(&stored.data, Some(&kit.public_key()))?;
    let file = |name: &str| opened.file(name).map(<[u8]>::to_vec);
    let prints = opened
        .json
        .fingers
        .iter()
        .filter_map(|f| f.capture.as_ref().and_then(|c| file(&c.image.file.name)).map(|png| (f.position, png)))
        .collect();
    Ok(PacketDetail {
        face_jpeg: file(&opened.json.face.image.file.name).unwrap_or_default(),
        exception_photo: opened.json.exception_photo.as_ref().and_then(|e| file(&e.file.name)),
        prints,
        json: opened.json.clone(),
        row: stored.row,
    })
}

/// Approves every pending packet the operator did not capture — only the clean ones with
/// `clean_only` (the one-confirmation action); returns their RIDs.
pub fn approve_all(kit: &mut Kit, op: &Operator, clean_only: bool) -> Result<Vec<String>, WorkflowError> {
    let chosen: Vec<String> = queue(kit, op)?
        .into_iter()
        .filter(|i| (i.is_clean() || !clean_only) && i.row.account_id != op.account_id)
        .map(|i| i.row.rid)
        .collect();
    for rid in &chosen {
        approve(kit, op, rid)?;
    }
    Ok(chosen)
}

fn decide(
    kit: &mut Kit,
    op: &Operator,
    rid: &str,
    next: PacketStatus,
    note: Option<&str>,
) -> Result<(), WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let row = kit
        .store
        .packet_row(rid)?
        .ok_or_else(|| WorkflowError::Refused(format!("there is no packet {rid} on this kit")))?;
    if row.account_id == op.account_id {
        return Err(WorkflowError::Refused(format!(
            "{} captured packet {rid}: nobody reviews their own work",
            op.username
        )));
    }
    let now = kit.now();
    let tx = kit.store.begin()?;
    let before = tx.set_packet_status(rid, next, note)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::PacketStatusChanged,
        subject: Some(rid.into()),
        detail: json!({"from": before.as_str(), "to": next.as_str(), "note": note}),
    })?;
    crate::crashpoint::reached("review-before-commit");
    tx.commit()?;
    Ok(())
}
