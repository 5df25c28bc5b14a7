//! Roles, what each may do, PIN rules and the lockout policy.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// Who an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Registration assistant: enrolls people.
    Assistant,
    /// Supervisor: manages assistants, reviews, exports.
    Supervisor,
    /// Trainer: runs pilot mode.
    Trainer,
}

impl Role {
    /// The role's name as stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Assistant => "assistant",
            Role::Supervisor => "supervisor",
            Role::Trainer => "trainer",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "assistant" => Some(Role::Assistant),
            "supervisor" => Some(Role::Supervisor),
            "trainer" => Some(Role::Trainer),
            _ => None,
        }
    }

    /// Whether this role may do `action` on a training kit (`training`) or a production one. A
    /// trainer works in pilot mode only: on a production kit the role may do nothing at all.
    pub fn allows(self, action: Permission, training: bool) -> bool {
        use Permission::*;
        match self {
            Role::Assistant => matches!(action, Enroll),
            Role::Supervisor => {
                matches!(action, Enroll | ReviewPackets | ExportBatch | ManageAccounts | ReadAllPackets | Upload)
            }
            Role::Trainer => training && matches!(action, Enroll | RunPilot | ReviewPackets),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something an account may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Capture and save enrollments.
    Enroll,
    /// Approve or reject packets.
    ReviewPackets,
    /// Close the day into a batch.
    ExportBatch,
    /// Add, lock, unlock accounts and reset PINs.
    ManageAccounts,
    /// Read packets of any day and any assistant.
    ReadAllPackets,
    /// Upload batches to the central office.
    Upload,
    /// Run pilot-mode scenarios and reset training data.
    RunPilot,
}

impl Permission {
    /// A short description used in "not allowed" messages.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Enroll => "enroll people",
            Permission::ReviewPackets => "approve or reject packets",
            Permission::ExportBatch => "export batches",
            Permission::ManageAccounts => "change accounts",
            Permission::ReadAllPackets => "read other days' packets",
            Permission::Upload => "upload batches",
            Permission::RunPilot => "run pilot mode",
        }
    }
}

/// The shortest PIN accepted.
pub const MIN_PIN_DIGITS: usize = 6;
/// The longest PIN accepted (long enough for a passphrase-like number, short enough to type).
pub const MAX_PIN_DIGITS: usize = 12;
/// Wrong PINs in a row that lock an account.
pub const MAX_FAILED_PINS: u32 = 5;
/// How long each lockout in a row lasts (minutes); the one after the last is lifted only by a
/// supervisor. So a PIN guesser gets 15 tries, however the clock is set, before a person must act.
pub const LOCKOUT_MINUTES: [i64; 2] = [5, 30];

/// Why a PIN was refused as a new PIN.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PinError {
    /// Not only digits.
    #[error("a PIN is digits only")]
    NotDigits,
    /// Too short or too long.
    #[error("a PIN has {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits, this one has {0}")]
    Length(usize),
    /// All the same digit or a straight run, which anyone watching guesses.
    #[error("a PIN may not be one digit repeated or a straight run like 123456")]
    Trivial,
}

/// A PIN as typed. Never printed: its Debug shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// Wraps a typed PIN without judging it (for logging in: the hash decides).
    pub fn new(text: &str) -> Self {
        Self(text.trim().to_string())
    }

    /// Checks a PIN chosen for an account.
    pub fn new_checked(text: &str) -> Result<Self, PinError> {
        let pin = Self::new(text);
        let digits: Vec<u8> = pin.0.bytes().collect();
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(PinError::NotDigits);
        }
        if !(MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&digits.len()) {
            return Err(PinError::Length(digits.len()));
        }
        let steps: Vec<i16> = digits.windows(2).map(|w| w[1] as i16 - w[0] as i16).collect();
        if steps.iter().all(|&s| s == 0) || steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1) {
            return Err(PinError::Trivial);
        }
        Ok(pin)
    }

    /// The PIN's digits, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

/// The lockout state stored with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    /// Wrong PINs since the last good one or the last lockout.
    pub failed_attempts: u32,
    /// Until when the account refuses every PIN.
    pub locked_until: Option<DateTime<Utc>>,
    /// Lockouts since the last good PIN: they escalate ([`LOCKOUT_MINUTES`]).
    pub lockouts: u32,
}

/// Whether an account may try a PIN now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// Not locked.
    No,
    /// Locked for this long still.
    For(Duration),
    /// Locked until a supervisor unlocks it.
    UntilSupervisor,
}

impl Lockout {
    /// Whether the account is locked at `now`, and for how long still. A lockout is measured from
    /// its end time, so a clock set back lengthens it and never lifts it.
    pub fn locked(&self, now: DateTime<Utc>) -> Locked {
        if self.lockouts as usize > LOCKOUT_MINUTES.len() {
            return Locked::UntilSupervisor;
        }
        match self.locked_until.filter(|until| *until > now) {
            Some(until) => Locked::For(until - now),
            None => Locked::No,
        }
    }

