//! Upload when connectivity returns: the protocol between a kit and the central office's intake.
//!
//! After atuin's sync: [`plan`] decides what to send from the kit's state alone (a pure
//! function), [`client`] sends it, and every error says whether trying again can help
//! ([`SyncError::retryable`]).
//!
//! Protocol v2 (HTTPS, the intake's certificate pinned by its SHA-256 in kit.toml; JSON bodies
//! except chunks; `docs/intake-openapi.yaml` has it in OpenAPI form). Every request but the
//! health, readiness and metrics ones is signed with the kit's key ([`signing`]) by a kit the
//! central office registered; a batch id belongs to the kit whose numbers it begins with.
//! - `GET /v1/health` → `{"service": "enroll-kit intake", "version": 2, "receipt_key": HEX, "now":
//!   UNIX}`; the kit signs by the intake's `now`, so a kit's wrong clock does not lock it out.
//! - `PUT /v1/uploads/{batch}` with `{"size": N, "sha256": HEX}` → the upload's state
//!   `{"batch_id", "size", "sha256", "received", "finished", "status"}`: how many bytes the intake
//!   holds. A different file under the same batch id (the kit sealed it again) starts over at 0.
//!   Quotas: open uploads and bytes per kit, bytes in all (429, 507: try later).
//! - `PATCH /v1/uploads/{batch}` with headers `Upload-Offset: n` and `Upload-Sha256: HEX`, body the
//!   next bytes (at most [`MAX_CHUNK`]) → the state. Bytes are committed to the intake's database
//!   a piece at a time as they arrive, so a cut connection loses little, and any node goes on. An
//!   offset other than what the intake holds is answered 409 with the state, and the client
//!   continues from there.
//! - `POST /v1/uploads/{batch}/finish` once every byte is in → 202 with the state (`queued`): the
//!   batch is verified and stored in the background (the same checks as `enroll-kit verify`).
//! - `GET /v1/uploads/{batch}/receipt` → 202 with the state while it waits, the signed receipt
//!   ([`SignedReceipt`]) once stored, 422 with the reason if refused. Asking again returns the same
//!   receipt. A packet seen before (in any batch) is acknowledged again, never stored twice; a
//!   different packet under a RID already held is rejected with the reason.
//! - `GET /v1/uploads/{batch}` → the state.
//! - Errors: `{"error": "what is wrong and what to do", "retry": bool}` — 4xx for a request that
//!   will fail the same way again (but 409 and 429), 5xx for the intake's own trouble.

pub mod client;
pub mod plan;
pub mod receipts;
pub mod signing;
pub mod tls;

pub use crate::domain::status::PacketVerdict;
use crate::packet::PublicKey;
use crate::packet::canonical::to_canonical_json;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Bytes sent per request: big enough that request overhead is noise, small enough that a cut
/// on a weak link loses little (the intake keeps what it read anyway).
pub const CHUNK: usize = 4 << 20;
/// Largest chunk the intake takes in one request.
pub const MAX_CHUNK: usize = 16 << 20;
/// The receipt's `format` field.
pub const RECEIPT_FORMAT: &str = "enroll-kit-receipt";
/// The protocol version (2: signed requests, receipts polled for).
pub const PROTOCOL_VERSION: u32 = 2;
/// The receipt's `version` field (receipts did not change with the protocol).
pub const RECEIPT_VERSION: u32 = 1;

/// `PUT /v1/uploads/{batch}`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// The sealed batch file's size.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// Where an upload stands at the intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadState {
    /// The batch.
    pub batch_id: String,
    /// The file's size.
    pub size: u64,
    /// The file's SHA-256.
    pub sha256: String,
    /// Bytes the intake holds.
    pub received: u64,
    /// A receipt has been issued.
    pub finished: bool,
    /// `open` (bytes arriving), `queued`, `finishing`, `done` or `refused`.
    pub status: String,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What is wrong and what to do.
    pub error: String,
    /// Whether the same request may succeed later.
    pub retry: bool,
}

/// What the intake says it received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// [`RECEIPT_FORMAT`].
    pub format: String,
    /// [`RECEIPT_VERSION`].
    pub version: u32,
    /// The batch.
    pub batch_id: String,
    /// SHA-256 of the file received.
    pub batch_sha256: String,
    /// The kit that sealed it (hex).
    pub kit_public_key: String,
    /// When the intake took it, UTC.
    pub received_at: String,
    /// Every packet in the batch.
    pub packets: Vec<PacketVerdict>,
}

