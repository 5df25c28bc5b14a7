//! Logging in with a PIN, lockout after wrong PINs, and role checks.

use super::WorkflowError;
use crate::domain::account::{Locked, Lockout, MAX_FAILED_PINS, Permission, Pin, Role};
use crate::domain::audit::AuditAction;
use crate::domain::notice::Notice;
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
    /// Logged in on a training (pilot) kit: what a role may do depends on it.
    pub training: bool,
}

impl Operator {
    /// Whether this operator may do `action` on the kit they logged in to.
    pub fn may(&self, action: Permission) -> bool {
        self.role.allows(action, self.training)
    }
}

/// Why a PIN was not accepted.
#[derive(Debug, Error)]
pub enum LoginError {
    /// No account has this login name.
    #[error("there is no account {0:?} on this kit: check the login name, or ask the supervisor")]
    UnknownAccount(String),
    /// The PIN is wrong.
    #[error("wrong PIN: {attempts_left} more wrong PIN(s) lock the account {}", match .next_lockout_minutes {
        Some(m) => format!("for {m} minutes"),
        None => "until a supervisor unlocks it".to_string(),
    })]
    WrongPin {
        /// Wrong PINs left before the lockout.
        attempts_left: u32,
        /// How long that lockout will last; `None`: until a supervisor unlocks the account.
        next_lockout_minutes: Option<i64>,
    },
    /// Too many wrong PINs.
    #[error("too many wrong PINs: the account is locked for {} more minute(s) and {} second(s)", .remaining.num_minutes(), .remaining.num_seconds() % 60)]
    LockedOut {
        /// Time left.
        remaining: Duration,
    },
    /// Locked after lockouts in a row: only a supervisor can unlock it now.
    #[error("too many wrong PINs, again: the account {0} is locked until a supervisor unlocks it")]
    LockedForSupervisor(String),
    /// A supervisor locked the account.
    #[error("the account {0} is locked by a supervisor: ask the supervisor to unlock it")]
    Disabled(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LoginError {
    /// What the person at the kit is told, in the language on screen.
    pub fn notice(&self) -> Notice {
        match self {
            LoginError::WrongPin { attempts_left, next_lockout_minutes: Some(minutes) } => {
                Notice::new("login-wrong-pin").number("left", *attempts_left).number("minutes", *minutes)
            }
            LoginError::WrongPin { attempts_left, next_lockout_minutes: None } => {
                Notice::new("login-wrong-pin-last").number("left", *attempts_left)
            }
            LoginError::LockedForSupervisor(_) => Notice::new("login-locked-supervisor"),
            LoginError::LockedOut { remaining } => Notice::new("login-locked")
                .number("minutes", remaining.num_minutes())
                .number("seconds", remaining.num_seconds() % 60),
            LoginError::UnknownAccount(_) => Notice::new("login-unknown"),
            LoginError::Disabled(_) => Notice::new("login-disabled"),
            LoginError::Store(e) => Notice::new("login-failed").text("detail", e.to_string()),
        }
    }
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
    tx.audit(NewAuditEntry {
        at: now,
        actor: Some(&account.username),
        action: AuditAction::LoginOk,
        subject: None,
        detail: json!({}),
    })?;
    tx.commit()?;
    Ok(operator_of(account, kit.config.training))
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

fn operator_of(account: Account, training: bool) -> Operator {
    Operator {
        training,
        account_id: account.id,
        username: account.username,
        display_name: account.display_name,
        role: account.role,
        language: account.language,
    }
}

/// Checks `pin` for `account`: the one PIN check for logging in and for signing off.
///
/// The attempt is counted as a wrong PIN *before* the PIN is checked, in one transaction that
/// re-reads the account, so that PINs tried at once (30 processes, or threads) each see the
/// count the one before left and the fifth locks the account for all; a right PIN then clears
/// it. Counts survive restarts; lockouts escalate (5 min, 30 min, then a supervisor). Audited.
pub(crate) fn check_pin(kit: &mut Kit, account: &Account, pin: &Pin) -> Result<(), LoginError> {
    let now = kit.now();
    let tx = kit.store.begin()?;
    let fresh = tx.account_by_id(account.id)?.ok_or_else(|| LoginError::UnknownAccount(account.username.clone()))?;
    if fresh.disabled {
        return Err(LoginError::Disabled(fresh.username));
    }
    match fresh.lockout.locked(now) {
        Locked::No => {}
        Locked::For(remaining) => return Err(LoginError::LockedOut { remaining }),
        Locked::UntilSupervisor => return Err(LoginError::LockedForSupervisor(fresh.username)),
    }
    let (counted, locks) = fresh.lockout.after_failure(now);
    tx.set_lockout(fresh.id, &counted)?;
    tx.commit()?;

    if pin::verify_pin(pin, &fresh.pin_hash) {
        let tx = kit.store.begin()?;
        tx.set_lockout(fresh.id, &Lockout::default())?;
        tx.commit()?;
        return Ok(());
    }
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: None,
        action: AuditAction::LoginFailed,
        subject: Some(fresh.username.clone()),
        detail: json!({"reason": "wrong_pin"}),
    })?;
    if locks {
        tx.audit(NewAuditEntry {
            at: now,
            actor: None,
            action: AuditAction::Lockout,
            subject: Some(fresh.username.clone()),
            detail: json!({
                "until": counted.locked_until.map(crate::packet::utc_text),
                "lockouts": counted.lockouts,
                "until_supervisor": counted.locked_until.is_none(),
            }),
        })?;
    }
    tx.commit()?;
    match counted.locked(now) {
        Locked::For(remaining) if locks => Err(LoginError::LockedOut { remaining }),
        Locked::UntilSupervisor => Err(LoginError::LockedForSupervisor(fresh.username)),
        _ => Err(LoginError::WrongPin {
            attempts_left: MAX_FAILED_PINS - counted.failed_attempts,
            next_lockout_minutes: counted.next_lockout_minutes(),
        }),
    }
}

/// Refuses unless the operator's role allows `action`.
pub fn require(op: &Operator, action: Permission) -> Result<(), WorkflowError> {
    if op.may(action) {
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
