//! Evaluation arithmetic for real-print benchmarks (the FVC protocol): error rates from genuine
//! and impostor scores, and rank correlation of quality scores. Pure: the caller reads the images.

/// NIST's bozorth3 score of two prints' MINDTCT minutiae (the pure-Rust port `fprint-bozorth3`,
/// which reproduces the stock tool's integer scores): the reference an evaluation puts beside the
/// kit. Each print comes with its image height: MINDTCT's `xyt` counts rows from the bottom.
pub fn bozorth3(a: (&[crate::minutiae::Minutia], usize), b: (&[crate::minutiae::Minutia], usize)) -> u32 {
    let xyt = |(m, height): (&[crate::minutiae::Minutia], usize)| -> Vec<fprint_bozorth3::Minutia> {
        m.iter()
            .map(|m| {
                let deg = m.angle.to_degrees().round() as i32 % 360;
                let up = height as i32 - 1 - m.y as i32;
                fprint_bozorth3::Minutia::from_xyt(m.x as i32, up, deg)
            })
            .collect()
    };
    fprint_bozorth3::match_score(&xyt(a), &xyt(b))
}

/// Error rates of a matcher on one set of comparisons.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErrorRates {
    /// Genuine comparisons (same finger).
    pub genuine: usize,
    /// Impostor comparisons (different fingers).
    pub impostor: usize,
    /// Equal error rate, 0–1: where the false match and false non-match rates meet.
    pub eer: f64,
    /// The score at the equal error rate.
    pub eer_threshold: f32,
    /// False non-match rate at the lowest threshold whose false match rate is at most 1/1,000.
    pub fnmr_at_fmr_1000: f64,
    /// False non-match rate likewise at 1/10,000.
    pub fnmr_at_fmr_10000: f64,
    /// The lowest impostor count that measures 1/10,000 at all is 10,000: below that this is the
    /// rate at zero false matches, and `fmr_10000_measured` is false.
    pub fmr_10000_measured: bool,
    /// The threshold giving at most 1/1,000 false matches on these impostors.
    pub threshold_fmr_1000: f32,
    /// The threshold giving at most 1/10,000 (or zero) false matches on these impostors.
    pub threshold_fmr_10000: f32,
}

/// The lowest threshold `t` (a decision is "match" when score ≥ t) at which at most `rate` of
/// `impostor` (sorted ascending) would match.
fn threshold_for(impostor: &[f32], rate: f64) -> f32 {
    if impostor.is_empty() {
        return 0.0;
    }
    let allowed = (rate * impostor.len() as f64).floor() as usize;
    // With `allowed` impostors at or above t, t sits just above the (allowed+1)-th highest.
    let k = impostor.len() - 1 - allowed.min(impostor.len() - 1);
    next_up(impostor[k])
}

fn next_up(v: f32) -> f32 {
    if v.is_finite() { f32::from_bits(if v >= 0.0 { v.to_bits() + 1 } else { v.to_bits() - 1 }) } else { v }
}

fn share_below(sorted: &[f32], t: f32) -> f64 {
    sorted.partition_point(|&s| s < t) as f64 / sorted.len().max(1) as f64
}

fn share_at_or_above(sorted: &[f32], t: f32) -> f64 {
    1.0 - share_below(sorted, t)
}

/// The error rates of `genuine` and `impostor` scores (higher = more alike).
pub fn error_rates(genuine: &[f32], impostor: &[f32]) -> ErrorRates {
    let mut g: Vec<f32> = genuine.iter().copied().filter(|s| s.is_finite()).collect();
    let mut i: Vec<f32> = impostor.iter().copied().filter(|s| s.is_finite()).collect();
    g.sort_by(f32::total_cmp);
    i.sort_by(f32::total_cmp);
    // EER: scan every candidate threshold; where FMR and FNMR cross, take their mean.
    let mut candidates: Vec<f32> = g.iter().chain(&i).copied().collect();
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    let (mut eer, mut eer_threshold, mut gap) = (1.0, 0.0, f64::INFINITY);
    for t in candidates.iter().copied().chain(candidates.last().map(|&v| next_up(v))) {
        let (fnmr, fmr) = (share_below(&g, t), share_at_or_above(&i, t));
        if (fnmr - fmr).abs() < gap {
            gap = (fnmr - fmr).abs();
            eer = (fnmr + fmr) / 2.0;
            eer_threshold = t;
        }
    }
    let t1000 = threshold_for(&i, 1e-3);
    let t10000 = threshold_for(&i, 1e-4);
    ErrorRates {
        genuine: g.len(),
        impostor: i.len(),
        eer,
        eer_threshold,
        fnmr_at_fmr_1000: share_below(&g, t1000),
        fnmr_at_fmr_10000: share_below(&g, t10000),
        fmr_10000_measured: i.len() >= 10_000,
        threshold_fmr_1000: t1000,
        threshold_fmr_10000: t10000,
    }
}

