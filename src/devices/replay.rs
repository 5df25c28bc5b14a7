//! The replay source: finger images from a folder (or the synthetic generator), for pilot mode
//! and tests, behind the same trait as a real reader.

use super::DeviceError;
use super::profile::DeviceProfile;
use super::reader::{CancelToken, CaptureProgress, FingerprintReader, RawCapture, ReaderInfo};
use super::sim::ImageSource;

/// A reader that hands out images in turn.
pub struct ReplayReader {
    source: ImageSource,
    profile: DeviceProfile,
    info: ReaderInfo,
    next: u32,
}

impl ReplayReader {
    /// A replay reader over `source`, fitting images to the profile's size.
    pub fn new(profile: &DeviceProfile, source: ImageSource, label: &str) -> Self {
        ReplayReader {
            source,
            profile: profile.clone(),
            info: ReaderInfo {
                profile: profile.id.clone(),
                serial: label.to_string(),
                baud: None,
                details: "replay".into(),
            },
            next: 0,
        }
    }
}

impl FingerprintReader for ReplayReader {
    fn info(&self) -> &ReaderInfo {
        &self.info
    }

    fn capture(
        &mut self,
        progress: &mut dyn FnMut(CaptureProgress),
        cancel: &CancelToken,
    ) -> Result<RawCapture, DeviceError> {
        if cancel.is_cancelled() {
            return Err(DeviceError::Cancelled);
        }
        progress(CaptureProgress::WaitingForFinger);
        progress(CaptureProgress::Capturing);
        let image = self.source.image(self.next, self.profile.image.width, self.profile.image.height);
        self.next += 1;
        let total = image.pixels().len();
        progress(CaptureProgress::Receiving { done: total, total });
        Ok(RawCapture { image, dpi: self.profile.image.dpi.unwrap_or(500) })
    }
}
