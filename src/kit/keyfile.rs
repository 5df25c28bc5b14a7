//! Reading and writing key files: the kit's secret key (mode 0600) and public keys.

use super::KitError;
use crate::packet::{KitKey, PublicKey};
use std::io::Write;
use std::path::Path;

/// Reads a text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, KitError> {
    std::fs::read_to_string(path).map_err(|source| KitError::Read { path: path.to_path_buf(), source })
}

/// Reads the kit's secret key, refusing a file other users can read.
pub fn read_secret(path: &Path) -> Result<KitKey, KitError> {
    let meta = std::fs::metadata(path).map_err(|source| KitError::Read { path: path.to_path_buf(), source })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KitError::KeyFileOpen { path: path.to_path_buf(), mode });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    KitKey::from_text(&read_text(path)?)
        .map_err(|e| KitError::BadKeyFile { path: path.to_path_buf(), problem: e.to_string() })
}

/// Reads a public key file.
pub fn read_public(path: &Path) -> Result<PublicKey, KitError> {
    PublicKey::from_text(&read_text(path)?)
        .map_err(|e| KitError::BadKeyFile { path: path.to_path_buf(), problem: e.to_string() })
}

/// Writes a new file (never over an existing one) with `mode`, synced to disk.
pub fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), KitError> {
    let unwritable = |source| KitError::Unwritable { path: path.to_path_buf(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(unwritable)?;
    file.write_all(text.as_bytes()).map_err(unwritable)?;
    file.sync_all().map_err(unwritable)
}

/// Writes the kit's secret key with mode 0600.
pub fn write_secret(path: &Path, key: &KitKey, comment: &str) -> Result<(), KitError> {
    write_new(path, &key.to_secret_text(comment), 0o600)
}
