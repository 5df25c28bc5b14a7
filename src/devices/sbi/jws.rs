//! Compact JWS as SBI devices sign: `b64u(header).b64u(payload).b64u(signature)`, RS256 (or
//! EdDSA) with the signing certificate as the first `x5c` entry. A signature counts only when
//! that certificate chains to a device CA this kit trusts and is valid now (the kit's clock,
//! injected so tests need not wait).

use super::trust::DeviceTrust;
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use chrono::{DateTime, Utc};
use rustls_pki_types::{CertificateDer, UnixTime};
use serde::Deserialize;
use thiserror::Error;

/// base64url, padded or not (devices differ).
pub const B64U: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
/// The largest token read: four lossless slap fingers are well under this.
pub const MAX_TOKEN: usize = 8 << 20;

/// Why signed data was not taken.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts, or a part that does not decode.
    #[error("the signed data is malformed: {0}")]
    Malformed(&'static str),
    /// The header is not JSON with `alg` and `x5c`.
    #[error("the signature header is unreadable or names no certificate")]
    Header,
    /// An algorithm the spec does not allow.
    #[error("the data is signed with {0}, which SBI does not allow (RS256 or EdDSA)")]
    Algorithm(String),
    /// The certificate does not chain to a trusted device CA, or is out of date.
    #[error("the device's certificate is not trusted by this kit ({0})")]
    Untrusted(String),
    /// The signature does not verify with the certificate's key.
    #[error("the device's signature does not match its data")]
    BadSignature,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    x5c: Vec<String>,
}

/// A verified token: its payload bytes and the certificate that signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The payload as signed.
    pub payload: Vec<u8>,
    /// The signing certificate (DER).
    pub certificate: Vec<u8>,
}

/// Splits a token and decodes its payload without checking anything (an unregistered device's
/// bare payload, or a caller that verifies separately).
pub fn payload_unverified(token: &str) -> Result<Vec<u8>, JwsError> {
    let middle = match token.split('.').collect::<Vec<_>>()[..] {
        [_, p, _] => p,
        [p] => p,
        _ => return Err(JwsError::Malformed("not one or three parts")),
    };
    B64U.decode(middle).map_err(|_| JwsError::Malformed("payload is not base64url"))
}

/// Verifies `token` against the kit's trusted device CAs at `now`.
pub fn verify(token: &str, trust: &DeviceTrust, now: DateTime<Utc>) -> Result<Verified, JwsError> {
    if token.len() > MAX_TOKEN {
        return Err(JwsError::Malformed("longer than any device sends"));
    }
    let [head, body, sig] = token.split('.').collect::<Vec<_>>()[..] else {
        return Err(JwsError::Malformed("not three parts"));
    };
    let header_bytes = B64U.decode(head).map_err(|_| JwsError::Malformed("header is not base64url"))?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| JwsError::Header)?;
    let alg = match header.alg.as_str() {
        "RS256" => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        "EdDSA" => webpki::ring::ED25519,
        other => return Err(JwsError::Algorithm(other.chars().take(20).collect())),
    };
    // Only the first certificate counts (the spec ignores any chain sent after it).
    let first = header.x5c.first().ok_or(JwsError::Header)?;
    let certificate = STANDARD.decode(first).map_err(|_| JwsError::Malformed("x5c is not base64"))?;
    let signature = B64U.decode(sig).map_err(|_| JwsError::Malformed("signature is not base64url"))?;
    let payload = B64U.decode(body).map_err(|_| JwsError::Malformed("payload is not base64url"))?;
    let der = CertificateDer::from(certificate.as_slice());
    let cert = webpki::EndEntityCert::try_from(&der).map_err(|e| JwsError::Untrusted(format!("{e:?}")))?;
    let anchors = trust.anchors();
    let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds));
    let algs = [webpki::ring::RSA_PKCS1_2048_8192_SHA256, webpki::ring::ED25519];
    cert.verify_for_usage(&algs, &anchors, &[], time, AnyUsage, None, None)
        .map_err(|e| JwsError::Untrusted(format!("{e:?}")))?;
    let signed = &token.as_bytes()[..head.len() + 1 + body.len()];
    cert.verify_signature(alg, signed, &signature).map_err(|_| JwsError::BadSignature)?;
    Ok(Verified { payload, certificate })
}

/// Device certificates sign captures, not TLS sessions: whatever extended key usages a device
/// provider gives them are accepted (a TLS validator would refuse a code-signing one), but the
/// extension must be well formed.
struct AnyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for purpose in iter {
            purpose?;
        }
        Ok(())
    }
}

/// Signs `payload` the way a device does (the simulator's side).
pub fn sign(payload: &[u8], key: &ring::signature::RsaKeyPair, certificate: &[u8]) -> Result<String, JwsError> {
    let header = serde_json::json!({"x5c": [STANDARD.encode(certificate)], "alg": "RS256", "typ": "JWT"});
    let signing_input = format!("{}.{}", B64U.encode(header.to_string()), B64U.encode(payload));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| JwsError::BadSignature)?;
    Ok(format!("{signing_input}.{}", B64U.encode(signature)))
}
