//! File descriptors across `exec`: what this program's children inherit, and what it inherited.
//!
//! Rust opens every descriptor close-on-exec, but C libraries need not: tpm2-tss's swtpm and
//! mssim TCTIs open their sockets without it. A child spawned by another thread while a TPM
//! connection was open kept that connection alive after the parent closed it; swtpm serves one
//! connection at a time, so it waited on the child's idle copy while the parent, holding the
//! TPM lock, waited on swtpm, and the child waited on the lock: the suite hung (seen in the TPM
//! pass of `tests/attacks.rs`).

/// Marks every open descriptor above stderr close-on-exec, so no child started from now on
/// inherits it (call after a C library opened descriptors of its own). A child started by another
/// thread in between can still inherit one; the kit's own binary closes what it inherits
/// ([`close_inherited`]), which covers the CLI children the tests and tools start.
pub fn keep_from_children() {
    for fd in open_descriptors() {
        // SAFETY: F_GETFD/F_SETFD only read and set the descriptor's flags; a descriptor closed
        // meanwhile makes them fail with EBADF, which is harmless here.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
}

/// Closes every descriptor above stderr this process inherited (call first thing in `main`):
/// the program needs none, and holding a parent's socket or lock can keep it from finishing.
pub fn close_inherited() {
    for fd in open_descriptors() {
        // SAFETY: nothing in this process uses these descriptors yet: they came from the parent
        // and `main` has not started anything that opens its own.
        unsafe {
            libc::close(fd);
        }
    }
}

/// The descriptors open above stderr, read from /proc/self/fd.
fn open_descriptors() -> Vec<libc::c_int> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else { return Vec::new() };
    let listed: Vec<libc::c_int> =
        entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).filter(|fd| *fd > 2).collect();
    // The listing's own descriptor was among them and is closed now that `entries` is gone.
    listed
        .into_iter()
        // SAFETY: F_GETFD only asks whether the descriptor is open.
        .filter(|fd| unsafe { libc::fcntl(*fd, libc::F_GETFD) } >= 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_descriptor_a_c_library_opened_without_cloexec_is_kept_from_children() {
        let mut fds = [0; 2];
        // SAFETY: pipe writes two descriptors into the array; opened without O_CLOEXEC on purpose.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let cloexec = |fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } & libc::FD_CLOEXEC != 0;
        assert!(!cloexec(fds[0]) && !cloexec(fds[1]), "the pipe starts inheritable");
        keep_from_children();
        assert!(cloexec(fds[0]) && cloexec(fds[1]), "both ends are now close-on-exec");
        let file = std::fs::File::open("/proc/self/status").expect("open");
        assert!(cloexec(file.as_raw_fd()), "Rust's own descriptors were close-on-exec already");
        // SAFETY: closing the two descriptors this test opened.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }
}
