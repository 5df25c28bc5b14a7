//! Batches: the day's approved packets, sealed for the central office.
//!
//! Format version 2 (compress, then encrypt, as atuin's packfile does):
//! an age file (X25519, to the central office's recipients) whose plaintext is a tar of
//! - `manifest.json`: canonical JSON — format, version, batch id, training flag, the kit (centre,
//!   kit, county, Ed25519 public key), supervisor, date, and for every packet its RID, SHA-256
//!   and size;
//! - `manifest.sig`: the kit's Ed25519 signature over `manifest.json`, hex;
//! - `audit.jsonl` (version 2): the kit's whole audit log, one entry a line, ending at the head
//!   `manifest.json` names (the last entry a checkpoint the kit signed);
//! - `packets/RID.zst`: each packet exactly as stored (already zstd-compressed and signed).
//!
//! A training batch (pilot mode, `simulate`) is sealed to the pilot recipient and marked
//! `training`; production packets and training packets never share a batch.

pub mod export;
pub mod registry;
pub mod templates;
pub mod verify;

use crate::domain::notice::Notice;
use crate::packet::PacketError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use thiserror::Error;

/// The value of `format` in every manifest.
pub const BATCH_FORMAT: &str = "enroll-kit-batch";
/// The batch format version: 2 carries the kit's audit log (`audit.jsonl`) and its head in the
/// manifest; version 1 batches (older kits) are still read.
pub const BATCH_VERSION: u32 = 2;
/// The largest `audit.jsonl` accepted (a kit's whole campaign is a few megabytes).
pub const MAX_AUDIT_BYTES: u64 = 256 * 1024 * 1024;
/// The largest manifest accepted (a day's packets list is a few hundred kilobytes).
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchManifest {
    /// Always `enroll-kit-batch`.
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// Batch id.
    pub batch_id: String,
    /// A training batch.
    pub training: bool,
    /// The sealing kit.
    pub kit: crate::packet::manifest::KitInfo,
    /// The supervisor who closed the day.
    pub supervisor: String,
    /// When, UTC.
    pub created_at: String,
    /// The packets.
    pub packets: Vec<BatchEntry>,
    /// The kit's audit chain when the batch was sealed: `audit.jsonl` in the batch is the whole
    /// log up to it, so the central office can hold the kit's history to what it saw before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditHead>,
}

/// The head of a kit's audit chain: its last entry's position and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    /// The last entry's seq (the log's length).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// One packet in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchEntry {
    /// RID.
    pub rid: String,
    /// SHA-256 of the packet file, hex.
    pub sha256: String,
    /// Its size.
    pub size: u64,
}

/// Why a batch could not be written or did not verify. Each names the file or the packet.
#[derive(Debug, Error)]
pub enum BatchError {
    /// Writing to the destination failed (full, read-only, pulled out).
    #[error(
        "could not write the batch to {path}: {detail}. Nothing was marked exported; check the stick and export again"
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The file read back differs from what was written.
    #[error(
        "the batch read back from {0} differs from what was written: the stick is failing. Nothing was marked exported; use another stick"
    )]
    ReadBack(PathBuf),
    /// Nothing to export.
    #[error("there are no approved {0} packets to export")]
    Empty(&'static str),
    /// Another export or copy is running on this kit.
    #[error("another export is already running on this kit: wait for it to finish, then try again")]
    Busy,
    /// No exported batch has that id.
    #[error("this kit has exported no batch {0}: see the list of past batches")]
    UnknownBatch(String),
    /// The export was cancelled.
    #[error("export cancelled: the partial file was removed and nothing was marked exported")]
    Cancelled,
    /// The file cannot be decrypted with the identity given.
    #[error("cannot open the batch {path}: {detail}")]
    Decrypt {
        /// The batch file.
        path: PathBuf,
        /// Why.
        detail: String,
    },
    /// The contents are damaged or altered.
    #[error("batch {path}: {detail}")]
    Invalid {
        /// The batch file.
        path: PathBuf,
        /// What is wrong, naming the packet or field.
        detail: String,
    },
    /// A passphrase that will not do.
    #[error("{0}")]
    Passphrase(String),
    /// A packet inside failed its checks.
    #[error("batch {path}: packet {rid}: {source}")]
    Packet {
        /// The batch file.
        path: PathBuf,
        /// The packet.
        rid: String,
        /// What failed.
        source: PacketError,
    },
    /// Whoever was taking the verified packets (the intake's store) failed.
    #[error("the verified packets could not be kept")]
    Handoff(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl BatchError {
    /// What the supervisor is told, in the language on screen, with the next step.
    pub fn notice(&self) -> Notice {
        match self {
            BatchError::Write { path, detail } => Notice::new("export-error-write")
                .text("path", path.display().to_string())
                .text("detail", detail.as_str()),
            BatchError::ReadBack(path) => {
                Notice::new("export-error-read-back").text("path", path.display().to_string())
            }
            BatchError::Empty(_) => Notice::new("export-error-empty"),
            BatchError::Busy => Notice::new("export-error-busy"),
            BatchError::UnknownBatch(id) => Notice::new("export-error-unknown").text("id", id.as_str()),
            BatchError::Cancelled => Notice::new("export-error-cancelled"),
            other => Notice::detail(other),
        }
    }
}
