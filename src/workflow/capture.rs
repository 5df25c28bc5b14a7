//! The capture gate a person meets at the reader: accept a good print, retry a poor one, and
//! after the allowed attempts let the assistant force-capture with a reason.

/// Attempts before a poor print may be forced.
pub const MAX_ATTEMPTS: u8 = 3;

/// What the assistant may do with a print just taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Good enough: it is recorded.
    Accept,
    /// Below the threshold: capture again.
    Retry,
    /// Below the threshold after the allowed attempts: capture again, or force it with a reason.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_poor_attempts_open_force_capture() {
        assert_eq!(judge(1, 70, 40), Verdict::Accept);
        assert_eq!(judge(1, 30, 40), Verdict::Retry);
        assert_eq!(judge(2, 39, 40), Verdict::Retry);
        assert_eq!(judge(3, 39, 40), Verdict::RetryOrForce);
        assert_eq!(judge(4, 10, 40), Verdict::RetryOrForce);
        assert_eq!(judge(3, 40, 40), Verdict::Accept);
    }
}
