//! A provisioned kit: its data dir, `kit.toml`, signing key and database, opened together.

pub mod config;
pub mod data_dir;
pub mod hq_change;
pub mod keyfile;
pub mod keystore;
pub mod pin;
pub mod provision;
pub mod time;

pub use config::{ConfigError, KitConfig};
pub use data_dir::DataDir;
pub use keystore::{KdfCost, NewStore, Passphrase, StoreKind, Unlock};
pub use provision::{InitParams, init, protect};

use crate::domain::admin_units::AdminUnits;
use crate::packet::manifest::KitInfo;
use crate::packet::{KitKey, PublicKey};
use crate::store::{DbKey, Store, StoreError};
use chrono::{DateTime, Utc};
use keystore::{KeyStoreError, KeysFile, KitSecrets};
use std::path::PathBuf;
use std::sync::Arc;
use thiserror::Error;

/// Where the kit gets the time from: the system clock, or a fixed one in tests and scenarios.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Why a kit could not be opened or provisioned. Each names the file and what to do.
#[derive(Debug, Error)]
pub enum KitError {
    /// The data dir has no kit in it.
    #[error(
        "no kit is provisioned in {0}: run `enroll-kit init` (or `enroll-kit pilot` for training), or pass the right --data-dir"
    )]
    NotProvisioned(PathBuf),
    /// `init` found a kit already there.
    #[error(
        "{0} already holds a kit (kit.toml, kit.key or kit.db is there): refusing to overwrite it. Choose another --data-dir"
    )]
    AlreadyProvisioned(PathBuf),
    /// The data dir could not be created or written.
    #[error("cannot write to the data dir {path}: {source}. Choose a writable --data-dir or fix its permissions")]
    Unwritable {
        /// The dir.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The signing key file is readable by others.
    #[error("the kit key {path} is readable by other users (mode {mode:o}): run `chmod 600 {path}` and try again")]
    KeyFileOpen {
        /// The key file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// A key file's text is not a key.
    #[error("{path} is not a valid key file: {problem}")]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// kit.pub does not match kit.key.
    #[error(
        "{0} does not match the kit's signing key: the data dir mixes files from two kits; restore them from the same backup"
    )]
    KeyMismatch(PathBuf),
    /// kit.toml is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A PIN was refused when provisioning.
    #[error("the first supervisor's PIN is not acceptable: {0}")]
    Pin(String),
    /// A corrected admin-units table in the data dir is wrong.
    #[error(
        "the corrected admin units in {path} cannot be used: {problem}. Fix the file, or remove the folder to use the shipped tables"
    )]
    AdminUnits {
        /// The folder or file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The operating system's random generator failed.
    #[error("the system random generator failed: {0}")]
    Random(String),
    /// The kit's keys could not be sealed or unsealed.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    /// kit.toml's central office recipients or key are not the ones the kit holds.
    #[error(
        "{0}: hq_recipients or hq_verify_key are not the ones this kit was provisioned with (someone edited the \
         file, which would let another reader open every batch). Restore kit.toml from the kit's backup; the \
         central office changes them only with a file it signed (`enroll-kit config apply FILE`)"
    )]
    HqConfigChanged(PathBuf),
    /// A kit from before keys were sealed: its signing key and database lie on disk in the clear.
    #[error(
        "this kit's signing key ({0}) and database are not protected: a supervisor runs `enroll-kit keys protect` \
         once to seal them (with this laptop's TPM, or a passphrase) and encrypt the database"
    )]
    Unprotected(PathBuf),
}

/// A provisioned kit whose keys are still sealed: enough to say whose kit it is and what opens
/// it (the unlock screen, the CLI's prompt), nothing of the people on it.
#[derive(Clone)]
pub struct LockedKit {
    /// The data dir.
    pub dir: DataDir,
    /// kit.toml.
    pub config: KitConfig,
    keys: KeysFile,
}

