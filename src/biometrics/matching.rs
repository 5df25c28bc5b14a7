//! Fingerprint templates and 1:1 comparison (see `kit_biometrics::template` and `::matcher`),
//! at any resolution (rescaled to 500 dpi first).

use crate::biometrics::quality::at_500_dpi;
use crate::domain::biometrics::GreyImage;
pub use kit_biometrics::matcher::{Prepared, score, score_prepared};
pub use kit_biometrics::search::{Digest, Gallery, parallel_filter_map, person_score};
pub use kit_biometrics::template::{IsoError, Template};

/// Score above which a pair is called the same finger with about one false match in 1,000
/// comparisons of different fingers (calibrated on generated prints: see the README).
pub const THRESHOLD_FMR_1000: f32 = 37.0;
/// Likewise, one in 10,000.
pub const THRESHOLD_FMR_10000: f32 = 40.6;

/// The template of `image`, taken at `dpi`.
pub fn template(image: &GreyImage, dpi: u16) -> Template {
    Template::of(&at_500_dpi(image, dpi))
}

/// The people on a kit as search digests, kept in memory between searches (all of a kit's
/// connections share it) and topped up with the templates stored since.
#[derive(Debug, Default)]
pub struct GalleryCache {
    /// People by RID.
    pub gallery: Gallery<String>,
    /// The last template row taken in.
    pub seen: i64,
}

/// A kit's gallery, shared between its connections.
pub type SharedGallery = std::sync::Arc<std::sync::Mutex<GalleryCache>>;
