//! On-kit duplicate search: each captured finger's template is compared with the same finger of
//! every person already on the kit, and the finger scores are fused into a person score.
//!
//! Fusion: the mean of a person's three best finger scores. One finger can match by chance (one
//! in 10,000 comparisons of different fingers scores above 40.6); three at once practically
//! cannot, while a person enrolling again matches on most fingers (genuine finger scores on
//! generated prints: median 72, lowest 44).

use super::{Operator, WorkflowError, require};
use crate::biometrics::matching::{Prepared, Template, score_prepared, template};
use crate::domain::account::Permission;
use crate::domain::biometrics::{FingerPosition, FingerRecord};
use crate::kit::Kit;
use std::collections::BTreeMap;

/// A person score at or above this is reported as a possible duplicate.
pub const PERSON_THRESHOLD: f32 = 45.0;
/// Finger scores averaged into the person score.
const FUSED_FINGERS: usize = 3;

/// Another enrollment that may be the same person.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its RID.
    pub rid: String,
    /// The fused person score.
    pub score: f32,
    /// Fingers compared.
    pub fingers: usize,
}

/// The templates of the captured fingers of an enrollment: (position, print quality, template).
fn finger_templates(fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Vec<(u8, u8, Template)> {
    fingers
        .iter()
        .filter_map(|(p, r)| match r {
            FingerRecord::Captured(c) => Some((p.code(), c.quality, template(&c.image, c.dpi))),
            FingerRecord::Exception(_) => None,
        })
        .collect()
}

/// ISO/IEC 19794-2 records for the captured fingers of an enrollment (stored at sealing).
pub fn templates_of(fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Vec<(u8, Vec<u8>)> {
    finger_templates(fingers).into_iter().map(|(p, q, t)| (p, t.to_iso(p, q))).collect()
}

/// The people on the kit as prepared templates per finger, from the stored records.
fn gallery(kit: &Kit) -> Result<BTreeMap<String, Vec<(u8, Prepared)>>, WorkflowError> {
    let mut people: BTreeMap<String, Vec<(u8, Prepared)>> = BTreeMap::new();
    for t in kit.store.templates()? {
        let (template, _, _) = Template::from_iso(&t.iso).map_err(|e| {
            WorkflowError::Refused(format!("the stored template of {} finger {}: {e}", t.rid, t.position))
        })?;
        people.entry(t.rid).or_default().push((t.position, Prepared::new(&template)));
    }
    Ok(people)
}

/// The fused score of two people's fingers (same positions only).
fn person_score(a: &[(u8, Prepared)], b: &[(u8, Prepared)]) -> (f32, usize) {
    let mut scores: Vec<f32> = a
        .iter()
        .filter_map(|(pa, ta)| b.iter().find(|(pb, _)| pb == pa).map(|(_, tb)| score_prepared(ta, tb)))
        .collect();
    let compared = scores.len();
    scores.sort_by(|x, y| y.total_cmp(x));
    let top = &scores[..scores.len().min(FUSED_FINGERS)];
    if top.is_empty() {
        return (0.0, 0);
    }
    (top.iter().sum::<f32>() / FUSED_FINGERS as f32, compared)
}

/// The enrollments on the kit that may be the person whose fingers are `fingers`, best first.
pub fn search(kit: &Kit, fingers: &BTreeMap<FingerPosition, FingerRecord>) -> Result<Vec<Candidate>, WorkflowError> {
    let probe: Vec<(u8, Prepared)> = finger_templates(fingers).iter().map(|(p, _, t)| (*p, Prepared::new(t))).collect();
    let people = gallery(kit)?;
    let others: Vec<(&String, &Vec<(u8, Prepared)>)> = people.iter().collect();
    let mut found = parallel(&others, |(rid, theirs)| {
        let (score, fingers) = person_score(&probe, theirs);
        (score >= PERSON_THRESHOLD).then(|| Candidate { rid: (*rid).clone(), score, fingers })
    });
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(found)
}

/// Every pair of enrollments on the kit that may be one person (supervisor).
pub fn kit_wide(kit: &Kit, op: &Operator) -> Result<Vec<(String, String, f32)>, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let people = gallery(kit)?;
    let list: Vec<(&String, &Vec<(u8, Prepared)>)> = people.iter().collect();
    let indices: Vec<usize> = (0..list.len()).collect();
    let mut pairs: Vec<(String, String, f32)> = parallel(&indices, |&i| {
        let (rid_a, a) = list[i];
        let hits: Vec<(String, String, f32)> = list[i + 1..]
            .iter()
            .filter_map(|(rid_b, b)| {
                let (score, _) = person_score(a, b);
                (score >= PERSON_THRESHOLD).then(|| (rid_a.clone(), (*rid_b).clone(), score))
            })
            .collect();
        (!hits.is_empty()).then_some(hits)
    })
    .into_iter()
    .flatten()
    .collect();
    pairs.sort_by(|a, b| b.2.total_cmp(&a.2));
    Ok(pairs)
}

/// Maps `items` on one thread per core, keeping the `Some` results.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Option<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|c| scope.spawn(|| c.iter().filter_map(&f).collect::<Vec<R>>())).collect();
        // A scoring thread that panicked is a bug: raise it here rather than lose its share.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// A possible duplicate as the assistant sees it: the earlier enrollment's name and photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Its RID.
    pub rid: String,
    /// Fused person score, 0–100.
    pub score: u8,
    /// The name in that packet.
    pub name: String,
    /// That packet's face photo (JPEG).
    pub face_jpeg: Vec<u8>,
}

