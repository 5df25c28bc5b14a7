//! Fingerprint templates and 1:1 comparison (see `kit_biometrics::template` and `::matcher`),
//! at any resolution (rescaled to 500 dpi first).

use crate::biometrics::print::analyse;
use crate::domain::biometrics::GreyImage;
pub use kit_biometrics::matcher::{Prepared, score, score_prepared};
pub use kit_biometrics::search::{Digest, Gallery, PERSON_THRESHOLD, SHORTLIST, parallel_filter_map, person_score};
pub use kit_biometrics::template::{EXTRACTOR, IsoError, Template};

/// Score from which a pair is called the same finger with at most one false match in 1,000
/// comparisons of different fingers: calibrated on real prints (the three FVC sets pooled, every
/// impression against every other finger's; `enroll-kit evaluate`, see the README).
pub const THRESHOLD_FMR_1000: f32 = 42.4;
/// Likewise, one in 10,000: the pooled sets hold 8,640 impostor comparisons, so this is just above
/// the highest impostor score among them (no false match at all) — the first figure to revise when
/// a larger real set is at hand.
pub const THRESHOLD_FMR_10000: f32 = 61.4;

/// The template of `image`, taken at `dpi` (no minutiae when the image cannot be a print).
pub fn template(image: &GreyImage, dpi: u16) -> Template {
    analyse(image, dpi).map(|a| a.template).unwrap_or(Template { width: 0, height: 0, dpi: 500, minutiae: Vec::new() })
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
