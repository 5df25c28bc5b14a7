//! The TPM key store: the kit's secrets sealed as a TPM 2.0 data object under the storage
//! hierarchy, so only this machine's TPM can unseal them.
//!
//! The parent is an ECC P-256 storage key re-derived from the TPM's owner seed at every use (the
//! same template always gives the same key, so nothing is stored in the TPM's scarce NV memory).
//! The sealed object is `fixedTPM` and `fixedParent`: it cannot be duplicated to another TPM.
//! Commands travel in a session salted to that parent and encrypted both ways, so the secrets
//! are never on the bus in the clear.

use super::{KeyStoreError, KitSecrets};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use tss_esapi::Context;
use tss_esapi::attributes::{ObjectAttributesBuilder, SessionAttributesBuilder};
use tss_esapi::constants::SessionType;
use tss_esapi::handles::{KeyHandle, ObjectHandle, SessionHandle};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::interface_types::resource_handles::Hierarchy;
use tss_esapi::interface_types::session_handles::AuthSession;
use tss_esapi::structures::{
    EccPoint, KeyedHashScheme, Private, Public, PublicBuilder, PublicEccParametersBuilder, PublicKeyedHashParameters,
    SensitiveData, SymmetricDefinition, SymmetricDefinitionObject,
};
use tss_esapi::tcti_ldr::TctiNameConf;
use tss_esapi::traits::{Marshall, UnMarshall};

/// The environment variable naming the TPM (a tpm2-tss TCTI string, e.g. `swtpm:port=2321`).
pub const TCTI_ENV: &str = "ENROLL_KIT_TCTI";
/// The TPM used when [`TCTI_ENV`] is not set: the kernel's resource manager.
pub const DEFAULT_TCTI: &str = "device:/dev/tpmrm0";

/// The TPM-sealed secrets in `kit.keys`: the object's public and private parts, as the TPM
/// marshals them (the private part is encrypted by the TPM's own parent key).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    /// TPM2B_PUBLIC, hex.
    pub public: String,
    /// TPM2B_PRIVATE, hex.
    pub private: String,
}

/// Seals and unseals with one TPM.
pub struct TpmStore {
    tcti: String,
}

impl TpmStore {
    /// The TPM named by `ENROLL_KIT_TCTI`, else the kernel's.
    pub fn from_env() -> Self {
        Self { tcti: std::env::var(TCTI_ENV).unwrap_or_else(|_| DEFAULT_TCTI.to_string()) }
    }

    /// Whether a TPM answers (used by `init` to choose a store).
    pub fn is_present(&self) -> bool {
        self.context().is_ok()
    }

    fn unavailable(&self, detail: impl ToString) -> KeyStoreError {
        KeyStoreError::TpmUnavailable { tcti: self.tcti.clone(), detail: detail.to_string() }
    }

    fn refused(&self, detail: impl ToString) -> KeyStoreError {
        KeyStoreError::TpmRefused { tcti: self.tcti.clone(), detail: detail.to_string() }
    }

    fn context(&self) -> Result<Context, KeyStoreError> {
        // A device TCTI on a machine without one fails deep in tpm2-tss; say it plainly first.
        if let Some(path) = self.tcti.strip_prefix("device:")
            && !std::path::Path::new(path.split(',').next().unwrap_or(path)).exists()
        {
            return Err(self.unavailable(format!("{path} does not exist")));
        }
        let conf = TctiNameConf::from_str(&self.tcti).map_err(|e| self.unavailable(e))?;
        let ctx = Context::new(conf).map_err(|e| self.unavailable(e));
        // The TCTI's socket is not close-on-exec: a child spawned meanwhile would keep the TPM
        // connection open after this one closes it, and swtpm would wait on it (src/inherit.rs).
        crate::inherit::keep_from_children();
        ctx
    }

    /// One client at a time on a TPM with no resource manager in front of it (swtpm, a raw
    /// /dev/tpm0): such a TPM holds only three loaded sessions, and concurrent kits would take
    /// each other's. The kernel's /dev/tpmrm0 and tpm2-abrmd swap sessions out and need no lock.
    fn exclusive(&self) -> Result<Option<std::fs::File>, KeyStoreError> {
        if self.tcti.starts_with("device:/dev/tpmrm") || self.tcti.starts_with("tabrmd") {
            return Ok(None);
        }
        let name: String = self.tcti.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let path = std::env::temp_dir().join(format!("enroll-kit-tpm-{name}.lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| self.unavailable(format!("cannot open the lock {}: {e}", path.display())))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor we own; the lock goes with the file when it is dropped.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                let e = std::io::Error::last_os_error();
                return Err(self.unavailable(format!("cannot lock {}: {e}", path.display())));
            }
        }
        Ok(Some(file))
    }