impl Match {
    /// What the packet records of it.
    pub fn entry(&self) -> crate::domain::biometrics::PossibleDuplicate {
        crate::domain::biometrics::PossibleDuplicate { rid: self.rid.clone(), score: self.score }
    }
}

/// The search run on a worker thread over its own kit connection, as soon as the fingerprints
/// are in, so the assistant never waits on it.
pub struct SearchWorker {
    result: std::sync::mpsc::Receiver<Result<Vec<Match>, String>>,
}

impl SearchWorker {
    /// Starts searching for the person with `fingers`; `wake` is called when it is done.
    pub fn start(
        kit: &Kit,
        fingers: BTreeMap<FingerPosition, FingerRecord>,
        wake: impl Fn() + Send + 'static,
    ) -> Result<SearchWorker, WorkflowError> {
        let conn = kit.second_connection()?;
        let (tx, result) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("duplicate-search".into())
            .spawn(move || {
                let found = search(&conn, &fingers).and_then(|c| c.iter().map(|c| describe(&conn, c)).collect());
                let _ = tx.send(found.map_err(|e| e.to_string()));
                wake();
            })
            .map_err(|e| WorkflowError::Refused(format!("the duplicate search could not start ({e})")))?;
        Ok(SearchWorker { result })
    }

    /// The result, once the search has ended (the worker is spent after).
    pub fn finished(&self) -> Option<Result<Vec<Match>, String>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err("the duplicate search stopped".into())),
        }
    }
}

/// The name and photo of candidate `c`, from its verified packet.
fn describe(kit: &Kit, c: &Candidate) -> Result<Match, WorkflowError> {
    let stored = kit
        .store
        .packet(&c.rid)?
        .ok_or_else(|| WorkflowError::Refused(format!("packet {} vanished during the search", c.rid)))?;
    let opened = crate::packet::open_packet(&stored.data, Some(&kit.public_key()))?;
    Ok(Match {
        rid: c.rid.clone(),
        score: c.score.round().clamp(0.0, 100.0) as u8,
        name: opened.json.person.display_name(),
        face_jpeg: opened.file(&opened.json.face.image.file.name).map(<[u8]>::to_vec).unwrap_or_default(),
    })
}
