//! The supervisor's daily report: what was captured on a day, by whom and when, how it was
//! judged, and how good the prints were. Hours and days are UTC, as the kit stores them.

use super::review::PacketFlags;
use super::{Operator, WorkflowError, require};
use crate::domain::account::Permission;
use crate::domain::status::{PacketStatus, RejectReason};
use crate::kit::Kit;
use crate::packet::open_packet;
use serde::Serialize;
use std::collections::BTreeMap;

/// Print quality is counted in bins this wide: 0–9, 10–19, … 90–100.
pub const QUALITY_BIN: u8 = 10;

/// One packet's line in the report (and in its CSV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportLine {
    /// RID.
    pub rid: String,
    /// Who captured it.
    pub assistant: String,
    /// Sealed at, UTC.
    pub created_at: String,
    /// Its status now.
    pub status: String,
    /// The rejection reason, if rejected.
    pub reject_reason: Option<String>,
    /// The lowest print quality.
    pub min_quality: Option<u8>,
    /// Prints force-captured below the threshold.
    pub forced: usize,
    /// Fingers recorded as exceptions.
    pub exceptions: usize,
}

/// A day's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DailyReport {
    /// The day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Packets sealed that day.
    pub enrollments: usize,
    /// Enrollments per assistant, by login name.
    pub by_assistant: BTreeMap<String, usize>,
    /// Enrollments per UTC hour, 0–23.
    pub by_hour: [usize; 24],
    /// Packets per status now (pending_review, approved, rejected, exported, …).
    pub by_status: BTreeMap<String, usize>,
    /// Rejections per reason.
    pub rejections: BTreeMap<String, usize>,
    /// Prints per quality bin of [`QUALITY_BIN`] points.
    pub quality_bins: [usize; 10],
    /// Prints force-captured below the threshold.
    pub forced_prints: usize,
    /// Fingers recorded as exceptions (amputated, bandaged, …).
    pub finger_exceptions: usize,
    /// Enrollments with at least one exception.
    pub enrollments_with_exceptions: usize,
    /// Enrollments rejected as suspected duplicates.
    pub suspected_duplicates: usize,
    /// Enrollments the kit's duplicate search flagged when they were sealed.
    pub flagged_duplicates: usize,
    /// Every packet, oldest first.
    pub lines: Vec<ReportLine>,
}

/// The report for `date` (`YYYY-MM-DD`, a day in the kit's time zone), read from every packet
/// sealed that day; its hours are the kit's too.
pub fn daily(kit: &Kit, op: &Operator, date: &str) -> Result<DailyReport, WorkflowError> {
    require(op, Permission::ReviewPackets)?;
    let Ok(day) = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        return Err(WorkflowError::Refused(format!("{date:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-24")));
    };
    let zone = kit.config.zone();
    let (from, to) = crate::kit::time::utc_bounds(day, zone);
    let key = kit.public_key();
    let mut report = DailyReport {
        date: date.into(),
        enrollments: 0,
        by_assistant: BTreeMap::new(),
        by_hour: [0; 24],
        by_status: BTreeMap::new(),
        rejections: BTreeMap::new(),
        quality_bins: [0; 10],
        forced_prints: 0,
        finger_exceptions: 0,
        enrollments_with_exceptions: 0,
        suspected_duplicates: 0,
        flagged_duplicates: 0,
        lines: Vec::new(),
    };
    for row in kit.store.packet_rows_between(&from, &to)? {
        let Some(stored) = kit.store.packet(&row.rid)? else { continue };
        let json = open_packet(&stored.data, Some(&key))?.json;
        let flags = PacketFlags::of(&json);
        report.enrollments += 1;
        *report.by_assistant.entry(json.assistant.clone()).or_default() += 1;
        if let Some(at) = crate::kit::time::local(&row.created_at, zone) {
            report.by_hour[chrono::Timelike::hour(&at) as usize % 24] += 1;
        }
        *report.by_status.entry(row.status.as_str().to_string()).or_default() += 1;
        let reason = (row.status == PacketStatus::Rejected).then(|| reject_reason(row.status_note.as_deref()));
        if let Some(reason) = &reason {
            *report.rejections.entry(reason.clone()).or_default() += 1;
            if reason == RejectReason::SuspectedDuplicate.as_str() {
                report.suspected_duplicates += 1;
            }
        }
        for q in &flags.qualities {
            report.quality_bins[usize::from((*q).min(99) / QUALITY_BIN)] += 1;
        }
        report.forced_prints += flags.forced;
        report.finger_exceptions += flags.exceptions;
        report.enrollments_with_exceptions += usize::from(flags.exceptions > 0);
        report.flagged_duplicates += usize::from(!flags.duplicates.is_empty());
        report.lines.push(ReportLine {
            rid: row.rid.clone(),
            assistant: json.assistant,
            created_at: row.created_at.clone(),
            status: row.status.as_str().to_string(),
            reject_reason: reason,
            min_quality: flags.min_quality(),
            forced: flags.forced,
            exceptions: flags.exceptions,
        });
    }
    Ok(report)
}

