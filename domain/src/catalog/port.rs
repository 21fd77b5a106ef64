//! The catalogue's port.

use crate::catalog::{Book, BookFilter, BookPage, BookStatus};
use crate::store::{StoreResult, Tx};
use async_trait::async_trait;

/// A book about to be stored: everything but its relations' ids.
#[derive(Debug, Clone)]
pub struct NewBook {
    pub book: Book,
    pub cover_mime: Option<String>,
    /// (name, MARC role) in order.
    pub contributors: Vec<(String, String)>,
    pub publisher: Option<String>,
    /// Category paths (`[Fiction, Romans]`), made when missing; `None` leaves them.
    pub categories: Option<Vec<Vec<String>>>,
}

/// What an editor may correct in a book's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookMetadata {
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub language: String,
    pub isbn: Option<String>,
    pub published_date: String,
    /// (name, MARC role) in order.
    pub contributors: Vec<(String, String)>,
    pub publisher: Option<String>,
    /// Category paths (`[Fiction, Romans]`), made when missing; `None` leaves them.
    pub categories: Option<Vec<Vec<String>>>,
}

/// Where a listing starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// After the book with this (created_at ms, id): keyset pagination for the web.
    After(i64, String),
    /// Skip this many: offset pagination for the REST API's `page`.
    Offset(u64),
    /// After the book with this (popularity, id), most read first.
    AfterPopularity(i64, String),
    /// After the book with this (rating rank, id), best rated first.
    AfterRating(i64, String),
    /// After the book with this (sort title, id), A to Z.
    AfterTitle(String, String),
}

#[async_trait]
/// Writes take the command's unit of work ([`Tx`]): its rows, audit entry and events commit
/// together.
pub trait CatalogStore: crate::store::UnitOfWork {
    /// Stores a book with its contributors and publisher (created when new).
    async fn insert_book(&self, tx: &mut Tx, book: &NewBook) -> StoreResult<()>;
    async fn book_by_id(&self, id: &str) -> StoreResult<Option<Book>>;
    /// Books by id (any status) in the order asked, unknown ids left out: three queries however
    /// many books (a search page, a reader's shelf).
    async fn books_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Book>>;
    /// A book as this unit of work sees it (its own writes included).
    async fn book_in(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<Book>>;
    async fn book_id_by_file_hash(&self, hash: &str) -> StoreResult<Option<String>>;
    /// The type of a cover that some book uses (or an author's photo); `None` when the hash is
    /// neither.
    async fn cover_mime(&self, hash: &str) -> StoreResult<Option<String>>;
    /// Replaces the corrected metadata, contributors and publisher of a book.
    async fn update_book_metadata(&self, tx: &mut Tx, id: &str, meta: &BookMetadata, now_ms: i64) -> StoreResult<bool>;
    /// Sets the price and the featured flag.
    async fn set_book_offer(&self, tx: &mut Tx, id: &str, offer: &super::Offer, now_ms: i64) -> StoreResult<bool>;
    async fn set_book_status(&self, tx: &mut Tx, id: &str, status: BookStatus, now_ms: i64) -> StoreResult<bool>;
    /// Removes a book and what hangs on it (contributors' links, categories, readers' progress
    /// and notes); `false` when there was none.
    async fn delete_book(&self, tx: &mut Tx, id: &str) -> StoreResult<bool>;
    /// Whether someone holds an entitlement (a purchase or a grant) to the book.
    async fn book_has_entitlements(&self, tx: &mut Tx, id: &str) -> StoreResult<bool>;
    /// Authors, publishers or categories by name, with their books counted; and how many there
    /// are in all. For readers (`editors` false): only those with published books (categories:
    /// all), published books counted; for editors: all of them, every book counted. `name`
    /// keeps those whose name contains it (any case).
    async fn listing(
        &self,
        kind: crate::catalog::Listing,
        editors: bool,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<crate::catalog::Listed>, u64)>;
    /// A new category (its slug unique: `Conflict("category")`).
    async fn add_category(&self, tx: &mut Tx, id: &str, name: &str, slug: &str, parent_id: Option<&str>, now_ms: i64) -> StoreResult<()>;
    /// Writes an entry's name, detail (biography, slug) and parent (categories); a name or slug
    /// taken by another answers `Conflict`. `false` when there is none.
    async fn update_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, entry: &crate::catalog::Listed) -> StoreResult<bool>;
    /// An author's photo (content hash and type), or none.
    async fn set_author_photo(&self, tx: &mut Tx, id: &str, photo: Option<(&str, &str)>) -> StoreResult<bool>;
    /// Removes an entry. Books lose it; a category's children move to its parent.
    async fn delete_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, id: &str) -> StoreResult<bool>;
    /// The books (any status) an entry is on.
    /// Merges author or publisher `from` into `into`: `from`'s books get `into` (a book with both
    /// keeps one), `into` takes `from`'s biography and photo where it has none, and `from` goes.
    /// False when `from` was not there.
    async fn merge_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, from: &str, into: &str) -> StoreResult<bool>;
    async fn entry_book_ids(&self, kind: crate::catalog::Listing, id: &str) -> StoreResult<Vec<String>>;
    /// One author or publisher (categories: by id too), whatever its books.
    async fn listed(&self, kind: crate::catalog::Listing, id: &str) -> StoreResult<Option<crate::catalog::Listed>>;
    async fn listed_in(&self, tx: &mut Tx, kind: crate::catalog::Listing, id: &str) -> StoreResult<Option<crate::catalog::Listed>>;
    /// The audit log, newest first, after `before` (`at` ms, id).
    async fn audit_log(
        &self,
        filter: &crate::audit::AuditFilter,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<crate::audit::AuditEntry>>;
    /// One page in the filter's order; `published_only` hides drafts. Not counted: `total` is 0
    /// (see [`CatalogStore::count_books`]).
    async fn list_books(&self, filter: &BookFilter, published_only: bool, start: Start, limit: u32) -> StoreResult<BookPage>;
    /// The languages books are written in (their tags as stored), published ones only or all.
    async fn book_languages(&self, published_only: bool) -> StoreResult<Vec<String>>;
    /// How many books match the filter.
    async fn count_books(&self, filter: &BookFilter, published_only: bool) -> StoreResult<u64>;
}
