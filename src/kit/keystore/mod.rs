//! The kit's secrets at rest: its Ed25519 signing key and the key of its encrypted database,
//! sealed in `kit.keys` by one of two key stores, and never on disk in the clear.
//!
//! - [`tpm::TpmStore`]: sealed to this machine's TPM 2.0; the kit opens by itself, and a copy of
//!   the disk is useless anywhere else.
//! - [`passphrase::PassphraseStore`]: wrapped (argon2id, XChaCha20-Poly1305) by a supervisor's day
//!   passphrase; the kit stays locked until a supervisor types it, and the secrets then live
//!   only in this process's memory.

pub mod passphrase;
pub mod tpm;

pub use passphrase::{KdfCost, Passphrase, PassphraseError, PassphraseStore};
pub use tpm::TpmStore;

use crate::packet::{KitKey, PublicKey};
use crate::secret::Secret;
use crate::store::DbKey;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The format version of `kit.keys`.
pub const KEYS_FORMAT: u32 = 1;

/// Why the kit's secrets could not be sealed or unsealed.
#[derive(Debug, Error)]
pub enum KeyStoreError {
    /// The passphrase does not open any slot of `kit.keys`.
    #[error("that is not this kit's passphrase")]
    WrongPassphrase,
    /// A new passphrase breaks the rules.
    #[error(transparent)]
    WeakPassphrase(#[from] PassphraseError),
    /// The kit's keys are sealed by a TPM and the TPM cannot be reached.
    #[error(
        "the TPM ({tcti}) cannot be used: {detail}. This kit's keys are sealed by this laptop's TPM: \
         check that /dev/tpmrm0 exists and that this account may use it (group tss), or set ENROLL_KIT_TCTI"
    )]
    TpmUnavailable {
        /// Which TPM was tried.
        tcti: String,
        /// What the TPM stack said.
        detail: String,
    },
    /// The TPM refused to unseal: another machine's TPM, or a cleared one.
    #[error(
        "this machine's TPM ({tcti}) refuses the kit's sealed keys ({detail}): the data dir was made on \
         another machine, or the TPM was cleared. The kit cannot be opened here; its exported batches can \
         still be read by the central office"
    )]
    TpmRefused {
        /// Which TPM.
        tcti: String,
        /// What the TPM said.
        detail: String,
    },
    /// `kit.keys` does not hold what it should.
    #[error("{path} is not a valid kit keys file: {problem}. Restore it from the kit's backup")]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The unsealed signing key is not the kit's public key: the files come from two kits.
    #[error("{0} does not belong to this kit's public key (kit.pub): the data dir mixes files from two kits")]
    KeyMismatch(PathBuf),
    /// The operating system's random generator failed.
    #[error("the system random generator failed: {0}")]
    Random(String),
}

/// The kit's two secrets, unsealed: held only in memory, zeroed on drop.
pub struct KitSecrets {
    signing: Secret<32>,
    database: Secret<32>,
}

impl KitSecrets {
    /// Fresh random secrets for a new kit.
    pub fn generate() -> Result<Self, KeyStoreError> {
        let random = |e: getrandom::Error| KeyStoreError::Random(e.to_string());
        Ok(Self { signing: Secret::random().map_err(random)?, database: Secret::random().map_err(random)? })
    }

    /// Secrets made around an existing signing key (a kit from before `kit.keys`).
    pub fn with_signing_key(key: &KitKey) -> Result<Self, KeyStoreError> {
        let mut secrets = Self::generate()?;
        secrets.signing.expose_mut().copy_from_slice(key.seed().expose());
        Ok(secrets)
    }

    /// The secrets an unlocked kit holds, to seal them again (another supervisor's slot).
    pub(crate) fn from_parts(key: &KitKey, db_key: &DbKey) -> Self {
        Self { signing: key.seed(), database: db_key.secret() }
    }

    /// The signing key.
    pub fn signing_key(&self) -> KitKey {
        KitKey::from_seed(*self.signing.expose())
    }

    /// The key of `kit.db`.
    pub fn db_key(&self) -> DbKey {
        DbKey::new(self.database.duplicate())
    }

    /// Both secrets as one block, the plaintext a key store seals.
    fn to_block(&self) -> Secret<64> {
        let mut block = Secret::<64>::zeroed();
        block.expose_mut()[..32].copy_from_slice(self.signing.expose());
        block.expose_mut()[32..].copy_from_slice(self.database.expose());
        block
    }

    fn from_block(block: &[u8]) -> Option<Self> {
        if block.len() != 64 {
            return None;
        }
        Some(Self { signing: Secret::from_slice(&block[..32])?, database: Secret::from_slice(&block[32..])? })
    }
}

impl std::fmt::Debug for KitSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KitSecrets(<redacted>)")
    }
}

/// Which key store sealed a kit's secrets: what it takes to open the kit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// This machine's TPM: the kit opens by itself on this machine only.
    Tpm,
    /// A supervisor's passphrase, typed once a day.
    Passphrase,
}

