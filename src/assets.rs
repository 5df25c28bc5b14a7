//! Files from assets/ compiled into the program (data only; any layer may use them).

/// The pilot face photo: a 384×512 JPEG (see assets/pilot/faces/PROVENANCE.md).
pub const PILOT_FACE_JPEG: &[u8] = include_bytes!("../assets/pilot/faces/astronaut.jpg");
/// Its width and height.
pub const PILOT_FACE_SIZE: (u32, u32) = (384, 512);
