//! Signed requests: every request a kit makes of the intake (but the health check) carries an
//! `Enroll-Kit-Signature` header, its Ed25519 signature with the kit's own key over what the
//! request does — in the spirit of RFC 9421 (HTTP Message Signatures), with the components fixed
//! rather than listed, so there is nothing for a sender to leave out:
//!
//! ```text
//! enroll-kit-request-v1 \n METHOD \n PATH \n UPLOAD-OFFSET \n UPLOAD-SHA256 \n BODY-SHA256 \n CREATED \n NONCE \n KEY
//! ```
//!
//! (an absent header as the empty string; BODY-SHA256 of the whole body, but empty for a chunk,
//! whose bytes the file's SHA-256 covers at the end). The header is
//! `key=HEX;created=UNIX-SECONDS;nonce=HEX;sig=HEX`. The intake refuses a request whose key is
//! not registered and active, whose time is outside its window, whose nonce it has seen, or whose
//! signature does not hold — before it touches the disk.

use crate::packet::{KitKey, PublicKey, sha256_hex};

/// The header's name.
pub const HEADER: &str = "enroll-kit-signature";

/// What a request's signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered<'a> {
    /// `GET`, `PUT`, `PATCH`, `POST`.
    pub method: &'a str,
    /// The path, as sent (`/v1/uploads/BATCH`).
    pub path: &'a str,
    /// `Upload-Offset`, if sent.
    pub upload_offset: Option<&'a str>,
    /// `Upload-Sha256`, if sent.
    pub upload_sha256: Option<&'a str>,
    /// SHA-256 of the body (hex), `None` for a chunk.
    pub body_sha256: Option<String>,
}

impl Covered<'_> {
    fn bytes(&self, created: i64, nonce: &str, key: &str) -> Vec<u8> {
        format!(
            "enroll-kit-request-v1\n{}\n{}\n{}\n{}\n{}\n{created}\n{nonce}\n{key}",
            self.method,
            self.path,
            self.upload_offset.unwrap_or(""),
            self.upload_sha256.unwrap_or(""),
            self.body_sha256.as_deref().unwrap_or(""),
        )
        .into_bytes()
    }
}

/// The SHA-256 a signature takes of a body.
pub fn body_digest(body: &[u8]) -> Option<String> {
    Some(sha256_hex(body))
}

/// The header value for a request signed by `key` at `created` (Unix seconds).
pub fn sign(key: &KitKey, covered: &Covered<'_>, created: i64) -> Result<String, getrandom::Error> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce)?;
    let nonce = hex::encode(nonce);
    let public = key.public().to_hex();
    let signature = key.sign(&covered.bytes(created, &nonce, &public));
    Ok(format!("key={public};created={created};nonce={nonce};sig={}", hex::encode(signature)))
}

/// A signature header, parsed and checked against what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The kit's key.
    pub key: PublicKey,
    /// When the kit signed it (Unix seconds, the kit's clock corrected by the intake's).
    pub created: i64,
    /// The request's nonce (hex).
    pub nonce: String,
}

/// Why a signature header is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header.
    #[error(
        "the request is not signed: every request but the health check carries the kit's signature (update enroll-kit)"
    )]
    Missing,
    /// Not `key=…;created=…;nonce=…;sig=…`.
    #[error("the request's signature header is malformed: {0}")]
    Malformed(String),
    /// The signature does not hold for what was sent.
    #[error("the request's signature does not hold for what was sent")]
    Wrong,
}

/// Parses `header` and checks its signature over `covered`. The caller checks the time, the
/// nonce and the key's registration.
pub fn verify(header: Option<&str>, covered: &Covered<'_>) -> Result<Signed, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut fields = std::collections::BTreeMap::new();
    for part in header.split(';') {
        let (name, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| SignatureError::Malformed(format!("{part:?} is not name=value")))?;
        if fields.insert(name, value).is_some() {
            return Err(SignatureError::Malformed(format!("{name} is given twice")));
        }
    }
    let field = |name: &str| fields.get(name).copied().ok_or_else(|| SignatureError::Malformed(format!("no {name}")));
    let key_hex = field("key")?;
    let key = PublicKey::from_text(key_hex).map_err(|e| SignatureError::Malformed(format!("key: {e}")))?;
    let created: i64 =
        field("created")?.parse().map_err(|_| SignatureError::Malformed("created is not a number".into()))?;
    let nonce = field("nonce")?;
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SignatureError::Malformed("nonce must be 32 hex digits".into()));
    }
    let signature = hex::decode(field("sig")?).map_err(|_| SignatureError::Malformed("sig is not hex".into()))?;
    if fields.len() != 4 {
        return Err(SignatureError::Malformed("only key, created, nonce and sig are known".into()));
    }
    if !key.verify(&covered.bytes(created, nonce, &key.to_hex()), &signature) {
        return Err(SignatureError::Wrong);
    }
    Ok(Signed { key, created, nonce: nonce.to_ascii_lowercase() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(offset: Option<&str>) -> Covered<'_> {
        Covered {
            method: "PATCH",
            path: "/v1/uploads/0004200007-20261124090000",
            upload_offset: offset,
            upload_sha256: Some("ab"),
            body_sha256: None,
        }
    }

    #[test]
    fn a_signature_holds_for_what_it_covers_and_nothing_else() {
        let key = KitKey::from_seed([3; 32]);
        let header = sign(&key, &covered(Some("0")), 1_700_000_000).unwrap();
        let signed = verify(Some(&header), &covered(Some("0"))).unwrap();
        assert_eq!((signed.key, signed.created), (key.public(), 1_700_000_000));
        assert_eq!(verify(Some(&header), &covered(Some("4096"))), Err(SignatureError::Wrong), "another offset");
        let mut other = covered(Some("0"));
        other.path = "/v1/uploads/0004200008-20261124090000";
        assert_eq!(verify(Some(&header), &other), Err(SignatureError::Wrong), "another batch");
        let later = header.replace("created=1700000000", "created=1700000300");
        assert_eq!(verify(Some(&later), &covered(Some("0"))), Err(SignatureError::Wrong), "its time moved");
        assert_eq!(verify(None, &covered(None)), Err(SignatureError::Missing));
        for bad in ["", "key=zz", &format!("{header};extra=1"), &format!("{header};key=00")] {
            assert!(matches!(verify(Some(bad), &covered(Some("0"))), Err(SignatureError::Malformed(_))), "{bad}");
        }
        assert_ne!(
            sign(&key, &covered(None), 1).unwrap(),
            sign(&key, &covered(None), 1).unwrap(),
            "a new nonce each time"
        );
    }
}
