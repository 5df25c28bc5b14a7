//! `enroll-kit init`: provisioning a new kit.

use super::config::{CONFIG_FORMAT, KitConfig};
use super::keystore::{KitSecrets, NewStore};
use super::{DataDir, Kit, KitError, keyfile, pin};
use crate::domain::account::{Pin, Role, check_username};
use crate::domain::audit::AuditAction;
use crate::packet::PublicKey;
use crate::store::{NewAccount, NewAuditEntry, Store};
use chrono::Utc;
use serde_json::json;
use std::path::PathBuf;

/// Everything `init` needs.
pub struct InitParams {
    /// Where to create the kit.
    pub dir: DataDir,
    /// Centre code, 5 digits.
    pub centre: String,
    /// Kit number, 5 digits.
    pub kit: String,
    /// County code.
    pub county: String,
    /// The central office's age recipients.
    pub hq_recipients: Vec<String>,
    /// The central office's Ed25519 verifying key.
    pub hq_verify_key: PublicKey,
    /// A training (pilot) kit.
    pub training: bool,
    /// The first supervisor's login name.
    pub supervisor: String,
    /// The first supervisor's name on screen.
    pub supervisor_name: String,
    /// The first supervisor's PIN.
    pub supervisor_pin: Pin,
    /// What seals the kit's keys: this machine's TPM, or the first supervisor's passphrase.
    pub key_store: NewStore,
}

