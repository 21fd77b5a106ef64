//! The reading port: entitlements and progress.

use crate::reading::{Annotation, Progress, ReadingSession};
use crate::store::{StoreResult, Tx, UnitOfWork};
use async_trait::async_trait;

#[async_trait]
pub trait ReadingStore: UnitOfWork {
    async fn is_entitled(&self, user_id: &str, book_id: &str) -> StoreResult<bool>;
    /// A book's file with the viewer's role and entitlement, in one statement (`None`: no such
    /// book). `viewer` is an account id, or `None` when signed out.
    async fn file_access(&self, book_id: &str, viewer: Option<&str>) -> StoreResult<Option<crate::reading::FileAccess>>;
    /// Records an entitlement in the unit of work; `false` when it existed already, `Conflict`
    /// when the user or book is unknown.
    async fn grant(&self, tx: &mut Tx, user_id: &str, book_id: &str, source: &str, granted_by: Option<&str>) -> StoreResult<bool>;
    async fn progress(&self, user_id: &str, book_id: &str) -> StoreResult<Option<Progress>>;
    /// Stores `progress` unless the stored one is newer (by `updated_at`), keeps the furthest
    /// position either way, and returns what is stored now.
    /// Saves a position in the unit of work (the newest write wins, the furthest is kept):
    /// `(stored now, stored before)`.
    async fn save_progress(
        &self,
        tx: &mut Tx,
        user_id: &str,
        book_id: &str,
        progress: &Progress,
    ) -> StoreResult<(Progress, Option<Progress>)>;
    /// A reader's positions, most recently read first: (book id, progress).
    async fn recent_progress(&self, user_id: &str, limit: u32) -> StoreResult<Vec<(String, Progress)>>;
    /// The books a reader was given or bought, newest first.
    async fn entitled_books(&self, user_id: &str, limit: u32) -> StoreResult<Vec<String>>;

    /// Stores a new annotation; when its id exists already, stores nothing and answers the
    /// stored one with `false`. `Conflict` when that id belongs to someone else.
    async fn insert_annotation(&self, user_id: &str, a: &Annotation) -> StoreResult<(Annotation, bool)>;
    /// Replaces position, text, note and colour unless the stored one is newer; `None` when the
    /// reader has no such annotation.
    async fn update_annotation(&self, user_id: &str, a: &Annotation) -> StoreResult<Option<Annotation>>;
    async fn delete_annotation(&self, user_id: &str, id: &str) -> StoreResult<bool>;
    async fn annotation(&self, user_id: &str, id: &str) -> StoreResult<Option<Annotation>>;
    /// The reader's display settings as stored (JSON), empty when never set.
    async fn reader_settings(&self, user_id: &str) -> StoreResult<String>;
    async fn set_reader_settings(&self, user_id: &str, json: &str) -> StoreResult<()>;
    /// Stores a session unless its id is known; `true` when stored now.
    /// Stores a session in the unit of work; `false` when its id was stored already.
    async fn insert_session(&self, tx: &mut Tx, user_id: &str, s: &ReadingSession) -> StoreResult<bool>;
    /// (start, end) of a reader's sessions ending after `since_ms`.
    async fn session_times(&self, user_id: &str, since_ms: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// How many books the reader has read to the end.
    async fn finished_count(&self, user_id: &str) -> StoreResult<u64>;
    /// A reader's annotations in a book, oldest first.
    async fn annotations(&self, user_id: &str, book_id: &str) -> StoreResult<Vec<Annotation>>;
}
