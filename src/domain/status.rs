//! A packet's status, which only moves forward, and where an exported batch stands with the central office.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a sealed packet is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PacketStatus {
    /// Sealed, waiting for a supervisor.
    PendingReview,
    /// Approved for export.
    Approved,
    /// Rejected with a reason; never exported.
    Rejected,
    /// Written into a batch.
    Exported,
    /// The central office acknowledged it.
    Acknowledged,
}

impl PacketStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PacketStatus::PendingReview => "pending_review",
            PacketStatus::Approved => "approved",
            PacketStatus::Rejected => "rejected",
            PacketStatus::Exported => "exported",
            PacketStatus::Acknowledged => "acknowledged",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::PendingReview, Self::Approved, Self::Rejected, Self::Exported, Self::Acknowledged]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Whether a packet may move from this status to `next`.
    pub fn can_move_to(self, next: PacketStatus) -> bool {
        use PacketStatus::*;
        matches!(
            (self, next),
            (PendingReview, Approved) | (PendingReview, Rejected) | (Approved, Exported) | (Exported, Acknowledged)
        )
    }
}

impl fmt::Display for PacketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one exported batch stands with the central office, as the kit knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchUpload {
    /// The batch.
    pub batch_id: String,
    /// A training batch (never sent to a production intake).
    pub training: bool,
    /// `pending`, `acknowledged` or `refused`.
    pub state: UploadStatus,
    /// Failed tries since the last success.
    pub attempts: u32,
    /// Not before this (backoff after a failure).
    pub next_try_at: Option<DateTime<Utc>>,
}

/// An upload's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStatus {
    /// To send (or being sent).
    Pending,
    /// A valid receipt came back.
    Acknowledged,
    /// The central office refused it for good (a supervisor must look; "try again" resets it).
    Refused,
}

impl UploadStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Pending => "pending",
            UploadStatus::Acknowledged => "acknowledged",
            UploadStatus::Refused => "refused",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [UploadStatus::Pending, UploadStatus::Acknowledged, UploadStatus::Refused].into_iter().find(|u| u.as_str() == s)
    }
}

/// The intake's word on one packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacketVerdict {
    /// The RID.
    pub rid: String,
    /// Stored (now or before).
    pub accepted: bool,
    /// Why not, when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::PacketStatus::*;

    #[test]
    fn status_moves_one_way() {
        assert!(PendingReview.can_move_to(Approved));
        assert!(PendingReview.can_move_to(Rejected));
        assert!(Approved.can_move_to(Exported));
        assert!(Exported.can_move_to(Acknowledged));
        assert!(!Approved.can_move_to(PendingReview));
        assert!(!Rejected.can_move_to(Exported));
        assert!(!Acknowledged.can_move_to(Exported));
        assert!(!PendingReview.can_move_to(Exported));
        for s in [PendingReview, Approved, Rejected, Exported, Acknowledged] {
            assert_eq!(super::PacketStatus::parse(s.as_str()), Some(s));
        }
    }
}

/// Why a supervisor rejects a packet: a fixed list (for the daily report) plus a free note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// The face photo does not meet the rules.
    PoorPhoto,
    /// Prints too poor to use.
    PoorPrints,
    /// Demographic details wrong or doubtful.
    WrongDetails,
    /// The person may already be registered.
    SuspectedDuplicate,
    /// Doubt about consent or identity documents.
    DocumentsOrConsent,
    /// Anything else (the note says what).
    Other,
}

impl RejectReason {
    /// Every reason, in the order a list shows them.
    pub const ALL: [RejectReason; 6] = [
        RejectReason::PoorPhoto,
        RejectReason::PoorPrints,
        RejectReason::WrongDetails,
        RejectReason::SuspectedDuplicate,
        RejectReason::DocumentsOrConsent,
        RejectReason::Other,
    ];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::PoorPhoto => "poor_photo",
            RejectReason::PoorPrints => "poor_prints",
            RejectReason::WrongDetails => "wrong_details",
            RejectReason::SuspectedDuplicate => "suspected_duplicate",
            RejectReason::DocumentsOrConsent => "documents_or_consent",
            RejectReason::Other => "other",
        }
    }

    /// Parses a typed name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }
}

#[cfg(test)]
mod reason_tests {
    use super::RejectReason;

    #[test]
    fn reasons_round_trip_by_name() {
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(RejectReason::parse("bad vibes"), None);
    }
}
