//! `enroll-kit init`: provisioning a new kit.

use super::config::{CONFIG_FORMAT, KitConfig};
use super::{DataDir, Kit, KitError, keyfile, pin};
use crate::domain::account::{Pin, Role, check_username};
use crate::domain::audit::AuditAction;
use crate::packet::{KitKey, PublicKey};
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
    };
    config.validate(&PathBuf::from("the init arguments"))?;
    check_username(&supervisor).map_err(|e| KitError::Pin(format!("supervisor login name {supervisor:?}: {e}")))?;
    let pin_hash = pin::hash_pin(&supervisor_pin).map_err(KitError::Pin)?;

    let files = [dir.config_path(), dir.key_path(), dir.public_key_path(), dir.db_path()];
    if files.iter().any(|f| f.exists()) {
        return Err(KitError::AlreadyProvisioned(dir.root().to_path_buf()));
    }
    std::fs::create_dir_all(dir.root())
        .and_then(|()| dir.restrict())
        .map_err(|source| KitError::Unwritable { path: dir.root().to_path_buf(), source })?;

    let result = write_kit(&dir, &config, &supervisor, &supervisor_name, &pin_hash);
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
    Kit::open(dir)
}

fn write_kit(
    dir: &DataDir,
    config: &KitConfig,
    supervisor: &str,
    supervisor_name: &str,
    pin_hash: &str,
) -> Result<(), KitError> {
    let key = KitKey::generate().map_err(|e| KitError::Random(e.to_string()))?;
    let label = format!("enroll-kit signing key of centre {} kit {}", config.centre, config.kit);
    keyfile::write_secret(&dir.key_path(), &key, &label)?;
    keyfile::write_new(
        &dir.public_key_path(),
        &key.public().to_text(&label.replace("signing key", "public key")),
        0o644,
    )?;
    keyfile::write_new(&dir.config_path(), &config.to_toml(), 0o600)?;

    let mut store = Store::create(&dir.db_path())?;
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
            "first_supervisor": supervisor,
        }),
    })?;
    tx.commit()?;
    Ok(())
}
