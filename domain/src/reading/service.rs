//! The reading service: opening books one is entitled to, and progress that follows the reader.

use super::ReadingStore;
use super::{
    access, Access, Annotation, AnnotationInput, Library, Progress, ProgressUpdate, ReadingSession, ReadingStats, SessionInput,
    ValidateAnnotation, FINISHED_FROM,
};
use crate::account::User;
use crate::catalog::Book;
use crate::catalog::CatalogStore;
use crate::error::FieldError;
use crate::events::Event;
use crate::store::StoreError;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ReadingError {
    #[error("not found")]
    NotFound,
    #[error("sign in required")]
    SignInRequired,
    #[error("not entitled")]
    NotEntitled,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct ReadingService {
    store: Arc<dyn ReadingStore>,
    books: Arc<dyn CatalogStore>,
}

impl ReadingService {
    pub fn new(store: Arc<dyn ReadingStore>, books: Arc<dyn CatalogStore>) -> Self {
        Self { store, books }
    }

    /// The book, when `viewer` may read its content.
    pub async fn readable_book(&self, viewer: Option<&User>, book_id: &str) -> Result<Book, ReadingError> {
        let book = self.books.book_by_id(book_id).await?.ok_or(ReadingError::NotFound)?;
        allowed(self.access_to_book(viewer, &book).await?).map(|()| book)
    }

    /// Whether `viewer` may open a book already loaded (the book page asks it to offer "buy").
    pub async fn access_to_book(&self, viewer: Option<&User>, book: &Book) -> Result<Access, ReadingError> {
        let entitled = match viewer {
            Some(u) if !book.is_free() => self.store.is_entitled(&u.id, &book.id).await?,
            _ => false,
        };
        Ok(access(book, viewer.map(|u| u.role), entitled))
    }

    /// One of a book's files for `viewer` (an account id), checked as [`Self::readable_book`]
    /// checks the book but in one statement: a book's parts are asked for one by one, hundreds
    /// per offline download.
    pub async fn readable_file(&self, viewer: Option<&str>, book_id: &str) -> Result<super::BookFile, ReadingError> {
        let found = self.store.file_access(book_id, viewer).await?.ok_or(ReadingError::NotFound)?;
        allowed(super::access_to(found.status, found.file.free, found.viewer, found.entitled)).map(|()| found.file)
    }

    /// The reader's position in a book they may read.
    pub async fn progress(&self, user: &User, book_id: &str) -> Result<Option<Progress>, ReadingError> {
        let book = self.readable_book(Some(user), book_id).await?;
        self.progress_in(user, &book).await
    }

    /// The position in a book already checked with [`Self::readable_book`] (no second lookup).
    pub async fn progress_in(&self, user: &User, book: &Book) -> Result<Option<Progress>, ReadingError> {
        Ok(self.store.progress(&user.id, &book.id).await?)
    }

    /// Saves a position unless a newer one is already stored; answers what is stored now.
    pub async fn save_progress(&self, user: &User, book_id: &str, update: &ProgressUpdate) -> Result<Progress, ReadingError> {
        let progress = update.validate(chrono::Utc::now()).map_err(ReadingError::Invalid)?;
        let book = self.readable_book(Some(user), book_id).await?;
        let mut tx = self.store.begin().await?;
        let (stored, before) = self.store.save_progress(&mut tx, &user.id, &book.id, &progress).await?;
        let reached = |p: Option<&Progress>| p.map_or(0, |p| (p.furthest.percentage / 10.0).floor().clamp(0.0, 9.0) as u8);
        // Each tenth passed, once: a jump from 5 % to 45 % passes 10, 20, 30 and 40.
        for tenth in reached(before.as_ref()) + 1..=reached(Some(&stored)) {
            let milestone = Event::ReadingMilestone { user_id: user.id.clone(), book_id: book.id.clone(), percent: tenth * 10 };
            tx.event(&milestone).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Lets a reader open a paid book (editors and admins, until payments fill this in).
    pub async fn grant(&self, by: &crate::audit::Actor, user_id: &str, book_id: &str) -> Result<(), ReadingError> {
        if !by.role.can_edit_catalog() {
            return Err(ReadingError::Forbidden);
        }
        let book = self.books.book_by_id(book_id).await?.ok_or(ReadingError::NotFound)?;
        // The entitlement, its audit entry and its event together; granted twice, nothing more.
        let mut tx = self.store.begin().await?;
        match self.store.grant(&mut tx, user_id, book_id, "grant", by.user_id.as_deref()).await {
            Err(StoreError::Conflict(_)) => return Err(ReadingError::NotFound),
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(e.into()),
        }
        let after = Some(serde_json::json!({ "user_id": user_id }));
        tx.audit(&crate::audit::AuditEntry::new(by, crate::audit::AuditAction::AccessGranted, &book.id, &book.title, None, after)).await?;
        tx.event(&crate::events::Event::AccessGranted { user_id: user_id.to_owned(), book_id: book.id.clone() }).await?;
        Ok(tx.commit().await?)
    }

    /// The reader's shelf. Books they can no longer open (unpublished, removed) are left out.
    pub async fn library(&self, user: &User) -> Result<Library, ReadingError> {
        // The books in one batch and the reader's entitlements in one list: a handful of
        // queries, not three or four a book (up to ~1 200 for a full shelf).
        let progress = self.store.recent_progress(&user.id, 100).await?;
        let owned = self.store.entitled_books(&user.id, 200).await?;
        let mut ids: Vec<String> = progress.iter().map(|(id, _)| id.clone()).chain(owned.iter().cloned()).collect();
        ids.sort();
        ids.dedup();
        let books: std::collections::HashMap<String, Book> =
            self.books.books_by_ids(&ids).await?.into_iter().map(|b| (b.id.clone(), b)).collect();
        let held: std::collections::HashSet<&str> = owned.iter().map(String::as_str).collect();
        let mut lib = Library::default();
        for (book_id, progress) in &progress {
            let Some(book) = books.get(book_id) else { continue };
            // Past the 200 listed, an entitlement is asked for (rare: a paid book being read).
            let entitled = held.contains(book_id.as_str()) || (!book.is_free() && self.store.is_entitled(&user.id, book_id).await?);
            if !matches!(access(book, Some(user.role), entitled), Access::Granted) {
                continue;
            }
            let shelf = if progress.percentage >= FINISHED_FROM { &mut lib.finished } else { &mut lib.reading };
            shelf.push((book.clone(), progress.clone()));
        }
        for book_id in &owned {
            if let Some(book) = books.get(book_id).filter(|b| matches!(access(b, Some(user.role), true), Access::Granted)) {
                lib.owned.push(book.clone());
            }
        }
        Ok(lib)
    }

    /// A reader's annotations in a book they may read, in reading order.
    pub async fn annotations(&self, user: &User, book_id: &str) -> Result<(Book, Vec<Annotation>), ReadingError> {
        let book = self.readable_book(Some(user), book_id).await?;
        let mut list = self.store.annotations(&user.id, &book.id).await?;
        list.sort_by(|a, b| match (a.start(), b.start()) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
            _ => std::cmp::Ordering::Equal,
        });
        Ok((book, list))
    }

    /// Creates an annotation, or answers the existing one when its id was seen before (a retry):
    /// `(annotation, created)`.
    pub async fn annotate(&self, user: &User, input: &AnnotationInput) -> Result<(Annotation, bool), ReadingError> {
        let a = input.validate(chrono::Utc::now()).map_err(ReadingError::Invalid)?;
        let book = self.readable_book(Some(user), &a.book_id).await?;
        let a = Annotation { book_id: book.id, ..a };
        match self.store.insert_annotation(&user.id, &a).await {
            Err(StoreError::Conflict(_)) => Err(ReadingError::Forbidden),
            other => Ok(other?),
        }
    }

    /// Edits an annotation (the id in the path wins over any in the body; empty fields keep
    /// their value).
    pub async fn edit_annotation(&self, user: &User, id: &str, input: &AnnotationInput) -> Result<Annotation, ReadingError> {
        let current = self.store.annotation(&user.id, id).await?.ok_or(ReadingError::NotFound)?;
        let merged = AnnotationInput {
            id: id.to_owned(),
            book_id: current.book_id.clone(),
            annotation_type: current.annotation_type.as_str().to_owned(),
            position: if input.position.trim().is_empty() { current.position.clone() } else { input.position.clone() },
            selected_text: if input.selected_text.is_empty() { current.selected_text.clone() } else { input.selected_text.clone() },
            content: if input.content.is_empty() { current.content.clone() } else { input.content.clone() },
            color: if input.color.is_empty() { current.color.clone() } else { input.color.clone() },
            created_at: current.to_wire().created_at,
            updated_at: if input.updated_at.trim().is_empty() { current_time() } else { input.updated_at.clone() },
        };
        let a = merged.validate(chrono::Utc::now()).map_err(ReadingError::Invalid)?;
        self.store.update_annotation(&user.id, &a).await?.ok_or(ReadingError::NotFound)
    }

    pub async fn delete_annotation(&self, user: &User, id: &str) -> Result<(), ReadingError> {
        if self.store.delete_annotation(&user.id, id).await? {
            Ok(())
        } else {
            Err(ReadingError::NotFound)
        }
    }

    /// Records a reading session (a replayed id stores nothing): `(session, stored now)`.
    pub async fn record_session(&self, user: &User, input: &SessionInput) -> Result<(ReadingSession, bool), ReadingError> {
        let session = input.validate(chrono::Utc::now()).map_err(ReadingError::Invalid)?;
        let book = self.readable_book(Some(user), &session.book_id).await?;
        let session = ReadingSession { book_id: book.id, ..session };
        let mut tx = self.store.begin().await?;
        let stored = match self.store.insert_session(&mut tx, &user.id, &session).await {
            Err(StoreError::Conflict(_)) => return Err(ReadingError::Forbidden),
            other => other?,
        };
        if stored {
            let recorded = Event::ReadingSessionRecorded {
                user_id: user.id.clone(),
                book_id: session.book_id.clone(),
                session_id: session.id.clone(),
            };
            tx.event(&recorded).await?;
        }
        tx.commit().await?;
        Ok((session, stored))
    }

    /// Minutes per day over the last 30 days, streak, books finished (UTC days).
    pub async fn stats(&self, user: &User) -> Result<ReadingStats, ReadingError> {
        let today = chrono::Utc::now().date_naive();
        let since = (today - chrono::Duration::days(30)).and_hms_opt(0, 0, 0).map_or(0, |d| d.and_utc().timestamp_millis());
        let times = self.store.session_times(&user.id, since).await?;
        let times: Vec<_> = times.into_iter().map(|(a, b)| (crate::clock::from_ms(a), crate::clock::from_ms(b))).collect();
        let finished = self.store.finished_count(&user.id).await? as u32;
        Ok(super::stats(&times, today, finished))
    }

    /// The reader's display settings, when they saved some.
    pub async fn settings(&self, user: &User) -> Result<Option<reader::layout::Settings>, ReadingError> {
        let raw = self.store.reader_settings(&user.id).await?;
        Ok(serde_json::from_str::<reader::layout::Settings>(&raw).ok().map(|s| s.normalised()))
    }

    /// Saves the reader's display settings (out-of-range values are brought back in range).
    pub async fn save_settings(&self, user: &User, settings: &reader::layout::Settings) -> Result<reader::layout::Settings, ReadingError> {
        let settings = settings.normalised();
        let json = serde_json::to_string(&settings)
            .map_err(|_| ReadingError::Invalid(vec![crate::error::FieldError::new("settings", crate::error::Reason::InvalidFormat)]))?;
        self.store.set_reader_settings(&user.id, &json).await?;
        Ok(settings)
    }
}

/// Now, as the wire writes times.
fn current_time() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The rule's answer as the service's: granted, or why not.
fn allowed(access: Access) -> Result<(), ReadingError> {
    match access {
        Access::Granted => Ok(()),
        Access::SignInRequired => Err(ReadingError::SignInRequired),
        Access::NotEntitled => Err(ReadingError::NotEntitled),
        Access::Hidden => Err(ReadingError::NotFound),
    }
}
