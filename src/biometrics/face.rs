//! Face photo checks for camera frames (see `kit_biometrics::face`).

use crate::domain::biometrics::FaceCheck as StoredCheck;
pub use kit_biometrics::face::{FaceCheck, FaceChecker, FaceReport};

/// Checks an RGB frame (`width * height * 3` bytes); `None` when the buffer does not match.
pub fn check_rgb(checker: &mut FaceChecker, width: u32, height: u32, rgb: &[u8]) -> Option<FaceReport> {
    if rgb.len() != width as usize * height as usize * 3 {
        return None;
    }
    // Rec. 601 luma, in integers.
    let grey: Vec<u8> = rgb
        .chunks_exact(3)
        .map(|p| ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8) as u8)
        .collect();
    let grey = kit_biometrics::Grey::new(width as usize, height as usize, grey)?;
    Some(checker.check(&grey))
}

/// The checks as a packet records them.
pub fn stored_checks(report: &FaceReport) -> Vec<StoredCheck> {
    report.checks.iter().map(|(c, passed)| StoredCheck { check: c.as_str().to_string(), passed: *passed }).collect()
}
