//! The fingerprint reader trait every adapter implements.

use super::DeviceError;
use crate::domain::biometrics::GreyImage;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a capture is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureProgress {
    /// Waiting for a finger on the glass.
    WaitingForFinger,
    /// The finger is on; the module is taking the image.
    Capturing,
    /// Image bytes arriving.
    Receiving {
        /// Bytes so far.
        done: usize,
        /// Bytes in all.
        total: usize,
    },
    /// The capture failed in a way a retry may fix; this is attempt number n.
    Retrying(u8),
}

/// A cancel switch shared between the UI and a capture running on a worker thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A new, unset token.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the capture to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether cancel was asked.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// One captured image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCapture {
    /// 8-bit grey pixels.
    pub image: GreyImage,
    /// Resolution.
    pub dpi: u16,
}

/// Facts about an open reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Its profile id.
    pub profile: String,
    /// Serial number, or the port when it has none.
    pub serial: String,
    /// The line rate in use (serial readers).
    pub baud: Option<u32>,
    /// Anything else it told (firmware version, packet size).
    pub details: String,
}

/// A fingerprint reader.
pub trait FingerprintReader: Send {
    /// What it is.
    fn info(&self) -> &ReaderInfo;
    /// Waits for a finger and captures one image, reporting progress; stops when `cancel` is set.
    fn capture(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError>;
}

/// How many times a capture is retried after garbled or missing data.
pub const CAPTURE_RETRIES: u8 = 2;

/// Runs `attempt` until it succeeds, fails for good, or runs out of retries.
pub fn with_retries(
    progress: &mut dyn FnMut(CaptureProgress),
    mut attempt: impl FnMut(&mut dyn FnMut(CaptureProgress)) -> Result<RawCapture, DeviceError>,
) -> Result<RawCapture, DeviceError> {
    let mut tries = 0;
    loop {
        match attempt(progress) {
            Err(e) if e.retryable() && tries < CAPTURE_RETRIES => {
                tries += 1;
                tracing::warn!(error = %e, attempt = tries + 1, "capture failed, retrying");
                progress(CaptureProgress::Retrying(tries + 1));
            }
            other => return other,
        }
    }
}
