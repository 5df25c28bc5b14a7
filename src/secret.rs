//! Key material in memory: pinned out of swap where the OS allows, zeroed when dropped, never printed.

use std::fmt;
use zeroize::Zeroize;

/// `N` secret bytes on the heap, locked into RAM (`mlock`) so they are never written to swap,
/// and zeroed before the memory is given back. Debug prints nothing of them; there is no
/// Serialize, Display or Clone, so a copy is always a deliberate `duplicate`.
pub struct Secret<const N: usize> {
    bytes: Box<[u8; N]>,
    locked: bool,
}

impl<const N: usize> Secret<N> {
    /// Zeroed bytes, locked into RAM before anything is written to them.
    pub fn zeroed() -> Self {
        let bytes = Box::new([0u8; N]);
        let locked = lock(bytes.as_ptr(), N);
        Self { bytes, locked }
    }

    /// Fresh random bytes from the operating system's generator.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut secret = Self::zeroed();
        getrandom::fill(secret.bytes.as_mut_slice())?;
        Ok(secret)
    }

    /// Copies `bytes` in; the caller zeroes its own copy.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut secret = Self::zeroed();
        if bytes.len() != N {
            return None;
        }
        secret.bytes.copy_from_slice(bytes);
        Some(secret)
    }

    /// The bytes, for the one call that uses them.
    pub fn expose(&self) -> &[u8; N] {
        &self.bytes
    }

    /// The bytes, to fill in place.
    pub fn expose_mut(&mut self) -> &mut [u8; N] {
        &mut self.bytes
    }

    /// A second copy (a worker thread's kit connection).
    pub fn duplicate(&self) -> Self {
        let mut copy = Self::zeroed();
        copy.bytes.copy_from_slice(self.bytes.as_slice());
        copy
    }
}

impl<const N: usize> Drop for Secret<N> {
    fn drop(&mut self) {
        self.bytes.zeroize();
        if self.locked {
            unlock(self.bytes.as_ptr(), N);
        }
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{N}>(<redacted>)")
    }
}

#[cfg(unix)]
fn lock(ptr: *const u8, len: usize) -> bool {
    // SAFETY: ptr..ptr+len is one live allocation owned by the caller; mlock only changes paging.
    // It fails without effect when RLIMIT_MEMLOCK is reached: the secret is still zeroed on drop.
    unsafe { libc::mlock(ptr.cast(), len) == 0 }
}

#[cfg(unix)]
fn unlock(ptr: *const u8, len: usize) {
    // SAFETY: the same range lock() locked, still allocated.
    unsafe {
        libc::munlock(ptr.cast(), len);
    }
}

#[cfg(not(unix))]
fn lock(_: *const u8, _: usize) -> bool {
    false
}

#[cfg(not(unix))]
fn unlock(_: *const u8, _: usize) {}

/// Stops the process from being dumped (core files) or attached to by other processes of the
/// same user (ptrace), which would read the unlocked keys out of its memory.
pub fn forbid_memory_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes a plain integer and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_and_copies_only_on_purpose() {
        let secret = Secret::<32>::from_slice(&[7u8; 32]).unwrap();
        assert_eq!(format!("{secret:?}"), "Secret<32>(<redacted>)");
        assert_eq!(secret.duplicate().expose(), &[7u8; 32]);
        assert!(Secret::<32>::from_slice(&[1u8; 31]).is_none());
        assert_ne!(Secret::<32>::random().unwrap().expose(), Secret::<32>::random().unwrap().expose());
    }
}
