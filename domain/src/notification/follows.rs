//! Follows: a reader follows an author or a category (from its page, or over REST) and hears,
//! on the channels they allow for "new books", when a book of theirs is published.
//!
//! The catalogue says what changed (`BookAdded`, `BookChanged`); this area's job reads whether
//! the book is published and new, and tells its followers — the readers who follow one of its
//! contributors, one of its categories or a category above them — once each: the notice's
//! source is `new_book:<book>`, so a reader who follows both its author and its category, a
//! retried job or a later edit of the book make no second message. Followers are told a page
//! at a time, each page a job of its own, so that a popular author's ten thousand followers
//! never hold one job past its lease.

use super::{Category, Follow, FollowKind, Follower, Kind, Notice, NotificationError, NotificationService};
use crate::account::User;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::catalog::CatalogStore;
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob, QueueStore};
use crate::store::StoreResult;
use async_trait::async_trait;
use std::sync::Arc;

pub const NEW_BOOK_QUEUE: &str = "notifications.new_books";
/// A book is announced only while it is new: a change to a book published long ago (a cover,
/// a price) is no news, and must not reach those who followed its author since.
pub const ANNOUNCE_WINDOW_MS: i64 = 14 * 86_400_000;
/// What one reader may follow at most.
pub const MAX_FOLLOWS: u64 = 500;
/// Followers told by one job.
pub const FAN_OUT_PAGE: u32 = 500;

impl NotificationService {
    /// What the reader follows, newest first.
    pub async fn follows(&self, user: &User) -> StoreResult<Vec<Follow>> {
        self.store().follows(&user.id).await
    }

    pub async fn is_following(&self, user: &User, kind: FollowKind, id: &str) -> StoreResult<bool> {
        self.store().is_following(&user.id, kind, id).await
    }

    /// Follows (or stops following) an author or a category, audited with its event.
    /// `Ok(false)`: it was so already.
    pub async fn set_follow(&self, user: &User, kind: &str, id: &str, following: bool, ip: &str) -> Result<bool, NotificationError> {
        let kind = FollowKind::parse(kind).ok_or_else(|| NotificationError::Invalid(vec![FieldError::new("kind", Reason::Unknown)]))?;
        let id = id.trim();
        if id.is_empty() || id.len() > 64 {
            return Err(NotificationError::NotFound);
        }
        let store = self.store();
        let Some(name) = store.follow_target(kind, id).await? else {
            // Stopping to follow something that is gone still works.
            if following {
                return Err(NotificationError::NotFound);
            }
            return self.change_follow(user, kind, id, id, false, ip).await;
        };
        if following && !store.is_following(&user.id, kind, id).await? && store.follow_count(&user.id).await? >= MAX_FOLLOWS {
            return Err(NotificationError::Invalid(vec![FieldError::new("follows", Reason::OutOfRange)]));
        }
        self.change_follow(user, kind, id, &name, following, ip).await
    }

