//! The passphrase key store: the kit's secrets wrapped by argon2id and XChaCha20-Poly1305.
//!
//! A thief with a copy of the disk can only guess passphrases offline, and every guess costs a
//! full argon2id run (memory-hard, so graphics cards gain little). The rules below keep the
//! space of passphrases far larger than such a search can cover.

use super::{KeyStoreError, KitSecrets, binding};
use crate::secret::Secret;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;
use zeroize::Zeroize;

/// The fewest characters a kit passphrase may have.
pub const MIN_CHARS: usize = 16;
/// The fewest words (runs of letters or digits between spaces) it must have.
pub const MIN_WORDS: usize = 3;
/// The fewest different characters it must use.
pub const MIN_DISTINCT: usize = 8;

/// A passphrase as typed: zeroed on drop, never printed.
pub struct Passphrase(String);

impl Passphrase {
    /// Wraps what a person typed (surrounding whitespace and the line ending dropped).
    pub fn new(text: &str) -> Self {
        Self(text.trim_matches(|c: char| c == '\n' || c == '\r').to_string())
    }

    /// The text, for the key derivation only.
    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether two typed passphrases differ (a typo in the confirmation).
    pub fn differs(&self, other: &Passphrase) -> bool {
        self.0 != other.0
    }

    /// Whether it is strong enough to wrap a kit's keys.
    pub fn check(&self) -> Result<(), PassphraseError> {
        let text = self.0.trim();
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(PassphraseError::TooShort { chars });
        }
        let words = text.split_whitespace().count();
        if words < MIN_WORDS {
            return Err(PassphraseError::TooFewWords { words });
        }
        let mut distinct: Vec<char> =
            text.chars().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < MIN_DISTINCT {
            return Err(PassphraseError::Repetitive);
        }
        Ok(())
    }
}

impl Drop for Passphrase {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Why a new passphrase was refused; each says what a good one looks like.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PassphraseError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error(
        "the passphrase has {chars} characters; it needs at least {MIN_CHARS}: choose {MIN_WORDS} or more unrelated words, e.g. \"mango river seven lantern\""
    )]
    TooShort {
        /// How many it has.
        chars: usize,
    },
    /// Fewer than [`MIN_WORDS`] words.
    #[error("the passphrase has {words} word(s); it needs at least {MIN_WORDS}, separated by spaces")]
    TooFewWords {
        /// How many it has.
        words: usize,
    },
    /// The same few characters over and over.
    #[error("the passphrase repeats the same few characters; choose unrelated words")]
    Repetitive,
}

/// The argon2id cost of one passphrase guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfCost {
    /// Memory, KiB.
    pub m_kib: u32,
    /// Passes over it.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfCost {
    /// The cost a field kit uses: 256 MiB and 3 passes, measured at 0.75 s on this
    /// project's 2-core machine (README, Benchmarks): once a morning, and as long and 256 MiB for
    /// every guess of a thief's offline search. 128 MiB took 0.31 s, under the 0.5 s floor.
    pub const KIT: KdfCost = KdfCost { m_kib: 256 * 1024, t: 3, p: 1 };
    /// A token cost for test suites, which unlock kits thousands of times. Never for a kit in use:
    /// a kit sealed with it warns at every unlock.
    pub const TEST: KdfCost = KdfCost { m_kib: 64, t: 1, p: 1 };

    /// Whether this is below the field cost.
    pub fn is_weak(&self) -> bool {
        self.m_kib < Self::KIT.m_kib || self.t < Self::KIT.t
    }

    fn argon2(&self) -> Result<Argon2<'static>, String> {
        // An attacker controls kit.keys: refuse a cost that would exhaust memory or time.
        if self.m_kib > 4 * 1024 * 1024 || self.t > 64 || self.p == 0 || self.p > 16 {
            return Err(format!("argon2id cost m={} KiB t={} p={} is out of range", self.m_kib, self.t, self.p));
        }
        let params = Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|e| e.to_string())?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// One supervisor's wrap of the kit's secrets in `kit.keys`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// Whose passphrase (a supervisor's login name).
    pub label: String,
    /// The argon2id cost.
    pub argon2id: KdfCost,
    /// The argon2id salt, hex.
    pub salt: String,
    /// The XChaCha20 nonce, hex.
    pub nonce: String,
    /// The sealed secrets with their Poly1305 tag, hex.
    pub sealed: String,
}

/// Seals and unseals with a passphrase.
pub struct PassphraseStore {
    /// The argon2id cost of new slots.
    pub cost: KdfCost,
}

fn wrapping_key(cost: &KdfCost, passphrase: &Passphrase, salt: &[u8]) -> Result<Secret<32>, String> {
    let mut key = Secret::<32>::zeroed();
    cost.argon2()?.hash_password_into(passphrase.expose(), salt, key.expose_mut()).map_err(|e| e.to_string())?;
    Ok(key)
}

