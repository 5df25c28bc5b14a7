//! A camera that plays images from a folder at a set frame rate (pilot mode, tests).

use super::{Camera, CameraInfo, RgbFrame};
use crate::devices::DeviceError;
use std::path::Path;
use std::time::{Duration, Instant};

/// Frames from a list of images, round and round, at `fps`.
pub struct ReplayCamera {
    frames: Vec<RgbFrame>,
    info: CameraInfo,
    interval: Duration,
    next_due: Instant,
    next: usize,
}

impl ReplayCamera {
    /// Plays `frames` at `fps`.
    pub fn new(profile: &str, name: &str, frames: Vec<RgbFrame>, fps: u32) -> Result<Self, DeviceError> {
        if frames.is_empty() {
            return Err(DeviceError::Source("a replay camera needs at least one image".into()));
        }
        Ok(ReplayCamera {
            info: CameraInfo { profile: profile.into(), name: name.into(), format: format!("replay {fps} fps") },
            frames,
            interval: Duration::from_secs_f64(1.0 / f64::from(fps.max(1))),
            next_due: Instant::now(),
            next: 0,
        })
    }

    /// Plays the PNG/JPEG images in `folder`, in name order.
    pub fn from_folder(profile: &str, folder: &Path, fps: u32) -> Result<Self, DeviceError> {
        let paths = crate::devices::sim::image_paths(folder).map_err(DeviceError::Source)?;
        let mut frames = Vec::new();
        for path in &paths {
            let img = image::open(path)
                .map_err(|e| DeviceError::Source(format!("{} is not a readable image: {e}", path.display())))?
                .to_rgb8();
            frames.push(RgbFrame { width: img.width(), height: img.height(), rgb: img.into_raw() });
        }
        Self::new(profile, &folder.display().to_string(), frames, fps)
    }
}

impl Camera for ReplayCamera {
    fn info(&self) -> &CameraInfo {
        &self.info
    }

    fn frame(&mut self) -> Result<RgbFrame, DeviceError> {
        if let Some(wait) = self.next_due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        self.next_due = Instant::now() + self.interval;
        let frame = self.frames[self.next % self.frames.len()].clone();
        self.next += 1;
        Ok(frame)
    }
}
