//! A change of the central office's recipients and receipt key, signed by the central office:
//! the only way they change after `init` (an edited kit.toml is refused at the next open).

use crate::packet::canonical::to_canonical_json;
use crate::packet::{KitKey, PublicKey};
use serde::{Deserialize, Serialize};

/// The value of `format`.
pub const HQ_CHANGE_FORMAT: &str = "enroll-kit-hq-config";

/// What the central office signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HqChange {
    /// [`HQ_CHANGE_FORMAT`].
    pub format: String,
    /// Version 1.
    pub version: u32,
    /// The one kit it is for (hex public key).
    pub kit_public_key: String,
    /// The new age recipients batches are sealed to.
    pub hq_recipients: Vec<String>,
    /// The new Ed25519 key that signs receipts and later changes (hex).
    pub hq_verify_key: String,
    /// When the central office issued it, UTC.
    pub issued_at: String,
}

/// A change and the central office's signature over its canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHqChange {
    /// The change.
    pub change: HqChange,
    /// Hex signature by the key the kit holds now.
    pub signature: String,
}

impl SignedHqChange {
    /// Signs `change` with the central office's current key.
    pub fn sign(change: HqChange, key: &KitKey) -> Self {
        let signature = hex::encode(key.sign(&Self::signed_bytes(&change)));
        Self { change, signature }
    }

    fn signed_bytes(change: &HqChange) -> Vec<u8> {
        // Plain strings and a list: it always serialises.
        to_canonical_json(&serde_json::to_value(change).unwrap_or_default())
    }

    /// Checks it is the central office's (`office`, the key the kit holds now) and for `kit`.
    pub fn check(&self, office: &PublicKey, kit: &PublicKey) -> Result<(), String> {
        let c = &self.change;
        if c.format != HQ_CHANGE_FORMAT || c.version != 1 {
            return Err(format!("format {} version {} is not a change this kit reads", c.format, c.version));
        }
        let signature = hex::decode(&self.signature).map_err(|_| "its signature is not hex".to_string())?;
        if !office.verify(&Self::signed_bytes(c), &signature) {
            return Err("it is not signed by the central office key this kit holds".into());
        }
        if PublicKey::from_text(&c.kit_public_key).ok().as_ref() != Some(kit) {
            return Err("it is for another kit".into());
        }
        Ok(())
    }
}
