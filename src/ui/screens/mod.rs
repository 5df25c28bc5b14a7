//! One module per screen.

pub mod close_day;
pub mod demographics;
pub mod done;
pub mod enroll;
pub mod face;
pub mod fingers;
pub mod hand;
pub mod home;
pub mod login;
pub mod queue;
pub mod report;
pub mod review;
pub mod trainer;
pub mod upload;
pub mod verdict;

use super::i18n::I18n;
use crate::workflow::app::Facts;
use crate::workflow::devices::{CameraInfo, CameraWorker, DeviceStatus, ReaderInfo};

/// A texture from JPEG or PNG bytes (a stored photo or print); `None` when they do not decode.
pub(crate) fn image_texture(ctx: &egui::Context, name: &str, bytes: &[u8]) -> Option<egui::TextureHandle> {
    let img = image::load_from_memory(bytes).ok()?.to_rgb8();
    let image = egui::ColorImage::from_rgb([img.width() as usize, img.height() as usize], img.as_raw());
    Some(ctx.load_texture(name, image, egui::TextureOptions::LINEAR))
}

/// What a screen may read while it draws: the context it needs, nothing to change.
pub struct View<'a> {
    /// Translations.
    pub i18n: &'a I18n,
    /// What the screens may know of the kit.
    pub facts: &'a Facts,
    /// The reader's status.
    pub reader: Option<&'a DeviceStatus<ReaderInfo>>,
    /// The camera's status.
    pub camera: Option<&'a DeviceStatus<CameraInfo>>,
    /// The reader profile's quality threshold.
    pub reader_min_quality: u8,
    /// The reader is a slap scanner: fingers are taken four, four and two at a time.
    pub slap_reader: bool,
    /// The running camera, for the preview.
    pub camera_worker: Option<&'a CameraWorker>,
}
