//! Cameras behind one trait: USB webcams through nokhwa, and a replay source for pilot mode and
//! tests. A worker thread of our own owns the camera and hands the latest frame to the UI.

pub mod decode;
pub mod replay;
pub mod uvc;
pub mod worker;

use super::DeviceError;

/// One RGB frame, 8 bits a channel, row-major.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbFrame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl std::fmt::Debug for RgbFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbFrame({}x{})", self.width, self.height)
    }
}

impl RgbFrame {
    /// Encodes the frame as JPEG (what a face photo is stored as).
    pub fn to_jpeg(&self, quality: u8) -> Result<Vec<u8>, DeviceError> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode(&self.rgb, self.width, self.height, image::ExtendedColorType::Rgb8)
            .map_err(|e| DeviceError::Source(format!("could not encode the photo: {e}")))?;
        Ok(out)
    }
}

/// Facts about an open camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraInfo {
    /// Profile id.
    pub profile: String,
    /// The camera's name.
    pub name: String,
    /// The format in use, as the camera describes it.
    pub format: String,
}

/// A camera. Not `Send`: some backends (V4L2 through nokhwa) tie the device to the thread that
/// opened it, so `worker::CameraWorker` opens and uses a camera on one thread only.
pub trait Camera {
    /// What it is.
    fn info(&self) -> &CameraInfo;
    /// Waits for and returns the next frame.
    fn frame(&mut self) -> Result<RgbFrame, DeviceError>;
}

/// Starts the camera `profile` describes on its own worker thread: a webcam (`uvc`, camera
/// number `index` or the first), or a replay of `images` (the pilot face when none).
pub fn start_camera(
    profile: &super::profile::DeviceProfile,
    images: Option<&std::path::Path>,
    index: Option<u32>,
) -> Result<worker::CameraWorker, DeviceError> {
    use super::profile::Protocol;
    let fps = profile.image.fps.unwrap_or(10);
    let id = profile.id.clone();
    match profile.protocol {
        Protocol::Uvc => {
            let profile = profile.clone();
            worker::CameraWorker::start(move || uvc::UvcCamera::open(&profile, index))
        }
        Protocol::Replay => match images {
            Some(folder) => {
                let folder = folder.to_path_buf();
                worker::CameraWorker::start(move || replay::ReplayCamera::from_folder(&id, &folder, fps))
            }
            None => worker::CameraWorker::start(move || {
                let img = image::load_from_memory(crate::assets::PILOT_FACE_JPEG)
                    .map_err(|e| DeviceError::Source(e.to_string()))?
                    .to_rgb8();
                let frame = RgbFrame { width: img.width(), height: img.height(), rgb: img.into_raw() };
                replay::ReplayCamera::new(&id, "pilot face", vec![frame], fps)
            }),
        },
        _ => Err(DeviceError::Unsupported(format!("{} is not a camera", profile.id))),
    }
}