impl StoreKind {
    /// The name used in kit.keys, the CLI and messages.
    pub fn name(self) -> &'static str {
        match self {
            StoreKind::Tpm => "tpm",
            StoreKind::Passphrase => "passphrase",
        }
    }
}

/// How a kit is to be unlocked now.
pub enum Unlock {
    /// By the TPM it was sealed to (or any kit whose store needs nothing from a person).
    Machine,
    /// By a supervisor's passphrase.
    Passphrase(Passphrase),
}

/// The contents of `kit.keys`: the sealed secrets and what sealed them. Nothing in it is secret
/// without the TPM or a passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysFile {
    /// The file's format version.
    pub format: u32,
    /// The kit's public key (hex), bound into every slot so a slot cannot move between kits.
    pub public_key: String,
    /// The key store.
    pub store: StoreKind,
    /// Passphrase slots (one per supervisor who may unlock the kit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passphrase: Vec<passphrase::Slot>,
    /// The TPM-sealed object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpm: Option<tpm::Sealed>,
}

impl KeysFile {
    /// Reads and checks `kit.keys`.
    pub fn read(path: &Path) -> Result<KeysFile, crate::kit::KitError> {
        let text = crate::kit::keyfile::read_text(path)?;
        let bad = |problem: String| KeyStoreError::BadFile { path: path.to_path_buf(), problem };
        let file: KeysFile = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
        if file.format != KEYS_FORMAT {
            return Err(bad(format!("format {} (this kit reads {KEYS_FORMAT})", file.format)).into());
        }
        PublicKey::from_text(&file.public_key).map_err(|e| bad(format!("public_key: {e}")))?;
        match file.store {
            StoreKind::Passphrase if file.passphrase.is_empty() => return Err(bad("no passphrase slot".into()).into()),
            StoreKind::Tpm if file.tpm.is_none() => return Err(bad("no [tpm] section".into()).into()),
            _ => {}
        }
        Ok(file)
    }

    /// The file's text. An error rather than a file that would lose the keys.
    pub fn to_text(&self, comment: &str) -> Result<String, KeyStoreError> {
        let body = toml::to_string(self).map_err(|e| KeyStoreError::BadFile {
            path: "kit.keys".into(),
            problem: format!("cannot be written: {e}"),
        })?;
        Ok(format!(
            "# {comment}\n# The kit's signing key and database key, sealed ({}). Useless without it; keep a backup.\n{body}",
            self.store.name()
        ))
    }

    /// Unseals the secrets the way `unlock` says, and checks them against the kit's public key.
    pub fn unseal(&self, unlock: &Unlock, path: &Path) -> Result<KitSecrets, KeyStoreError> {
        let secrets = match (self.store, unlock) {
            (StoreKind::Tpm, _) => {
                let sealed = self.tpm.as_ref().ok_or_else(|| KeyStoreError::BadFile {
                    path: path.to_path_buf(),
                    problem: "no [tpm] section".into(),
                })?;
                TpmStore::from_env().unseal(sealed)?
            }
            (StoreKind::Passphrase, Unlock::Passphrase(pass)) => {
                passphrase::unseal_any(&self.passphrase, pass, &self.public_key)?
            }
            (StoreKind::Passphrase, Unlock::Machine) => return Err(KeyStoreError::WrongPassphrase),
        };
        if secrets.signing_key().public().to_hex() != self.public_key {
            return Err(KeyStoreError::KeyMismatch(path.to_path_buf()));
        }
        Ok(secrets)
    }
}

/// What seals a new kit's secrets.
pub enum NewStore {
    /// This machine's TPM.
    Tpm,
    /// The first supervisor's passphrase.
    Passphrase {
        /// Whose slot it is (the supervisor's login name).
        label: String,
        /// The passphrase.
        passphrase: Passphrase,
        /// The argon2id cost.
        cost: KdfCost,
    },
}

impl NewStore {
    /// Seals `secrets` into a new `kit.keys`.
    pub fn seal(&self, secrets: &KitSecrets) -> Result<KeysFile, KeyStoreError> {
        let public_key = secrets.signing_key().public().to_hex();
        let mut file = KeysFile {
            format: KEYS_FORMAT,
            public_key: public_key.clone(),
            store: StoreKind::Tpm,
            passphrase: vec![],
            tpm: None,
        };
        match self {
            NewStore::Tpm => file.tpm = Some(TpmStore::from_env().seal(secrets)?),
            NewStore::Passphrase { label, passphrase, cost } => {
                passphrase.check()?;
                file.store = StoreKind::Passphrase;
                file.passphrase.push(PassphraseStore { cost: *cost }.seal(secrets, label, passphrase, &public_key)?);
            }
        }
        Ok(file)
    }
}

/// The associated data every sealed block is bound to: the file format and the kit's public key.
fn binding(public_key_hex: &str, label: &str) -> Vec<u8> {
    format!("enroll-kit kit.keys {KEYS_FORMAT}\n{public_key_hex}\n{label}").into_bytes()
}
