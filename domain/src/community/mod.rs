//! Community: what readers say about books and to each other. This first part holds ratings and
//! reviews — one per reader and book, rated 1 to 5, with an optional title and a Markdown text
//! rendered to sanitised HTML, a spoiler flag, "helpful" votes, a "verified reader" mark for
//! readers who read at least a third of the book in Coko — and what keeps them honest: a new
//! account's reviews and a sudden burst on one book wait for a moderator, and a reader's reviews
//! are rate limited.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Reason};

#[cfg(feature = "ssr")]
pub mod markdown;
pub mod moderation;
#[cfg(feature = "ssr")]
mod port;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod sql;

pub use moderation::{FlagDecision, FlagState, FlaggedReview, ModAction, ModlogEntry, ReportInput, ReportReason};
#[cfg(feature = "ssr")]
pub use port::CommunityStore;
#[cfg(feature = "ssr")]
pub use service::{CommunityError, CommunityService, ReviewNotices, REVIEW_NOTICES_QUEUE};

/// A title's length at most, in characters.
pub const MAX_TITLE: usize = 120;
/// A review's text at most, in characters (about two pages).
pub const MAX_BODY: usize = 5000;
/// What a moderator's reason may hold at most.
pub const MAX_REASON: usize = 500;
/// Read this far (furthest position, hundredths of a percent) and a reader's review is marked
/// "verified reader": a third of the book.
pub const VERIFIED_FROM_BP: i64 = 3333;

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Shown to everyone, counted in the book's rating.
    Published,
    /// Held for a moderator (its author sees it, marked so).
    Pending,
    /// Hidden by a moderator, with the reason told to its author.
    Hidden,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Published => "published",
            ReviewStatus::Pending => "pending",
            ReviewStatus::Hidden => "hidden",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ReviewStatus::Published, ReviewStatus::Pending, ReviewStatus::Hidden].into_iter().find(|x| x.as_str() == s)
    }
}

/// Why a review waits for a moderator.
pub const HELD_NEW_ACCOUNT: &str = "new_account";
pub const HELD_BURST: &str = "burst";
/// Held because readers reported it (see [`moderation::HOLD_SCORE`]).
pub const HELD_REPORTED: &str = "reported";

/// A review as readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    pub book_id: String,
    pub author_id: String,
    /// The author's display name (never their address).
    pub author_name: String,
    /// 1–5.
    pub rating: u8,
    pub title: String,
    /// The Markdown as written (for editing).
    pub body: String,
    /// The text rendered and sanitised: safe to put in a page as is.
    pub body_html: String,
    pub spoiler: bool,
    pub status: ReviewStatus,
    /// Why it is held, or why a moderator hid it.
    pub status_reason: String,
    /// Its author read at least a third of the book in Coko.
    pub verified: bool,
    /// How many readers found it helpful.
    pub helpful: u32,
    /// The reader looking found it helpful.
    pub voted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Review {
    /// Changed after it was first posted (a minute's grace for a quick fix).
    pub fn edited(&self) -> bool {
        (self.updated_at - self.created_at).num_seconds() > 60
    }
}

/// The orders a book's reviews can be read in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    /// Most helpful first.
    #[default]
    Helpful,
    Newest,
    /// Best rated first.
    Rating,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 3] = [ReviewSort::Helpful, ReviewSort::Newest, ReviewSort::Rating];
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewSort::Helpful => "helpful",
            ReviewSort::Newest => "newest",
            ReviewSort::Rating => "rating",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A book's rating from its published reviews.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingSummary {
    pub count: u32,
    /// One decimal; `None` before the first rating.
    pub average: Option<f64>,
    /// How many gave 1, 2, 3, 4 and 5.
    pub histogram: [u32; 5],
}

impl RatingSummary {
    pub fn from_histogram(histogram: [u32; 5]) -> Self {
        let count: u32 = histogram.iter().sum();
        let sum: u64 = histogram.iter().enumerate().map(|(i, n)| (i as u64 + 1) * *n as u64).sum();
        Self { count, average: average(count as u64, sum), histogram }
    }
}

/// An average of `count` ratings summing to `sum`, to one decimal.
pub fn average(count: u64, sum: u64) -> Option<f64> {
    (count > 0).then(|| (sum as f64 * 10.0 / count as f64).round() / 10.0)
}

