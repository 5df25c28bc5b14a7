//! A supervisor's decisions on sealed packets: approve or reject.

use super::{Operator, WorkflowError, require};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::domain::status::PacketStatus;
use crate::kit::Kit;
use crate::store::NewAuditEntry;
use serde_json::json;

/// Approves a pending packet.
pub fn approve(kit: &mut Kit, op: &Operator, rid: &str) -> Result<(), WorkflowError> {
    decide(kit, op, rid, PacketStatus::Approved, None)
}

/// Rejects a pending packet with a reason.
pub fn reject(kit: &mut Kit, op: &Operator, rid: &str, reason: &str) -> Result<(), WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::Refused("a rejection needs a reason".into()));
    }
    decide(kit, op, rid, PacketStatus::Rejected, Some(reason))
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
    tx.commit()?;
    Ok(())
}
