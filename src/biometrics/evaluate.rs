//! Evaluation on a folder of real prints laid out like the FVC sets (`<finger>_<impression>.png`):
//! the kit's error rates beside NIST's bozorth3 (on MINDTCT's minutiae of the same images, in the
//! same run), its quality against NFIQ 2's scores when a CSV of them is given, and the capture
//! gate's decisions on the prints NFIQ 2 rates good and poor.

use crate::biometrics::matching::{Prepared, parallel_filter_map, score_prepared};
use crate::biometrics::print::{Analysed, PrintError, analyse, load};
pub use kit_biometrics::eval::{ErrorRates, error_rates};
use kit_biometrics::eval::{bozorth3, fvc_pairs, spearman};
use kit_biometrics::minutiae::{Minutia, mindtct};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// NFIQ 2 rates a print good from here.
pub const NFIQ2_GOOD: f64 = 50.0;
/// … and poor up to here.
pub const NFIQ2_POOR: f64 = 15.0;

/// Why an evaluation could not run.
#[derive(Debug, Error)]
pub enum EvaluateError {
    /// The folder could not be listed.
    #[error("cannot read the folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// The OS's words.
        source: std::io::Error,
    },
    /// Too few prints named as the protocol needs.
    #[error(
        "{path} holds {found} print(s) named <finger>_<impression> (e.g. 101_1.png) over {fingers} finger(s): \
         the protocol needs at least two fingers with two impressions each"
    )]
    TooFew {
        /// The folder.
        path: String,
        /// Prints found.
        found: usize,
        /// Fingers among them.
        fingers: usize,
    },
    /// The NFIQ 2 CSV could not be read.
    #[error(
        "{path}: {detail}. The NFIQ 2 CSV needs a header and the columns file,nfiq2 (scripts/nfiq2-oracle writes one)"
    )]
    Nfiq2 {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

/// One print of the folder as evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct PrintResult {
    /// File name.
    pub file: String,
    /// Finger number.
    pub finger: u32,
    /// Impression number.
    pub impression: u32,
    /// Kit quality.
    pub quality: u8,
    /// What holds it back.
    pub issues: Vec<&'static str>,
    /// The kit's minutiae (in the template).
    pub minutiae: usize,
    /// MINDTCT's minutiae (NBIS's own output, for bozorth3).
    pub mindtct_minutiae: usize,
    /// NFIQ 2's score, when the CSV gave one.
    pub nfiq2: Option<f64>,
}

/// How the capture gate decided on the prints NFIQ 2 rates good and poor.
#[derive(Debug, Clone, Serialize)]
pub struct GateDecisions {
    /// The threshold used.
    pub threshold: u8,
    /// Prints NFIQ 2 rates ≥ 50, and how many of them pass the gate.
    pub good: (usize, usize),
    /// Prints NFIQ 2 rates ≤ 15, and how many of them fail it.
    pub poor: (usize, usize),
}

/// An evaluation's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The folder.
    pub folder: String,
    /// The declared resolution.
    pub dpi: u16,
    /// Every print read.
    pub prints: Vec<PrintResult>,
    /// Files that could not be read, with why.
    pub unreadable: Vec<String>,
    /// The kit's error rates.
    pub kit: ErrorRates,
    /// bozorth3's on the same prints.
    pub bozorth3: ErrorRates,
    /// Genuine and impostor scores, kit then bozorth3 (for the plot).
    #[serde(skip)]
    pub scores: [(Vec<f32>, Vec<f32>); 2],
    /// Spearman's ρ of the kit's quality against NFIQ 2's (when the CSV was given).
    pub spearman_nfiq2: Option<f64>,
    /// The gate on NFIQ 2's good and poor prints (when the CSV was given).
    pub gate: Option<GateDecisions>,
}

/// `(finger, impression)` from a file name like `101_3.png`.
fn fvc_name(path: &Path) -> Option<(u32, u32)> {
    let stem = path.file_stem()?.to_str()?;
    let (finger, impression) = stem.split_once('_')?;
    Some((finger.parse().ok()?, impression.parse().ok()?))
}

