//! enroll-kit's biometric image arithmetic, in a crate of its own so that it is compiled with
//! optimisation even in debug builds (the kit's tests, `simulate` and pilot mode generate
//! thousands of prints).
//!
//! - [`generator`]: synthetic fingerprints at 500 dpi, SFinGe-style: an orientation field from
//!   the pattern class's cores and deltas, ridges grown by iterative Gabor filtering from random
//!   seeds, then impressions with rotation, translation, elastic distortion, pressure, noise,
//!   blur and partial contact — deterministic from a seed, with their ground truth.
//! - [`ridges`]: the ridge map of a print (foreground, orientation, ridge period, local clarity).
//! - [`quality`]: the kit quality score 0–100, calibrated against NIST's NFIQ 2 on real prints
//!   (not NFIQ 2 itself), with the reasons a print falls short.
//! - [`eval`]: error rates and rank correlation for real-print evaluation (FVC protocol).
//! - [`minutiae`], [`template`], [`matcher`]: minutiae, ISO/IEC 19794-2 templates, 1:1 scores.
//! - [`search`]: 1:N person search — a digest shortlist, then full comparisons, fused.
//! - [`face`]: face photo checks (one face, centred, size, eyes level, exposure, sharpness,
//!   plain background), each a thing the assistant can fix.
//!
//! Images are 8-bit grey, row-major ([`Grey`]); no I/O happens here.

pub mod eval;
pub mod face;
pub mod filters;
pub mod generator;
pub mod image;
pub mod matcher;
pub mod minutiae;
pub mod quality;
pub mod ridges;
pub mod search;
pub mod template;

pub use image::{Grey, Plane};
