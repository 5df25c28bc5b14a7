//! The kit's data dir and the files in it.

use std::path::{Path, PathBuf};

/// A kit data dir: kit.toml, kit.keys, kit.pub and kit.db.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir(PathBuf);

impl DataDir {
    /// A data dir at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self(root.into())
    }

    /// The operating system's data dir for enroll-kit (production), if the OS has one.
    pub fn default_production() -> Option<Self> {
        directories::ProjectDirs::from("org", "enroll-kit", "enroll-kit").map(|d| Self(d.data_dir().join("kit")))
    }

    /// The default pilot (training) data dir, beside the production one and never the same.
    pub fn default_pilot() -> Option<Self> {
        directories::ProjectDirs::from("org", "enroll-kit", "enroll-kit").map(|d| Self(d.data_dir().join("pilot")))
    }

    /// The dir itself.
    pub fn root(&self) -> &Path {
        &self.0
    }

    /// kit.toml.
    pub fn config_path(&self) -> PathBuf {
        self.0.join("kit.toml")
    }

    /// The signing key in the clear, as kits before sealed keys kept it (only `keys protect` reads it).
    pub fn key_path(&self) -> PathBuf {
        self.0.join("kit.key")
    }

    /// The kit's sealed keys (signing key and database key).
    pub fn keys_path(&self) -> PathBuf {
        self.0.join("kit.keys")
    }

    /// The public key.
    pub fn public_key_path(&self) -> PathBuf {
        self.0.join("kit.pub")
    }

    /// A corrected set of admin-unit tables that replaces the shipped one, when present.
    pub fn admin_units_dir(&self) -> PathBuf {
        self.0.join("admin-units")
    }

    /// The SQLite database.
    pub fn db_path(&self) -> PathBuf {
        self.0.join("kit.db")
    }

    /// Makes the data dir readable by its owner only (0700) and the kit's files in it (kit.toml,
    /// the database and its WAL) 0600, whatever umask or older version made them:
    /// another account on the laptop reads nothing. Returns what it had to tighten.
    pub fn restrict(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut tightened = Vec::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut set = |path: &Path, mode: u32| -> std::io::Result<()> {
                let meta = std::fs::symlink_metadata(path)?;
                if meta.file_type().is_symlink() {
                    return Ok(());
                }
                if meta.permissions().mode() & 0o777 & !mode != 0 {
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
                    tightened.push(path.to_path_buf());
                }
                Ok(())
            };
            set(&self.0, 0o700)?;
            // Only the kit's own files: a data dir may sit in a folder that holds other things.
            // Not kit.key: a key others could read may have been copied, so it is refused (with
            // the chmod that fixes it) rather than quietly closed.
            let db = self.db_path();
            let sidecar = |suffix: &str| {
                let mut p = db.clone().into_os_string();
                p.push(suffix);
                PathBuf::from(p)
            };
            for path in [
                self.config_path(),
                self.keys_path(),
                db.clone(),
                sidecar("-wal"),
                sidecar("-shm"),
                sidecar("-journal"),
            ] {
                if path.exists() {
                    set(&path, 0o600)?;
                }
            }
        }
        Ok(tightened)
    }
}
