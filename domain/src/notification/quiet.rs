//! Quiet hours: a message that is not critical waits until they end, in the reader's own time
//! zone (with its daylight-saving rules where it has any — Casablanca's and Cairo's change).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// Whether `name` is a time zone Coko knows (IANA names, `UTC`).
pub fn is_zone(name: &str) -> bool {
    name.parse::<Tz>().is_ok()
}

/// The zones a reader may pick from, grouped by region name as IANA spells them.
pub fn zones() -> impl Iterator<Item = &'static str> {
    const REGIONS: [&str; 7] = ["Africa/", "America/", "Asia/", "Atlantic/", "Europe/", "Indian/", "Pacific/"];
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).filter(|n| *n == "UTC" || REGIONS.iter().any(|r| n.starts_with(r)))
}

/// Whether local hour `h` falls in quiet hours `(start, end)` (end excluded; may span midnight).
fn is_quiet(h: u32, (start, end): (u8, u8)) -> bool {
    let (s, e) = (u32::from(start), u32::from(end));
    match s.cmp(&e) {
        std::cmp::Ordering::Equal => false,
        std::cmp::Ordering::Less => (s..e).contains(&h),
        std::cmp::Ordering::Greater => h >= s || h < e,
    }
}

/// When a message due at `now` may go out: `now` outside quiet hours, otherwise the first
/// moment at `end` o'clock local time after it (an unknown zone is read as UTC).
pub fn release_at(now: DateTime<Utc>, quiet: Option<(u8, u8)>, zone: &str) -> DateTime<Utc> {
    let Some(q) = quiet else { return now };
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let local = now.with_timezone(&tz);
    if !is_quiet(local.hour(), q) {
        return now;
    }
    let end = NaiveTime::from_hms_opt(u32::from(q.1), 0, 0).unwrap_or(NaiveTime::MIN);
    // Today's end of quiet hours, or tomorrow's when it is already past.
    for days in 0..3 {
        let day = local.date_naive() + Duration::days(days);
        // A time that a DST change skips resolves to the first valid instant after it.
        if let Some(candidate) = local_instant(tz, day.and_time(end)).filter(|t| *t > now) {
            return candidate;
        }
    }
    now
}

/// The instant `naive` local time is in `tz` (a time a DST change skips: an hour later).
fn local_instant(tz: Tz, naive: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        chrono::LocalResult::None => tz.from_local_datetime(&(naive + Duration::hours(1))).earliest().map(|t| t.with_timezone(&Utc)),
    }
}

/// The hour digests go out, local time.
pub const DIGEST_HOUR: u32 = 8;

/// When the next digest after `now` goes out: 8 o'clock local time the next morning it is
/// still to come (daily), or on the next Monday (weekly).
pub fn next_digest_at(now: DateTime<Utc>, every: super::Digest, zone: &str) -> DateTime<Utc> {
    use chrono::Datelike;
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let local = now.with_timezone(&tz);
    let at = NaiveTime::from_hms_opt(DIGEST_HOUR, 0, 0).unwrap_or(NaiveTime::MIN);
    for days in 0..9 {
        let day = local.date_naive() + Duration::days(days);
        if every == super::Digest::Weekly && day.weekday() != chrono::Weekday::Mon {
            continue;
        }
        if let Some(t) = local_instant(tz, day.and_time(at)).filter(|t| *t > now) {
            return t;
        }
    }
    now + Duration::days(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_hold_a_message_until_they_end_in_the_readers_zone() {
        // 23:30 in Dakar (UTC+0) with quiet hours 22–7: at 07:00 the next day.
        assert_eq!(release_at(at("2026-12-07T23:30:00Z"), Some((22, 7)), "Africa/Dakar"), at("2026-12-08T07:00:00Z"));
        // 05:00 local: at 07:00 the same day.
        assert_eq!(release_at(at("2026-12-07T05:00:00Z"), Some((22, 7)), "Africa/Dakar"), at("2026-12-07T07:00:00Z"));
        // Noon: at once.
        assert_eq!(release_at(at("2026-12-07T12:00:00Z"), Some((22, 7)), "Africa/Dakar"), at("2026-12-07T12:00:00Z"));
        // 21:30 UTC is 00:30 in Nairobi (UTC+3): 07:00 there is 04:00 UTC.
        assert_eq!(release_at(at("2026-12-07T21:30:00Z"), Some((22, 7)), "Africa/Nairobi"), at("2026-12-08T04:00:00Z"));
        // A span within one day (13–15, a siesta).
        assert_eq!(release_at(at("2026-12-07T13:10:00Z"), Some((13, 15)), "UTC"), at("2026-12-07T15:00:00Z"));
        assert_eq!(release_at(at("2026-12-07T12:10:00Z"), None, "UTC"), at("2026-12-07T12:10:00Z"));
        // Equal hours: no quiet hours at all.
        assert_eq!(release_at(at("2026-12-07T23:00:00Z"), Some((7, 7)), "UTC"), at("2026-12-07T23:00:00Z"));
    }

    #[test]
    fn digests_go_out_at_eight_in_the_readers_morning() {
        use super::super::Digest;
        // Monday 7 December 2026, 06:00 in Dakar: today at 08:00; at 09:00: tomorrow.
        assert_eq!(next_digest_at(at("2026-12-07T06:00:00Z"), Digest::Daily, "Africa/Dakar"), at("2026-12-07T08:00:00Z"));
        assert_eq!(next_digest_at(at("2026-12-07T09:00:00Z"), Digest::Daily, "Africa/Dakar"), at("2026-12-08T08:00:00Z"));
        // Nairobi (UTC+3): 08:00 there is 05:00 UTC.
        assert_eq!(next_digest_at(at("2026-12-07T09:00:00Z"), Digest::Daily, "Africa/Nairobi"), at("2026-12-08T05:00:00Z"));
        // Weekly: the next Monday.
        assert_eq!(next_digest_at(at("2026-12-07T09:00:00Z"), Digest::Weekly, "Africa/Dakar"), at("2026-12-14T08:00:00Z"));
        assert_eq!(next_digest_at(at("2026-12-10T09:00:00Z"), Digest::Weekly, "UTC"), at("2026-12-14T08:00:00Z"));
    }

    #[test]
    fn zones_are_checked_and_listed() {
        assert!(is_zone("Africa/Abidjan") && is_zone("UTC") && !is_zone("Mars/Olympus"));
        let all: Vec<_> = zones().collect();
        assert!(all.contains(&"Africa/Dakar") && all.contains(&"Europe/Paris"));
        assert!(!all.iter().any(|z| z.starts_with("Etc/")));
    }
}
