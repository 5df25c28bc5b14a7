//! The kit's data dir and the files in it.

use std::path::{Path, PathBuf};

/// A kit data dir: kit.toml, kit.key, kit.pub and kit.db.
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

    /// The secret signing key.
    pub fn key_path(&self) -> PathBuf {
        self.0.join("kit.key")
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
}
