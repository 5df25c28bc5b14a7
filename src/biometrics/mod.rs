//! Biometric image processing: for now the synthetic print generator used by `simulate` and
//! pilot mode. Quality scoring and matching arrive with their issues.

pub mod quality;
pub mod synthetic;
