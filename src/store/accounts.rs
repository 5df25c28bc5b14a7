//! Accounts: login names, roles, PIN hashes and lockout state.

use super::{OrStore, Store, StoreError, Tx};
use crate::domain::account::{Lockout, Role};
use crate::packet::utc_text;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::path::Path;

/// A stored account. The PIN hash stays inside the library.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown on screen.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Wrong-PIN lockout state.
    pub lockout: Lockout,
    /// Locked by a supervisor.
    pub disabled: bool,
    /// Screen language ("en" or "sw").
    pub language: String,
    pub(crate) pin_hash: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("lockout", &self.lockout)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// An account to add.
pub struct NewAccount<'a> {
    /// Login name.
    pub username: &'a str,
    /// Name shown on screen.
    pub display_name: &'a str,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub pin_hash: &'a str,
    /// When.
    pub at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, username, display_name, role, pin_hash, failed_attempts, locked_until, disabled, language, lockouts";

fn from_row(row: &Row<'_>) -> rusqlite::Result<(Account, String, Option<String>)> {
    let role: String = row.get(3)?;
    let locked_until: Option<String> = row.get(6)?;
    let account = Account {
        id: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        role: Role::Assistant,
        pin_hash: row.get(4)?,
        lockout: Lockout { failed_attempts: row.get(5)?, locked_until: None, lockouts: row.get(9)? },
        disabled: row.get(7)?,
        language: row.get(8)?,
    };
    Ok((account, role, locked_until))
}

fn finish(
    path: &Path,
    (mut account, role, locked_until): (Account, String, Option<String>),
) -> Result<Account, StoreError> {
    let bad = |detail: String| StoreError::BadRow {
        path: path.to_path_buf(),
        what: format!("account {}", account.username),
        detail,
    };
    account.role = Role::parse(&role).ok_or_else(|| bad(format!("role {role:?}")))?;
    account.lockout.locked_until = match locked_until {
        None => None,
        Some(t) => Some(
            DateTime::parse_from_rfc3339(&t).map_err(|e| bad(format!("locked_until {t:?}: {e}")))?.with_timezone(&Utc),
        ),
    };
    Ok(account)
}

pub(super) fn by_username(conn: &Connection, path: &Path, username: &str) -> Result<Option<Account>, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {COLUMNS} FROM accounts WHERE username = ?1"), [username], from_row)
        .optional()
        .or_store(path)?;
    row.map(|r| finish(path, r)).transpose()
}

impl Store {
    /// The account with this login name.
    pub fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        by_username(self.conn(), self.path(), username)
    }

    /// The account with this row id.
    pub fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let row = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"), [id], from_row)
            .optional()
            .or_store(self.path())?;
        row.map(|r| finish(self.path(), r)).transpose()
    }

    /// Every account, by login name.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let mut stmt =
            self.conn().prepare(&format!("SELECT {COLUMNS} FROM accounts ORDER BY username")).or_store(self.path())?;
        let rows = stmt.query_map([], from_row).or_store(self.path())?;
        rows.map(|r| r.or_store(self.path()).and_then(|r| finish(self.path(), r))).collect()
    }
}

impl Tx<'_> {
    /// The account with this row id, read inside the transaction.
    pub fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let row = self
            .conn()
            .query_row(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"), [id], from_row)
            .optional()
            .or_store(self.path())?;
        row.map(|r| finish(self.path(), r)).transpose()
    }

    /// The account with this login name, read inside the transaction.
    pub fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        by_username(self.conn(), self.path(), username)
    }

    /// Adds an account; refuses a login name already taken.
    pub fn insert_account(&self, new: &NewAccount<'_>) -> Result<i64, StoreError> {
        if self.account(new.username)?.is_some() {
            return Err(StoreError::Refused(format!("the login name {} is already taken", new.username)));
        }
        self.conn()
            .execute(
                "INSERT INTO accounts (username, display_name, role, pin_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new.username, new.display_name, new.role.as_str(), new.pin_hash, utc_text(new.at)],
            )
            .or_store(self.path())?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Stores the wrong-PIN state of an account.
    pub fn set_lockout(&self, account_id: i64, lockout: &Lockout) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE accounts SET failed_attempts = ?2, locked_until = ?3, lockouts = ?4 WHERE id = ?1",
                params![
                    account_id,
                    lockout.failed_attempts,
                    lockout.locked_until.map(|t| t.to_rfc3339()),
                    lockout.lockouts
                ],
            )
            .or_store(self.path())?;
        Ok(())
    }

    /// Locks or unlocks an account by a supervisor's decision; unlocking also clears a lockout.
    pub fn set_disabled(&self, account_id: i64, disabled: bool) -> Result<(), StoreError> {
        let sql = if disabled {
            "UPDATE accounts SET disabled = 1 WHERE id = ?1"
        } else {
            "UPDATE accounts SET disabled = 0, failed_attempts = 0, locked_until = NULL, lockouts = 0 WHERE id = ?1"
        };
        self.conn().execute(sql, [account_id]).or_store(self.path())?;
        Ok(())
    }

    /// Replaces an account's PIN hash and clears its lockout.
    pub fn set_pin_hash(&self, account_id: i64, pin_hash: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE accounts SET pin_hash = ?2, failed_attempts = 0, locked_until = NULL, lockouts = 0 WHERE id = ?1",
                params![account_id, pin_hash],
            )
            .or_store(self.path())?;
        Ok(())
    }

    /// Remembers an account's screen language.
    pub fn set_language(&self, account_id: i64, language: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("UPDATE accounts SET language = ?2 WHERE id = ?1", params![account_id, language])
            .or_store(self.path())?;
        Ok(())
    }
}
