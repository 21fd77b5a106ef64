//! The community service: the rules for reviews (who may post, edit, delete, vote and moderate),
//! each command one unit of work with its audit line and its event.

use super::moderation::{
    reporter_weight, FlagDecision, FlagState, FlaggedReview, ReportInput, ReportReason, HOLD_SCORE, MAX_NOTE, REPORTS_PER_DAY,
};
use super::moderation::{watch_key, watched_in, ModlogEntry, MAX_WORD, MAX_WORDS};
use super::port::{CommunityStore, ReportRow, ReviewRow};
use super::{
    cursor_after, markdown, parse_cursor, Decision, HeldReview, Review, ReviewInput, ReviewPage, ReviewSort, ReviewStatus, HELD_BURST,
    HELD_NEW_ACCOUNT, MAX_REASON,
};
use crate::account::User;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::catalog::{Book, BookStatus, CatalogStore};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use crate::notification::{Category, Kind, Notice, NotificationService};
use crate::store::StoreError;
use async_trait::async_trait;
use std::sync::Arc;

/// An account younger than this posts reviews that wait for a moderator (Discourse's TL0).
pub const NEW_ACCOUNT_MS: i64 = 3 * 86_400_000;
/// Reviews one reader may post per hour, and per day.
pub const PER_HOUR: u64 = 5;
pub const PER_DAY: u64 = 20;
/// More than this many reviews of one book by others within the last hour is a burst: the
/// next ones wait for a moderator (review bombing comes in waves on one title).
pub const BURST_PER_HOUR: u64 = 10;
/// Reviews per page.
pub const PAGE: u32 = 20;
const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// One review per reader and book: edit the one there is.
    #[error("already reviewed")]
    AlreadyReviewed,
    /// Posting too fast: try again after this many seconds.
    #[error("too many posts, retry after {0} s")]
    TooMany(u64),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct CommunityService {
    store: Arc<dyn CommunityStore>,
    books: Arc<dyn CatalogStore>,
}

fn review_json(r: &ReviewInput, status: ReviewStatus) -> serde_json::Value {
    serde_json::json!({ "rating": r.rating, "title": r.title, "body": r.body, "spoiler": r.spoiler, "status": status.as_str() })
}

fn changed(review: &Review, change: &str, status: &str, at_ms: i64) -> Event {
    Event::ReviewChanged {
        review_id: review.id.clone(),
        book_id: review.book_id.clone(),
        user_id: review.author_id.clone(),
        change: change.to_owned(),
        status: status.to_owned(),
        at_ms,
    }
}

/// A keyset cursor as a page's URL or the API gives it (none or empty: the first page).
fn read_cursor(cursor: Option<&str>) -> Result<Option<(i64, String)>, CommunityError> {
    match cursor.filter(|c| !c.is_empty()) {
        Some(c) => parse_cursor(c).map(Some).ok_or_else(|| CommunityError::Invalid(vec![FieldError::new("cursor", Reason::InvalidFormat)])),
        None => Ok(None),
    }
}

/// The reason a moderator gives for hiding something (told to its author): required, bounded.
fn hide_reason(reason: &str) -> Result<String, CommunityError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CommunityError::Invalid(vec![FieldError::new("reason", Reason::Required)]));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(CommunityError::Invalid(vec![FieldError::new("reason", Reason::TooLong)]));
    }
    Ok(reason.to_owned())
}

impl CommunityService {
    pub fn new(store: Arc<dyn CommunityStore>, books: Arc<dyn CatalogStore>) -> Self {
        Self { store, books }
    }

    pub fn store(&self) -> &Arc<dyn CommunityStore> {
        &self.store
    }

    /// A published book (staff may also see a draft's reviews).
    async fn book(&self, viewer: Option<&User>, book_id: &str) -> Result<Book, CommunityError> {
        let book = self.books.book_by_id(book_id).await?.ok_or(CommunityError::NotFound)?;
        let staff = viewer.is_some_and(|u| u.role.can_edit_catalog());
        if book.status != BookStatus::Published && !staff {
            return Err(CommunityError::NotFound);
        }
        Ok(book)
    }

    /// A page of a book's reviews, its rating, and the viewer's own review.
    pub async fn reviews(
        &self,
        viewer: Option<&User>,
        book_id: &str,
        sort: ReviewSort,
        cursor: Option<&str>,
    ) -> Result<ReviewPage, CommunityError> {
        let book = self.book(viewer, book_id).await?;
        self.reviews_of(viewer, &book, sort, cursor).await
    }