/// A receipt and the central office's Ed25519 signature over its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedReceipt {
    /// The receipt.
    pub receipt: Receipt,
    /// Hex signature.
    pub signature: String,
}

impl SignedReceipt {
    /// The bytes the signature covers.
    pub fn signed_bytes(receipt: &Receipt) -> Vec<u8> {
        // A Receipt always serialises: plain strings, numbers and bools.
        to_canonical_json(&serde_json::to_value(receipt).unwrap_or_default())
    }

    /// Checks the receipt against what the kit sent: the central office's signature, the batch,
    /// the file, the kit, and a verdict for every packet and no other.
    pub fn check(
        &self,
        office: &PublicKey,
        batch_id: &str,
        sha256: &str,
        kit: &PublicKey,
        rids: &[String],
    ) -> Result<(), SyncError> {
        let bad = |why: String| SyncError::BadReceipt(why);
        let signature = hex::decode(&self.signature).map_err(|_| bad("its signature is not hex".into()))?;
        if !office.verify(&Self::signed_bytes(&self.receipt), &signature) {
            return Err(bad("it is not signed by the central office key in kit.toml".into()));
        }
        let r = &self.receipt;
        if r.format != RECEIPT_FORMAT || r.version != RECEIPT_VERSION {
            return Err(bad(format!("format {} version {} is not one this build reads", r.format, r.version)));
        }
        if r.batch_id != batch_id {
            return Err(bad(format!("it is for batch {}, not {batch_id}", r.batch_id)));
        }
        if r.batch_sha256 != sha256 {
            return Err(bad("it is for another file of this batch (its SHA-256 differs)".into()));
        }
        if PublicKey::from_text(&r.kit_public_key).ok().as_ref() != Some(kit) {
            return Err(bad("it names another kit".into()));
        }
        let mut listed: Vec<&str> = r.packets.iter().map(|p| p.rid.as_str()).collect();
        listed.sort_unstable();
        let mut sent: Vec<&str> = rids.iter().map(String::as_str).collect();
        sent.sort_unstable();
        if listed != sent {
            return Err(bad("its packets are not the batch's packets".into()));
        }
        Ok(())
    }
}

/// The message keys of [`SyncError::notice`], for reading a stored one back.
pub const NOTICE_KEYS: [&str; 8] = [
    "upload-error-unreachable",
    "upload-error-certificate",
    "upload-error-refused",
    "upload-error-bad-answer",
    "upload-error-bad-receipt",
    "upload-error-not-configured",
    "upload-error-file",
    "upload-error-cancelled",
];

impl SyncError {
    /// What the supervisor is told, in the language on screen.
    pub fn notice(&self) -> crate::domain::notice::Notice {
        use crate::domain::notice::Notice;
        match self {
            SyncError::Unreachable(d) => Notice::new("upload-error-unreachable").text("detail", d.clone()),
            SyncError::WrongCertificate(d) => Notice::new("upload-error-certificate").text("detail", d.clone()),
            SyncError::Refused { status, message, .. } => {
                Notice::new("upload-error-refused").number("status", *status).text("detail", message.clone())
            }
            SyncError::BadAnswer(d) => Notice::new("upload-error-bad-answer").text("detail", d.clone()),
            SyncError::BadReceipt(d) => Notice::new("upload-error-bad-receipt").text("detail", d.clone()),
            SyncError::NotConfigured => Notice::new("upload-error-not-configured"),
            SyncError::File { path, detail } => {
                Notice::new("upload-error-file").text("path", path.display().to_string()).text("detail", detail.clone())
            }
            SyncError::Cancelled => Notice::new("upload-error-cancelled"),
        }
    }
}