/// Creates the kit: key pair, kit.toml, database, first supervisor, first audit entry.
///
/// Refuses a data dir that already holds any kit file. If a step fails, the files this call
/// created are removed, so the data dir is as it was and `init` can simply be run again.
pub fn init(params: InitParams) -> Result<Kit, KitError> {
    let InitParams {
        dir,
        centre,
        kit,
        county,
        hq_recipients,
        hq_verify_key,
        training,
        supervisor,
        supervisor_name,
        supervisor_pin,
        key_store,
    } = params;
    let config = KitConfig {
        format: CONFIG_FORMAT,
        centre,
        kit,
        county,
        training,
        hq_recipients,
        hq_verify_key: hq_verify_key.to_hex(),
        upload: None,
        template_retention_days: super::config::DEFAULT_TEMPLATE_RETENTION_DAYS,
        time_zone: super::config::DEFAULT_TIME_ZONE.to_string(),
    };
    config.validate(&PathBuf::from("the init arguments"))?;
    check_username(&supervisor).map_err(|e| KitError::Pin(format!("supervisor login name {supervisor:?}: {e}")))?;
    let pin_hash = pin::hash_pin(&supervisor_pin).map_err(KitError::Pin)?;

    let files = [dir.config_path(), dir.keys_path(), dir.key_path(), dir.public_key_path(), dir.db_path()];
    if files.iter().any(|f| f.exists()) {
        return Err(KitError::AlreadyProvisioned(dir.root().to_path_buf()));
    }
    std::fs::create_dir_all(dir.root())
        .and_then(|()| dir.restrict())
        .map_err(|source| KitError::Unwritable { path: dir.root().to_path_buf(), source })?;

    // Sealed before anything is written: a TPM that is missing or a weak passphrase leaves no files.
    let secrets = KitSecrets::generate()?;
    let keys = key_store.seal(&secrets)?;
    let result = write_kit(&dir, &config, &keys, &secrets, &supervisor, &supervisor_name, &pin_hash);
    if result.is_err() {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        for suffix in ["-wal", "-shm"] {
            let mut p = dir.db_path().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    result?;
    // The database and its WAL were just made under the caller's umask.
    dir.restrict().map_err(|source| KitError::Unwritable { path: dir.root().to_path_buf(), source })?;
    Kit::from_secrets(dir, config, keys.store, &secrets)
}

fn write_kit(
    dir: &DataDir,
    config: &KitConfig,
    keys: &super::keystore::KeysFile,
    secrets: &KitSecrets,
    supervisor: &str,
    supervisor_name: &str,
    pin_hash: &str,
) -> Result<(), KitError> {
    let key = secrets.signing_key();
    let label = format!("enroll-kit keys of centre {} kit {}", config.centre, config.kit);
    keyfile::write_new(&dir.keys_path(), &keys.to_text(&label)?, 0o600)?;
    keyfile::write_new(
        &dir.public_key_path(),
        &key.public().to_text(&format!("enroll-kit public key of centre {} kit {}", config.centre, config.kit)),
        0o644,
    )?;
    keyfile::write_new(&dir.config_path(), &config.to_toml(), 0o600)?;

    let mut store = Store::create(&dir.db_path(), &secrets.db_key())?;
    let now = Utc::now();
    let tx = store.begin()?;
    tx.insert_account(&NewAccount {
        username: supervisor,
        display_name: supervisor_name,
        role: Role::Supervisor,
        pin_hash,
        at: now,
    })?;
    tx.audit(NewAuditEntry {
        at: now,
        actor: None,
        action: AuditAction::Init,
        subject: Some(format!("{}/{}", config.centre, config.kit)),
        detail: json!({
            "county": config.county,
            "training": config.training,
            "kit_key": key.public().fingerprint(),
            "key_store": keys.store.name(),
            "first_supervisor": supervisor,
        }),
    })?;
    tx.commit()?;
    Ok(())
}

/// Seals the keys of a kit from before sealed keys and encrypts its database, in place: the
/// signing key in `kit.key` is sealed into `kit.keys` (so its packets still verify), `kit.db`
/// is copied into an encrypted database, and only then are the clear files overwritten and
/// removed. Run once by a supervisor; a power cut before the last step leaves the old kit.
pub fn protect(dir: DataDir, key_store: NewStore) -> Result<Kit, KitError> {
    let config = KitConfig::load(&dir.config_path())?;
    if dir.keys_path().exists() {
        return Err(KitError::AlreadyProvisioned(dir.keys_path()));
    }
    let key = keyfile::read_secret(&dir.key_path())?;
    let public = keyfile::read_public(&dir.public_key_path())?;
    if public != key.public() {
        return Err(KitError::KeyMismatch(dir.public_key_path()));
    }
    let secrets = KitSecrets::with_signing_key(&key)?;
    let keys = key_store.seal(&secrets)?;
    let db = dir.db_path();
    let encrypted = db.with_extension("db.encrypting");
    let _ = std::fs::remove_file(&encrypted);
    crate::store::encrypt_copy(&db, &encrypted, &secrets.db_key())?;
    let label = format!("enroll-kit keys of centre {} kit {}", config.centre, config.kit);
    let partial = dir.keys_path().with_extension("keys.new");
    let _ = std::fs::remove_file(&partial);
    keyfile::write_new(&partial, &keys.to_text(&label)?, 0o600)?;
    let unwritable = |source| KitError::Unwritable { path: dir.root().to_path_buf(), source };
    // The encrypted database goes in first: until kit.keys is renamed in, the old files still open.
    std::fs::rename(&encrypted, &db).map_err(unwritable)?;
    for suffix in ["-wal", "-shm"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::rename(&partial, dir.keys_path()).map_err(unwritable)?;
    shred(&dir.key_path()).map_err(unwritable)?;
    if let Ok(d) = std::fs::File::open(dir.root()) {
        let _ = d.sync_all();
    }
    let mut kit = Kit::from_secrets(dir, config, keys.store, &secrets)?;
    let tx = kit.store.begin()?;
    tx.audit(NewAuditEntry {
        at: Utc::now(),
        actor: None,
        action: AuditAction::KeysProtected,
        subject: Some(format!("{}/{}", kit.config.centre, kit.config.kit)),
        detail: json!({ "key_store": keys.store.name() }),
    })?;
    tx.commit()?;
    Ok(kit)
}

/// Overwrites a small file with zeros before removing it (on a disk that rewrites in place; an
/// SSD may keep the old blocks, which is why kits are provisioned with sealed keys from the start).
fn shred(path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(&vec![0u8; len as usize])?;
    file.sync_all()?;
    std::fs::remove_file(path)
}