    /// The same for a book already loaded (the book page).
    pub async fn reviews_of(
        &self,
        viewer: Option<&User>,
        book: &Book,
        sort: ReviewSort,
        cursor: Option<&str>,
    ) -> Result<ReviewPage, CommunityError> {
        let after = read_cursor(cursor)?;
        let viewer_id = viewer.map(|u| u.id.as_str());
        let mut reviews = self.store.reviews(&book.id, viewer_id, sort, after, PAGE + 1).await?;
        let next_cursor = if reviews.len() > PAGE as usize {
            reviews.truncate(PAGE as usize);
            reviews.last().map(|r| cursor_after(sort, r))
        } else {
            None
        };
        let mine = match viewer_id {
            Some(id) => self.store.review_by(&book.id, id).await?,
            None => None,
        };
        let summary = self.store.rating_summary(&book.id).await?;
        Ok(ReviewPage { summary, sort, reviews, next_cursor, mine })
    }

    /// A review as `viewer` may see it: published, or their own, or any to a moderator.
    pub async fn review(&self, viewer: Option<&User>, id: &str) -> Result<Review, CommunityError> {
        let review = self.store.review(id, viewer.map(|u| u.id.as_str())).await?.ok_or(CommunityError::NotFound)?;
        let visible = review.status == ReviewStatus::Published || viewer.is_some_and(|u| u.id == review.author_id || u.role.can_moderate());
        if !visible {
            return Err(CommunityError::NotFound);
        }
        Ok(review)
    }

    /// Whether an account's reviews still wait for a moderator (new, and not staff).
    fn is_new(user: &User, now_ms: i64) -> bool {
        user.role == crate::account::Role::Reader && now_ms - user.created_at.timestamp_millis() < NEW_ACCOUNT_MS
    }

