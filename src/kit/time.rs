//! The kit's days and times as its people read them, in the kit's time zone (kit.toml
//! `time_zone`); what is stored stays UTC (`YYYY-MM-DDTHH:MM:SSZ`), and so does the RID.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The UTC text bounds `[from, to)` of the local day `day` in `zone`, to compare stored times with.
pub fn utc_bounds(day: NaiveDate, zone: Tz) -> (String, String) {
    let start = |d: NaiveDate| {
        // Midnight may not exist on a day the clocks jump; the first instant of the day then.
        let local = zone
            .from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .or_else(|| zone.from_local_datetime(&d.and_hms_opt(1, 0, 0).unwrap_or_default()).earliest());
        local.map_or_else(|| d.and_time(NaiveTime::MIN).and_utc(), |l| l.with_timezone(&Utc))
    };
    let next = day.succ_opt().unwrap_or(day);
    (crate::packet::utc_text(start(day)), crate::packet::utc_text(start(next)))
}

/// A stored UTC time (`YYYY-MM-DDTHH:MM:SSZ`) in `zone`; `None` when it does not parse.
pub fn local(stored: &str, zone: Tz) -> Option<DateTime<Tz>> {
    DateTime::parse_from_rfc3339(stored).ok().map(|t| t.with_timezone(&zone))
}

/// "YYYY-MM-DD HH:MM" in `zone`, or the stored text itself when it does not parse.
pub fn local_minute(stored: &str, zone: Tz) -> String {
    local(stored, zone).map_or_else(|| stored.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    #[test]
    fn a_day_in_nairobi_starts_at_21_00_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let (from, to) = utc_bounds(day, chrono_tz::Africa::Nairobi);
        assert_eq!((from.as_str(), to.as_str()), ("2026-12-01T21:00:00Z", "2026-12-02T21:00:00Z"));
        // A packet sealed at 22:30 UTC on the 1st was sealed at 01:30 on the 2nd in Nairobi.
        let sealed = "2026-12-01T22:30:00Z";
        assert!(from.as_str() <= sealed && sealed < to.as_str());
        assert_eq!(local(sealed, chrono_tz::Africa::Nairobi).map(|t| t.hour()), Some(1));
        assert_eq!(local_minute(sealed, chrono_tz::Africa::Nairobi), "2026-12-02 01:30");
        assert_eq!(local_minute("not a time", chrono_tz::Africa::Nairobi), "not a time");
    }

    #[test]
    fn a_day_the_clocks_jump_is_23_hours_long() {
        // Europe/London, 2026-03-29: 01:00 becomes 02:00 (midnight exists, the day is 23 hours).
        let (from, to) = utc_bounds(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), chrono_tz::Europe::London);
        assert_eq!((from.as_str(), to.as_str()), ("2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z"));
    }
}
