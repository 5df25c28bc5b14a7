//! The capture gate a person meets at the reader: each print is scored (kit quality); a good
//! one is accepted, a poor one captured again — the best attempt is kept — and after the allowed
//! attempts the assistant may force the best one with a reason.

use crate::biometrics::quality::{Issue, assess};
pub use crate::devices::reader::RawCapture;
use crate::domain::biometrics::{DeviceRef, DeviceSignature, FingerCapture, FingerPosition};
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
    /// A certified device's signature over the print, kept with it into the packet.
    pub device_signature: Option<DeviceSignature>,
}

/// Scores `capture` (kit quality at its reader's dpi).
pub fn score(capture: RawCapture) -> Scored {
    let assessment = assess(&capture.image, capture.dpi);
    Scored { capture, quality: assessment.score, issues: assessment.issues, device_signature: None }
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

/// Attempts and the best print so far, per finger, for one enrollment: the only maker of the
/// fingerprint records an enrollment keeps ([`crate::workflow::enrollment::EnrollmentSession`]
/// takes prints through it, never records made elsewhere).
#[derive(Debug, Default)]
pub struct CaptureGate {
    attempts: BTreeMap<FingerPosition, u8>,
    best: BTreeMap<FingerPosition, (Scored, DeviceRef)>,
}

fn record(scored: Scored, device: DeviceRef, attempts: u8, force_reason: Option<String>) -> FingerCapture {
    FingerCapture {
        dpi: scored.capture.dpi,
        image: scored.capture.image,
        quality: scored.quality,
        attempts,
        force_captured: force_reason.is_some(),
        force_reason,
        device,
        device_signature: scored.device_signature,
    }
}

impl CaptureGate {
    /// Judges a print of `position` just taken on `device` against `threshold`; returns the
    /// judgement and, when accepted, the record to keep.
    pub fn offer(
        &mut self,
        position: FingerPosition,
        scored: Scored,
        device: DeviceRef,
        threshold: u8,
    ) -> (Judged, Option<FingerCapture>) {
        let attempt = {
            let n = self.attempts.entry(position).or_insert(0);
            *n = n.saturating_add(1);
            *n
        };
        let verdict = judge(attempt, scored.quality, threshold);
        let judged = Judged { quality: scored.quality, issues: scored.issues.clone(), attempt, verdict };
        if verdict == Verdict::Accept {
            self.forget(position);
            return (judged, Some(record(scored, device, attempt, None)));
        }
        let better = self.best.get(&position).is_none_or(|(best, _)| scored.quality > best.quality);
        if better {
            self.best.insert(position, (scored, device));
        }
        (judged, None)
    }

    /// The best attempt at `position`, recorded as force-captured for `reason` — only once the
    /// attempts are used up, and only with a reason.
    pub fn force(&mut self, position: FingerPosition, reason: &str) -> Option<FingerCapture> {
        let attempts = self.attempts.get(&position).copied().unwrap_or(0);
        let reason = reason.trim();
        if attempts < MAX_ATTEMPTS || reason.is_empty() {
            return None;
        }
        let (scored, device) = self.best.remove(&position)?;
        self.forget(position);
        Some(record(scored, device, attempts, Some(reason.to_string())))
    }

    /// The best quality so far at `position`.
    pub fn best_quality(&self, position: FingerPosition) -> Option<u8> {
        self.best.get(&position).map(|(s, _)| s.quality)
    }

    /// Starts `position` afresh (it was recorded, cleared, or marked an exception).
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
        let dev = || DeviceRef::new("r307-sim", "SIM-0001", true);
        let (first, _) = gate.offer(thumb, score(dry(0.9)), dev(), 90);
        assert_eq!((first.attempt, first.verdict), (1, Verdict::Retry));
        assert!(first.issues.contains(&Issue::Faint), "{first:?}");
        assert!(gate.force(thumb, "worn ridges").is_none(), "not before the third attempt");
        let (second, _) = gate.offer(thumb, score(dry(0.5)), dev(), 90);
        let (third, _) = gate.offer(thumb, score(dry(1.0)), dev(), 90);
        assert_eq!(third.verdict, Verdict::RetryOrForce);
        assert!(second.quality > first.quality && second.quality > third.quality);
        assert!(gate.force(thumb, "  ").is_none(), "not without a reason");
        let forced = gate.force(thumb, " worn ridges ").expect("the best is kept");
        assert_eq!((forced.quality, forced.attempts), (second.quality, 3));
        assert!(forced.force_captured);
        assert_eq!(forced.force_reason.as_deref(), Some("worn ridges"));
        assert!(gate.best_quality(thumb).is_none(), "the finger starts afresh");
    }

    #[test]
    fn a_good_print_is_accepted_at_once() {
        let mut gate = CaptureGate::default();
        let device = DeviceRef::new("r307", "0001", false);
        let good = score(raw(print(9, &Impression::ideal(9), 256, 288)));
        let (j, chosen) = gate.offer(FingerPosition::ALL[1], good, device.clone(), 40);
        assert_eq!(j.verdict, Verdict::Accept);
        let chosen = chosen.expect("recorded");
        assert_eq!((chosen.quality, chosen.attempts, chosen.force_captured), (j.quality, 1, false));
        assert_eq!(chosen.device, device);
    }
}
