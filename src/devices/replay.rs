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
    captures: u32,
    unplug_at: Option<u32>,
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
            captures: 0,
            unplug_at: None,
        }
    }

    /// Starts at image `first` and, with `unplug_at`, drops off the line at that capture (1-based)
    /// halfway through the image, as a knocked-out cable does.
    pub fn scripted(mut self, first: u32, unplug_at: Option<u32>) -> Self {
        self.next = first;
        self.unplug_at = unplug_at;
        self
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
        self.captures += 1;
        let image = self.source.image(self.next, self.profile.image.width, self.profile.image.height);
        let total = image.pixels().len();
        if self.unplug_at == Some(self.captures) {
            progress(CaptureProgress::Receiving { done: total / 2, total });
            return Err(DeviceError::Disconnected);
        }
        self.next += 1;
        progress(CaptureProgress::Receiving { done: total, total });
        Ok(RawCapture { image, dpi: self.profile.image.dpi.unwrap_or(500) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::profile::Profiles;

    #[test]
    fn a_scripted_replay_reader_unplugs_at_its_capture_and_a_new_one_goes_on_from_an_image() {
        let profiles = Profiles::load(None).unwrap();
        let profile = profiles.get("replay").unwrap();
        let cancel = CancelToken::new();
        let mut reader = ReplayReader::new(profile, ImageSource::Synthetic(3), "t").scripted(0, Some(2));
        let first = reader.capture(&mut |_| {}, &cancel).unwrap();
        assert!(matches!(reader.capture(&mut |_| {}, &cancel), Err(DeviceError::Disconnected)));
        let mut again = ReplayReader::new(profile, ImageSource::Synthetic(3), "t").scripted(1, None);
        let second = again.capture(&mut |_| {}, &cancel).unwrap();
        assert_ne!(first.image, second.image, "the plugged-back reader serves the next image");
        assert_eq!(second.image, ReplayReader::new(profile, ImageSource::Synthetic(3), "t").source.image(1, 256, 288));
    }
}