impl PassphraseStore {
    /// A new slot that opens `secrets` with `passphrase`.
    pub fn seal(
        &self,
        secrets: &KitSecrets,
        label: &str,
        passphrase: &Passphrase,
        public_key: &str,
    ) -> Result<Slot, KeyStoreError> {
        let random = |e: getrandom::Error| KeyStoreError::Random(e.to_string());
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).map_err(random)?;
        getrandom::fill(&mut nonce).map_err(random)?;
        let bad = |problem: String| KeyStoreError::BadFile { path: "kit.keys".into(), problem };
        let key = wrapping_key(&self.cost, passphrase, &salt).map_err(bad)?;
        let cipher = XChaCha20Poly1305::new(key.expose().into());
        let block = secrets.to_block();
        let aad = binding(public_key, label);
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: block.expose(), aad: &aad })
            .map_err(|_| bad("encryption failed".into()))?;
        Ok(Slot {
            label: label.to_string(),
            argon2id: self.cost,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            sealed: hex::encode(sealed),
        })
    }
}

/// Opens whichever slot `passphrase` fits.
pub(super) fn unseal_any(
    slots: &[Slot],
    passphrase: &Passphrase,
    public_key: &str,
) -> Result<KitSecrets, KeyStoreError> {
    for slot in slots {
        let bad = |problem: String| KeyStoreError::BadFile {
            path: "kit.keys".into(),
            problem: format!("slot {:?}: {problem}", slot.label),
        };
        let salt = hex::decode(&slot.salt).map_err(|_| bad("salt is not hex".into()))?;
        let nonce = hex::decode(&slot.nonce).map_err(|_| bad("nonce is not hex".into()))?;
        let sealed = hex::decode(&slot.sealed).map_err(|_| bad("sealed is not hex".into()))?;
        if nonce.len() != 24 || salt.len() < 8 {
            return Err(bad("salt or nonce has the wrong length".into()));
        }
        let key = wrapping_key(&slot.argon2id, passphrase, &salt).map_err(bad)?;
        let cipher = XChaCha20Poly1305::new(key.expose().into());
        let aad = binding(public_key, &slot.label);
        if let Ok(mut block) = cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &sealed, aad: &aad }) {
            let secrets = KitSecrets::from_block(&block);
            block.zeroize();
            return secrets.ok_or_else(|| bad("the sealed block has the wrong size".into()));
        }
    }
    Err(KeyStoreError::WrongPassphrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "mango river seven lantern";

    #[test]
    fn weak_passphrases_are_refused_with_what_a_good_one_looks_like() {
        assert!(matches!(Passphrase::new("482913").check(), Err(PassphraseError::TooShort { chars: 6 })));
        assert!(matches!(
            Passphrase::new("correcthorsebatterystaple").check(),
            Err(PassphraseError::TooFewWords { .. })
        ));
        assert_eq!(Passphrase::new("aaaa bbbb aaaa bbbb").check(), Err(PassphraseError::Repetitive));
        assert_eq!(Passphrase::new(GOOD).check(), Ok(()));
        assert!(PassphraseError::TooShort { chars: 3 }.to_string().contains("at least 16"));
    }

    #[test]
    fn only_the_right_passphrase_for_this_kit_opens_a_slot() {
        let secrets = KitSecrets::generate().unwrap();
        let public = secrets.signing_key().public().to_hex();
        let store = PassphraseStore { cost: KdfCost::TEST };
        let slot = store.seal(&secrets, "supervisor", &Passphrase::new(GOOD), &public).unwrap();
        assert!(!slot.sealed.contains(&hex::encode(secrets.signing.expose())), "the seed is not in the slot");

        let opened = unseal_any(std::slice::from_ref(&slot), &Passphrase::new(GOOD), &public).unwrap();
        assert_eq!(opened.signing.expose(), secrets.signing.expose());
        assert_eq!(opened.database.expose(), secrets.database.expose());

        let wrong = unseal_any(std::slice::from_ref(&slot), &Passphrase::new("mango river seven lanterns"), &public);
        assert!(matches!(wrong, Err(KeyStoreError::WrongPassphrase)));
        // The slot is bound to its kit and its label: moved to another kit, or relabelled, it opens nothing.
        let other = KitSecrets::generate().unwrap().signing_key().public().to_hex();
        assert!(matches!(
            unseal_any(std::slice::from_ref(&slot), &Passphrase::new(GOOD), &other),
            Err(KeyStoreError::WrongPassphrase)
        ));
        let mut relabelled = slot.clone();
        relabelled.label = "thief".into();
        assert!(matches!(
            unseal_any(&[relabelled], &Passphrase::new(GOOD), &public),
            Err(KeyStoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_cost_an_attacker_wrote_into_kit_keys_is_bounded() {
        let huge = KdfCost { m_kib: u32::MAX, t: 1, p: 1 };
        assert!(huge.argon2().is_err());
        assert!(KdfCost { m_kib: 64, t: 1000, p: 1 }.argon2().is_err());
        assert!(KdfCost::TEST.is_weak() && !KdfCost::KIT.is_weak());
    }
}
