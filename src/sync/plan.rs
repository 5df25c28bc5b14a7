//! What to upload now, decided from the kit's state alone (no I/O, so every rule is a unit test).

pub use crate::domain::status::{BatchUpload, UploadStatus};
use chrono::{DateTime, Duration, Utc};

/// The batches to send now, oldest first: pending ones of the kit's own kind (a production kit
/// sends production batches; a training kit training ones) whose backoff has passed — or all
/// pending ones when the supervisor asked (`now_asked`).
pub fn plan(batches: &[BatchUpload], training_kit: bool, now: DateTime<Utc>, now_asked: bool) -> Vec<String> {
    batches
        .iter()
        .filter(|b| b.state == UploadStatus::Pending && b.training == training_kit)
        .filter(|b| now_asked || b.next_try_at.is_none_or(|t| t <= now))
        .map(|b| b.batch_id.clone())
        .collect()
}

/// How long to wait after the `attempts`-th failure in a row: doubling from 30 s to at most an
/// hour, spread by `jitter` in [0, 1) over ±25% so that kits coming back online together do not
/// all knock at once.
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let base = 30.0 * 2f64.powi(attempts.saturating_sub(1).min(16) as i32);
    let capped = base.min(3600.0);
    let spread = capped * (0.75 + 0.5 * jitter.clamp(0.0, 1.0));
    Duration::milliseconds((spread * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(id: &str, training: bool, state: UploadStatus, next: Option<i64>) -> BatchUpload {
        BatchUpload {
            batch_id: id.into(),
            training,
            state,
            attempts: 0,
            next_try_at: next.map(|s| DateTime::from_timestamp(s, 0).unwrap_or_default()),
        }
    }

    #[test]
    fn pending_batches_of_the_kits_kind_whose_wait_is_over_are_sent_oldest_first() {
        let now = DateTime::from_timestamp(1000, 0).unwrap_or_default();
        let batches = [
            batch("a", false, UploadStatus::Acknowledged, None),
            batch("b", false, UploadStatus::Pending, None),
            batch("c", true, UploadStatus::Pending, None),
            batch("d", false, UploadStatus::Pending, Some(2000)),
            batch("e", false, UploadStatus::Refused, None),
            batch("f", false, UploadStatus::Pending, Some(500)),
        ];
        assert_eq!(plan(&batches, false, now, false), ["b", "f"]);
        assert_eq!(plan(&batches, false, now, true), ["b", "d", "f"], "asked: no waiting");
        assert_eq!(plan(&batches, true, now, false), ["c"], "training batches only from a training kit");
    }

    #[test]
    fn backoff_doubles_to_an_hour_and_is_spread() {
        assert_eq!(backoff(1, 0.5), Duration::seconds(30));
        assert_eq!(backoff(2, 0.5), Duration::seconds(60));
        assert_eq!(backoff(30, 0.5), Duration::seconds(3600));
        assert!(backoff(3, 0.0) < backoff(3, 0.99));
        assert_eq!(backoff(3, 0.0), Duration::seconds(90));
        assert_eq!(UploadStatus::parse("refused"), Some(UploadStatus::Refused));
        assert_eq!(UploadStatus::parse("lost"), None);
    }
}
