//! The capture gate a person meets at the reader: each print is scored (kit quality); a good
//! one is accepted, a poor one captured again — the best attempt is kept — and after the allowed
//! attempts the assistant may force the best one with a reason.

use crate::biometrics::quality::{Issue, assess};
use crate::devices::reader::RawCapture;
use crate::domain::biometrics::FingerPosition;
use std::collections::BTreeMap;

/// A capture with its kit quality: scored where it was read (the reader's worker thread), so the
/// window never waits on the 75–145 ms analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// The image as read.
    pub capture: RawCapture,
    /// Kit quality, 0–100.
    pub quality: u8,
    /// What the assistant can do about a poor print.
    pub issues: Vec<Issue>,
}

/// Scores `capture` (kit quality at its reader's dpi).
pub fn score(capture: RawCapture) -> Scored {
    let assessment = assess(&capture.image, capture.dpi);
    Scored { capture, quality: assessment.score, issues: assessment.issues }
}

/// Attempts before a poor print may be forced.
pub const MAX_ATTEMPTS: u8 = 3;

/// What the assistant may do with a print just taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Good enough: it is recorded.
    Accept,
    /// Below the threshold: capture again.
    Retry,
    /// Below the threshold after the allowed attempts: capture again, or force the best with a reason.
    RetryOrForce,
}

/// Judges attempt number `attempt` (from 1) of quality `quality` against `threshold`.
pub fn judge(attempt: u8, quality: u8, threshold: u8) -> Verdict {
    if quality >= threshold {
        Verdict::Accept
    } else if attempt >= MAX_ATTEMPTS {
        Verdict::RetryOrForce
    } else {
        Verdict::Retry
    }
}

/// The attempt just made, as the assistant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Its kit quality.
    pub quality: u8,
    /// What held it back.
    pub issues: Vec<Issue>,
    /// Which attempt at this finger it was (from 1).
    pub attempt: u8,
    /// What may happen next.
    pub verdict: Verdict,
}

/// A print chosen to be recorded.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The image.
    pub capture: RawCapture,
    /// Its kit quality.
    pub quality: u8,
    /// Attempts made at the finger.
    pub attempts: u8,
}

/// Attempts and the best print so far, per finger, for one enrollment.
#[derive(Debug, Default)]
pub struct CaptureGate {
    attempts: BTreeMap<FingerPosition, u8>,
    best: BTreeMap<FingerPosition, (RawCapture, u8)>,
}

impl CaptureGate {
    /// Scores a print just taken of `position` against `threshold`; returns the judgement and,
    /// when accepted, the print to record.
    pub fn offer(&mut self, position: FingerPosition, scored: Scored, threshold: u8) -> (Judged, Option<Chosen>) {
        let Scored { capture, quality, issues } = scored;
        let attempt = {
            let n = self.attempts.entry(position).or_insert(0);
            *n = n.saturating_add(1);
            *n
        };
        let verdict = judge(attempt, quality, threshold);
        let judged = Judged { quality, issues, attempt, verdict };
        if verdict == Verdict::Accept {
            self.forget(position);
            return (judged, Some(Chosen { capture, quality, attempts: attempt }));
        }
        let better = self.best.get(&position).is_none_or(|(_, q)| quality > *q);
        if better {
            self.best.insert(position, (capture, quality));
        }
        (judged, None)
    }

    /// The best attempt at `position`, to force-record once the attempts are used up.
    pub fn force(&mut self, position: FingerPosition) -> Option<Chosen> {
        let attempts = self.attempts.get(&position).copied().unwrap_or(0);
        if attempts < MAX_ATTEMPTS {
            return None;
        }
        let (capture, quality) = self.best.remove(&position)?;
        self.forget(position);
        Some(Chosen { capture, quality, attempts })
    }

    /// The best quality so far at `position`.
    pub fn best_quality(&self, position: FingerPosition) -> Option<u8> {
        self.best.get(&position).map(|(_, q)| *q)
    }

    /// Starts `position` afresh (it was recorded, or marked an exception).
    pub fn forget(&mut self, position: FingerPosition) {
        self.attempts.remove(&position);
        self.best.remove(&position);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::biometrics::synthetic::{Impression, print};
    use crate::domain::biometrics::GreyImage;

    #[test]
    fn three_poor_attempts_open_force_capture() {
        assert_eq!(judge(1, 70, 40), Verdict::Accept);
        assert_eq!(judge(1, 30, 40), Verdict::Retry);
        assert_eq!(judge(2, 39, 40), Verdict::Retry);
        assert_eq!(judge(3, 39, 40), Verdict::RetryOrForce);
        assert_eq!(judge(4, 10, 40), Verdict::RetryOrForce);
        assert_eq!(judge(3, 40, 40), Verdict::Accept);
    }

    fn raw(image: GreyImage) -> RawCapture {
        RawCapture { image, dpi: 500 }
    }

    #[test]
    fn the_best_of_three_poor_attempts_is_the_one_forced() {
        let thumb = FingerPosition::ALL[0];
        let mut gate = CaptureGate::default();
        let dry = |m: f32| raw(print(4, &Impression { moisture: -m, ..Impression::ideal(4) }, 256, 288));
        let (first, _) = gate.offer(thumb, score(dry(0.9)), 90);
        assert_eq!((first.attempt, first.verdict), (1, Verdict::Retry));
        assert!(first.issues.contains(&Issue::Faint), "{first:?}");
        assert!(gate.force(thumb).is_none(), "not before the third attempt");
        let (second, _) = gate.offer(thumb, score(dry(0.5)), 90);
        let (third, _) = gate.offer(thumb, score(dry(1.0)), 90);
        assert_eq!(third.verdict, Verdict::RetryOrForce);
        assert!(second.quality > first.quality && second.quality > third.quality);
        let forced = gate.force(thumb).expect("the best is kept");
        assert_eq!((forced.quality, forced.attempts), (second.quality, 3));
        assert!(gate.best_quality(thumb).is_none(), "the finger starts afresh");
    }

    #[test]
    fn a_good_print_is_accepted_at_once() {
        let mut gate = CaptureGate::default();
        let (j, chosen) = gate.offer(FingerPosition::ALL[1], score(raw(print(9, &Impression::ideal(9), 256, 288))), 40);
        assert_eq!(j.verdict, Verdict::Accept);
        assert_eq!(chosen.map(|c| (c.quality, c.attempts)), Some((j.quality, 1)));
    }
}
