//! The receipts file: the central office's signed receipts, carried back to kits on a stick when
//! there is no network (`enroll-kit verify --receipts-out` writes it, `enroll-kit receipts
//! import` reads it). Each receipt is signed on its own, so the file needs no signature of its own
//! and may hold receipts for many kits: a kit takes its own and skips the rest.

use super::SignedReceipt;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The value of `format` in a receipts file.
pub const RECEIPTS_FORMAT: &str = "enroll-kit-receipts";
/// Its version.
pub const RECEIPTS_VERSION: u32 = 1;
/// The largest receipts file read (a receipt is a few kilobytes).
pub const MAX_RECEIPTS_BYTES: u64 = 64 * 1024 * 1024;

/// A receipts file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptsFile {
    /// [`RECEIPTS_FORMAT`].
    pub format: String,
    /// [`RECEIPTS_VERSION`].
    pub version: u32,
    /// The receipts, each signed by the central office.
    pub receipts: Vec<SignedReceipt>,
}

impl ReceiptsFile {
    /// An empty file.
    pub fn new() -> Self {
        Self { format: RECEIPTS_FORMAT.into(), version: RECEIPTS_VERSION, receipts: Vec::new() }
    }

    /// Reads a receipts file, saying what is wrong with one that is not.
    pub fn read(path: &Path) -> Result<ReceiptsFile, String> {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut bytes = Vec::new();
        file.take(MAX_RECEIPTS_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&bytes, path)
    }

    /// Parses a receipts file's bytes (`path` names it in errors).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<ReceiptsFile, String> {
        if bytes.len() as u64 > MAX_RECEIPTS_BYTES {
            return Err(format!("{} is larger than any receipts file: it is not one", path.display()));
        }
        let parsed: ReceiptsFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("{} is not a receipts file the central office wrote: {e}", path.display()))?;
        if parsed.format != RECEIPTS_FORMAT || parsed.version != RECEIPTS_VERSION {
            return Err(format!(
                "{} is format {} version {}, not a receipts file this build reads",
                path.display(),
                parsed.format,
                parsed.version
            ));
        }
        Ok(parsed)
    }

    /// Adds `receipt` to the file at `path` (made if missing), replacing it whole: written beside,
    /// synced, renamed, so a pulled stick leaves the old file or the new.
    pub fn append(path: &Path, receipt: SignedReceipt) -> Result<(), String> {
        let mut file = if path.exists() { Self::read(path)? } else { Self::new() };
        file.receipts.retain(|r| {
            r.receipt.batch_id != receipt.receipt.batch_id || r.receipt.batch_sha256 != receipt.receipt.batch_sha256
        });
        file.receipts.push(receipt);
        let text = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        let partial = path.with_extension("partial");
        let written = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut out = std::fs::File::create(&partial)?;
            out.write_all(&text)?;
            out.sync_all()?;
            std::fs::rename(&partial, path)
        })();
        written.map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            format!("cannot write {}: {e}", path.display())
        })
    }
}

impl Default for ReceiptsFile {
    fn default() -> Self {
        Self::new()
    }
}
