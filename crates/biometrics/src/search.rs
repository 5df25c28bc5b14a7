//! 1:N person search: a ten-finger probe against every person enrolled.
//!
//! Comparing every finger in full (0.7 ms each) is 35 s for 10,000 people on two cores, so the
//! search runs in two passes:
//! 1. **Shortlist.** Each template is boiled down to a [`Digest`]: the set of its edges (a minutia
//!    and a near neighbour: their distance and the two directions relative to the line between
//!    them, the same wherever the finger lay), each quantised to a 16-bit key. Two impressions of
//!    one finger share many keys; two fingers share few, by chance. A person's first-pass score is
//!    the sum over fingers of the share of keys in common; merging two sorted key lists of a few
//!    hundred takes about a microsecond, so 10,000 people take milliseconds.
//! 2. **Full comparison** of the shortlisted people's fingers with the matcher, fused into a
//!    person score ([`person_score`]).
//!
//! The gallery holds only digests (about 0.6 KB a finger); the caller keeps the templates (the
//! kit keeps them in its database) and hands over the shortlisted ones.

use crate::matcher::{Prepared, score_prepared};
use crate::minutiae::Minutia;
use crate::template::Template;
use std::collections::HashMap;
use std::f32::consts::TAU;
use std::hash::Hash;

/// How a template is boiled down to its digest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DigestParams {
    /// Neighbours each minutia makes edges to.
    pub neighbours: usize,
    /// Width of an edge-length bin, pixels at 500 dpi.
    pub length_bin: f32,
    /// Bins for each of the two edge angles.
    pub angle_bins: u16,
}

impl Default for DigestParams {
    /// The values chosen with `examples/dedup_bench.rs` (see the README's figures).
    fn default() -> Self {
        DigestParams { neighbours: 5, length_bin: 8.0, angle_bins: 16 }
    }
}

/// Edges shorter than this carry too little direction to trust (pixels).
const MIN_EDGE: f32 = 10.0;

/// A minutia and one of its neighbours, seen from the minutia: the same wherever the finger lay.
struct Edge {
    length: f32,
    /// Edge direction relative to the `from` minutia's direction.
    at_from: f32,
    /// Reverse edge direction relative to the `to` minutia's direction.
    at_to: f32,
}

/// Direction from a to b, counter-clockwise with y up (the minutiae's convention).
fn heading(a: &Minutia, b: &Minutia) -> f32 {
    (-(b.y as f32 - a.y as f32)).atan2(b.x as f32 - a.x as f32)
}

/// Each minutia's edges to its `neighbours` nearest.
fn edges(m: &[Minutia], neighbours: usize) -> Vec<Edge> {
    let mut out = Vec::with_capacity(m.len() * neighbours);
    let mut near: Vec<(f32, usize)> = Vec::with_capacity(m.len());
    for (i, a) in m.iter().enumerate() {
        near.clear();
        near.extend(
            m.iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(j, b)| (((a.x as f32 - b.x as f32).powi(2) + (a.y as f32 - b.y as f32).powi(2)).sqrt(), j))
                .filter(|(d, _)| *d >= MIN_EDGE),
        );
        // Only the nearest few are wanted: partition around the k-th.
        if near.len() > neighbours && neighbours > 0 {
            near.select_nth_unstable_by(neighbours - 1, |p, q| p.0.total_cmp(&q.0));
            near.truncate(neighbours);
        }
        for &(length, j) in &near {
            let b = &m[j];
            out.push(Edge {
                length,
                at_from: (heading(a, b) - a.angle).rem_euclid(TAU),
                at_to: (heading(b, a) - b.angle).rem_euclid(TAU),
            });
        }
    }
    out
}

/// Length bins: edges longer than this many bins share the last.
const LENGTH_BINS: u16 = 16;

/// The first byte of a stored digest: bump it whenever [`DigestParams::default`] changes, so that
/// digests stored with other parameters are made again rather than compared with new ones.
const DIGEST_FORMAT: u8 = 1;

/// The set of a template's quantised edges, sorted: what the first pass compares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digest(Box<[u16]>);

impl Digest {
    /// The digest of `template` with the chosen parameters.
    pub fn of(template: &Template) -> Digest {
        Digest::with(template, &DigestParams::default())
    }