/// NFIQ 2 scores by file name from a CSV with a header naming `file` and `nfiq2` columns; empty
/// cells (NFIQ 2 could not score the print) are left out.
pub fn read_nfiq2(path: &Path) -> Result<BTreeMap<String, f64>, EvaluateError> {
    let err = |detail: String| EvaluateError::Nfiq2 { path: path.display().to_string(), detail };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(file), Some(score)) = (col("file"), col("nfiq2")) else {
        return Err(err(format!("its header is {:?}, without file and nfiq2", header.join(","))));
    };
    let mut out = BTreeMap::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(f), Some(s)) = (cells.get(file), cells.get(score)) else {
            return Err(err(format!("line {} has too few columns", n + 2)));
        };
        if s.is_empty() {
            continue;
        }
        let v: f64 = s.parse().map_err(|_| err(format!("line {}: {s:?} is not a score", n + 2)))?;
        out.insert((*f).to_string(), v);
    }
    Ok(out)
}

struct Read {
    name: (u32, u32),
    file: String,
    analysed: Analysed,
    reference: Vec<Minutia>,
}

/// Evaluates the prints in `folder`, taken at `dpi`, with the gate at `threshold`.
pub fn evaluate(
    folder: &Path,
    dpi: u16,
    nfiq2: Option<&BTreeMap<String, f64>>,
    threshold: u8,
) -> Result<Evaluation, EvaluateError> {
    let listing = std::fs::read_dir(folder)
        .map_err(|source| EvaluateError::Folder { path: folder.display().to_string(), source })?;
    let mut paths: Vec<(u32, u32, PathBuf)> =
        listing.filter_map(|e| e.ok().map(|e| e.path())).filter_map(|p| fvc_name(&p).map(|(f, i)| (f, i, p))).collect();
    paths.sort();
    let fingers = paths.iter().map(|p| p.0).collect::<std::collections::BTreeSet<_>>().len();
    if fingers < 2 || paths.len() < 4 {
        return Err(EvaluateError::TooFew { path: folder.display().to_string(), found: paths.len(), fingers });
    }
    let read: Vec<Option<Result<Read, (String, PrintError)>>> = parallel_filter_map(&paths, |(f, i, p)| {
        let file = p.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let result = load(p).and_then(|img| analyse(&img, dpi)).map(|analysed| {
            let reference = mindtct(&analysed.image);
            Read { name: (*f, *i), file: file.clone(), analysed, reference }
        });
        Some(result.map_err(|e| (file, e)))
    });
    let (mut ok, mut unreadable) = (Vec::new(), Vec::new());
    for r in read.into_iter().flatten() {
        match r {
            Ok(r) => ok.push(r),
            Err((file, e)) => unreadable.push(format!("{file}: {e}")),
        }
    }
    let names: Vec<(u32, u32)> = ok.iter().map(|r| r.name).collect();
    let (genuine, impostor) = fvc_pairs(&names);
    let prepared: Vec<Prepared> = ok.iter().map(|r| Prepared::new(&r.analysed.template)).collect();
    let kit_scores = |pairs: &[(usize, usize)]| -> Vec<f32> {
        parallel_filter_map(pairs, |&(a, b)| Some(score_prepared(&prepared[a], &prepared[b])))
            .into_iter()
            .flatten()
            .collect()
    };
    let boz_scores = |pairs: &[(usize, usize)]| -> Vec<f32> {
        parallel_filter_map(pairs, |&(a, b)| {
            let (x, y) = (&ok[a], &ok[b]);
            Some(bozorth3((&x.reference, x.analysed.image.height), (&y.reference, y.analysed.image.height)) as f32)
        })
        .into_iter()
        .flatten()
        .collect()
    };
    let (kg, ki) = (kit_scores(&genuine), kit_scores(&impostor));
    let (bg, bi) = (boz_scores(&genuine), boz_scores(&impostor));
    let prints: Vec<PrintResult> = ok
        .iter()
        .map(|r| PrintResult {
            file: r.file.clone(),
            finger: r.name.0,
            impression: r.name.1,
            quality: r.analysed.assessment.score,
            issues: r.analysed.assessment.issues.iter().map(|i| i.as_str()).collect(),
            minutiae: r.analysed.template.minutiae.len(),
            mindtct_minutiae: r.reference.len(),
            nfiq2: nfiq2.and_then(|m| m.get(&r.file).copied()),
        })
        .collect();
    let scored: Vec<(f64, f64)> = prints.iter().filter_map(|p| p.nfiq2.map(|n| (f64::from(p.quality), n))).collect();
    let (spearman_nfiq2, gate) = if scored.len() >= 3 {
        let (kit, nfiq): (Vec<f64>, Vec<f64>) = scored.iter().copied().unzip();
        let good: Vec<&(f64, f64)> = scored.iter().filter(|(_, n)| *n >= NFIQ2_GOOD).collect();
        let poor: Vec<&(f64, f64)> = scored.iter().filter(|(_, n)| *n <= NFIQ2_POOR).collect();
        let t = f64::from(threshold);
        let gate = GateDecisions {
            threshold,
            good: (good.len(), good.iter().filter(|(k, _)| *k >= t).count()),
            poor: (poor.len(), poor.iter().filter(|(k, _)| *k < t).count()),
        };
        (Some(spearman(&kit, &nfiq)), Some(gate))
    } else {
        (None, None)
    };
    Ok(Evaluation {
        folder: folder.display().to_string(),
        dpi,
        kit: error_rates(&kg, &ki),
        bozorth3: error_rates(&bg, &bi),
        scores: [(kg, ki), (bg, bi)],
        prints,
        unreadable,
        spearman_nfiq2,
        gate,
    })
}

