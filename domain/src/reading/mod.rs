//! Reading: who may open a book, and where each reader is in it, across devices.

use crate::account::Role;
use crate::catalog::{Book, BookStatus};
use crate::error::{FieldError, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod annotation;
pub mod pdf;
#[cfg(feature = "ssr")]
mod port;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod sql;
#[cfg(feature = "ssr")]
pub use port::ReadingStore;
mod stats;

pub use annotation::{to_markdown, Annotation, AnnotationInput, AnnotationKind, ValidateAnnotation, HIGHLIGHT_COLOURS};
#[cfg(feature = "ssr")]
pub use service::{ReadingError, ReadingService};
pub use stats::{stats, DayMinutes, ReadingSession, ReadingStats, SessionInput, MAX_SESSION_MINUTES};

pub use reader::layout::Controls;
pub use reader::search::Hit as SearchHit;
pub use reader::{Direction, Layout, Locator, Publication, SpineItem, TocEntry};

/// Where a reader is in a book, as stored and as the API shows it (the seed's field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub locator: String,
    /// 0–100, two decimals.
    pub percentage: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u32>,
    pub device: String,
    pub updated_at: DateTime<Utc>,
    /// The furthest position ever saved, so a reader who went back on one device can jump
    /// forward again on another.
    pub furthest: Furthest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Furthest {
    pub locator: String,
    pub percentage: f64,
}

/// A progress write as a client sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgressUpdate {
    #[serde(default)]
    pub locator: String,
    #[serde(default)]
    pub percentage: f64,
    #[serde(default)]
    pub current_page: Option<u32>,
    #[serde(default)]
    pub total_pages: Option<u32>,
    #[serde(default)]
    pub device: String,
    /// The client's clock when the position was reached; the newest write wins.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// How far in the future a client clock may be before it is pulled back to the server's.
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

impl ProgressUpdate {
    /// Checks every field and names those that are wrong.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Progress, Vec<FieldError>> {
        let mut errors = Vec::new();
        let locator = match Locator::parse(&self.locator) {
            Ok(l) => l.to_string(),
            Err(_) => {
                errors.push(FieldError::new(
                    "locator",
                    if self.locator.trim().is_empty() { Reason::Required } else { Reason::InvalidFormat },
                ));
                String::new()
            }
        };
        if !self.percentage.is_finite() || !(0.0..=100.0).contains(&self.percentage) {
            errors.push(FieldError::new("percentage", Reason::OutOfRange));
        }
        if let (Some(c), Some(t)) = (self.current_page, self.total_pages) {
            if t == 0 || c > t {
                errors.push(FieldError::new("current_page", Reason::OutOfRange));
            }
        }
        let device = self.device.trim();
        if device.chars().count() > 60 || device.chars().any(char::is_control) {
            errors.push(FieldError::new("device", Reason::InvalidFormat));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let latest = now + chrono::Duration::milliseconds(CLOCK_SKEW_MS);
        let updated_at = self.updated_at.map_or(now, |t| if t > latest { now } else { t });
        let percentage = (self.percentage * 100.0).round() / 100.0;
        Ok(Progress {
            furthest: Furthest { locator: locator.clone(), percentage },
            locator,
            percentage,
            current_page: self.current_page,
            total_pages: self.total_pages,
            device: if device.is_empty() { "web".into() } else { device.to_owned() },
            updated_at,
        })
    }
}

/// Percent from which a book counts as finished.
pub const FINISHED_FROM: f64 = 99.0;

/// A reader's shelf: what they are reading, what they finished, what they own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    pub reading: Vec<(Book, Progress)>,
    pub finished: Vec<(Book, Progress)>,
    /// Paid books they may read (bought or granted).
    pub owned: Vec<Book>,
}

/// Whether someone may open a book's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Granted,
    /// Anyone signed in could read it: sign in first.
    SignInRequired,
    /// A paid book this reader has no entitlement to.
    NotEntitled,
    /// A draft, for editors only.
    Hidden,
}

/// The rule: editors and admins read everything; drafts are theirs alone; free published books
/// are for every signed-in reader; paid ones for those entitled to them.
pub fn access(book: &Book, viewer: Option<Role>, entitled: bool) -> Access {
    access_to(book.status, book.is_free(), viewer, entitled)
}

/// [`access`] from what it looks at: the book's status and whether it is free.
pub fn access_to(status: BookStatus, free: bool, viewer: Option<Role>, entitled: bool) -> Access {
    let editor = viewer.is_some_and(Role::can_edit_catalog);
    match (status, viewer) {
        (_, Some(_)) if editor => Access::Granted,
        (BookStatus::Draft, _) => Access::Hidden,
        (BookStatus::Published, None) => Access::SignInRequired,
        (BookStatus::Published, Some(_)) if free || entitled => Access::Granted,
        (BookStatus::Published, Some(_)) => Access::NotEntitled,
    }
}

/// One of a book's files (the book file, a part of it) as a request for it needs to know it:
/// checked for access in one statement, without loading the whole book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFile {
    pub book_id: String,
    pub file_hash: String,
    pub format: crate::catalog::Format,
    /// Free books' files are the same for everyone (cached as such).
    pub free: bool,
}

/// What the store answers for [`BookFile`]: the file, and what decides who may have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAccess {
    pub file: BookFile,
    pub status: BookStatus,
    /// The asking account's role; `None` when signed out or the account is gone.
    pub viewer: Option<Role>,
    pub entitled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn update(locator: &str, pct: f64) -> ProgressUpdate {
        ProgressUpdate { locator: locator.into(), percentage: pct, device: "phone".into(), ..Default::default() }
    }

    #[test]
    fn validates_every_field() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let p = update("e:3:1.2:40", 12.345).validate(now).unwrap();
        assert_eq!(p.percentage, 12.35);
        assert_eq!(p.updated_at, now);
        let errs = update("nonsense", 120.0).validate(now).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["locator", "percentage"]);
        let bad_pages = ProgressUpdate { current_page: Some(9), total_pages: Some(3), ..update("p:9", 50.0) };
        assert_eq!(bad_pages.validate(now).unwrap_err()[0].field, "current_page");
        assert!(update("p:1", f64::NAN).validate(now).is_err());
    }

    #[test]
    fn a_clock_far_ahead_is_pulled_back() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let ahead = ProgressUpdate { updated_at: Some(now + chrono::Duration::days(3)), ..update("p:2", 1.0) };
        assert_eq!(ahead.validate(now).unwrap().updated_at, now);
        let past = now - chrono::Duration::hours(2);
        let offline = ProgressUpdate { updated_at: Some(past), ..update("p:2", 1.0) };
        assert_eq!(offline.validate(now).unwrap().updated_at, past);
    }
}