/// Writes the report's CSV into the data dir's `reports` folder (replacing an older copy of the
/// same day's report) and returns its path.
pub fn save_csv(kit: &Kit, report: &DailyReport) -> Result<std::path::PathBuf, WorkflowError> {
    save_in_reports(kit, &format!("report-{}.csv", report.date), &report.to_csv())
}

/// Writes `text` as `name` into the data dir's `reports` folder, replacing an older copy.
pub(crate) fn save_in_reports(kit: &Kit, name: &str, text: &str) -> Result<std::path::PathBuf, WorkflowError> {
    let folder = kit.dir.root().join("reports");
    let path = folder.join(name);
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(&path, text))
        .map_err(|e| WorkflowError::Refused(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// The reason name at the start of a rejection note (`poor_prints: thumb smudged`).
fn reject_reason(note: Option<&str>) -> String {
    let head = note.unwrap_or_default().split(':').next().unwrap_or_default();
    RejectReason::parse(head).unwrap_or(RejectReason::Other).as_str().to_string()
}

impl DailyReport {
    /// One CSV line per packet, with a header; fields quoted where they need it.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("rid,assistant,created_at,status,reject_reason,min_quality,forced,exceptions\n");
        for l in &self.lines {
            let fields = [
                l.rid.clone(),
                l.assistant.clone(),
                l.created_at.clone(),
                l.status.clone(),
                l.reject_reason.clone().unwrap_or_default(),
                l.min_quality.map(|q| q.to_string()).unwrap_or_default(),
                l.forced.to_string(),
                l.exceptions.to_string(),
            ];
            let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        }
        out
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
pub(crate) fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) { format!("'{f}") } else { f.to_string() };
    if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn a_rejection_note_names_its_reason() {
        assert_eq!(reject_reason(Some("poor_prints: thumb smudged")), "poor_prints");
        assert_eq!(reject_reason(Some("suspected_duplicate")), "suspected_duplicate");
        assert_eq!(reject_reason(None), "other");
    }
}

/// What home shows its operator, read once when home is made.
#[derive(Debug, Clone, Default)]
pub struct HomeFigures {
    /// Packets sealed on this kit today (the kit's day, in its time zone).
    pub today: u64,
    /// The operator's drafts, to resume or abandon.
    pub drafts: Vec<crate::store::DraftSummary>,
    /// Packets waiting for review, for someone who may review them.
    pub pending: Option<usize>,
}

/// Home's figures for `op`: a figure that cannot be read shows as none rather than keeping the
/// operator from home.
pub fn home(kit: &Kit, op: &Operator) -> HomeFigures {
    let (from, to) = crate::kit::time::utc_bounds(kit.today(), kit.config.zone());
    let today = kit.store.packets_between(&from, &to).unwrap_or(0);
    let drafts = super::enrollment::EnrollmentSession::resumable(kit, op).unwrap_or_default();
    let pending = op
        .may(Permission::ReviewPackets)
        .then(|| kit.store.packet_rows(Some(PacketStatus::PendingReview)).map_or(0, |r| r.len()));
    HomeFigures { today, drafts, pending }
}
