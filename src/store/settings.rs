//! The kit's own settings in its encrypted database (migration 12): what kit.toml must agree with.

use super::{OrStore, Store, StoreError, Tx};
use rusqlite::OptionalExtension;

/// The setting holding the fingerprint of the central office's recipients and key.
pub const HQ_CONFIG: &str = "hq_config";
/// A signed change being applied: the fingerprint kit.toml is about to have.
pub const HQ_CONFIG_PENDING: &str = "hq_config_pending";

impl Store {
    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn()
            .query_row("SELECT value FROM kit_settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .or_store(self.path())
    }
}

impl Tx<'_> {
    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "INSERT INTO kit_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )
            .or_store(self.path())?;
        Ok(())
    }

    /// Removes a setting.
    pub fn clear_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn().execute("DELETE FROM kit_settings WHERE key = ?1", [key]).or_store(self.path())?;
        Ok(())
    }
}
