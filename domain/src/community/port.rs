//! The community port: reviews, votes and books' ratings.

use super::{FlagState, FlaggedReview, HeldReview, ModlogEntry, RatingSummary, Review, ReviewSort, ReviewStatus};
use crate::store::{StoreResult, Tx, UnitOfWork};
use async_trait::async_trait;

/// A review as it is written.
pub struct ReviewRow<'a> {
    pub id: &'a str,
    pub book_id: &'a str,
    pub user_id: &'a str,
    pub rating: u8,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub spoiler: bool,
    pub status: ReviewStatus,
    pub status_reason: &'a str,
    pub at_ms: i64,
}

#[async_trait]
pub trait CommunityStore: UnitOfWork {
    /// Stores a new review; `Conflict("review")` when the reader reviewed the book already.
    async fn insert_review(&self, tx: &mut Tx, r: &ReviewRow<'_>) -> StoreResult<()>;
    /// Replaces a review's words, rating and status (its id, book and author stay).
    async fn update_review(&self, tx: &mut Tx, r: &ReviewRow<'_>) -> StoreResult<bool>;
    async fn delete_review(&self, tx: &mut Tx, id: &str) -> StoreResult<bool>;
    /// A moderator's decision (the review's `updated_at` stays its author's).
    async fn set_review_status(&self, tx: &mut Tx, id: &str, status: ReviewStatus, reason: &str) -> StoreResult<bool>;
    /// A review by id, with `voted` for `viewer`.
    async fn review(&self, id: &str, viewer: Option<&str>) -> StoreResult<Option<Review>>;
    /// The review a reader wrote of a book, whatever its status.
    async fn review_by(&self, book_id: &str, user_id: &str) -> StoreResult<Option<Review>>;
    /// A page of a book's published reviews (without `except`, the viewer's own), in `sort`
    /// order after `after` (its key and id).
    async fn reviews(
        &self,
        book_id: &str,
        viewer: Option<&str>,
        sort: ReviewSort,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<Review>>;
    /// The book's published ratings, 1 to 5.
    async fn rating_summary(&self, book_id: &str) -> StoreResult<RatingSummary>;
    /// Recounts the book's rating (count, sum, rank) from its published reviews.
    async fn refresh_book_rating(&self, tx: &mut Tx, book_id: &str) -> StoreResult<()>;
    /// Reviews a reader posted since `since_ms` (the posting limit).
    async fn reviews_by_since(&self, user_id: &str, since_ms: i64) -> StoreResult<u64>;
    /// Reviews posted on a book since `since_ms` by others than `except` (a burst).
    async fn reviews_on_since(&self, book_id: &str, except: &str, since_ms: i64) -> StoreResult<u64>;
    /// Records (or takes back) a reader's "helpful" vote and recounts the review's votes: the
    /// count now, and whether anything changed.
    async fn vote(&self, tx: &mut Tx, review_id: &str, user_id: &str, helpful: bool, at_ms: i64) -> StoreResult<(u32, bool)>;
    /// Reviews waiting for a moderator, oldest first.
    async fn held_reviews(&self, limit: u32) -> StoreResult<Vec<HeldReview>>;

    /// How many of a reporter's reports were upheld, and how many rejected.
    async fn reporter_record(&self, user_id: &str) -> StoreResult<(u64, u64)>;
    async fn reports_by_since(&self, user_id: &str, since_ms: i64) -> StoreResult<u64>;
    /// Files a report and merges it into its item's flag (reopened if it was decided): the
    /// flag's score now, or `None` when this reporter had reported the item already.
    async fn file_report(&self, tx: &mut Tx, r: &ReportRow<'_>) -> StoreResult<Option<i64>>;
    /// Decides the pending flag of `target` (kind, id) and gives its reports their outcome;
    /// `false`: none was pending.
    async fn decide_flag(
        &self,
        tx: &mut Tx,
        target: (&str, &str),
        state: FlagState,
        by: &str,
        reason: &str,
        at_ms: i64,
    ) -> StoreResult<bool>;
    /// Pending flags on reviews, highest score first, with what their reporters said.
    async fn flagged_reviews(&self, limit: u32) -> StoreResult<Vec<FlaggedReview>>;
    /// The words moderators watch: (language, word folded).
    async fn watched_words(&self) -> StoreResult<Vec<(String, String)>>;
    async fn watch_word(&self, tx: &mut Tx, language: &str, word: &str, by: &str, at_ms: i64) -> StoreResult<bool>;
    async fn unwatch_word(&self, tx: &mut Tx, language: &str, word: &str) -> StoreResult<bool>;
    /// The public moderation log, newest first, after `before` (`at` ms, id).
    async fn modlog(&self, before: Option<(i64, String)>, limit: u32) -> StoreResult<Vec<ModlogEntry>>;
}

/// A report as it is written.
pub struct ReportRow<'a> {
    pub id: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    /// `None`: Coko itself (a watched word).
    pub reporter_id: Option<&'a str>,
    pub reason: &'a str,
    pub note: &'a str,
    pub weight: i64,
    pub at_ms: i64,
}