    async fn change_follow(
        &self,
        user: &User,
        kind: FollowKind,
        id: &str,
        name: &str,
        following: bool,
        ip: &str,
    ) -> Result<bool, NotificationError> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let now = crate::clock::now_ms();
        let changed = if following {
            store.follow(&mut tx, &user.id, kind, id, now).await?
        } else {
            store.unfollow(&mut tx, &user.id, kind, id).await?
        };
        if !changed {
            return Ok(false);
        }
        let followed = serde_json::json!({ "follow": { "kind": kind.as_str(), "id": id, "name": name } });
        let (before, after) = if following { (None, Some(followed)) } else { (Some(followed), None) };
        let entry = AuditEntry::new(&Actor::user(user, ip), AuditAction::NotificationsChanged, &user.id, &user.email, before, after);
        tx.audit(&entry).await?;
        let event =
            Event::FollowChanged { user_id: user.id.clone(), target_kind: kind.as_str().to_owned(), target_id: id.to_owned(), following };
        tx.event(&event).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Tells followers of a newly published book.
pub struct NewBookNotices {
    pub notifications: NotificationService,
    pub catalog: Arc<dyn CatalogStore>,
    pub jobs: Arc<dyn QueueStore>,
}

/// The job that tells the followers after `after` (in id order) of `book_id`.
pub fn fan_out_job(book_id: &str, after: &str) -> NewJob {
    let key = if after.is_empty() { format!("new_book:{book_id}") } else { format!("new_book:{book_id}:{after}") };
    NewJob::now(NEW_BOOK_QUEUE, key, serde_json::json!({ "book_id": book_id, "after": after }))
}

/// Each reader once, with the follow that brought the book to them (an author before a category).
pub fn by_reader(rows: Vec<Follower>) -> Vec<Follower> {
    let mut out: Vec<Follower> = Vec::new();
    for r in rows {
        match out.last() {
            Some(last) if last.user_id == r.user_id => {
                if last.kind == FollowKind::Category && r.kind == FollowKind::Author {
                    *out.last_mut().expect("a last one") = r;
                }
            }
            _ => out.push(r),
        }
    }
    out
}

#[async_trait]
impl Handler for NewBookNotices {
    fn queue(&self) -> &'static str {
        NEW_BOOK_QUEUE
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        match event {
            Event::BookAdded { book_id } | Event::BookChanged { book_id } => Some(fan_out_job(book_id, "")),
            _ => None,
        }
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let field = |k: &str| job.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let (book_id, after) = (field("book_id"), field("after"));
        let err = |e: crate::store::StoreError| e.to_string();
        let store = self.notifications.store();
        let Some(published) = store.book_published_at(&book_id).await.map_err(err)? else { return Ok(()) };
        if crate::clock::now_ms() - published > ANNOUNCE_WINDOW_MS {
            return Ok(());
        }
        let readers = by_reader(store.followers_of_book(&book_id, &after, FAN_OUT_PAGE).await.map_err(err)?);
        // Most books have no follower yet (a bulk import): two queries and done.
        if readers.is_empty() {
            return Ok(());
        }
        let Some(book) = self.catalog.book_by_id(&book_id).await.map_err(err)? else { return Ok(()) };
        let authors = book.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ");
        for r in &readers {
            let mut params = serde_json::Map::new();
            params.insert("title".into(), book.title.clone().into());
            params.insert("book_id".into(), book.id.clone().into());
            params.insert("authors".into(), authors.clone().into());
            params.insert("via".into(), r.kind.as_str().into());
            params.insert("via_name".into(), r.name.clone().into());
            let notice = Notice {
                user_id: r.user_id.clone(),
                category: Category::NewBooks,
                kind: Kind::NewBook,
                params,
                link: Some(format!("/livres/{}", book.id)),
                source: format!("new_book:{}", book.id),
                pace: None,
            };
            self.notifications.notify(&notice).await.map_err(err)?;
        }
        if readers.len() == FAN_OUT_PAGE as usize {
            let last = readers.last().map(|r| r.user_id.clone()).unwrap_or_default();
            let mut tx = self.jobs.begin().await.map_err(err)?;
            self.jobs.enqueue(&mut tx, &fan_out_job(&book_id, &last)).await.map_err(err)?;
            tx.commit().await.map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(user: &str, kind: FollowKind, name: &str) -> Follower {
        Follower { user_id: user.into(), kind, target_id: name.to_lowercase(), name: name.into() }
    }

    #[test]
    fn each_reader_is_told_once_and_by_the_author_first() {
        let rows = vec![
            f("a", FollowKind::Category, "Romans"),
            f("a", FollowKind::Author, "Mariama Bâ"),
            f("b", FollowKind::Category, "Romans"),
            f("b", FollowKind::Category, "Littérature"),
        ];
        let out = by_reader(rows);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].user_id.as_str(), out[0].name.as_str()), ("a", "Mariama Bâ"));
        assert_eq!((out[1].user_id.as_str(), out[1].name.as_str()), ("b", "Romans"));
    }

    #[test]
    fn later_pages_have_their_own_keys() {
        assert_eq!(fan_out_job("b1", "").dedupe_key, "new_book:b1");
        assert_eq!(fan_out_job("b1", "u9").dedupe_key, "new_book:b1:u9");
    }
}
