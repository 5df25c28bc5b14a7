//! Changing what the central office fixed at init: only with a file it signed.

use super::{Operator, WorkflowError, require};
use crate::domain::account::Permission;
use crate::domain::audit::AuditAction;
use crate::kit::Kit;
use crate::kit::hq_change::SignedHqChange;
use crate::store::NewAuditEntry;
use serde_json::json;
use std::path::Path;

/// Applies the signed change in `path` (a supervisor): the central office's new recipients and
/// receipt key go into kit.toml and the kit's record of them; audited with both fingerprints.
pub fn apply_hq_change(kit: &mut Kit, op: &Operator, path: &Path) -> Result<(), WorkflowError> {
    require(op, Permission::ManageAccounts)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| WorkflowError::Refused(format!("cannot read {}: {e}", path.display())))?;
    let signed: SignedHqChange = serde_json::from_str(&text).map_err(|e| {
        WorkflowError::Refused(format!("{} is not a change the central office signed: {e}", path.display()))
    })?;
    let (before, after) = kit.apply_hq_change(&signed)?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::HqConfigChanged,
        subject: None,
        detail: json!({
            "was": before, "now": after, "recipients": signed.change.hq_recipients.len(),
            "issued_at": signed.change.issued_at,
        }),
    })?;
    tx.commit()?;
    Ok(())
}
