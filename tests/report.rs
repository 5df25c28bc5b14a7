//! The daily report: counts by assistant and hour, decisions with reasons, print quality, CSV.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a panic is a failure with its line

mod common;

use common::{enroll, kit_with_staff};
use enroll_kit::domain::status::RejectReason;
use enroll_kit::workflow::report::daily;
use enroll_kit::workflow::{WorkflowError, review};

#[test]
fn the_day_is_counted_by_assistant_hour_decision_and_quality() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut kit, clock, sup, assistant) = kit_with_staff(&tmp.path().join("kit"));
    // 09:00, 09:00, 11:00 UTC (12:00 and 14:00 in Nairobi, the kit's zone), one the next day,
    // and one at 22:30 UTC that day — 01:30 the day after in Nairobi (the test clock starts
    // 2026-11-24 09:00 UTC).
    let a = enroll(&mut kit, &assistant, 1);
    let b = enroll(&mut kit, &assistant, 2);
    clock.advance(chrono::Duration::hours(2));
    let c = enroll(&mut kit, &assistant, 3);
    clock.advance(chrono::Duration::days(1));
    enroll(&mut kit, &assistant, 4);
    clock.advance(chrono::Duration::minutes(11 * 60 + 30));
    enroll(&mut kit, &assistant, 5);
    review::approve(&mut kit, &sup, &a).unwrap();
    review::reject(&mut kit, &sup, &b, RejectReason::PoorPrints, "thumb smudged, \"retake\"").unwrap();

    let r = daily(&kit, &sup, "2026-11-24").unwrap();
    assert_eq!(r.enrollments, 3);
    assert_eq!(r.by_assistant.get("wanjiru"), Some(&3));
    assert_eq!((r.by_hour[12], r.by_hour[14], r.by_hour.iter().sum::<usize>()), (2, 1, 3), "hours in Nairobi");
    assert_eq!(r.by_status.get("approved"), Some(&1));
    assert_eq!(r.by_status.get("rejected"), Some(&1));
    assert_eq!(r.by_status.get("pending_review"), Some(&1));
    assert_eq!(r.rejections.get("poor_prints"), Some(&1));
    assert_eq!(r.quality_bins.iter().sum::<usize>(), 30, "ten prints each");
    assert_eq!(r.lines.iter().map(|l| l.rid.clone()).collect::<Vec<_>>(), [a, b.clone(), c]);

    let csv = r.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("rid,assistant,created_at,status,reject_reason"));
    assert!(lines[2].starts_with(&format!("{b},wanjiru,")) && lines[2].contains(",rejected,poor_prints,"), "{csv}");

    assert_eq!(daily(&kit, &sup, "2026-11-25").unwrap().enrollments, 1, "22:30 UTC is the next day in Nairobi");
    let late = daily(&kit, &sup, "2026-11-26").unwrap();
    assert_eq!((late.enrollments, late.by_hour[1]), (1, 1));
    assert_eq!(daily(&kit, &sup, "2026-11-23").unwrap().enrollments, 0);
    let e = daily(&kit, &sup, "24/11/2026").unwrap_err();
    assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
    assert!(matches!(daily(&kit, &assistant, "2026-11-24"), Err(WorkflowError::Forbidden { .. })));
}
