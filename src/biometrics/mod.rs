//! Biometric image processing for the kit, over the domain's image types: synthetic prints for
//! simulators, `simulate`, pilot mode and tests, the kit quality score, and face photo checks. The arithmetic lives
//! in the `enroll-kit-biometrics` crate (crates/biometrics), compiled with optimisation even in
//! debug builds.

pub mod evaluate;
pub mod face;
pub mod matching;
pub mod plot;
pub mod print;
pub mod quality;
pub mod synthetic;
