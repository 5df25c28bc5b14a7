//! The append-only, hash-chained audit log.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON
//! (with `detail` as the exact stored text), so changing any byte of any row, or removing a
//! row, breaks the chain at that row. Triggers refuse UPDATE and DELETE.

use super::{OrStore, Store, StoreError, Tx};
use crate::domain::audit::{AuditAction, checkpoint_message};
use crate::packet::canonical::to_canonical_json;
use crate::packet::{PublicKey, sha256_hex, utc_text};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};
use std::fmt;

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
pub struct NewAuditEntry<'a> {
    /// When.
    pub at: DateTime<Utc>,
    /// Login name of who did it (none for the kit itself).
    pub actor: Option<&'a str>,
    /// What.
    pub action: AuditAction,
    /// What it was done to: a login name, a RID, a draft id.
    pub subject: Option<String>,
    /// More facts as a JSON object: never a PIN, never biometric data.
    pub detail: Value,
}

/// A stored entry (and, in a batch's `audit.jsonl`, one line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, UTC text.
    pub at: String,
    /// Who.
    pub actor: Option<String>,
    /// What (an `AuditAction` name).
    pub action: String,
    /// To what.
    pub subject: Option<String>,
    /// Canonical JSON text.
    pub detail: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The first entry where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFault {
    /// The entry's position.
    pub seq: i64,
    /// Its action and time, to find it by.
    pub what: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for AuditFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit entry {} ({}) is broken: {}", self.seq, self.what, self.reason)
    }
}

/// An entry's hash: SHA-256 over the previous hash and the entry's canonical JSON.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: Option<&str>,
    action: &str,
    subject: Option<&str>,
    detail: &str,
) -> String {
    let entry = json!({
        "seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "detail": detail,
    });
    let mut input = Vec::with_capacity(256);
    input.extend_from_slice(prev_hash.as_bytes());
    input.extend_from_slice(&to_canonical_json(&entry));
    sha256_hex(&input)
}

impl Tx<'_> {
    /// Appends an entry to the chain.
    pub fn audit(&self, entry: NewAuditEntry<'_>) -> Result<i64, StoreError> {
        let last: Option<(i64, String)> = self
            .conn()
            .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .or_store(self.path())?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH.to_string()),
        };
        let at = utc_text(entry.at);
        let detail = String::from_utf8_lossy(&to_canonical_json(&entry.detail)).into_owned();
        let action = entry.action.as_str();
        let hash = entry_hash(&prev_hash, seq, &at, entry.actor, action, entry.subject.as_deref(), &detail);
        self.conn()
            .execute(
                "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![seq, at, entry.actor, action, entry.subject, detail, prev_hash, hash],
            )
            .or_store(self.path())?;
        Ok(seq)
    }
}

impl Store {
    /// Entries in order, optionally only the last `limit`.
    pub fn audit_entries(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT * FROM (SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
                 ORDER BY seq DESC LIMIT ?1) ORDER BY seq",
            )
            .or_store(self.path())?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    detail: r.get(5)?,
                    prev_hash: r.get(6)?,
                    hash: r.get(7)?,
                })
            })
            .or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// Recomputes the whole chain and checks every checkpoint against the kit's key; returns how
    /// many entries checked out, or the first broken one.
    pub fn verify_audit(&self, kit_key: &PublicKey) -> Result<Result<u64, AuditFault>, StoreError> {
        Ok(verify_chain(&self.audit_entries(None)?, kit_key))
    }
}

impl Tx<'_> {
    /// Appends a checkpoint: the kit's signature over the chain's head so far.
    pub fn audit_checkpoint(&self, at: DateTime<Utc>, sign: &dyn Fn(&[u8]) -> [u8; 64]) -> Result<i64, StoreError> {
        let (seq, hash): (i64, String) = self
            .conn()
            .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .or_store(self.path())?
            .unwrap_or((0, GENESIS_HASH.to_string()));
        let signature = hex::encode(sign(&checkpoint_message(seq, &hash)));
        self.audit(NewAuditEntry {
            at,
            actor: None,
            action: AuditAction::Checkpoint,
            subject: None,
            detail: json!({ "head_seq": seq, "head_hash": hash, "signature": signature }),
        })
    }
}

/// Checks a whole chain from its first entry: numbering, links, hashes, and each checkpoint's
/// signature by `kit_key` over the head before it. The kit's `audit verify` and the central
/// office (a batch's `audit.jsonl`) both use it.
pub fn verify_chain(entries: &[AuditEntry], kit_key: &PublicKey) -> Result<u64, AuditFault> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut count = 0;
    for (expected_seq, e) in (1..).zip(entries) {
        let fault =
            |reason: &str| AuditFault { seq: e.seq, what: format!("{} at {}", e.action, e.at), reason: reason.into() };
        if e.seq != expected_seq {
            return Err(fault(&format!("expected entry {expected_seq} here: entries are missing or renumbered")));
        }
        if e.prev_hash != prev_hash {
            return Err(fault("it does not point at the hash of the entry before it"));
        }
        let hash =
            entry_hash(&e.prev_hash, e.seq, &e.at, e.actor.as_deref(), &e.action, e.subject.as_deref(), &e.detail);
        if hash != e.hash {
            return Err(fault("its content does not match its hash: the entry was altered"));
        }
        if e.action == AuditAction::Checkpoint.as_str() {
            let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
            let signature = detail["signature"].as_str().and_then(|s| hex::decode(s).ok()).unwrap_or_default();
            let signed =
                detail["head_seq"].as_i64() == Some(e.seq - 1) && detail["head_hash"].as_str() == Some(&prev_hash);
            if !signed || !kit_key.verify(&checkpoint_message(e.seq - 1, &prev_hash), &signature) {
                return Err(fault(
                    "its signature is not the kit's over the entries before it: the history before it was rewritten",
                ));
            }
        }
        prev_hash = e.hash.clone();
        count += 1;
    }
    Ok(count)
}
