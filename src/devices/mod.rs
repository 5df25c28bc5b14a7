//! Fingerprint readers and cameras: profiles, protocol adapters, and a simulator for every
//! serial family that speaks the module's exact bytes over a pseudo-terminal.

pub mod camera;
pub mod error;
pub mod factory;
pub mod gt521;
pub mod libfprint;
pub mod link;
pub mod profile;
pub mod reader;
pub mod replay;
pub mod sbi;
pub mod sim;
pub mod zfm;

pub use error::DeviceError;
pub use profile::{DeviceProfile, Profiles};
pub use reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture};
