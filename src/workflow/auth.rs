//! Logging in with a PIN, lockout after wrong PINs, and role checks.

use super::WorkflowError;
use crate::domain::account::{Lockout, MAX_FAILED_PINS, Permission, Pin, Role};
use crate::domain::audit::AuditAction;
use crate::kit::{Kit, pin};
use crate::store::{Account, NewAuditEntry, StoreError};
use chrono::Duration;
use serde_json::json;
use thiserror::Error;

/// Someone who has proved who they are with their PIN. Only `login` makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operator {
    /// Account row id.
    pub account_id: i64,
    /// Login name.
    pub username: String,
    /// Name on screen.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Remembered screen language.
    pub language: String,
}

/// Why a PIN was not accepted.
#[derive(Debug, Error)]
pub enum LoginError {
    /// No account has this login name.
    #[error("there is no account {0:?} on this kit: check the login name, or ask the supervisor")]
    UnknownAccount(String),
    /// The PIN is wrong.
    #[error("wrong PIN: {attempts_left} more wrong PINs lock the account for 5 minutes")]
    WrongPin {
        /// Wrong PINs left before the lockout.
        attempts_left: u32,
    },
    /// Too many wrong PINs.
    #[error("too many wrong PINs: the account is locked for {} more minute(s) and {} second(s)", .remaining.num_minutes(), .remaining.num_seconds() % 60)]
    LockedOut {
        /// Time left.
        remaining: Duration,
    },
    /// A supervisor locked the account.
    #[error("the account {0} is locked by a supervisor: ask the supervisor to unlock it")]
    Disabled(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a login name and PIN, recording the attempt; returns the operator on success.
pub fn login(kit: &mut Kit, username: &str, pin: &Pin) -> Result<Operator, LoginError> {
    let username = username.trim();
    let now = kit.now();
    let Some(account) = kit.store.account(username)? else {
        let tx = kit.store.begin()?;
        tx.audit(NewAuditEntry {
            at: now,
            actor: None,
            action: AuditAction::LoginFailed,
            subject: Some(audit_name(username)),
            detail: json!({"reason": "unknown_account"}),
        })?;
        tx.commit()?;
        return Err(LoginError::UnknownAccount(username.to_string()));
    };
    check_pin(kit, &account, pin)?;
    let tx = kit.store.begin()?;
    if account.lockout != Lockout::default() {
        tx.set_lockout(account.id, &Lockout::default())?;
    }
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&account.username),
        action: AuditAction::LoginOk,
        subject: None,
        detail: json!({}),
    })?;
    tx.commit()?;
    Ok(operator_of(account))
}

/// An unknown login name as the audit log may record it: a name made only of digits is most
/// likely a PIN typed into the wrong box, and a PIN never enters the log.
fn audit_name(typed: &str) -> String {
    if !typed.is_empty() && typed.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
        "<digits withheld>".to_string()
    } else {
        typed.chars().take(32).collect()
    }
}

fn operator_of(account: Account) -> Operator {
    Operator {
        account_id: account.id,
        username: account.username,
        display_name: account.display_name,
        role: account.role,
        language: account.language,
    }
}

/// Checks `pin` for `account`: the one PIN check for logging in and for signing off.
///
/// A wrong PIN is counted and stored (so a restart does not reset it) and audited; the fifth
/// in a row locks the account for five minutes.
pub(crate) fn check_pin(kit: &mut Kit, account: &Account, pin: &Pin) -> Result<(), LoginError> {
    let now = kit.now();
    if account.disabled {
        return Err(LoginError::Disabled(account.username.clone()));
    }
    if let Some(remaining) = account.lockout.remaining(now) {
        return Err(LoginError::LockedOut { remaining });
    }
    if pin::verify_pin(pin, &account.pin_hash) {
        return Ok(());
    }
    let (lockout, locked) = account.lockout.after_failure(now);
    let tx = kit.store.begin()?;
    tx.set_lockout(account.id, &lockout)?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: None,
        action: AuditAction::LoginFailed,
        subject: Some(account.username.clone()),
        detail: json!({"reason": "wrong_pin"}),
    })?;
    if locked {
        tx.audit(NewAuditEntry {
            at: now,
            actor: None,
            action: AuditAction::Lockout,
            subject: Some(account.username.clone()),
            detail: json!({"until": lockout.locked_until.map(crate::packet::utc_text)}),
        })?;
    }
    tx.commit()?;
    match lockout.remaining(now) {
        Some(remaining) if locked => Err(LoginError::LockedOut { remaining }),
        _ => Err(LoginError::WrongPin { attempts_left: MAX_FAILED_PINS - lockout.failed_attempts }),
    }
}

/// Refuses unless the operator's role allows `action`.
pub fn require(op: &Operator, action: Permission) -> Result<(), WorkflowError> {
    if op.role.allows(action) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden { username: op.username.clone(), role: op.role, action: action.describe() })
    }
}

/// Re-reads the operator's account and checks `pin` against it (sign-off at the end of an enrollment).
pub(crate) fn confirm_pin(kit: &mut Kit, op: &Operator, pin: &Pin) -> Result<(), LoginError> {
    let account =
        kit.store.account_by_id(op.account_id)?.ok_or_else(|| LoginError::UnknownAccount(op.username.clone()))?;
    check_pin(kit, &account, pin)
}