    /// The digest of `template` with `params` (for tuning).
    pub fn with(template: &Template, params: &DigestParams) -> Digest {
        let bins = f32::from(params.angle_bins.max(1));
        let angle = |a: f32| ((a / TAU * bins) as u16).min(params.angle_bins.max(1) - 1);
        let mut keys: Vec<u16> = edges(&template.minutiae, params.neighbours)
            .iter()
            .map(|e| {
                let length = ((e.length / params.length_bin) as u16).min(LENGTH_BINS - 1);
                (length * params.angle_bins + angle(e.at_from)) * params.angle_bins + angle(e.at_to)
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        Digest(keys.into_boxed_slice())
    }

    /// The stored form: a format byte, then the keys big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 2 * self.0.len());
        out.push(DIGEST_FORMAT);
        for k in self.0.iter() {
            out.extend_from_slice(&k.to_be_bytes());
        }
        out
    }

    /// A stored digest, or `None` when it was made with other parameters or is damaged (make it
    /// again from the template).
    pub fn from_bytes(bytes: &[u8]) -> Option<Digest> {
        let (&format, keys) = bytes.split_first()?;
        if format != DIGEST_FORMAT || keys.len() % 2 != 0 {
            return None;
        }
        let keys: Vec<u16> = keys.chunks_exact(2).map(|k| u16::from_be_bytes([k[0], k[1]])).collect();
        keys.windows(2).all(|w| w[0] < w[1]).then(|| Digest(keys.into_boxed_slice()))
    }

    /// Keys in the digest.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the print gave no edges.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The share of keys the two digests have in common, 0–1 (against the geometric mean of their
    /// sizes, so that a print rich in minutiae does not look like everyone).
    pub fn overlap(&self, other: &Digest) -> f32 {
        let (a, b) = (&self.0, &other.0);
        if a.is_empty() || b.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut shared) = (0, 0, 0u32);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        shared as f32 / ((a.len() * b.len()) as f32).sqrt()
    }
}

/// Finger positions 1–10 (ISO/IEC 19794-2 codes).
const POSITIONS: usize = 10;

/// The enrolled people as digests, for the first pass.
#[derive(Debug, Clone)]
pub struct Gallery<Id> {
    people: Vec<(Id, [Option<Digest>; POSITIONS])>,
    index: HashMap<Id, usize>,
}

impl<Id> Default for Gallery<Id> {
    fn default() -> Self {
        Gallery { people: Vec::new(), index: HashMap::new() }
    }
}

impl<Id: Clone + Eq + Hash + Send + Sync> Gallery<Id> {
    /// Adds (or replaces) finger `position` (1–10) of person `id`; other positions are ignored.
    pub fn insert(&mut self, id: Id, position: u8, digest: Digest) {
        let Some(slot) = usize::from(position).checked_sub(1).filter(|p| *p < POSITIONS) else {
            return;
        };
        let at = match self.index.get(&id) {
            Some(&at) => at,
            None => {
                self.people.push((id.clone(), Default::default()));
                self.index.insert(id, self.people.len() - 1);
                self.people.len() - 1
            }
        };
        self.people[at].1[slot] = Some(digest);
    }

    /// People in the gallery.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// True when nobody is enrolled.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Everyone in the gallery, in the order they came in.
    pub fn ids(&self) -> impl Iterator<Item = &Id> {
        self.people.iter().map(|(id, _)| id)
    }

    /// The `keep` people most like the probe by their digests, best first, leaving out `except`
    /// (the probe itself in a kit-wide check). Each comes with its first-pass score.
    pub fn shortlist(&self, probe: &[(u8, Digest)], keep: usize, except: Option<&Id>) -> Vec<(Id, f32)> {
        let probe: Vec<(usize, &Digest)> = probe
            .iter()
            .filter_map(|(p, d)| usize::from(*p).checked_sub(1).filter(|s| *s < POSITIONS).map(|s| (s, d)))
            .collect();
        let mut scored: Vec<(usize, f32)> = parallel_filter_map(&self.people, |(id, fingers)| {
            if except == Some(id) {
                return None;
            }
            let sum: f32 = probe.iter().filter_map(|(s, d)| fingers[*s].as_ref().map(|g| d.overlap(g))).sum();
            Some(sum)
        })
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect();
        let keep = keep.min(scored.len());
        if keep == 0 {
            return Vec::new();
        }
        scored.select_nth_unstable_by(keep - 1, |a, b| b.1.total_cmp(&a.1));
        scored.truncate(keep);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.into_iter().map(|(i, s)| (self.people[i].0.clone(), s)).collect()
    }
}

/// People compared in full after the digests' first pass. Measured with `dedup_bench --real`
/// (README): of 168 real returning enrollments, 20 dropped 6 mates and 50 drops 2, for 0.4 s a
/// search on two cores instead of 0.18 s; the full comparisons do not grow with the kit's size.
pub const SHORTLIST: usize = 50;