impl Evaluation {
    /// The median of the kit's minutiae counts, and of MINDTCT's.
    pub fn median_minutiae(&self) -> (usize, usize) {
        let median = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.get(v.len() / 2).copied().unwrap_or(0)
        };
        (
            median(self.prints.iter().map(|p| p.minutiae).collect()),
            median(self.prints.iter().map(|p| p.mindtct_minutiae).collect()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::synthetic::{Impression, print};

    #[test]
    fn a_generated_set_is_evaluated_by_the_protocol_with_nfiq2_scores_beside() {
        let dir = tempfile::tempdir().unwrap();
        for finger in 1..=3u64 {
            for imp in 1..=3u64 {
                let img = print(40 + finger, &Impression::typical(finger * 10 + imp), 256, 288);
                image::GrayImage::from_raw(256, 288, img.pixels().to_vec())
                    .unwrap()
                    .save(dir.path().join(format!("{finger}_{imp}.png")))
                    .unwrap();
            }
        }
        std::fs::write(dir.path().join("notes.txt"), "not a print").unwrap();
        std::fs::write(dir.path().join("3_9.png"), "truncated").unwrap();
        let csv = dir.path().join("nfiq2.csv");
        std::fs::write(&csv, "file,nfiq2\n1_1.png,60\n1_2.png,55\n2_1.png,10\n2_2.png,\n3_1.png,70\n").unwrap();
        let nfiq2 = read_nfiq2(&csv).unwrap();
        assert_eq!(nfiq2.len(), 4, "the empty cell is left out");
        let e = evaluate(dir.path(), 500, Some(&nfiq2), 40).unwrap();
        assert_eq!(e.prints.len(), 9);
        assert_eq!(e.unreadable.len(), 1, "{:?}", e.unreadable);
        assert_eq!((e.kit.genuine, e.kit.impostor), (9, 27));
        assert_eq!((e.bozorth3.genuine, e.bozorth3.impostor), (9, 27));
        assert!(e.kit.eer < 0.2, "{:?}", e.kit);
        let gate = e.gate.unwrap();
        assert_eq!((gate.good.0, gate.poor.0), (3, 1));
        assert!(e.spearman_nfiq2.is_some());
    }

    #[test]
    fn a_folder_without_enough_prints_or_a_bad_csv_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let e = evaluate(dir.path(), 500, None, 40).unwrap_err().to_string();
        assert!(e.contains("<finger>_<impression>"), "{e}");
        let csv = dir.path().join("q.csv");
        std::fs::write(&csv, "name,score\na,1\n").unwrap();
        assert!(read_nfiq2(&csv).unwrap_err().to_string().contains("file,nfiq2"));
        std::fs::write(&csv, "file,nfiq2\na.png,lots\n").unwrap();
        assert!(read_nfiq2(&csv).unwrap_err().to_string().contains("line 2"));
    }
}
