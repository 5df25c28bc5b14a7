//! The capture hash chain: `hash_i = SHA256(previous ‖ SHA256(iso_i))`, upper-case hex, where
//! `previous` is the raw bytes of the prior hash (SHA256 of nothing before the first). MOSIP's
//! own client does not check it; the kit does, so a device cannot splice a capture in or out.

use sha2::{Digest, Sha256};

/// The start of a chain: SHA256 of no bytes.
pub fn start() -> [u8; 32] {
    Sha256::digest([]).into()
}

/// The next link after `previous` for the ISO record `iso`.
pub fn next(previous: &[u8; 32], iso: &[u8]) -> [u8; 32] {
    let inner = Sha256::digest(iso);
    let mut h = Sha256::new();
    h.update(previous);
    h.update(inner);
    h.finalize().into()
}

/// Upper-case hex, as devices send it.
pub fn hex(hash: &[u8; 32]) -> String {
    hex::encode_upper(hash)
}

/// A device's hash (either case) as bytes.
pub fn parse(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.trim()).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_vectors_hold() {
        assert_eq!(hex(&start()), "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
        let h1 = next(&start(), b"test-iso-1");
        assert_eq!(hex(&h1), "97D2C03C7C269497CD7C85036C324F462A38B646815B79B33E3ECACCF31C2DC4");
        let h2 = next(&h1, b"test-iso-2");
        assert_eq!(hex(&h2), "F69FF882DCB117A72368681AAF094B728059703FE4E8926431671AD781C85DFB");
        assert_eq!(parse(&hex(&h2).to_lowercase()), Some(h2));
        assert_eq!(parse("E3B0"), None);
    }
}
