//! PIN hashing with argon2id.

use crate::domain::account::Pin;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a PIN to an argon2id PHC string with a fresh random salt.
pub fn hash_pin(pin: &Pin) -> Result<String, String> {
    Argon2::default().hash_password(pin.expose().as_bytes()).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `pin` matches the stored hash. A malformed hash matches nothing.
pub fn verify_pin(pin: &Pin, hash: &str) -> bool {
    Argon2::default().verify_password(pin.expose().as_bytes(), hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_salted() {
        let pin = Pin::new("482913");
        let a = hash_pin(&pin).unwrap();
        let b = hash_pin(&pin).unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_pin(&pin, &a));
        assert!(!verify_pin(&Pin::new("482914"), &a));
        assert!(!verify_pin(&pin, "not a hash"));
        assert!(!a.contains("482913"));
    }
}