/// Why an upload did not go through.
#[derive(Debug, Error)]
pub enum SyncError {
    /// No connection, a cut one, a timeout: the network.
    #[error("the central office cannot be reached ({0}); the kit will try again")]
    Unreachable(String),
    /// The certificate is not the pinned one.
    #[error(
        "the central office's certificate is not the one in kit.toml ({0}): do not upload; call the central office"
    )]
    WrongCertificate(String),
    /// The intake answered with an error.
    #[error("the central office refused: {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The intake's words.
        message: String,
        /// Whether trying again can help.
        retry: bool,
    },
    /// The intake's answer is not what the protocol says.
    #[error("the central office answered something this kit cannot read ({0}); the kit will try again")]
    BadAnswer(String),
    /// The receipt does not hold.
    #[error(
        "the receipt does not hold: {0}. Nothing was marked acknowledged; the kit will ask again, and if this repeats call the central office"
    )]
    BadReceipt(String),
    /// kit.toml has no `[upload]` section.
    #[error("this kit has no central office address: add an [upload] section to kit.toml (see the README)")]
    NotConfigured,
    /// The batch file on the kit.
    #[error("the batch file {path}: {detail}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What failed.
        detail: String,
    },
    /// Stopped by the supervisor.
    #[error("upload stopped; it goes on from where it was next time")]
    Cancelled,
}

impl SyncError {
    /// Whether the same upload may succeed later without anyone doing anything.
    pub fn retryable(&self) -> bool {
        match self {
            SyncError::Unreachable(_) | SyncError::BadAnswer(_) | SyncError::BadReceipt(_) => true,
            SyncError::Refused { retry, .. } => *retry,
            SyncError::WrongCertificate(_) | SyncError::NotConfigured | SyncError::File { .. } => false,
            SyncError::Cancelled => false,
        }
    }
}

/// A batch id as the intake takes it: letters, digits and '-', at most 64.
pub fn valid_batch_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::KitKey;

    fn signed(office: &KitKey, receipt: Receipt) -> SignedReceipt {
        let signature = hex::encode(office.sign(&SignedReceipt::signed_bytes(&receipt)));
        SignedReceipt { receipt, signature }
    }

    fn receipt(kit: &KitKey) -> Receipt {
        Receipt {
            format: RECEIPT_FORMAT.into(),
            version: RECEIPT_VERSION,
            batch_id: "0004200007-20261124".into(),
            batch_sha256: "ab".repeat(32),
            kit_public_key: kit.public().to_hex(),
            received_at: "2026-11-25T08:00:00Z".into(),
            packets: vec![
                PacketVerdict { rid: "r1".into(), accepted: true, reason: None },
                PacketVerdict { rid: "r2".into(), accepted: false, reason: Some("seen".into()) },
            ],
        }
    }

    #[test]
    fn a_receipt_holds_only_for_this_batch_file_kit_and_packets_under_the_office_key() {
        let (office, kit) = (KitKey::from_seed([1; 32]), KitKey::from_seed([2; 32]));
        let rids = vec!["r2".to_string(), "r1".to_string()];
        let check = |s: &SignedReceipt, rids: &[String]| {
            s.check(&office.public(), "0004200007-20261124", &"ab".repeat(32), &kit.public(), rids)
        };
        let good = signed(&office, receipt(&kit));
        assert!(check(&good, &rids).is_ok());
        let said = |r: Result<(), SyncError>| r.unwrap_err().to_string();
        assert!(said(check(&signed(&KitKey::from_seed([9; 32]), receipt(&kit)), &rids)).contains("not signed"));
        let mut altered = good.clone();
        altered.receipt.packets[1].accepted = true;
        assert!(said(check(&altered, &rids)).contains("not signed"), "a verdict changed after signing");
        let other = |f: &dyn Fn(&mut Receipt)| {
            let mut r = receipt(&kit);
            f(&mut r);
            check(&signed(&office, r), &rids)
        };
        assert!(said(other(&|r| r.batch_id = "0004200007-20261125".into())).contains("is for batch"));
        assert!(said(other(&|r| r.batch_sha256 = "cd".repeat(32))).contains("another file"));
        assert!(
            said(other(&|r| r.kit_public_key = KitKey::from_seed([5; 32]).public().to_hex())).contains("another kit")
        );
        assert!(said(other(&|r| r.version = 2)).contains("version 2"));
        assert!(said(check(&good, &["r1".to_string()])).contains("not the batch's packets"));
        let mut bad_hex = good.clone();
        bad_hex.signature = "zz".into();
        assert!(said(check(&bad_hex, &rids)).contains("not hex"));
        assert!(SyncError::BadReceipt(String::new()).retryable() && !SyncError::NotConfigured.retryable());
    }

    #[test]
    fn batch_ids_are_letters_digits_and_dashes() {
        assert!(valid_batch_id("0004200007-20261124T090000-T"));
        for bad in ["", "../x", "a/b", "a b", &"a".repeat(65)] {
            assert!(!valid_batch_id(bad), "{bad:?}");
        }
    }
}