/// A page of a book's reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub summary: RatingSummary,
    pub sort: ReviewSort,
    /// Published reviews in `sort` order (the viewer's own is in `mine`, not here).
    pub reviews: Vec<Review>,
    pub next_cursor: Option<String>,
    /// The viewer's own review, whatever its status.
    pub mine: Option<Review>,
}

/// A review as written in a form or sent over REST.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// 1–5 (0: not given).
    #[serde(default)]
    pub rating: u8,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub spoiler: bool,
}

impl ReviewInput {
    /// The input trimmed, or what is wrong with it, field by field.
    pub fn validate(&self) -> Result<ReviewInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        match self.rating {
            0 => errors.push(FieldError::new("rating", Reason::Required)),
            1..=5 => {}
            _ => errors.push(FieldError::new("rating", Reason::OutOfRange)),
        }
        let title = self.title.trim().to_owned();
        if title.chars().count() > MAX_TITLE {
            errors.push(FieldError::new("title", Reason::TooLong));
        }
        let body = self.body.trim().replace("\r\n", "\n");
        if body.chars().count() > MAX_BODY {
            errors.push(FieldError::new("body", Reason::TooLong));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // A spoiler warning on nothing hides nothing.
        let spoiler = self.spoiler && !body.is_empty();
        Ok(ReviewInput { rating: self.rating, title, body, spoiler })
    }
}

/// A review waiting for a moderator, with what they need to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldReview {
    pub review: Review,
    pub book_title: String,
    /// When its author's account was made.
    pub author_since: DateTime<Utc>,
}

/// What a moderator decides about a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Publish it (a held review) or show it again (a hidden one).
    Publish,
    /// Hide it, telling its author why.
    Hide { reason: String },
}

/// The keyset cursor after a review in an order: `<key>_<id>`.
pub fn cursor_after(sort: ReviewSort, r: &Review) -> String {
    let key = match sort {
        ReviewSort::Helpful => r.helpful as i64,
        ReviewSort::Newest => r.created_at.timestamp_millis(),
        ReviewSort::Rating => r.rating as i64,
    };
    format!("{key}_{}", r.id)
}

/// Reads a cursor written by [`cursor_after`].
pub fn parse_cursor(cursor: &str) -> Option<(i64, String)> {
    let (key, id) = cursor.split_once('_')?;
    if id.is_empty() || id.len() > 64 {
        return None;
    }
    Some((key.parse().ok()?, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_needs_a_rating_between_one_and_five_and_bounded_words() {
        let e = ReviewInput::default().validate().unwrap_err();
        assert_eq!(e, vec![FieldError::new("rating", Reason::Required)]);
        let e = ReviewInput { rating: 6, title: "t".repeat(121), body: "é".repeat(5001), ..Default::default() }.validate().unwrap_err();
        assert_eq!(
            e,
            vec![
                FieldError::new("rating", Reason::OutOfRange),
                FieldError::new("title", Reason::TooLong),
                FieldError::new("body", Reason::TooLong)
            ]
        );
        let ok = ReviewInput { rating: 4, title: "  Beau  ".into(), body: "".into(), spoiler: true }.validate().unwrap();
        assert_eq!((ok.title.as_str(), ok.spoiler), ("Beau", false), "trimmed; a spoiler flag on no text is dropped");
        let ok = ReviewInput { rating: 5, title: "t".repeat(120), body: "é".repeat(5000), spoiler: true }.validate().unwrap();
        assert!(ok.spoiler);
    }

    #[test]
    fn the_average_has_one_decimal() {
        let s = RatingSummary::from_histogram([0, 0, 1, 1, 1]);
        assert_eq!((s.count, s.average), (3, Some(4.0)));
        assert_eq!(average(3, 13), Some(4.3));
        assert_eq!(average(0, 0), None);
    }

    #[test]
    fn cursors_read_back() {
        assert_eq!(parse_cursor("12_abc"), Some((12, "abc".into())));
        assert_eq!(parse_cursor("-1_abc"), Some((-1, "abc".into())));
        assert_eq!(parse_cursor("x_abc"), None);
        assert_eq!(parse_cursor("12_"), None);
    }
}
