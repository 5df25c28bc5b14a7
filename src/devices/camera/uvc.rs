//! USB webcams through nokhwa: a plain `Camera` driven from our own worker thread (nokhwa's
//! threaded camera hangs, per its open issues), in a format the camera really offers.

use super::decode::{PixelFormat, to_rgb};
use super::{Camera, CameraInfo, RgbFrame};
use crate::devices::DeviceError;
use crate::devices::profile::DeviceProfile;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution,
};

/// A camera the system lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraListing {
    /// Index to open it by.
    pub index: u32,
    /// Its name.
    pub name: String,
    /// What the driver says about it.
    pub description: String,
}

/// The cameras attached; an empty list when there are none or the system has no video devices.
pub fn list_cameras() -> Vec<CameraListing> {
    nokhwa::query(ApiBackend::Auto)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| match c.index() {
            CameraIndex::Index(i) => {
                Some(CameraListing { index: *i, name: c.human_name(), description: c.description().to_string() })
            }
            CameraIndex::String(_) => None,
        })
        .collect()
}

/// An open webcam.
pub struct UvcCamera {
    camera: nokhwa::Camera,
    info: CameraInfo,
}

fn pixel_format(f: FrameFormat) -> PixelFormat {
    match f {
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::GRAY => PixelFormat::Gray,
        FrameFormat::RAWRGB => PixelFormat::Rgb,
        FrameFormat::RAWBGR => PixelFormat::Bgr,
    }
}

impl UvcCamera {
    /// Opens camera `index` (the first one when `None`) in the offered format closest to the profile's.
    pub fn open(profile: &DeviceProfile, index: Option<u32>) -> Result<UvcCamera, DeviceError> {
        let cameras = list_cameras();
        let chosen = match index {
            Some(i) => cameras.iter().find(|c| c.index == i),
            None => cameras.first(),
        };
        let Some(chosen) = chosen else {
            return Err(DeviceError::Unsupported(match index {
                Some(i) => format!("there is no camera number {i}: see `enroll-kit devices list`"),
                None => "no camera is attached: plug in the USB camera and retry".into(),
            }));
        };
        let wanted = CameraFormat::new(
            Resolution::new(profile.image.width, profile.image.height),
            FrameFormat::MJPEG,
            profile.image.fps.unwrap_or(15),
        );
        let request = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        let mut camera = nokhwa::Camera::new(CameraIndex::Index(chosen.index), request)
            .map_err(|e| DeviceError::Open { port: chosen.name.clone(), detail: e.to_string() })?;
        camera.open_stream().map_err(|e| DeviceError::Open { port: chosen.name.clone(), detail: e.to_string() })?;
        let format = camera.camera_format();
        Ok(UvcCamera {
            info: CameraInfo { profile: profile.id.clone(), name: chosen.name.clone(), format: format.to_string() },
            camera,
        })
    }
}

impl Camera for UvcCamera {
    fn info(&self) -> &CameraInfo {
        &self.info
    }

    fn frame(&mut self) -> Result<RgbFrame, DeviceError> {
        let buffer = self.camera.frame().map_err(|_| DeviceError::Disconnected)?;
        let resolution = buffer.resolution();
        to_rgb(pixel_format(buffer.source_frame_format()), resolution.width(), resolution.height(), buffer.buffer())
    }
}

impl Drop for UvcCamera {
    fn drop(&mut self) {
        let _ = self.camera.stop_stream();
    }
}
