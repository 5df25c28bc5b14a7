//! Who may unlock a passphrase kit: each supervisor sets their own day passphrase.

use super::{Operator, WorkflowError, require};
use crate::domain::account::{Permission, Role};
use crate::domain::audit::AuditAction;
use crate::kit::{KdfCost, Kit, Passphrase};
use crate::store::NewAuditEntry;
use serde_json::json;

/// Sets `op`'s own passphrase slot (a supervisor, on an unlocked kit): from then on their
/// passphrase unlocks the kit too, or instead of their old one. Audited; the passphrase never is.
pub fn set_own_passphrase(
    kit: &mut Kit,
    op: &Operator,
    passphrase: &Passphrase,
    cost: KdfCost,
) -> Result<(), WorkflowError> {
    require(op, Permission::ManageAccounts)?;
    if op.role != Role::Supervisor {
        return Err(WorkflowError::Refused("only a supervisor unlocks the kit".into()));
    }
    kit.set_passphrase_slot(&op.username, passphrase, cost)?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::PassphraseSet,
        subject: Some(op.username.clone()),
        detail: json!({ "argon2id_m_kib": cost.m_kib, "argon2id_t": cost.t }),
    })?;
    tx.commit()?;
    Ok(())
}
