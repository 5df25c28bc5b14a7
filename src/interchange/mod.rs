//! Interchange records other systems read and write: the ISO/IEC 19794-4:2011 finger image
//! record a certified registration device returns, with its JPEG 2000 image.

pub mod finger_image;
pub mod jpeg2000;

pub use finger_image::{FingerImage, FingerImageError};