    /// Posts a reader's review of a book: published at once, or held for a moderator when the
    /// account is new or the book is getting a burst of reviews.
    pub async fn post_review(&self, user: &User, book_id: &str, input: &ReviewInput, ip: &str) -> Result<Review, CommunityError> {
        let input = input.validate().map_err(CommunityError::Invalid)?;
        let book = self.book(Some(user), book_id).await?;
        if self.store.review_by(&book.id, &user.id).await?.is_some() {
            return Err(CommunityError::AlreadyReviewed);
        }
        let now = crate::clock::now_ms();
        if self.store.reviews_by_since(&user.id, now - HOUR_MS).await? >= PER_HOUR {
            return Err(CommunityError::TooMany(3600));
        }
        if self.store.reviews_by_since(&user.id, now - 24 * HOUR_MS).await? >= PER_DAY {
            return Err(CommunityError::TooMany(86_400));
        }
        let (status, reason) = if Self::is_new(user, now) {
            (ReviewStatus::Pending, HELD_NEW_ACCOUNT)
        } else if self.store.reviews_on_since(&book.id, &user.id, now - HOUR_MS).await? >= BURST_PER_HOUR {
            (ReviewStatus::Pending, HELD_BURST)
        } else {
            (ReviewStatus::Published, "")
        };
        let id = uuid::Uuid::now_v7().to_string();
        let html = markdown::render(&input.body);
        let watched = self.all_watched().await?;
        let row = ReviewRow {
            id: &id,
            book_id: &book.id,
            user_id: &user.id,
            rating: input.rating,
            title: &input.title,
            body: &input.body,
            body_html: &html,
            spoiler: input.spoiler,
            status,
            status_reason: reason,
            at_ms: now,
        };
        let mut tx = self.store.begin().await?;
        match self.store.insert_review(&mut tx, &row).await {
            Err(StoreError::Conflict(_)) => {
                tx.rollback().await?;
                return Err(CommunityError::AlreadyReviewed);
            }
            other => other?,
        }
        if status == ReviewStatus::Published {
            self.store.refresh_book_rating(&mut tx, &book.id).await?;
        }
        self.flag_watched(&mut tx, &id, &input, &watched).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::ReviewPosted,
            &book.id,
            &book.title,
            None,
            Some(review_json(&input, status)),
        );
        tx.audit(&entry).await?;
        let event = Event::ReviewChanged {
            review_id: id.clone(),
            book_id: book.id.clone(),
            user_id: user.id.clone(),
            change: "posted".into(),
            status: status.as_str().into(),
            at_ms: now,
        };
        tx.event(&event).await?;
        tx.commit().await?;
        self.review(Some(user), &id).await
    }

    /// Changes a reader's own review. A review of a still-new account waits again; a hidden one,
    /// once changed, waits for a moderator to read it again.
    pub async fn edit_review(&self, user: &User, id: &str, input: &ReviewInput, ip: &str) -> Result<Review, CommunityError> {
        let input = input.validate().map_err(CommunityError::Invalid)?;
        let before = self.review(Some(user), id).await?;
        if before.author_id != user.id {
            return Err(CommunityError::Forbidden);
        }
        let now = crate::clock::now_ms();
        let (status, reason) = match before.status {
            ReviewStatus::Hidden => (ReviewStatus::Pending, "edited"),
            ReviewStatus::Published if Self::is_new(user, now) => (ReviewStatus::Pending, HELD_NEW_ACCOUNT),
            s => (s, before.status_reason.as_str()),
        };
        let html = markdown::render(&input.body);
        let row = ReviewRow {
            id,
            book_id: &before.book_id,
            user_id: &user.id,
            rating: input.rating,
            title: &input.title,
            body: &input.body,
            body_html: &html,
            spoiler: input.spoiler,
            status,
            status_reason: reason,
            at_ms: now,
        };
        let was = ReviewInput { rating: before.rating, title: before.title.clone(), body: before.body.clone(), spoiler: before.spoiler };
        let label = self.book_title(&before.book_id).await?;
        let watched = self.all_watched().await?;
        let mut tx = self.store.begin().await?;
        if !self.store.update_review(&mut tx, &row).await? {
            tx.rollback().await?;
            return Err(CommunityError::NotFound);
        }
        self.flag_watched(&mut tx, id, &input, &watched).await?;
        self.store.refresh_book_rating(&mut tx, &before.book_id).await?;
        let entry = AuditEntry::new(
            &Actor::user(user, ip),
            AuditAction::ReviewEdited,
            &before.book_id,
            &label,
            Some(review_json(&was, before.status)),
            Some(review_json(&input, status)),
        );
        tx.audit(&entry).await?;
        tx.event(&changed(&before, "edited", status.as_str(), now)).await?;
        tx.commit().await?;
        self.review(Some(user), id).await
    }

    async fn book_title(&self, book_id: &str) -> Result<String, CommunityError> {
        Ok(self.books.book_by_id(book_id).await?.map(|b| b.title).unwrap_or_default())
    }

    /// Deletes a review: its author, or a moderator.
    pub async fn delete_review(&self, user: &User, id: &str, ip: &str) -> Result<(), CommunityError> {
        let review = self.review(Some(user), id).await?;
        if review.author_id != user.id && !user.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        let label = self.book_title(&review.book_id).await?;
        let was = ReviewInput { rating: review.rating, title: review.title.clone(), body: review.body.clone(), spoiler: review.spoiler };
        let mut tx = self.store.begin().await?;
        if !self.store.delete_review(&mut tx, id).await? {
            tx.rollback().await?;
            return Err(CommunityError::NotFound);
        }
        self.store.refresh_book_rating(&mut tx, &review.book_id).await?;
        let mut before = review_json(&was, review.status);
        before["author"] = review.author_name.clone().into();
        // A moderator's deletion of someone's review is a moderation (and a line of the public
        // log); its author's is not.
        let entry = if review.author_id == user.id {
            AuditEntry::new(&Actor::user(user, ip), AuditAction::ReviewDeleted, &review.book_id, &label, Some(before), None)
        } else {
            let after = serde_json::json!({ "review": review.id, "status": "deleted", "reason": "" });
            AuditEntry::new(&Actor::user(user, ip), AuditAction::ReviewModerated, &review.book_id, &label, Some(before), Some(after))
        };
        tx.audit(&entry).await?;
        tx.event(&changed(&review, "deleted", "deleted", crate::clock::now_ms())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Says (or takes back) that a review helped: never one's own, only a published one.
    /// The review's count of helpful votes now.
    pub async fn vote(&self, user: &User, id: &str, helpful: bool) -> Result<u32, CommunityError> {
        let review = self.review(Some(user), id).await?;
        if review.status != ReviewStatus::Published {
            return Err(CommunityError::NotFound);
        }
        if review.author_id == user.id {
            return Err(CommunityError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        let (count, changed) = self.store.vote(&mut tx, id, &user.id, helpful, crate::clock::now_ms()).await?;
        if !changed {
            tx.rollback().await?;
            return Ok(count);
        }
        // A vote is the reader's own small act, not an editorial change: it is an event (badges
        // may count them) but no line of the admins' journal.
        tx.event(&Event::ReviewVoted { review_id: id.to_owned(), user_id: user.id.clone(), helpful }).await?;
        tx.commit().await?;
        Ok(count)
    }

    /// Reviews waiting for a moderator.
    pub async fn held_reviews(&self, moderator: &User) -> Result<Vec<HeldReview>, CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        Ok(self.store.held_reviews(100).await?)
    }

    /// A moderator publishes a review or hides it with a reason (told to its author).
    pub async fn moderate(&self, moderator: &User, id: &str, decision: &Decision, ip: &str) -> Result<Review, CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        let (status, reason) = match decision {
            Decision::Publish => (ReviewStatus::Published, String::new()),
            Decision::Hide { reason } => (ReviewStatus::Hidden, hide_reason(reason)?),
        };
        let review = self.review(Some(moderator), id).await?;
        if review.status == status && review.status_reason == reason {
            return Ok(review);
        }
        let label = self.book_title(&review.book_id).await?;
        let now = crate::clock::now_ms();
        let mut tx = self.store.begin().await?;
        if !self.store.set_review_status(&mut tx, id, status, &reason).await? {
            tx.rollback().await?;
            return Err(CommunityError::NotFound);
        }
        self.store.refresh_book_rating(&mut tx, &review.book_id).await?;
        // A report waiting on this review is answered by the same decision.
        let flag = if status == ReviewStatus::Hidden { FlagState::Approved } else { FlagState::Rejected };
        self.store.decide_flag(&mut tx, ("review", id), flag, &moderator.id, &reason, now).await?;
        let state = |s: ReviewStatus, why: &str| serde_json::json!({ "review": review.id, "author": review.author_name, "status": s.as_str(), "reason": why });
        let entry = AuditEntry::new(
            &Actor::user(moderator, ip),
            AuditAction::ReviewModerated,
            &review.book_id,
            &label,
            Some(state(review.status, &review.status_reason)),
            Some(state(status, &reason)),
        );
        tx.audit(&entry).await?;
        tx.event(&changed(&review, status.as_str(), status.as_str(), now)).await?;
        tx.commit().await?;
        self.review(Some(moderator), id).await
    }
}

/// Reports and flags.
impl CommunityService {
    /// Reports an item to the moderators (a review today). `Ok(false)`: this reader had reported
    /// it already (nothing changes). A flag whose score reaches [`HOLD_SCORE`] takes its review
    /// off the page until a moderator decides.
    pub async fn report(&self, user: &User, input: &ReportInput, ip: &str) -> Result<bool, CommunityError> {
        let invalid = |field: &str, reason: Reason| CommunityError::Invalid(vec![FieldError::new(field, reason)]);
        if input.target_kind != "review" {
            return Err(invalid("target_kind", Reason::Unknown));
        }
        let reason = ReportReason::parse(input.reason.trim()).ok_or_else(|| invalid("reason", Reason::Unknown))?;
        let note = input.note.trim();
        if note.chars().count() > MAX_NOTE {
            return Err(invalid("note", Reason::TooLong));
        }
        let review = self.review(Some(user), &input.target_id).await?;
        if review.status != ReviewStatus::Published {
            return Err(CommunityError::NotFound);
        }
        if review.author_id == user.id {
            return Err(CommunityError::Forbidden);
        }
        let now = crate::clock::now_ms();
        if self.store.reports_by_since(&user.id, now - 24 * HOUR_MS).await? >= REPORTS_PER_DAY {
            return Err(CommunityError::TooMany(86_400));
        }
        let (upheld, rejected) = self.store.reporter_record(&user.id).await?;
        let weight = reporter_weight(user.role, upheld, rejected);
        let id = uuid::Uuid::now_v7().to_string();
        let row = ReportRow {
            id: &id,
            target_kind: "review",
            target_id: &review.id,
            reporter_id: Some(&user.id),
            reason: reason.as_str(),
            note,
            weight,
            at_ms: now,
        };
        let label = self.book_title(&review.book_id).await?;
        let mut tx = self.store.begin().await?;
        let Some(score) = self.store.file_report(&mut tx, &row).await? else {
            tx.rollback().await?;
            return Ok(false);
        };
        let held = score >= HOLD_SCORE;
        if held {
            self.store.set_review_status(&mut tx, &review.id, ReviewStatus::Pending, super::HELD_REPORTED).await?;
            self.store.refresh_book_rating(&mut tx, &review.book_id).await?;
        }
        let after = serde_json::json!({ "review": review.id, "author": review.author_name, "reason": reason.as_str(), "note": note, "score": score, "held": held });
        let entry = AuditEntry::new(&Actor::user(user, ip), AuditAction::ReportFiled, &review.book_id, &label, None, Some(after));
        tx.audit(&entry).await?;
        let event = Event::ContentReported { target_kind: "review".into(), target_id: review.id.clone(), reporter_id: user.id.clone() };
        tx.event(&event).await?;
        if held {
            tx.event(&changed(&review, "held", ReviewStatus::Pending.as_str(), now)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The words moderators watch, per language (moderators and admins).
    pub async fn watched_words(&self, moderator: &User) -> Result<Vec<(String, String)>, CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        Ok(self.store.watched_words().await?)
    }

    /// Watches a word (or stops): `language` is `fr`, `en` or `ar`; `Ok(false)`: it was so already.
    pub async fn watch_word(&self, moderator: &User, language: &str, word: &str, watching: bool, ip: &str) -> Result<bool, CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        let invalid = |field: &str, reason: Reason| CommunityError::Invalid(vec![FieldError::new(field, reason)]);
        if !matches!(language, "fr" | "en" | "ar") {
            return Err(invalid("language", Reason::Unknown));
        }
        let key = watch_key(word);
        if key.is_empty() {
            return Err(invalid("word", Reason::Required));
        }
        if key.chars().count() > MAX_WORD {
            return Err(invalid("word", Reason::TooLong));
        }
        let now = crate::clock::now_ms();
        if watching && self.store.watched_words().await?.iter().filter(|(l, _)| l == language).count() >= MAX_WORDS {
            return Err(invalid("word", Reason::OutOfRange));
        }
        let mut tx = self.store.begin().await?;
        let changed = if watching {
            self.store.watch_word(&mut tx, language, &key, &moderator.id, now).await?
        } else {
            self.store.unwatch_word(&mut tx, language, &key).await?
        };
        if !changed {
            tx.rollback().await?;
            return Ok(false);
        }
        let word = serde_json::json!({ "language": language, "word": key });
        let (before, after) = if watching { (None, Some(word)) } else { (Some(word), None) };
        let entry = AuditEntry::new(&Actor::user(moderator, ip), AuditAction::WatchedWordsChanged, language, &key, before, after);
        tx.audit(&entry).await?;
        tx.event(&Event::WatchedWordsChanged { language: language.to_owned() }).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Files Coko's own report on a review whose words a moderator watches (once per review),
    /// in the review's unit of work.
    async fn flag_watched(
        &self,
        tx: &mut crate::store::Tx,
        review_id: &str,
        input: &ReviewInput,
        watched: &[String],
    ) -> Result<(), CommunityError> {
        let text = format!("{}\n{}", input.title, input.body);
        let Some(word) = watched_in(&text, watched) else { return Ok(()) };
        let id = format!("watch:{review_id}");
        let row = ReportRow {
            id: &id,
            target_kind: "review",
            target_id: review_id,
            reporter_id: None,
            reason: ReportReason::WatchedWord.as_str(),
            note: word,
            weight: 100,
            at_ms: crate::clock::now_ms(),
        };
        self.store.file_report(tx, &row).await?;
        Ok(())
    }

    /// Every watched word, whatever its language (a review in French may insult in Wolof).
    async fn all_watched(&self) -> Result<Vec<String>, CommunityError> {
        Ok(self.store.watched_words().await?.into_iter().map(|(_, w)| w).collect())
    }

    /// The public moderation log: 50 lines a page, newest first, with the cursor of the next.
    pub async fn modlog(&self, cursor: Option<&str>) -> Result<(Vec<ModlogEntry>, Option<String>), CommunityError> {
        let before = read_cursor(cursor)?;
        let mut lines = self.store.modlog(before, 51).await?;
        let next = if lines.len() > 50 {
            lines.truncate(50);
            lines.last().map(|l| format!("{}_{}", l.at.timestamp_millis(), l.id))
        } else {
            None
        };
        Ok((lines, next))
    }

    /// Reviews readers reported, the most weighty first (moderators and admins).
    pub async fn flagged(&self, moderator: &User) -> Result<Vec<FlaggedReview>, CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        Ok(self.store.flagged_reviews(50).await?)
    }

    /// Decides a flag: hide the review (its author told why), delete it, keep it (back on the
    /// page if the flag held it), or leave it without judging the reporters.
    pub async fn decide_flag(
        &self,
        moderator: &User,
        kind: &str,
        id: &str,
        decision: &FlagDecision,
        ip: &str,
    ) -> Result<(), CommunityError> {
        if !moderator.role.can_moderate() {
            return Err(CommunityError::Forbidden);
        }
        if kind != "review" {
            return Err(CommunityError::NotFound);
        }
        let reason = match decision {
            FlagDecision::Hide { reason } => hide_reason(reason)?,
            _ => String::new(),
        };
        let review = self.review(Some(moderator), id).await?;
        let label = self.book_title(&review.book_id).await?;
        let now = crate::clock::now_ms();
        let state = decision.state();
        let mut tx = self.store.begin().await?;
        if !self.store.decide_flag(&mut tx, (kind, id), state, &moderator.id, &reason, now).await? {
            tx.rollback().await?;
            return Err(CommunityError::NotFound);
        }
        let held_by_reports = review.status == ReviewStatus::Pending && review.status_reason == super::HELD_REPORTED;
        let change = match decision {
            FlagDecision::Hide { .. } => {
                self.store.set_review_status(&mut tx, id, ReviewStatus::Hidden, &reason).await?;
                Some(("hidden", ReviewStatus::Hidden.as_str()))
            }
            FlagDecision::Delete => {
                self.store.delete_review(&mut tx, id).await?;
                Some(("deleted", "deleted"))
            }
            FlagDecision::Reject | FlagDecision::Ignore if held_by_reports => {
                self.store.set_review_status(&mut tx, id, ReviewStatus::Published, "").await?;
                Some(("restored", ReviewStatus::Published.as_str()))
            }
            _ => None,
        };
        self.store.refresh_book_rating(&mut tx, &review.book_id).await?;
        let before = serde_json::json!({ "review": review.id, "author": review.author_name, "status": review.status.as_str() });
        let after = serde_json::json!({ "flag": state.as_str(), "reason": reason });
        let entry =
            AuditEntry::new(&Actor::user(moderator, ip), AuditAction::FlagDecided, &review.book_id, &label, Some(before), Some(after));
        tx.audit(&entry).await?;
        if let Some((change, status)) = change {
            tx.event(&changed(&review, change, status, now)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

pub const REVIEW_NOTICES_QUEUE: &str = "community.review_notices";

/// Tells a review's author what a moderator decided (published after being held, or hidden
/// with the reason), through the notification channels they allow.
pub struct ReviewNotices {
    pub community: CommunityService,
    pub books: Arc<dyn CatalogStore>,
    pub notifications: NotificationService,
}

#[async_trait]
impl Handler for ReviewNotices {
    fn queue(&self) -> &'static str {
        REVIEW_NOTICES_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        match event {
            Event::ReviewChanged { review_id, change, at_ms, .. } if change == "published" || change == "hidden" => Some(NewJob::now(
                REVIEW_NOTICES_QUEUE,
                format!("review:{review_id}:{change}:{at_ms}"),
                serde_json::json!({ "review_id": review_id, "change": change, "at_ms": at_ms }),
            )),
            _ => None,
        }
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let (review_id, change) = (field("review_id"), field("change"));
        let at_ms = job.payload.get("at_ms").and_then(|v| v.as_i64()).unwrap_or_default();
        let err = |e: StoreError| e.to_string();
        // Gone (deleted since), or decided otherwise since: nothing to tell.
        let Some(review) = self.community.store().review(&review_id, None).await.map_err(err)? else { return Ok(()) };
        if review.status.as_str() != change {
            return Ok(());
        }
        let title = self.books.book_by_id(&review.book_id).await.map_err(err)?.map(|b| b.title).unwrap_or_default();
        let mut params = serde_json::Map::new();
        params.insert("title".into(), title.into());
        params.insert("book_id".into(), review.book_id.clone().into());
        let (kind, category) = if change == "hidden" {
            params.insert("reason".into(), review.status_reason.clone().into());
            // Words of theirs taken down: they must hear of it, whatever they chose to hear.
            (Kind::ReviewHidden, Category::Account)
        } else {
            (Kind::ReviewPublished, Category::Groups)
        };
        let notice = Notice {
            user_id: review.author_id.clone(),
            category,
            kind,
            params,
            link: Some(format!("/livres/{}#mon-avis", review.book_id)),
            source: format!("review:{review_id}:{change}:{at_ms}"),
            pace: None,
        };
        self.notifications.notify(&notice).await.map_err(err)
    }
}