    /// The storage parent, and a session salted to it with parameter encryption both ways.
    fn open(&self) -> Result<(Context, KeyHandle, AuthSession), KeyStoreError> {
        let mut ctx = self.context()?;
        // The owner hierarchy's empty password: a password session takes no TPM session slot.
        ctx.set_sessions((Some(AuthSession::Password), None, None));
        let template = parent_template().map_err(|e| self.unavailable(e))?;
        let parent = ctx
            .create_primary(Hierarchy::Owner, template, None, None, None, None)
            .map_err(|e| self.unavailable(format!("creating the storage key: {e}")))?
            .key_handle;
        ctx.clear_sessions();
        let session = ctx
            .start_auth_session(
                Some(parent),
                None,
                None,
                SessionType::Hmac,
                SymmetricDefinition::AES_128_CFB,
                HashingAlgorithm::Sha256,
            )
            .map_err(|e| self.unavailable(format!("starting a session: {e}")))?
            .ok_or_else(|| self.unavailable("the TPM gave no session"))?;
        let (attributes, mask) = SessionAttributesBuilder::new().with_decrypt(true).with_encrypt(true).build();
        ctx.tr_sess_set_attributes(session, attributes, mask).map_err(|e| self.unavailable(e))?;
        ctx.set_sessions((Some(session), None, None));
        Ok((ctx, parent, session))
    }

    /// Gives the TPM back its slots: a TPM holds only a few transient objects and sessions.
    fn close(ctx: &mut Context, session: AuthSession, handles: &[ObjectHandle]) {
        ctx.clear_sessions();
        let _ = ctx.flush_context(SessionHandle::from(session).into());
        for handle in handles {
            let _ = ctx.flush_context(*handle);
        }
    }

    /// Seals `secrets` to this TPM.
    pub fn seal(&self, secrets: &KitSecrets) -> Result<Sealed, KeyStoreError> {
        let _lock = self.exclusive()?;
        let (mut ctx, parent, session) = self.open()?;
        let block = secrets.to_block();
        let created =
            SensitiveData::try_from(block.expose().to_vec()).map_err(|e| self.unavailable(e)).and_then(|data| {
                let template = sealed_template().map_err(|e| self.unavailable(e))?;
                ctx.create(parent, template, None, Some(data), None, None)
                    .map_err(|e| self.unavailable(format!("sealing: {e}")))
            });
        Self::close(&mut ctx, session, &[parent.into()]);
        let created = created?;
        let public = created.out_public.marshall().map_err(|e| self.unavailable(e))?;
        Ok(Sealed { public: hex::encode(public), private: hex::encode(created.out_private.value()) })
    }

    /// Unseals the secrets; only the TPM that sealed them can.
    pub fn unseal(&self, sealed: &Sealed) -> Result<KitSecrets, KeyStoreError> {
        let bad =
            |problem: &str| KeyStoreError::BadFile { path: "kit.keys".into(), problem: format!("[tpm] {problem}") };
        let public = hex::decode(&sealed.public).map_err(|_| bad("public is not hex"))?;
        let private = hex::decode(&sealed.private).map_err(|_| bad("private is not hex"))?;
        let public = Public::unmarshall(&public).map_err(|_| bad("public is not a TPM2B_PUBLIC"))?;
        let private = Private::try_from(private).map_err(|_| bad("private is too long"))?;
        let _lock = self.exclusive()?;
        let (mut ctx, parent, session) = self.open()?;
        let data = match ctx.load(parent, private, public) {
            Ok(object) => {
                let data = ctx.unseal(object.into()).map_err(|e| self.refused(e));
                Self::close(&mut ctx, session, &[parent.into(), object.into()]);
                data
            }
            Err(e) => {
                Self::close(&mut ctx, session, &[parent.into()]);
                Err(self.refused(e))
            }
        }?;
        KitSecrets::from_block(data.value()).ok_or_else(|| bad("the sealed block has the wrong size"))
    }
}

fn parent_template() -> tss_esapi::Result<Public> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_decrypt(true)
        .with_restricted(true)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new_restricted_decryption_key(
                SymmetricDefinitionObject::AES_128_CFB,
                EccCurve::NistP256,
            )
            .build()?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()
}

fn sealed_template() -> tss_esapi::Result<Public> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_no_da(true)
        .with_user_with_auth(true)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::KeyedHash)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_keyed_hash_parameters(PublicKeyedHashParameters::new(KeyedHashScheme::Null))
        .with_keyed_hash_unique_identifier(Default::default())
        .build()
}
