//! The device CAs a kit trusts: certificates in the data dir's `device-ca/` folder (PEM or DER),
//! put there by whoever sets the kit up. A device whose certificate does not chain to one of
//! them is not a device this kit takes prints from.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The folder under the data dir.
pub const FOLDER: &str = "device-ca";

/// A trusted CA file that could not be read.
#[derive(Debug, Error)]
pub enum TrustError {
    /// The folder or a file could not be read.
    #[error("cannot read the device CA certificate {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not a certificate.
    #[error("{path} is not a CA certificate (PEM or DER): replace or remove it")]
    NotACertificate {
        /// The file.
        path: PathBuf,
    },
}

/// The trusted device CAs.
#[derive(Debug, Clone, Default)]
pub struct DeviceTrust {
    roots: Vec<CertificateDer<'static>>,
}

impl DeviceTrust {
    /// Trusts the given DER certificates.
    pub fn new(roots: Vec<Vec<u8>>) -> Self {
        DeviceTrust { roots: roots.into_iter().map(CertificateDer::from).collect() }
    }

    /// Reads `data_dir/device-ca/*` (no folder: no device trusted).
    pub fn load(data_dir: &Path) -> Result<Self, TrustError> {
        Self::load_folder(&data_dir.join(FOLDER))
    }

    /// Reads every certificate file in `folder` (no folder: no device trusted).
    pub fn load_folder(folder: &Path) -> Result<Self, TrustError> {
        let folder = folder.to_path_buf();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DeviceTrust::default()),
            Err(source) => return Err(TrustError::Read { path: folder, source }),
        };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        paths.sort();
        let mut roots = Vec::new();
        for path in paths {
            let bytes = std::fs::read(&path).map_err(|source| TrustError::Read { path: path.clone(), source })?;
            let pem: Vec<_> = CertificateDer::pem_slice_iter(&bytes).filter_map(Result::ok).collect();
            let found = if !pem.is_empty() {
                pem
            } else if webpki::anchor_from_trusted_cert(&CertificateDer::from(bytes.as_slice())).is_ok() {
                vec![CertificateDer::from(bytes)]
            } else {
                return Err(TrustError::NotACertificate { path });
            };
            roots.extend(found);
        }
        Ok(DeviceTrust { roots })
    }

    /// How many CAs are trusted.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether no CA is trusted.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The trust anchors (a CA file that is not a usable anchor is skipped).
    pub(crate) fn anchors(&self) -> Vec<rustls_pki_types::TrustAnchor<'_>> {
        self.roots.iter().filter_map(|c| webpki::anchor_from_trusted_cert(c).ok()).collect()
    }
}
