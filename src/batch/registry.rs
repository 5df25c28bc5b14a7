//! The central office's register of kits: each kit's public key bound to its centre and kit
//! numbers, with a state. `enroll-kit verify` reads it from a file or an intake database; the
//! intake keeps it in its database (`enroll-kit intake kits …`).

use crate::domain::rid::Code5;
use crate::packet::PublicKey;
use serde::{Deserialize, Serialize};

/// Where a kit stands with the central office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KitState {
    /// In service: its batches are taken.
    Active,
    /// Held back for now (a kit under examination): nothing from it is taken until it is active again.
    Suspended {
        /// Why, as the central office wrote it.
        reason: String,
    },
    /// Lost, stolen or retired: batches it sealed from `since` on are refused for good.
    Revoked {
        /// UTC text; batches sealed before it (a stick still on its way) are still taken.
        since: String,
        /// Why.
        reason: String,
    },
}

impl KitState {
    /// `active`, `suspended` or `revoked`.
    pub fn name(&self) -> &'static str {
        match self {
            KitState::Active => "active",
            KitState::Suspended { .. } => "suspended",
            KitState::Revoked { .. } => "revoked",
        }
    }
}

/// One registered kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredKit {
    /// The kit's Ed25519 public key.
    pub public_key: PublicKey,
    /// Its centre code (5 digits), `None` in an older registered-kits file that lists keys only.
    pub centre: Option<String>,
    /// Its kit number (5 digits), with `centre`.
    pub kit: Option<String>,
    /// Its state.
    pub state: KitState,
}

impl RegisteredKit {
    /// Whether a batch this kit sealed at `sealed_at` (UTC text) may be taken, and if not, why.
    pub fn refuses(&self, centre: &str, kit: &str, sealed_at: &str) -> Option<String> {
        let who = format!("kit {centre}/{kit} (key {})", self.public_key.fingerprint());
        if let (Some(c), Some(k)) = (&self.centre, &self.kit)
            && (c != centre || k != kit)
        {
            return Some(format!(
                "{who}: that key is registered to kit {c}/{k}; a kit can only send batches under its own numbers"
            ));
        }
        match &self.state {
            KitState::Active => None,
            KitState::Suspended { reason } => Some(format!(
                "{who} is suspended ({reason}): nothing from it is taken until the central office restores it"
            )),
            // Both are the UTC text `utc_text` writes, so they compare as times.
            KitState::Revoked { since, reason } if sealed_at >= since.as_str() => Some(format!(
                "{who} was revoked on {since} ({reason}) and this batch was sealed after that: it is refused for good"
            )),
            KitState::Revoked { .. } => None,
        }
    }
}

/// A register the batch checks can ask.
pub trait KitRegistry {
    /// The kit with this key, if registered.
    fn lookup(&self, key: &PublicKey) -> Option<RegisteredKit>;

    /// What to say of a key it does not hold, signing as kit `centre`/`kit`.
    fn unknown(&self, key: &PublicKey, centre: &str, kit: &str) -> String {
        format!("kit {centre}/{kit} (key {}) is not in the registered kits", key.fingerprint())
    }
}

impl KitRegistry for [RegisteredKit] {
    fn lookup(&self, key: &PublicKey) -> Option<RegisteredKit> {
        self.iter().find(|k| &k.public_key == key).cloned()
    }
}

impl KitRegistry for Vec<RegisteredKit> {
    fn lookup(&self, key: &PublicKey) -> Option<RegisteredKit> {
        self.as_slice().lookup(key)
    }
}

/// Reads a registered-kits file: one kit a line, `KEY CENTRE KIT` (the key as hex or a key
/// file's line; centre and kit as 5 digits), or the key alone as older files have it; `#` starts
/// a comment. Each error names the line.
pub fn parse_registered_kits(text: &str) -> Result<Vec<RegisteredKit>, String> {
    let mut kits: Vec<RegisteredKit> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let at = |what: String| format!("line {}: {what}", n + 1);
        let words: Vec<&str> = line.split_whitespace().collect();
        let public_key =
            PublicKey::from_text(words[0]).map_err(|e| at(format!("{:?} is not a kit public key ({e})", words[0])))?;
        let (centre, kit) = match words[1..] {
            [] => (None, None),
            [c, k] => {
                let centre = Code5::parse("centre code", c).map_err(|e| at(e.to_string()))?;
                let kit = Code5::parse("kit number", k).map_err(|e| at(e.to_string()))?;
                (Some(centre.to_string()), Some(kit.to_string()))
            }
            _ => return Err(at("write the key, then the centre code and the kit number (KEY CENTRE KIT)".into())),
        };
        if kits.iter().any(|k| k.public_key == public_key) {
            return Err(at(format!("key {} is listed twice", public_key.fingerprint())));
        }
        if centre.is_some() && kits.iter().any(|k| k.centre == centre && k.kit == kit) {
            return Err(at(format!(
                "kit {}/{} is listed twice: one key per kit",
                centre.as_deref().unwrap_or(""),
                kit.as_deref().unwrap_or("")
            )));
        }
        kits.push(RegisteredKit { public_key, centre, kit, state: KitState::Active });
    }
    Ok(kits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::KitKey;

    fn key(n: u8) -> String {
        KitKey::from_seed([n; 32]).public().to_hex()
    }

    #[test]
    fn a_registered_kits_file_binds_keys_to_numbers_and_names_the_bad_line() {
        let text = format!("# kits of centre 00042\n{} 00042 00007\n\n{}   # an older line\n", key(1), key(2));
        let kits = parse_registered_kits(&text).unwrap();
        assert_eq!(kits.len(), 2);
        assert_eq!((kits[0].centre.as_deref(), kits[0].kit.as_deref()), (Some("00042"), Some("00007")));
        assert_eq!(kits[1].centre, None);
        for (bad, said) in [
            (format!("{} 00042", key(1)), "line 1: write the key"),
            (format!("{} 0042 00007", key(1)), "line 1: centre code must be exactly 5 digits"),
            ("nonsense".to_string(), "line 1: \"nonsense\" is not a kit public key"),
            (format!("{} 00042 00007\n{} 00042 00007", key(1), key(2)), "line 2: kit 00042/00007 is listed twice"),
            (format!("{}\n{}", key(1), key(1)), "line 2: key"),
        ] {
            let e = parse_registered_kits(&bad).unwrap_err();
            assert!(e.starts_with(said), "{bad}: {e}");
        }
    }

    #[test]
    fn a_kit_is_refused_under_other_numbers_while_suspended_and_after_its_revocation() {
        let mut kit = RegisteredKit {
            public_key: KitKey::from_seed([1; 32]).public(),
            centre: Some("00042".into()),
            kit: Some("00007".into()),
            state: KitState::Active,
        };
        assert_eq!(kit.refuses("00042", "00007", "2026-11-24T09:00:00Z"), None);
        assert!(
            kit.refuses("00042", "00008", "2026-11-24T09:00:00Z").unwrap().contains("registered to kit 00042/00007")
        );
        kit.state = KitState::Suspended { reason: "audit".into() };
        assert!(kit.refuses("00042", "00007", "2026-11-24T09:00:00Z").unwrap().contains("suspended (audit)"));
        kit.state = KitState::Revoked { since: "2026-11-24T12:00:00Z".into(), reason: "stolen".into() };
        assert_eq!(kit.refuses("00042", "00007", "2026-11-24T11:59:59Z"), None, "sealed before the theft");
        assert!(kit.refuses("00042", "00007", "2026-11-24T12:00:00Z").unwrap().contains("revoked on"));
    }
}
