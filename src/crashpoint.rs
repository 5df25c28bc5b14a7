//! Named points where the crash campaign (`tests/crash.rs`, `scripts/crash-campaign`) makes the
//! kit die as a power cut would: with `ENROLL_KIT_CRASH_AT=NAME` the process aborts the moment it
//! reaches that point — no unwinding, no destructor, no flush. Unset, as in the field, a point is
//! one comparison. Dying on one's own request harms nothing the campaign does not already do
//! with SIGKILL.

/// Aborts here when the campaign asked for this point.
pub fn reached(name: &str) {
    static AT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if AT.get_or_init(|| std::env::var("ENROLL_KIT_CRASH_AT").ok()).as_deref() == Some(name) {
        std::process::abort();
    }
}

/// Every point the code holds, for the campaign to walk.
pub const POINTS: [&str; 6] = [
    "draft-before-commit",
    "seal-before-commit",
    "seal-after-commit",
    "review-before-commit",
    "export-renamed",
    "export-before-mark",
];