impl LockedKit {
    /// Reads the kit in `dir`, checking every file before using any.
    pub fn open(dir: DataDir) -> Result<LockedKit, KitError> {
        let files = [dir.config_path(), dir.db_path(), dir.keys_path(), dir.key_path()];
        if !files.iter().any(|f| f.exists()) {
            return Err(KitError::NotProvisioned(dir.root().to_path_buf()));
        }
        // Before anything is read: a kit made by an older version, or copied in with a loose
        // umask, is closed to other accounts from its first open on.
        match dir.restrict() {
            Ok(tightened) if !tightened.is_empty() => {
                tracing::warn!("closed {} file(s) of the data dir to other users: {tightened:?}", tightened.len());
            }
            Ok(_) => {}
            // Not ours to change (another user's kit opened to verify it, read-only media): say so
            // and go on; refusing to open would help nobody.
            Err(e) => tracing::warn!("could not close the data dir {} to other users: {e}", dir.root().display()),
        }
        let config = KitConfig::load(&dir.config_path())?;
        if !dir.keys_path().exists() && dir.key_path().exists() {
            return Err(KitError::Unprotected(dir.key_path()));
        }
        let keys = KeysFile::read(&dir.keys_path())?;
        let public = keyfile::read_public(&dir.public_key_path())?;
        if public.to_hex() != keys.public_key {
            return Err(KitError::KeyMismatch(dir.public_key_path()));
        }
        Ok(LockedKit { dir, config, keys })
    }

    /// What unlocks this kit.
    pub fn store_kind(&self) -> StoreKind {
        self.keys.store
    }

    /// The login names whose passphrase opens the kit.
    pub fn passphrase_holders(&self) -> Vec<String> {
        self.keys.passphrase.iter().map(|s| s.label.clone()).collect()
    }

    /// Whether a passphrase slot was sealed below the field argon2id cost (`keys status` says so).
    pub fn weak_passphrase_cost(&self) -> bool {
        self.keys.passphrase.iter().any(|s| s.argon2id.is_weak())
    }

    /// Unseals the keys and opens the database. A wrong passphrase leaves the kit locked.
    pub fn unlock(&self, unlock: &Unlock) -> Result<Kit, KitError> {
        let secrets = self.keys.unseal(unlock, &self.dir.keys_path())?;
        Kit::from_secrets(self.dir.clone(), self.config.clone(), self.keys.store, &secrets)
    }
}

/// An open, provisioned kit.
pub struct Kit {
    /// The data dir.
    pub dir: DataDir,
    /// kit.toml.
    pub config: KitConfig,
    /// The database.
    pub store: Store,
    key: KitKey,
    db_key: DbKey,
    key_store: StoreKind,
    clock: Clock,
    units: Arc<AdminUnits>,
    gallery: crate::biometrics::matching::SharedGallery,
}

impl Kit {
    /// Opens the kit in `dir`, unlocking its keys the way `unlock` says.
    pub fn open(dir: DataDir, unlock: &Unlock) -> Result<Kit, KitError> {
        LockedKit::open(dir)?.unlock(unlock)
    }

    fn from_secrets(
        dir: DataDir,
        config: KitConfig,
        key_store: StoreKind,
        secrets: &KitSecrets,
    ) -> Result<Kit, KitError> {
        let key = secrets.signing_key();
        let db_key = secrets.db_key();
        let units = Arc::new(load_admin_units(&dir)?);
        if is_plaintext_sqlite(&dir.db_path()) {
            return Err(KitError::Unprotected(dir.db_path()));
        }
        let mut store = Store::open(&dir.db_path(), &db_key)?;
        let fingerprint = config.hq_fingerprint();
        let held = store.setting(crate::store::settings::HQ_CONFIG)?;
        let pending = store.setting(crate::store::settings::HQ_CONFIG_PENDING)?;
        match held {
            Some(held) if held == fingerprint => {
                if pending.is_some() {
                    settle_hq_config(&mut store, &fingerprint)?;
                }
            }
            // A signed change whose kit.toml was written just before a power cut.
            Some(_) if pending.as_deref() == Some(fingerprint.as_str()) => settle_hq_config(&mut store, &fingerprint)?,
            Some(_) => return Err(KitError::HqConfigChanged(dir.config_path())),
            // At init, and the first open of a kit from before the check: what is there now.
            None => settle_hq_config(&mut store, &fingerprint)?,
        }
        tracing::info!(dir = %dir.root().display(), centre = %config.centre, kit = %config.kit, training = config.training, "kit opened");
        Ok(Kit {
            dir,
            config,
            store,
            key,
            db_key,
            key_store,
            clock: Arc::new(Utc::now),
            units,
            gallery: Default::default(),
        })
    }