/// The false non-match and false match rates at a fixed threshold.
pub fn rates_at(genuine: &[f32], impostor: &[f32], threshold: f32) -> (f64, f64) {
    let fnmr = genuine.iter().filter(|&&s| s < threshold).count() as f64 / genuine.len().max(1) as f64;
    let fmr = impostor.iter().filter(|&&s| s >= threshold).count() as f64 / impostor.len().max(1) as f64;
    (fnmr, fmr)
}

/// Ranks, ties sharing their mean rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        for &k in &idx[i..=j] {
            r[k] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of two equally long series (0 when either is constant or short).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    if n < 3 {
        return 0.0;
    }
    let (ra, rb) = (ranks(&a[..n]), ranks(&b[..n]));
    let mean = (n as f64 - 1.0) / 2.0;
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - mean) * (y - mean)).sum();
    let va: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mean).powi(2)).sum();
    if va == 0.0 || vb == 0.0 { 0.0 } else { cov / (va * vb).sqrt() }
}

/// Counts of `scores` in `bins` equal bins over [lo, hi] (values outside go to the end bins).
pub fn histogram(scores: &[f32], lo: f32, hi: f32, bins: usize) -> Vec<usize> {
    let mut out = vec![0; bins.max(1)];
    let width = (hi - lo) / out.len() as f32;
    for &s in scores.iter().filter(|s| s.is_finite()) {
        let b = (((s - lo) / width).floor().max(0.0) as usize).min(out.len() - 1);
        out[b] += 1;
    }
    out
}

/// The FVC protocol's pairs for fingers × impressions laid out as `(finger, impression)`: every
/// pair of impressions of one finger (genuine) and every pair of impressions of two different
/// Two prints by their index.
pub type Pair = (usize, usize);

/// fingers (impostor, "all impressions"). Indices into `names`.
pub fn fvc_pairs(names: &[(u32, u32)]) -> (Vec<Pair>, Vec<Pair>) {
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for a in 0..names.len() {
        for b in a + 1..names.len() {
            if names[a].0 == names[b].0 { genuine.push((a, b)) } else { impostor.push((a, b)) }
        }
    }
    (genuine, impostor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_scores_have_no_errors_and_overlapping_ones_meet_in_the_middle() {
        let r = error_rates(&[50.0, 60.0, 70.0], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((r.eer, r.fnmr_at_fmr_1000), (0.0, 0.0));
        assert!(r.threshold_fmr_1000 > 4.0 && r.threshold_fmr_1000 <= 50.0);
        // Half the genuine scores sit among the impostors.
        let g: Vec<f32> = (0..100).map(|k| k as f32).collect();
        let i: Vec<f32> = (0..100).map(|k| k as f32 - 50.0).collect();
        let r = error_rates(&g, &i);
        assert!((r.eer - 0.25).abs() < 0.02, "{r:?}");
        assert!(!r.fmr_10000_measured);
    }

    #[test]
    fn the_fmr_threshold_lets_through_at_most_its_share() {
        let impostor: Vec<f32> = (0..2000).map(|k| k as f32).collect();
        let t = threshold_for(&impostor, 1e-3);
        let (_, fmr) = rates_at(&[], &impostor, t);
        assert!(fmr <= 1e-3, "{fmr}");
        assert!(rates_at(&[], &impostor, t - 1.5).1 > 1e-3, "and is the lowest such threshold");
    }

    #[test]
    fn spearman_sees_order_not_scale() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&a, &[10.0, 20.0, 30.0, 40.0, 500.0]) - 1.0).abs() < 1e-9);
        assert!((spearman(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-9);
        assert_eq!(spearman(&a, &[1.0; 5]), 0.0);
    }

    #[test]
    fn fvc_pairs_count_as_the_protocol_says() {
        let names: Vec<(u32, u32)> = (1..=10).flat_map(|f| (1..=8).map(move |i| (f, i))).collect();
        let (g, i) = fvc_pairs(&names);
        assert_eq!((g.len(), i.len()), (280, 2880));
        assert_eq!(histogram(&[0.0, 5.0, 9.9, 10.0, -3.0], 0.0, 10.0, 2), vec![2, 3]);
    }
}
