//! Reading sessions and the statistics made from them: minutes per day, streak, books finished.

use crate::error::{FieldError, Reason};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest session accepted (a forgotten open tab is not reading).
pub const MAX_SESSION_MINUTES: i64 = 12 * 60;

/// A stretch of reading, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingSession {
    pub id: String,
    pub book_id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub start_percentage: f64,
    pub end_percentage: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    pub device: String,
}

/// A session as a client sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub book_id: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub start_percentage: f64,
    #[serde(default)]
    pub end_percentage: f64,
    #[serde(default)]
    pub pages: Option<u32>,
    #[serde(default)]
    pub device: String,
}

impl SessionInput {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ReadingSession, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = self.id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&id).is_err() {
            errors.push(FieldError::new("id", if id.is_empty() { Reason::Required } else { Reason::InvalidFormat }));
        }
        if self.book_id.trim().is_empty() {
            errors.push(FieldError::new("book_id", Reason::Required));
        }
        let latest = now + Duration::minutes(5);
        match (self.started_at, self.ended_at) {
            (None, _) => errors.push(FieldError::new("started_at", Reason::Required)),
            (_, None) => errors.push(FieldError::new("ended_at", Reason::Required)),
            (Some(s), Some(e)) if e < s || e > latest => errors.push(FieldError::new("ended_at", Reason::OutOfRange)),
            (Some(s), Some(e)) if (e - s).num_minutes() > MAX_SESSION_MINUTES => {
                errors.push(FieldError::new("ended_at", Reason::OutOfRange))
            }
            _ => {}
        }
        for (field, v) in [("start_percentage", self.start_percentage), ("end_percentage", self.end_percentage)] {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                errors.push(FieldError::new(field, Reason::OutOfRange));
            }
        }
        let device = self.device.trim();
        if device.chars().count() > 60 || device.chars().any(char::is_control) {
            errors.push(FieldError::new("device", Reason::InvalidFormat));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ReadingSession {
            id,
            book_id: self.book_id.trim().to_owned(),
            started_at: self.started_at.unwrap_or(now),
            ended_at: self.ended_at.unwrap_or(now),
            start_percentage: self.start_percentage,
            end_percentage: self.end_percentage,
            pages: self.pages,
            device: if device.is_empty() { "web".into() } else { device.to_owned() },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayMinutes {
    pub date: NaiveDate,
    pub minutes: u32,
}

/// What the statistics page and `GET /reading/stats/` show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadingStats {
    /// The last 30 days, oldest first, today last.
    pub days: Vec<DayMinutes>,
    pub minutes_30_days: u32,
    pub books_finished: u32,
    /// Consecutive days with some reading, ending today (or yesterday, if today is not over).
    pub current_streak: u32,
}

/// Adds up sessions (start, end) into the last 30 days ending `today` (UTC days).
pub fn stats(sessions: &[(DateTime<Utc>, DateTime<Utc>)], today: NaiveDate, books_finished: u32) -> ReadingStats {
    let first = today - Duration::days(29);
    let mut seconds = [0i64; 30];
    for (start, end) in sessions {
        // Split a session that crosses midnight between its days.
        let mut t = *start;
        while t < *end {
            let day = t.date_naive();
            let next_midnight = (day + Duration::days(1)).and_hms_opt(0, 0, 0).map(|d| d.and_utc()).unwrap_or(*end);
            let stop = next_midnight.min(*end);
            if day >= first && day <= today {
                seconds[(day - first).num_days() as usize] += (stop - t).num_seconds();
            }
            t = stop;
        }
    }
    let days: Vec<DayMinutes> =
        seconds.iter().enumerate().map(|(i, s)| DayMinutes { date: first + Duration::days(i as i64), minutes: (*s / 60) as u32 }).collect();
    let read = |d: &DayMinutes| d.minutes >= 1;
    // Today not read yet does not break a streak that ran until yesterday.
    let mut iter = days.iter().rev().peekable();
    if iter.peek().is_some_and(|d| !read(d)) {
        iter.next();
    }
    let current_streak = iter.take_while(|d| read(d)).count() as u32;
    ReadingStats { minutes_30_days: days.iter().map(|d| d.minutes).sum(), days, books_finished, current_streak }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    #[test]
    fn minutes_per_day_and_streak() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let sessions = [
            (at(23, 20, 0), at(23, 20, 30)),
            (at(24, 23, 50), at(25, 0, 10)), // crosses midnight: 10 min each side
            (at(25, 7, 0), at(25, 7, 5)),
            (at(1, 9, 0), at(1, 9, 45)), // 24 days ago: inside the window
            (Utc.with_ymd_and_hms(2026, 10, 20, 9, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 10, 20, 10, 0, 0).unwrap()), // outside
        ];
        let s = stats(&sessions, today, 2);
        assert_eq!(s.days.len(), 30);
        assert_eq!(s.days.last().unwrap().date, today);
        assert_eq!(s.days[29].minutes, 15);
        assert_eq!(s.days[28].minutes, 10);
        assert_eq!(s.days[27].minutes, 30);
        assert_eq!(s.current_streak, 3);
        assert_eq!(s.books_finished, 2);
        assert_eq!(s.minutes_30_days, 15 + 10 + 30 + 45);
        // Nothing yet today: the streak up to yesterday still counts.
        let s = stats(&[sessions[0], (at(24, 10, 0), at(24, 10, 10))], today, 0);
        assert_eq!(s.days[29].minutes, 0);
        assert_eq!(s.current_streak, 2);
        // A gap ends it.
        let s = stats(&[(at(22, 10, 0), at(22, 10, 10)), (at(25, 10, 0), at(25, 10, 10))], today, 0);
        assert_eq!(s.current_streak, 1);
    }

    #[test]
    fn sessions_are_checked() {
        let now = at(25, 12, 0);
        let ok = SessionInput {
            id: "0192d3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d".into(),
            book_id: "b".into(),
            started_at: Some(at(25, 11, 0)),
            ended_at: Some(at(25, 11, 20)),
            end_percentage: 12.0,
            ..Default::default()
        };
        assert_eq!(ok.validate(now).unwrap().device, "web");
        let backwards = SessionInput { ended_at: Some(at(25, 10, 0)), ..ok.clone() };
        assert_eq!(backwards.validate(now).unwrap_err()[0].field, "ended_at");
        let endless = SessionInput { started_at: Some(at(24, 0, 0)), ..ok.clone() };
        assert_eq!(endless.validate(now).unwrap_err()[0].field, "ended_at");
        let bad = SessionInput { id: String::new(), start_percentage: -1.0, ..ok };
        let fields: Vec<String> = bad.validate(now).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id", "start_percentage"]);
    }
}