    /// The same kit over a second database connection, for a worker thread (an export runs
    /// beside the window; WAL lets both read, and writes wait their turn).
    pub fn second_connection(&self) -> Result<Kit, KitError> {
        Ok(Kit {
            dir: self.dir.clone(),
            config: self.config.clone(),
            store: Store::open(&self.dir.db_path(), &self.db_key)?,
            key: self.key.duplicate(),
            db_key: self.db_key.duplicate(),
            key_store: self.key_store,
            clock: self.clock.clone(),
            units: self.units.clone(),
            gallery: self.gallery.clone(),
        })
    }

    /// What sealed this kit's keys.
    pub fn key_store(&self) -> StoreKind {
        self.key_store
    }

    /// Adds (or replaces) `label`'s passphrase slot in kit.keys, so another supervisor can unlock
    /// the kit: sealed from the keys this unlocked kit holds, written beside and renamed in.
    pub fn set_passphrase_slot(&self, label: &str, passphrase: &Passphrase, cost: KdfCost) -> Result<(), KitError> {
        if self.key_store != StoreKind::Passphrase {
            return Err(KeyStoreError::BadFile {
                path: self.dir.keys_path(),
                problem: "this kit's keys are sealed by its TPM, not by passphrases".into(),
            }
            .into());
        }
        passphrase.check().map_err(KeyStoreError::from)?;
        let mut keys = KeysFile::read(&self.dir.keys_path())?;
        let secrets = KitSecrets::from_parts(&self.key, &self.db_key);
        let slot = keystore::PassphraseStore { cost }.seal(&secrets, label, passphrase, &keys.public_key)?;
        keys.passphrase.retain(|s| s.label != label);
        keys.passphrase.push(slot);
        let path = self.dir.keys_path();
        let partial = path.with_extension("keys.new");
        let _ = std::fs::remove_file(&partial);
        let comment = format!("enroll-kit keys of centre {} kit {}", self.config.centre, self.config.kit);
        keyfile::write_new(&partial, &keys.to_text(&comment)?, 0o600)?;
        std::fs::rename(&partial, &path).map_err(|source| KitError::Unwritable { path: path.clone(), source })?;
        if let Ok(dir) = std::fs::File::open(self.dir.root()) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// A second, raw connection to the kit's encrypted database: for tests that play an insider
    /// who holds the unlocked kit and edits its tables behind the kit's back.
    #[doc(hidden)]
    pub fn insider_connection(&self) -> Result<rusqlite::Connection, StoreError> {
        Store::raw_connection(&self.dir.db_path(), &self.db_key)
    }

    /// The current time by the kit's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Today in the kit's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().with_timezone(&self.config.zone()).date_naive()
    }

    /// Replaces the clock (tests, scenarios, benchmarks).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The duplicate search's gallery of the people on this kit.
    pub fn gallery(&self) -> &crate::biometrics::matching::SharedGallery {
        &self.gallery
    }

    /// Sets (or, with `None`, removes) the central office's intake in kit.toml: the file is
    /// replaced whole (written beside, synced, renamed), so a power cut leaves the old or the new.
    pub fn set_upload(&mut self, upload: Option<config::UploadConfig>) -> Result<(), KitError> {
        let mut next = self.config.clone();
        next.upload = upload;
        self.write_config(next)
    }

