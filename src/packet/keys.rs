//! Ed25519 keys: the kit's signing key and public keys, with their text file format.
//!
//! Key files are text: `#` comment lines, then one line of hex. The secret key type never
//! prints (its Debug is redacted), never serializes, and is zeroized on drop.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;
use thiserror::Error;

/// Why a key's text could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyTextError {
    /// No key line was found.
    #[error("no key found: the file holds only comments or nothing")]
    Empty,
    /// The key line is not 64 hex digits.
    #[error("the key is not 64 hexadecimal digits")]
    NotHex,
    /// The bytes are not a valid Ed25519 public key.
    #[error("the bytes are not a valid Ed25519 public key")]
    NotAKey,
}

/// An Ed25519 signing key: the kit's (packets, batches) or the central office's (receipts).
pub struct KitKey(SigningKey);

/// An Ed25519 public key (a kit's, or the central office's).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

fn key_bytes(text: &str) -> Result<[u8; 32], KeyTextError> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).ok_or(KeyTextError::Empty)?;
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(line, &mut bytes).map_err(|_| KeyTextError::NotHex)?;
    Ok(bytes)
}

impl KitKey {
    /// A second handle on the same key (a worker thread's kit connection).
    pub(crate) fn duplicate(&self) -> Self {
        KitKey(SigningKey::from_bytes(&self.0.to_bytes()))
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        let key = SigningKey::from_bytes(&seed);
        seed.fill(0);
        Ok(Self(key))
    }

    /// A key from a fixed seed: for tests and benchmarks only.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// Reads the secret key file's text.
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        let mut bytes = key_bytes(text)?;
        let key = SigningKey::from_bytes(&bytes);
        bytes.fill(0);
        Ok(Self(key))
    }

    /// The secret key file's text. Only for writing the key file.
    pub fn to_secret_text(&self, comment: &str) -> String {
        format!(
            "# {comment}\n# Keep this file private: mode 0600, never copied off the kit.\n{}\n",
            hex::encode(self.0.to_bytes())
        )
    }

    /// The 32-byte seed, for the key store that seals it.
    pub(crate) fn seed(&self) -> crate::secret::Secret<32> {
        let mut seed = crate::secret::Secret::<32>::zeroed();
        let mut bytes = self.0.to_bytes();
        seed.expose_mut().copy_from_slice(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        seed
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for KitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KitKey(<secret>, public {})", self.public().fingerprint())
    }
}

impl PublicKey {
    /// Reads a public key file's text.
    pub fn from_text(text: &str) -> Result<Self, KeyTextError> {
        let bytes = key_bytes(text)?;
        VerifyingKey::from_bytes(&bytes).map(Self).map_err(|_| KeyTextError::NotAKey)
    }

    /// The key as 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// A public key file's text.
    pub fn to_text(&self, comment: &str) -> String {
        format!("# {comment}\n{}\n", self.to_hex())
    }

    /// A short fingerprint to read aloud or compare by eye: the first 16 bytes of SHA-256, grouped.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.to_bytes());
        let hex = hex::encode(&digest[..16]);
        hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }

    /// Whether `signature` (64 bytes) is this key's signature over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        let sig = Signature::from_bytes(&bytes);
        self.0.verify(message, &sig).is_ok() && self.0.verify_strict(message, &sig).is_ok()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_signs() {
        let key = KitKey::from_seed([7; 32]);
        let text = key.to_secret_text("test");
        let again = KitKey::from_text(&text).unwrap();
        assert_eq!(key.public(), again.public());
        let sig = key.sign(b"hello");
        assert!(key.public().verify(b"hello", &sig));
        assert!(!key.public().verify(b"hellp", &sig));
        assert!(!key.public().verify(b"hello", &sig[..63]));
        let public = PublicKey::from_text(&key.public().to_text("pub")).unwrap();
        assert_eq!(public, key.public());
        assert_eq!(public.fingerprint().len(), 39);
    }

    #[test]
    fn secret_never_shows_in_debug() {
        let key = KitKey::from_seed([7; 32]);
        let secret_hex = hex::encode([7u8; 32]);
        assert!(!format!("{key:?}").contains(&secret_hex));
        assert!(format!("{key:?}").contains("<secret>"));
    }

    #[test]
    fn bad_key_text() {
        assert_eq!(PublicKey::from_text("# only a comment\n").unwrap_err(), KeyTextError::Empty);
        assert_eq!(PublicKey::from_text("abc").unwrap_err(), KeyTextError::NotHex);
    }
}