/// At least this many of the best finger scores are averaged into a person score.
pub const FUSED_FINGERS: usize = 3;

/// A person score at or above this is a possible duplicate (calibrated with
/// `examples/dedup_bench.rs` on generated people and on people made of real fingers: README).
pub const PERSON_THRESHOLD: f32 = 60.0;

/// Two people's fused score from their same-position fingers: the mean of the better half of
/// the finger scores, at least [`FUSED_FINGERS`] of them. A person enrolling again matches on
/// most fingers, so the better half holds even when a few prints came out poor; two different
/// people match on a finger or two by chance, which a half of ten averages away. Returns the
/// score and the fingers compared.
pub fn person_score(probe: &[(u8, Prepared)], candidate: &[(u8, Prepared)]) -> (f32, usize) {
    let mut scores: Vec<f32> = probe
        .iter()
        .filter_map(|(pa, ta)| candidate.iter().find(|(pb, _)| pb == pa).map(|(_, tb)| score_prepared(ta, tb)))
        .collect();
    let compared = scores.len();
    if compared == 0 {
        return (0.0, 0);
    }
    scores.sort_by(|x, y| y.total_cmp(x));
    let take = compared.div_ceil(2).max(FUSED_FINGERS);
    // Fewer fingers than that (exceptions): the missing ones count as no match.
    (scores.iter().take(take).sum::<f32>() / take as f32, compared)
}

/// `f` over `items` on one thread per core (at most 8), results in the items' order.
pub fn parallel_filter_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Option<R> + Sync) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|c| scope.spawn(|| c.iter().map(&f).collect::<Vec<Option<R>>>())).collect();
        // A thread that panicked is a bug: raise it here rather than lose its share.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{Finger, Impression};

    fn person(id: u64, take: u64) -> Vec<(u8, Template)> {
        (1..=10u64)
            .map(|p| {
                let seed = 500 + id * 10 + p;
                let img = Finger::generate(seed).impression(&Impression::typical(seed * 2 + take), 256, 288);
                (p as u8, Template::of(&img))
            })
            .collect()
    }

    fn digests(fingers: &[(u8, Template)]) -> Vec<(u8, Digest)> {
        fingers.iter().map(|(p, t)| (*p, Digest::of(t))).collect()
    }

    #[test]
    fn the_same_person_comes_first_in_the_shortlist_and_is_scored_above_strangers() {
        let enrolled: Vec<Vec<(u8, Template)>> = (0..6).map(|id| person(id, 0)).collect();
        let mut gallery = Gallery::default();
        for (id, fingers) in enrolled.iter().enumerate() {
            for (p, d) in digests(fingers) {
                gallery.insert(id, p, d);
            }
        }
        assert_eq!(gallery.len(), 6);
        let back = person(3, 1);
        let list = gallery.shortlist(&digests(&back), 3, None);
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].0, 3, "{list:?}");
        assert!(gallery.shortlist(&digests(&back), 10, Some(&3)).iter().all(|(id, _)| *id != 3));
        let prepared = |f: &[(u8, Template)]| f.iter().map(|(p, t)| (*p, Prepared::new(t))).collect::<Vec<_>>();
        let (same, compared) = person_score(&prepared(&back), &prepared(&enrolled[3]));
        let (other, _) = person_score(&prepared(&back), &prepared(&enrolled[list[1].0]));
        assert_eq!(compared, 10);
        assert!(same > 2.0 * other, "same person {same}, the next in line {other}");
    }

    #[test]
    fn a_stored_digest_comes_back_and_one_from_other_parameters_does_not() {
        let t = &person(1, 0)[0].1;
        let d = Digest::of(t);
        assert!(d.len() > 50, "{}", d.len());
        assert_eq!(Digest::from_bytes(&d.to_bytes()), Some(d.clone()));
        let mut old = d.to_bytes();
        old[0] = DIGEST_FORMAT.wrapping_add(1);
        assert_eq!(Digest::from_bytes(&old), None);
        assert_eq!(Digest::from_bytes(&d.to_bytes()[..4]), None, "odd length");
        assert_eq!(Digest::from_bytes(&[]), None);
        assert!((d.overlap(&d) - 1.0).abs() < 1e-6);
        assert_eq!(d.overlap(&Digest::default()), 0.0);
    }

    #[test]
    fn fingers_outside_positions_1_to_10_are_ignored() {
        let mut gallery: Gallery<u8> = Gallery::default();
        gallery.insert(1, 0, Digest::default());
        gallery.insert(1, 11, Digest::default());
        assert!(gallery.shortlist(&[(11, Digest::default())], 5, None).iter().all(|(_, s)| *s == 0.0));
    }
}
