//! MOSIP's Secure Biometric Interface 0.9.5: the certified slap scanners and cameras national
//! programmes buy. A client that trusts only signed, chained, recent data from devices whose
//! certificates chain to the kit's device CAs, and a simulator of our own that speaks the same
//! bytes over real HTTP on 127.0.0.1, with the faults real devices and hostile peers have.

pub mod chain;
pub mod client;
pub mod error;
pub mod http;
pub mod jws;
pub mod placement;
pub mod sim;
pub mod trust;
pub mod wire;

pub use client::{Capture, CaptureAsk, Captured, Device, DeviceSignature, DeviceType, SbiClient};
pub use error::SbiError;
pub use placement::Placement;
pub use trust::DeviceTrust;
