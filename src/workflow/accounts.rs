//! Account management by a supervisor: add, lock, unlock, reset PIN.

use super::{Operator, WorkflowError, require};
use crate::domain::account::{Permission, Pin, Role, check_username};
use crate::domain::audit::AuditAction;
use crate::kit::{Kit, pin};
use crate::store::{Account, NewAccount, NewAuditEntry};
use serde_json::json;

/// Adds an account.
pub fn add_account(
    kit: &mut Kit,
    op: &Operator,
    username: &str,
    display_name: &str,
    role: Role,
    new_pin: &str,
) -> Result<(), WorkflowError> {
    require(op, Permission::ManageAccounts)?;
    check_username(username).map_err(|e| WorkflowError::Refused(format!("login name {username:?}: {e}")))?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 80 {
        return Err(WorkflowError::Refused("the name on screen must be 1 to 80 characters".into()));
    }
    let pin = Pin::new_checked(new_pin).map_err(|e| WorkflowError::Refused(format!("PIN for {username}: {e}")))?;
    let hash = pin::hash_pin(&pin).map_err(WorkflowError::Refused)?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.insert_account(&NewAccount { username, display_name, role, pin_hash: &hash, at: now })?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::AccountAdded,
        subject: Some(username.into()),
        detail: json!({"role": role.as_str()}),
    })?;
    tx.commit()?;
    Ok(())
}

/// Finds an account a supervisor may change: not their own, not another supervisor's.
fn managed_account(kit: &Kit, op: &Operator, username: &str) -> Result<Account, WorkflowError> {
    require(op, Permission::ManageAccounts)?;
    let account = kit
        .store
        .account(username)?
        .ok_or_else(|| WorkflowError::Refused(format!("there is no account {username:?} on this kit")))?;
    if account.id == op.account_id {
        return Err(WorkflowError::Refused("a supervisor cannot lock, unlock or reset their own account".into()));
    }
    if account.role == Role::Supervisor {
        return Err(WorkflowError::Refused(format!(
            "{username} is a supervisor: only assistants' and trainers' accounts are managed here"
        )));
    }
    Ok(account)
}

/// Locks an account until a supervisor unlocks it.
pub fn lock_account(kit: &mut Kit, op: &Operator, username: &str) -> Result<(), WorkflowError> {
    set_disabled(kit, op, username, true)
}

/// Unlocks an account, clearing any wrong-PIN lockout too.
pub fn unlock_account(kit: &mut Kit, op: &Operator, username: &str) -> Result<(), WorkflowError> {
    set_disabled(kit, op, username, false)
}

fn set_disabled(kit: &mut Kit, op: &Operator, username: &str, disabled: bool) -> Result<(), WorkflowError> {
    let account = managed_account(kit, op, username)?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.set_disabled(account.id, disabled)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: if disabled { AuditAction::AccountLocked } else { AuditAction::AccountUnlocked },
        subject: Some(account.username.clone()),
        detail: json!({}),
    })?;
    tx.commit()?;
    Ok(())
}

/// Sets a new PIN for an account and clears its lockout.
pub fn reset_pin(kit: &mut Kit, op: &Operator, username: &str, new_pin: &str) -> Result<(), WorkflowError> {
    let account = managed_account(kit, op, username)?;
    let pin = Pin::new_checked(new_pin).map_err(|e| WorkflowError::Refused(format!("new PIN for {username}: {e}")))?;
    let hash = pin::hash_pin(&pin).map_err(WorkflowError::Refused)?;
    let now = kit.now();
    let tx = kit.store.begin()?;
    tx.set_pin_hash(account.id, &hash)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&op.username),
        action: AuditAction::PinReset,
        subject: Some(account.username.clone()),
        detail: json!({}),
    })?;
    tx.commit()?;
    Ok(())
}

/// Every account, for the supervisor's list.
pub fn list_accounts(kit: &Kit, op: &Operator) -> Result<Vec<Account>, WorkflowError> {
    require(op, Permission::ManageAccounts)?;
    Ok(kit.store.accounts()?)
}

/// Remembers the operator's screen language.
pub fn set_language(kit: &mut Kit, op: &mut Operator, language: &str) -> Result<(), WorkflowError> {
    if !matches!(language, "en" | "sw") {
        return Err(WorkflowError::Refused(format!("language {language:?} is not offered: choose en or sw")));
    }
    let tx = kit.store.begin()?;
    tx.set_language(op.account_id, language)?;
    tx.commit()?;
    op.language = language.to_string();
    Ok(())
}
