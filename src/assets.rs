//! Files from assets/ compiled into the program (data only; any layer may use them).

/// The pilot face photo: a 384×512 JPEG (see assets/pilot/faces/PROVENANCE.md).
pub const PILOT_FACE_JPEG: &[u8] = include_bytes!("../assets/pilot/faces/astronaut.jpg");
/// Its width and height.
pub const PILOT_FACE_SIZE: (u32, u32) = (384, 512);

/// The pilot central office's age recipient: training batches are sealed to it (assets/pilot-keys).
pub const PILOT_HQ_RECIPIENT: &str = include_str!("../assets/pilot-keys/pilot-hq.age.pub");
/// The pilot central office's receipt key.
pub const PILOT_HQ_VERIFY_KEY: &str = include_str!("../assets/pilot-keys/pilot-hq.ed25519.pub");

/// The shipped training scenarios: file name and text (assets/pilot-scenarios).
pub const PILOT_SCENARIOS: &[(&str, &str)] = &[
    ("01-good-enrollment.toml", include_str!("../assets/pilot-scenarios/01-good-enrollment.toml")),
    ("02-dry-finger.toml", include_str!("../assets/pilot-scenarios/02-dry-finger.toml")),
    ("03-amputated-finger.toml", include_str!("../assets/pilot-scenarios/03-amputated-finger.toml")),
    ("04-already-enrolled.toml", include_str!("../assets/pilot-scenarios/04-already-enrolled.toml")),
    ("05-reader-unplugged.toml", include_str!("../assets/pilot-scenarios/05-reader-unplugged.toml")),
    ("06-two-faces.toml", include_str!("../assets/pilot-scenarios/06-two-faces.toml")),
    ("07-minor-without-guardian.toml", include_str!("../assets/pilot-scenarios/07-minor-without-guardian.toml")),
    ("08-wrong-pin-lockout.toml", include_str!("../assets/pilot-scenarios/08-wrong-pin-lockout.toml")),
];
