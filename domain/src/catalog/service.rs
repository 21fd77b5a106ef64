//! The catalogue service: reading books and listings (drafts are for editors), editors' commands.

//!
//! The service is split by concern, each file an `impl CatalogService` block: here reading the
//! catalogue and editors' commands on books; `import.rs` files coming in; `assets.rs` files and
//! covers going out; `entries.rs` authors, publishers and categories; `indexing.rs` the search
//! index; `forms.rs` what editors submit, checked.

use super::forms::{parse_metadata, BulkAction, MetadataForm, MAX_BULK};
use super::import::INGEST_SLOTS;
use super::memo::Memo;
use super::{parse_cursor, Book, BookFilter, BookPage, BookStatus, CatalogStore, Offer, Start};
use crate::account::Role;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::files::{FileError, FileStore};
use crate::ingest::{IngestError, Limits};
use crate::search::{SearchError, SearchIndex};
use crate::store::{StoreError, Tx};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("file refused: {0}")]
    Refused(#[from] IngestError),
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("invalid: {0:?}")]
    Invalid(Vec<crate::error::FieldError>),
    /// Readers hold the book (bought or granted): unpublish it instead.
    #[error("readers hold this book")]
    InUse,
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Files(#[from] FileError),
    #[error("{0}")]
    Search(#[from] SearchError),
}

#[derive(Clone)]
pub struct CatalogService {
    pub(super) store: Arc<dyn CatalogStore>,
    pub(super) files: Arc<dyn FileStore>,
    pub(super) index: Arc<dyn SearchIndex>,
    pub(super) limits: Limits,
    /// Files being inspected at once (see `inspect_off_the_runtime`).
    pub(super) ingesting: Arc<tokio::sync::Semaphore>,
    /// How many books match a filter (drafts included or not), asked by every catalogue page.
    counts: Arc<Memo<(BookFilter, bool), u64>>,
    /// Authors, publishers, categories pages (the category tree is on every catalogue page).
    listings: Arc<Memo<ListingKey, ListingPage>>,
    /// The primary language subtags of the books (published only, or all).
    languages: Arc<Memo<bool, Vec<String>>>,
    /// Books related to a book (its page shows them on every view): by book id and limit.
    related: Arc<Memo<(String, usize), Vec<Book>>>,
}

/// A listing page asked for: kind, offset, limit.
type ListingKey = (super::Listing, u64, u32);
/// A listing page and the total.
type ListingPage = (Vec<super::Listed>, u64);

fn can_see_drafts(role: Option<Role>) -> bool {
    role.is_some_and(Role::can_edit_catalog)
}

impl CatalogService {
    pub fn new(store: Arc<dyn CatalogStore>, files: Arc<dyn FileStore>, index: Arc<dyn SearchIndex>, limits: Limits) -> Self {
        Self {
            store,
            files,
            index,
            limits,
            ingesting: Arc::new(tokio::sync::Semaphore::new(INGEST_SLOTS)),
            counts: Arc::default(),
            listings: Arc::default(),
            languages: Arc::default(),
            related: Arc::default(),
        }
    }

    /// Ends a command: its rows, audit entry and events commit together (the search index and
    /// other areas follow through the job queue, never inline); this process's kept counts and
    /// listings are stale.
    pub(super) async fn commit(&self, tx: Tx) -> Result<(), CatalogError> {
        tx.commit().await?;
        self.forget();
        Ok(())
    }

    pub async fn book(&self, id: &str, viewer: Option<Role>) -> Result<Book, CatalogError> {
        match self.store.book_by_id(id).await? {
            Some(b) if b.status == BookStatus::Published || can_see_drafts(viewer) => Ok(b),
            _ => Err(CatalogError::NotFound),
        }
    }

    /// Kept counts and listings are stale (the catalogue changed).
    pub(super) fn forget(&self) {
        self.counts.forget();
        self.listings.forget();
        self.languages.forget();
        self.related.forget();
    }

    /// How many books match (kept a few seconds: every catalogue page asks).
    async fn count(&self, filter: &BookFilter, published_only: bool) -> Result<u64, CatalogError> {
        let key = (BookFilter { sort: Default::default(), ..filter.clone() }, published_only);
        Ok(self.counts.get_or_try(key, self.store.count_books(filter, published_only)).await?)
    }

    /// One page of the catalogue after `cursor` (keyset pagination).
    pub async fn browse(
        &self,
        filter: &BookFilter,
        cursor: Option<&str>,
        limit: u32,
        viewer: Option<Role>,
    ) -> Result<BookPage, CatalogError> {
        let start = cursor.and_then(parse_cursor).unwrap_or(Start::Offset(0));
        let published_only = !can_see_drafts(viewer);
        let mut page = self.store.list_books(filter, published_only, start, limit).await?;
        page.total = self.count(filter, published_only).await?;
        Ok(page)
    }

    /// Page `page` (from 1) of `limit` books, for the REST API.
    pub async fn page(&self, filter: &BookFilter, page: u32, limit: u32) -> Result<BookPage, CatalogError> {
        let limit = limit.clamp(1, 100);
        let offset = (page.max(1) as u64 - 1) * limit as u64;
        let mut page = self.store.list_books(filter, true, Start::Offset(offset), limit).await?;
        page.total = self.count(filter, true).await?;
        Ok(page)
    }

    /// Editors and admins only: publishes or unpublishes a book and sets its offer.
    pub async fn edit(&self, by: &Actor, id: &str, status: BookStatus, offer: Offer) -> Result<Book, CatalogError> {
        let mut tx = self.store.begin().await?;
        let book = self.write_edit(&mut tx, by, id, status, offer).await?;
        self.commit(tx).await?;
        Ok(book)
    }

    async fn write_edit(&self, tx: &mut Tx, by: &Actor, id: &str, status: BookStatus, offer: Offer) -> Result<Book, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        if let Err(reason) = super::check_price(offer.price.amount) {
            return Err(CatalogError::Invalid(vec![FieldError::new("price", reason)]));
        }
        let before = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let now = crate::clock::now_ms();
        if !self.store.set_book_status(tx, id, status, now).await? || !self.store.set_book_offer(tx, id, &offer, now).await? {
            return Err(CatalogError::NotFound);
        }
        let book = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let offer = |b: &Book| serde_json::json!({ "status": b.status.as_str(), "price": b.price.amount, "currency": b.price.currency, "featured": b.featured, "premium": b.premium });
        if offer(&before) != offer(&book) {
            tx.audit(&AuditEntry::new(by, AuditAction::BookChanged, &book.id, &book.title, Some(offer(&before)), Some(offer(&book))))
                .await?;
            tx.event(&Event::BookChanged { book_id: book.id.clone() }).await?;
        }
        Ok(book)
    }

    /// Admins only: the audit log, newest first, filtered, 50 at a time.
    pub async fn audit_log(
        &self,
        viewer: Role,
        filter: &crate::audit::AuditFilter,
        cursor: Option<&str>,
    ) -> Result<crate::audit::AuditPage, CatalogError> {
        if viewer != Role::Admin {
            return Err(CatalogError::Forbidden);
        }
        const PAGE: u32 = 50;
        let before = cursor.and_then(crate::audit::parse_cursor);
        let mut entries = self.store.audit_log(filter, before, PAGE + 1).await?;
        let next_cursor = (entries.len() > PAGE as usize).then(|| {
            entries.truncate(PAGE as usize);
            entries.last().map(crate::audit::cursor_of)
        });
        Ok(crate::audit::AuditPage { entries, next_cursor: next_cursor.flatten() })
    }

    /// Editors and admins only: one action on several books (each change audited as if made one
    /// by one). Unknown ids are skipped. Returns how many books were changed.
    pub async fn bulk(&self, by: &Actor, ids: &[String], action: &BulkAction) -> Result<u32, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        if ids.is_empty() {
            return Err(CatalogError::Invalid(vec![FieldError::new("books", Reason::Required)]));
        }
        if ids.len() > MAX_BULK {
            return Err(CatalogError::Invalid(vec![FieldError::new("books", Reason::TooLong)]));
        }
        // One unit of work for the whole action: every book changes, or none.
        let mut tx = self.store.begin().await?;
        let mut changed = 0;
        for id in ids {
            let Some(b) = self.store.book_in(&mut tx, id).await? else { continue };
            match action {
                BulkAction::Publish | BulkAction::Unpublish => {
                    let status = if *action == BulkAction::Publish { BookStatus::Published } else { BookStatus::Draft };
                    self.write_edit(&mut tx, by, id, status, b.offer()).await?;
                }
                BulkAction::Feature | BulkAction::Unfeature => {
                    self.write_edit(&mut tx, by, id, b.status, Offer { featured: *action == BulkAction::Feature, ..b.offer() }).await?;
                }
                BulkAction::File(path) => {
                    let mut lines: Vec<String> = b.categories.iter().map(|c| c.name.clone()).collect();
                    lines.push(path.join(" > "));
                    let form = MetadataForm { categories: Some(lines.join("\n")), ..MetadataForm::of(&b) };
                    self.write_correction(&mut tx, by, id, &form).await?;
                }
            }
            changed += 1;
        }
        self.commit(tx).await?;
        Ok(changed)
    }

    /// Editors and admins only: corrects a book's metadata.
    pub async fn correct(&self, by: &Actor, id: &str, form: &MetadataForm) -> Result<Book, CatalogError> {
        let mut tx = self.store.begin().await?;
        let book = self.write_correction(&mut tx, by, id, form).await?;
        self.commit(tx).await?;
        Ok(book)
    }

    async fn write_correction(&self, tx: &mut Tx, by: &Actor, id: &str, form: &MetadataForm) -> Result<Book, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        let current = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let meta = parse_metadata(form, &current)?;
        if !self.store.update_book_metadata(tx, id, &meta, crate::clock::now_ms()).await? {
            return Err(CatalogError::NotFound);
        }
        let book = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let (before, after) = (metadata_json(&current), metadata_json(&book));
        if before != after {
            tx.audit(&AuditEntry::new(by, AuditAction::BookCorrected, &book.id, &book.title, Some(before), Some(after))).await?;
            tx.event(&Event::BookChanged { book_id: book.id.clone() }).await?;
        }
        Ok(book)
    }

    /// Authors, publishers or categories, by name, with their published books counted:
    /// page `page` (from 1) of `limit`, and the total.
    pub async fn listing(&self, kind: super::Listing, page: u32, limit: u32) -> Result<(Vec<super::Listed>, u64), CatalogError> {
        let offset = u64::from(page.max(1) - 1) * u64::from(limit);
        Ok(self.listings.get_or_try((kind, offset, limit), self.store.listing(kind, false, None, offset, limit)).await?)
    }

    /// The languages the catalogue's books are in (primary subtags: `fr`, `ja`…), sorted: what
    /// the language filter offers. Drafts count for editors.
    pub async fn languages(&self, viewer: Option<Role>) -> Result<Vec<String>, CatalogError> {
        let published_only = !can_see_drafts(viewer);
        let fetch = async {
            let tags = self.store.book_languages(published_only).await?;
            let mut codes: Vec<String> = tags.iter().filter_map(|t| super::language_code(t)).collect();
            codes.sort();
            codes.dedup();
            Ok::<_, StoreError>(codes)
        };
        Ok(self.languages.get_or_try(published_only, fetch).await?)
    }

    /// Every category (readers' tree on the catalogue: never cut, however many there are).
    pub async fn categories(&self) -> Result<Vec<super::Listed>, CatalogError> {
        let mut all = Vec::new();
        for page in 1.. {
            let (list, total) = self.listing(super::Listing::Categories, page, 500).await?;
            let done = list.is_empty();
            all.extend(list);
            if done || all.len() as u64 >= total {
                break;
            }
        }
        Ok(all)
    }

    /// An author or a publisher and a page of their published books (drafts for editors).
    pub async fn listed_with_books(
        &self,
        kind: super::Listing,
        id: &str,
        cursor: Option<&str>,
        viewer: Option<Role>,
    ) -> Result<(super::Listed, BookPage), CatalogError> {
        let entry = self.store.listed(kind, id).await?.ok_or(CatalogError::NotFound)?;
        let filter = match kind {
            super::Listing::Authors => BookFilter { author: Some(entry.id.clone()), ..Default::default() },
            super::Listing::Publishers => BookFilter { publisher: Some(entry.id.clone()), ..Default::default() },
            super::Listing::Categories => BookFilter { category: Some(entry.detail.clone()), ..Default::default() },
        };
        let page = self.browse(&filter, cursor, 24, viewer).await?;
        if page.total == 0 && viewer.is_none_or(|r| !r.can_edit_catalog()) {
            // Nobody to show a reader: as if it did not exist.
            return Err(CatalogError::NotFound);
        }
        Ok((super::Listed { books: page.total, ..entry }, page))
    }

    /// Books related to `book`: by the same authors first, then in the same categories (kept a
    /// few seconds, like the counts: every view of a book's page asks).
    pub async fn related(&self, book: &Book, limit: usize) -> Result<Vec<Book>, CatalogError> {
        Ok(self.related.get_or_try((book.id.clone(), limit), self.find_related(book, limit)).await?)
    }

    async fn find_related(&self, book: &Book, limit: usize) -> Result<Vec<Book>, StoreError> {
        let mut found: Vec<Book> = Vec::new();
        let filters = book
            .authors
            .iter()
            .map(|a| BookFilter { author: Some(a.id.clone()), ..Default::default() })
            .chain(book.categories.iter().map(|c| BookFilter { category: Some(c.slug.clone()), ..Default::default() }));
        for filter in filters {
            if found.len() >= limit {
                break;
            }
            for b in self.store.list_books(&filter, true, Start::Offset(0), limit as u32 + 1).await?.books {
                if b.id != book.id && !found.iter().any(|f| f.id == b.id) && found.len() < limit {
                    found.push(b);
                }
            }
        }
        Ok(found)
    }

    /// Editors and admins only: removes a book from the catalogue, the index and the file store,
    /// with its readers' progress and notes. A book someone holds (bought or granted) is kept:
    /// unpublish it instead.
    pub async fn delete(&self, by: &Actor, id: &str) -> Result<Book, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        let book = self.store.book_in(&mut tx, id).await?.ok_or(CatalogError::NotFound)?;
        if self.store.book_has_entitlements(&mut tx, id).await? {
            return Err(CatalogError::InUse);
        }
        if !self.store.delete_book(&mut tx, id).await? {
            return Err(CatalogError::NotFound);
        }
        let mut before = metadata_json(&book);
        before["file_hash"] = serde_json::json!(book.file_hash);
        tx.audit(&AuditEntry::new(by, AuditAction::BookDeleted, &book.id, &book.title, Some(before), None)).await?;
        tx.event(&Event::BookDeleted { book_id: book.id.clone() }).await?;
        self.commit(tx).await?;
        // Files after the commit: a crash here leaves an unused file, never a book without one.
        self.files.remove(&book.file_hash).await?;
        if let Some(cover) = &book.cover_hash {
            if self.store.cover_mime(cover).await?.is_none() {
                self.remove_image(cover).await?;
            }
        }
        Ok(book)
    }
}

/// The fields an editor corrects, as the audit log keeps them.
fn metadata_json(b: &Book) -> serde_json::Value {
    serde_json::json!({
        "title": b.title, "subtitle": b.subtitle, "authors": b.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        "publisher": b.publisher.as_ref().map(|p| p.name.as_str()), "language": b.language, "isbn": b.isbn,
        "published_date": b.published_date, "description": b.description.chars().take(200).collect::<String>(),
        "categories": b.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
    })
}