    /// Applies a change of the central office's recipients and key that it signed with the key
    /// this kit holds: kit.toml and the database's record of it change together.
    pub fn apply_hq_change(&mut self, signed: &hq_change::SignedHqChange) -> Result<(String, String), KitError> {
        let bad = |problem: String| {
            KitError::Config(ConfigError::Field {
                path: self.dir.config_path(),
                field: "hq_recipients",
                problem: format!("the signed change cannot be applied: {problem}"),
            })
        };
        let office = self.config.hq_verify_key().ok_or_else(|| bad("kit.toml has no valid hq_verify_key".into()))?;
        signed.check(&office, &self.public_key()).map_err(bad)?;
        let mut next = self.config.clone();
        next.hq_recipients = signed.change.hq_recipients.clone();
        next.hq_verify_key = signed.change.hq_verify_key.clone();
        next.validate(&self.dir.config_path())?;
        let (before, after) = (self.config.hq_fingerprint(), next.hq_fingerprint());
        // The change is recorded as pending before kit.toml is replaced: after a power cut in
        // between, the kit opens with either file and the next open finishes the change.
        let tx = self.store.begin()?;
        tx.set_setting(crate::store::settings::HQ_CONFIG_PENDING, &after)?;
        tx.commit()?;
        self.write_config(next)?;
        settle_hq_config(&mut self.store, &after)?;
        Ok((before, after))
    }

    /// Replaces kit.toml whole (written beside, synced, renamed), so a power cut leaves the old
    /// or the new.
    fn write_config(&mut self, next: KitConfig) -> Result<(), KitError> {
        let path = self.dir.config_path();
        next.validate(&path)?;
        let partial = path.with_extension("toml.new");
        let unwritable = |source: std::io::Error| KitError::Unwritable { path: path.clone(), source };
        let written = (|| -> std::io::Result<()> {
            use std::io::Write;
            let mut file = std::fs::File::create(&partial)?;
            file.write_all(next.to_toml().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&partial, &path)?;
            if let Ok(dir) = std::fs::File::open(self.dir.root()) {
                dir.sync_all()?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(unwritable(e));
        }
        self.config = next;
        Ok(())
    }

    /// The kit's public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
    }

    /// The store and the signing key together, so a transaction can sign what it writes.
    pub(crate) fn store_and_key(&mut self) -> (&mut Store, &KitKey) {
        (&mut self.store, &self.key)
    }

    /// The kit key, for the upload client that signs its requests with it.
    pub(crate) fn request_signer(&self) -> KitKey {
        self.key.duplicate()
    }

    /// Signs `message` with the kit key (manifests, receipts).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message)
    }

    /// The kit block written into every packet.
    pub fn kit_info(&self) -> KitInfo {
        KitInfo {
            centre: self.config.centre.clone(),
            kit: self.config.kit.clone(),
            county: self.config.county.clone(),
            public_key: self.key.public().to_hex(),
        }
    }

    /// The admin units the kit validates residence against: the data dir's corrected set, else the shipped one.
    pub fn admin_units(&self) -> Arc<AdminUnits> {
        Arc::clone(&self.units)
    }
}

/// Records `fingerprint` as the central office's recipients and key, with no change pending.
fn settle_hq_config(store: &mut Store, fingerprint: &str) -> Result<(), KitError> {
    let tx = store.begin()?;
    tx.set_setting(crate::store::settings::HQ_CONFIG, fingerprint)?;
    tx.clear_setting(crate::store::settings::HQ_CONFIG_PENDING)?;
    tx.commit()?;
    Ok(())
}

/// Whether `path` is an SQLite database in the clear (a kit from before encryption at rest).
fn is_plaintext_sqlite(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header)).is_ok() && &header == b"SQLite format 3\0"
}

/// Reads `admin-units/` from the data dir when a field technician put a corrected set there.
fn load_admin_units(dir: &DataDir) -> Result<AdminUnits, KitError> {
    let folder = dir.admin_units_dir();
    if !folder.is_dir() {
        return Ok(AdminUnits::bundled().clone());
    }
    let read = |name: &str| keyfile::read_text(&folder.join(name));
    let (counties, sub_counties, constituencies, wards) =
        (read("counties.csv")?, read("sub_counties.csv")?, read("constituencies.csv")?, read("wards.csv")?);
    let tables = crate::domain::admin_units::AdminUnitTables {
        counties: &counties,
        sub_counties: &sub_counties,
        constituencies: &constituencies,
        wards: &wards,
    };
    let units = AdminUnits::parse(&tables).map_err(|e| KitError::AdminUnits {
        path: folder.join(e.table),
        problem: format!("line {}: {}", e.line, e.problem),
    })?;
    tracing::info!(folder = %folder.display(), "using corrected admin units from the data dir");
    Ok(units)
}