    /// How long the account is still locked at `now`, if for a time.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<Duration> {
        match self.locked(now) {
            Locked::For(d) => Some(d),
            _ => None,
        }
    }

    /// The state after a wrong PIN at `now`; the second value says whether this locked it.
    /// The kit counts an attempt this way *before* it checks the PIN, so that PINs tried at once
    /// cannot all read the same count.
    pub fn after_failure(&self, now: DateTime<Utc>) -> (Lockout, bool) {
        let failed = self.failed_attempts + 1;
        if failed >= MAX_FAILED_PINS {
            let lockouts = self.lockouts + 1;
            let minutes = LOCKOUT_MINUTES.get(lockouts as usize - 1).copied();
            let locked_until = minutes.map(|m| now + Duration::minutes(m));
            (Lockout { failed_attempts: 0, locked_until, lockouts }, true)
        } else {
            (Lockout { failed_attempts: failed, ..*self }, false)
        }
    }

    /// What the next lockout will be: minutes, or `None` when a supervisor will have to lift it.
    pub fn next_lockout_minutes(&self) -> Option<i64> {
        LOCKOUT_MINUTES.get(self.lockouts as usize).copied()
    }
}

/// A valid login name: 2–32 lowercase letters, digits, dot, dash or underscore.
pub fn check_username(text: &str) -> Result<(), &'static str> {
    let ok_len = (2..=32).contains(&text.len());
    let ok_chars =
        text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
    if ok_len && ok_chars { Ok(()) } else { Err("a login name is 2 to 32 lowercase letters, digits, '.', '-' or '_'") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn assistant_may_only_enroll() {
        for p in [
            Permission::ReviewPackets,
            Permission::ExportBatch,
            Permission::ManageAccounts,
            Permission::ReadAllPackets,
            Permission::Upload,
            Permission::RunPilot,
        ] {
            assert!(!Role::Assistant.allows(p, false), "{p:?}");
            assert!(!Role::Trainer.allows(p, false), "a trainer on a production kit: {p:?}");
        }
        assert!(Role::Assistant.allows(Permission::Enroll, false));
        assert!(Role::Supervisor.allows(Permission::ExportBatch, false));
        assert!(!Role::Trainer.allows(Permission::ExportBatch, true));
        assert!(Role::Trainer.allows(Permission::RunPilot, true) && !Role::Trainer.allows(Permission::Enroll, false));
    }

    #[test]
    fn pin_rules() {
        assert!(Pin::new_checked("482913").is_ok());
        assert_eq!(Pin::new_checked("48291"), Err(PinError::Length(5)));
        assert_eq!(Pin::new_checked("48a913"), Err(PinError::NotDigits));
        assert_eq!(Pin::new_checked("111111"), Err(PinError::Trivial));
        assert_eq!(Pin::new_checked("123456"), Err(PinError::Trivial));
        assert_eq!(Pin::new_checked("987654"), Err(PinError::Trivial));
        assert_eq!(format!("{:?}", Pin::new("482913")), "Pin(<hidden>)");
    }

    #[test]
    fn lockouts_escalate_to_a_supervisor_and_a_clock_set_back_lifts_nothing() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let mut state = Lockout::default();
        let fail_five = |state: &mut Lockout, at| {
            for _ in 0..MAX_FAILED_PINS {
                *state = state.after_failure(at).0;
            }
        };
        fail_five(&mut state, now);
        assert_eq!(state.locked(now), Locked::For(Duration::minutes(5)));
        assert_eq!(state.locked(now - Duration::days(1)), Locked::For(Duration::minutes(5) + Duration::days(1)));
        let later = now + Duration::minutes(5);
        assert_eq!(state.locked(later), Locked::No);
        fail_five(&mut state, later);
        assert_eq!(state.locked(later), Locked::For(Duration::minutes(30)));
        let later = later + Duration::minutes(30);
        fail_five(&mut state, later);
        assert_eq!(state.locked(later + Duration::days(365)), Locked::UntilSupervisor);
        assert_eq!(state.next_lockout_minutes(), None);
    }

    #[test]
    fn five_failures_lock_for_five_minutes() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
        let mut state = Lockout::default();
        for i in 1..MAX_FAILED_PINS {
            let (next, locked) = state.after_failure(now);
            assert!(!locked);
            assert_eq!(next.failed_attempts, i);
            state = next;
        }
        let (state, locked) = state.after_failure(now);
        assert!(locked);
        assert_eq!(state.remaining(now), Some(Duration::minutes(5)));
        assert_eq!(state.remaining(now + Duration::minutes(5)), None);
    }

    #[test]
    fn usernames() {
        assert!(check_username("wanjiru.k").is_ok());
        assert!(check_username("W").is_err());
        assert!(check_username("has space").is_err());
    }
}
