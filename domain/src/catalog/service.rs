//! The catalogue service: importing files, reading books and listings. Drafts are for editors.

use super::memo::Memo;
use super::{Book, BookFilter, BookPage, BookStatus, Format, FoundBooks, Money};
use crate::account::Role;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::files::{content_hash, FileError, FileStore};
use crate::ingest::{inspect, Extracted, IngestError, Limits};
use crate::search::{SearchDoc, SearchError, SearchFilter, SearchIndex, SearchResults};
use crate::store::{parse_cursor, BookMetadata, CatalogStore, NewBook, Start, StoreError, Tx};
use std::sync::Arc;

/// Files inspected at once.
pub const INGEST_SLOTS: usize = 2;
/// The longest an upload may take to inspect.
pub const INGEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

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

/// An editor's corrections, as submitted.
#[derive(Debug, Clone, Default)]
pub struct MetadataForm {
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub language: String,
    pub isbn: String,
    pub published_date: String,
    /// One name per line (or separated by `;`).
    pub authors: String,
    pub publisher: String,
    /// One category per line (or `;`), `Parent > Child` to place it in the tree; `None` keeps
    /// the book's categories as they are.
    pub categories: Option<String>,
}

impl MetadataForm {
    /// The form as the book stands (categories left as they are).
    pub fn of(b: &Book) -> Self {
        MetadataForm {
            title: b.title.clone(),
            subtitle: b.subtitle.clone(),
            description: b.description.clone(),
            language: b.language.clone(),
            isbn: b.isbn.clone().unwrap_or_default(),
            published_date: b.published_date.clone(),
            authors: b.authors.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join("\n"),
            publisher: b.publisher.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            categories: None,
        }
    }
}

/// What an editor does to several books at once from the admin list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Publish,
    Unpublish,
    Feature,
    Unfeature,
    /// Adds a category (`Parent > Child`), keeping the ones each book has.
    File(Vec<String>),
}

impl BulkAction {
    /// From the admin list's form: `action` and, to file, `categorie`.
    pub fn parse(action: &str, category: &str) -> Result<Self, CatalogError> {
        match action {
            "publier" => Ok(BulkAction::Publish),
            "depublier" => Ok(BulkAction::Unpublish),
            "vedette" => Ok(BulkAction::Feature),
            "retirer-vedette" => Ok(BulkAction::Unfeature),
            "classer" => match parse_categories(category) {
                Ok(mut paths) if paths.len() == 1 => Ok(BulkAction::File(paths.remove(0))),
                Ok(paths) if paths.is_empty() => Err(CatalogError::Invalid(vec![FieldError::new("categorie", Reason::Required)])),
                Ok(_) => Err(CatalogError::Invalid(vec![FieldError::new("categorie", Reason::TooLong)])),
                Err(reason) => Err(CatalogError::Invalid(vec![FieldError::new("categorie", reason)])),
            },
            _ => Err(CatalogError::Invalid(vec![FieldError::new("action", Reason::Required)])),
        }
    }
}

/// Most books one bulk action changes.
pub const MAX_BULK: usize = 100;

/// Most categories on one book, and how deep a path goes.
const MAX_CATEGORIES: usize = 20;
const MAX_CATEGORY_DEPTH: usize = 4;

/// Category paths from an editor's text: `Fiction > Romans; Jeunesse` → [[Fiction, Romans],
/// [Jeunesse]]. Each name 1–80 characters; duplicates dropped.
pub fn parse_categories(raw: &str) -> Result<Vec<Vec<String>>, Reason> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in raw.split(['\n', ';']) {
        let line = crate::validation::strip_bidi_controls(line);
        let path: Vec<String> = line.split('>').map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        if path.iter().all(String::is_empty) {
            continue;
        }
        if path.iter().any(|p| p.is_empty() || p.chars().count() > 80 || crate::catalog::slug(p).is_empty()) {
            return Err(Reason::InvalidFormat);
        }
        if path.len() > MAX_CATEGORY_DEPTH {
            return Err(Reason::TooLong);
        }
        if !out.contains(&path) {
            out.push(path);
        }
    }
    if out.len() > MAX_CATEGORIES {
        return Err(Reason::TooLong);
    }
    Ok(out)
}

/// Checks an editor's corrections; every bad field is reported.
fn parse_metadata(form: &MetadataForm, current: &Book) -> Result<BookMetadata, CatalogError> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: &str, max: usize, required: bool| -> String {
        let v = crate::validation::strip_bidi_controls(value);
        let v = v.trim();
        if required && v.is_empty() {
            errors.push(FieldError::new(field, Reason::Required));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, Reason::TooLong));
        }
        v.to_owned()
    };
    let title = text("title", &form.title, 500, true);
    let subtitle = text("subtitle", &form.subtitle, 500, false);
    let description = text("description", &form.description, 20_000, false);
    let published_date = text("published_date", &form.published_date, 40, false);
    let publisher = text("publisher", &form.publisher, 200, false);
    let language = form.language.trim().to_owned();
    let lang_ok = language.is_empty()
        || (language.len() <= 35
            && language.split('-').all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())));
    if !lang_ok {
        errors.push(FieldError::new("language", Reason::InvalidFormat));
    }
    let isbn = match form.isbn.trim() {
        "" => None,
        raw => match crate::ingest::isbn_of(&format!("isbn {raw}")) {
            Some(i) => Some(i),
            None => {
                errors.push(FieldError::new("isbn", Reason::InvalidFormat));
                None
            }
        },
    };
    let categories = match form.categories.as_deref().map(parse_categories) {
        None => None,
        Some(Ok(paths)) => Some(paths),
        Some(Err(reason)) => {
            errors.push(FieldError::new("categories", reason));
            None
        }
    };
    let authors = crate::validation::strip_bidi_controls(&form.authors);
    let names: Vec<String> = authors.split(['\n', ';']).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    if names.iter().any(|n| n.chars().count() > 200) || names.len() > 50 {
        errors.push(FieldError::new("authors", Reason::TooLong));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    // Contributors keep their role (illustrator, translator…) when their name is kept.
    let contributors = names
        .into_iter()
        .map(|n| {
            let role = current.authors.iter().find(|a| a.name == n).map(|a| a.role.clone()).unwrap_or_else(|| "aut".into());
            (n, role)
        })
        .collect();
    Ok(BookMetadata {
        title,
        subtitle,
        description,
        language,
        isbn,
        published_date,
        contributors,
        publisher: Some(publisher).filter(|p| !p.is_empty()),
        categories,
    })
}

/// What importing a file did.
#[derive(Debug)]
pub enum ImportOutcome {
    Created(Box<Book>),
    /// The same file (by content hash) is already in the catalogue.
    AlreadyPresent(String),
}

#[derive(Clone)]
pub struct CatalogService {
    pub(super) store: Arc<dyn CatalogStore>,
    pub(super) files: Arc<dyn FileStore>,
    pub(super) index: Arc<dyn SearchIndex>,
    pub(super) limits: Limits,
    /// Files being inspected at once (see `inspect_off_the_runtime`).
    ingesting: Arc<tokio::sync::Semaphore>,
    /// How many books match a filter (drafts included or not), asked by every catalogue page.
    counts: Arc<Memo<(BookFilter, bool), u64>>,
    /// Authors, publishers, categories pages (the category tree is on every catalogue page).
    listings: Arc<Memo<ListingKey, ListingPage>>,
    /// The primary language subtags of the books (published only, or all).
    languages: Arc<Memo<bool, Vec<String>>>,
}

/// A listing page asked for: kind, offset, limit.
type ListingKey = (super::Listing, u64, u32);
/// A listing page and the total.
type ListingPage = (Vec<super::Listed>, u64);

/// What the search index holds of a book.
pub fn search_doc(b: &Book) -> SearchDoc {
    SearchDoc {
        id: b.id.clone(),
        title: b.title.clone(),
        subtitle: b.subtitle.clone(),
        authors: b.authors.iter().map(|a| a.name.clone()).collect(),
        subjects: b.subjects.clone(),
        description: b.description.clone(),
        language: b.language.split('-').next().unwrap_or("").to_ascii_lowercase(),
        format: b.format.as_str().into(),
        free: b.is_free(),
        categories: b.categories.iter().map(|c| c.slug.clone()).collect(),
        popularity: b.popularity,
    }
}

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
        }
    }

    /// Rebuilds the index from the database: emptied, then every published book written again.
    /// Returns how many.
    pub async fn reindex(&self) -> Result<u64, CatalogError> {
        self.forget();
        self.index.clear().await?;
        let mut start = Start::Offset(0);
        let mut n = 0;
        loop {
            let page = self.store.list_books(&super::BookFilter::default(), true, start, 100).await?;
            n += page.books.len() as u64;
            self.index.upsert(page.books.iter().map(search_doc).collect()).await?;
            match page.next_cursor.as_deref().and_then(parse_cursor) {
                Some(next) => start = next,
                None => break,
            }
        }
        self.index.settle().await?;
        Ok(n)
    }

    /// Ends a command: its rows, audit entry and events commit together (the search index and
    /// other areas follow through the job queue, never inline); this process's kept counts and
    /// listings are stale.
    pub(super) async fn commit(&self, tx: Tx) -> Result<(), CatalogError> {
        tx.commit().await?;
        self.forget();
        Ok(())
    }

    /// Writes one book to the search index as it is now in the database (published: written;
    /// draft or deleted: removed). What the search job does for every event about a book, so
    /// it is idempotent and a late run never writes an older state.
    pub async fn index_book(&self, id: &str) -> Result<(), CatalogError> {
        // Changed here or by another process (`coko import`): kept counts are stale.
        self.forget();
        match self.store.book_by_id(id).await? {
            Some(b) if b.status == BookStatus::Published => self.index.upsert(vec![search_doc(&b)]).await?,
            _ => self.index.delete(id).await?,
        }
        Ok(self.index.settle().await?)
    }

    /// Asks the servers to rebuild their search index (`coko reindex`): an event, so the server
    /// that holds the index does it, whichever process asks.
    pub async fn ask_reindex(&self, by: &Actor) -> Result<(), CatalogError> {
        if by.role != Role::Admin {
            return Err(CatalogError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        tx.event(&Event::SearchRebuildAsked).await?;
        Ok(tx.commit().await?)
    }

    /// Ranked search over published books.
    pub async fn search(&self, query: &str, filter: &SearchFilter, offset: usize, limit: usize) -> Result<FoundBooks, CatalogError> {
        let SearchResults { ids, total, facets } = self.index.search(query, filter, offset, limit.clamp(1, 100)).await?;
        // One batch for the page (it was three queries a hit: 18 a suggestion).
        let books = self.store.books_by_ids(&ids).await?.into_iter().filter(|b| b.status == BookStatus::Published).collect();
        Ok(FoundBooks { books, total, facets })
    }

    /// Ingest's parsing (an EPUB's every document, a PDF's first page drawn) is CPU work: it runs
    /// on a blocking thread, [`INGEST_SLOTS`] files at a time, and gives up after
    /// [`INGEST_DEADLINE`], so one heavy upload never stalls the readers' requests. (A thread
    /// past the deadline finishes in the background; its result is dropped.)
    async fn inspect_off_the_runtime(&self, bytes: &[u8], ext: Option<String>) -> Result<Extracted, CatalogError> {
        let _slot = self.ingesting.acquire().await.map_err(|_| IngestError::TooSlow)?;
        let (owned, limits) = (bytes.to_vec(), self.limits);
        let work = tokio::task::spawn_blocking(move || inspect(&owned, ext.as_deref(), &limits));
        match tokio::time::timeout(INGEST_DEADLINE, work).await {
            Ok(Ok(result)) => Ok(result?),
            Ok(Err(_panicked)) => Err(IngestError::UnknownFormat.into()),
            Err(_late) => Err(IngestError::TooSlow.into()),
        }
    }

    pub async fn index_ready(&self) -> Result<(), CatalogError> {
        Ok(self.index.ping().await?)
    }

    /// Checks, stores and catalogues a file, as the command line does (audited as `system`).
    /// Idempotent by content hash; nothing is stored when the file is refused.
    pub async fn import(&self, bytes: &[u8], file_name: &str, publish: bool) -> Result<ImportOutcome, CatalogError> {
        self.add(&Actor::system(Role::Admin), bytes, file_name, publish).await
    }

    async fn add(&self, by: &Actor, bytes: &[u8], file_name: &str, publish: bool) -> Result<ImportOutcome, CatalogError> {
        let hash = content_hash(bytes);
        if let Some(id) = self.store.book_id_by_file_hash(&hash).await? {
            return Ok(ImportOutcome::AlreadyPresent(id));
        }
        let ext = std::path::Path::new(file_name).extension().and_then(|e| e.to_str()).map(str::to_owned);
        let meta = self.inspect_off_the_runtime(bytes, ext).await?;
        // Files first (content-addressed: a file left by a failed insert is reused or harmless).
        let cover = match &meta.cover {
            Some((img, mime)) if is_safe_image(mime) => Some((self.files.put(img).await?, mime.clone())),
            _ => None,
        };
        self.files.put(bytes).await?;
        let new = new_book(meta, file_name, hash, bytes.len() as u64, cover, publish);
        let mut tx = self.store.begin().await?;
        match self.store.insert_book(&mut tx, &new).await {
            Ok(()) => {
                let book = self.store.book_in(&mut tx, &new.book.id).await?.ok_or(CatalogError::NotFound)?;
                let after =
                    serde_json::json!({ "file": file_name, "format": book.format.as_str(), "size": book.file_size, "title": book.title });
                tx.audit(&AuditEntry::new(by, AuditAction::BookAdded, &book.id, &book.title, None, Some(after))).await?;
                tx.event(&Event::BookAdded { book_id: book.id.clone() }).await?;
                self.commit(tx).await?;
                Ok(ImportOutcome::Created(Box::new(book)))
            }
            // Imported concurrently by someone else: the same outcome as finding it first.
            Err(StoreError::Conflict(_)) => {
                drop(tx);
                let id = self.store.book_id_by_file_hash(&new.book.file_hash).await?.ok_or(CatalogError::NotFound)?;
                Ok(ImportOutcome::AlreadyPresent(id))
            }
            Err(e) => Err(e.into()),
        }
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
    pub async fn edit(&self, by: &Actor, id: &str, status: BookStatus, price: Money, featured: bool) -> Result<Book, CatalogError> {
        let mut tx = self.store.begin().await?;
        let book = self.write_edit(&mut tx, by, id, status, price, featured).await?;
        self.commit(tx).await?;
        Ok(book)
    }

    async fn write_edit(
        &self,
        tx: &mut Tx,
        by: &Actor,
        id: &str,
        status: BookStatus,
        price: Money,
        featured: bool,
    ) -> Result<Book, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        if let Err(reason) = super::check_price(price.amount) {
            return Err(CatalogError::Invalid(vec![FieldError::new("price", reason)]));
        }
        let before = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let now = crate::clock::now_ms();
        if !self.store.set_book_status(tx, id, status, now).await? || !self.store.set_book_offer(tx, id, &price, featured, now).await? {
            return Err(CatalogError::NotFound);
        }
        let book = self.store.book_in(tx, id).await?.ok_or(CatalogError::NotFound)?;
        let offer = |b: &Book| serde_json::json!({ "status": b.status.as_str(), "price": b.price.amount, "currency": b.price.currency, "featured": b.featured });
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
            return Err(CatalogError::Invalid(vec![FieldError::new("livres", Reason::Required)]));
        }
        if ids.len() > MAX_BULK {
            return Err(CatalogError::Invalid(vec![FieldError::new("livres", Reason::TooLong)]));
        }
        // One unit of work for the whole action: every book changes, or none.
        let mut tx = self.store.begin().await?;
        let mut changed = 0;
        for id in ids {
            let Some(b) = self.store.book_in(&mut tx, id).await? else { continue };
            match action {
                BulkAction::Publish | BulkAction::Unpublish => {
                    let status = if *action == BulkAction::Publish { BookStatus::Published } else { BookStatus::Draft };
                    self.write_edit(&mut tx, by, id, status, b.price.clone(), b.featured).await?;
                }
                BulkAction::Feature | BulkAction::Unfeature => {
                    self.write_edit(&mut tx, by, id, b.status, b.price.clone(), *action == BulkAction::Feature).await?;
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

    /// Books related to `book`: by the same authors first, then in the same categories.
    pub async fn related(&self, book: &Book, limit: usize) -> Result<Vec<Book>, CatalogError> {
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

    /// Removes a cover or photo and every width made of it.
    pub(super) async fn remove_image(&self, hash: &str) -> Result<(), CatalogError> {
        self.files.remove(hash).await?;
        for w in crate::covers::COVER_WIDTHS {
            for f in [crate::covers::CoverFormat::Jpeg, crate::covers::CoverFormat::Webp] {
                self.files.remove(&derived_cover_key(hash, w, f)).await?;
            }
        }
        Ok(())
    }

    /// Editors and admins only: imports an uploaded file as a draft.
    pub async fn upload(&self, by: &Actor, bytes: &[u8], file_name: &str) -> Result<ImportOutcome, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        self.add(by, bytes, file_name, false).await
    }

    /// A stored cover or book file.
    pub async fn file(&self, hash: &str) -> Result<Vec<u8>, CatalogError> {
        self.files.get(hash).await?.ok_or(CatalogError::NotFound)
    }

    /// A stored file's length.
    pub async fn file_size(&self, hash: &str) -> Result<u64, CatalogError> {
        self.files.size(hash).await?.ok_or(CatalogError::NotFound)
    }

    /// Part of a stored file, streamed.
    pub async fn file_range(&self, hash: &str, start: u64, len: u64) -> Result<crate::files::FileReader, CatalogError> {
        self.files.read_range(hash, start, len).await?.ok_or(CatalogError::NotFound)
    }

    /// A cover `width` pixels wide (one of `COVER_WIDTHS`) as WebP or JPEG, made on first demand
    /// and kept.
    /// The original when it is lighter anyway (flat drawings compress better as PNG) or cannot
    /// be decoded.
    pub async fn cover_at(&self, hash: &str, width: u32, format: crate::covers::CoverFormat) -> Result<(Vec<u8>, String), CatalogError> {
        if !crate::covers::COVER_WIDTHS.contains(&width) {
            return Err(CatalogError::NotFound);
        }
        // Only hashes that are some book's cover (or an author's photo) are served.
        let mime = self.cover_type(hash).await?;
        let key = derived_cover_key(hash, width, format);
        if let Some(kept) = self.files.get(&key).await? {
            let mime = crate::covers::sniff(&kept).unwrap_or(format.mime());
            return Ok((kept, mime.into()));
        }
        // Made on first demand: only then is the original read.
        let original = self.file(hash).await?;
        // The original goes into the blocking task and comes back with the result (read once).
        let (resized, original) = tokio::task::spawn_blocking(move || (crate::covers::resized(&original, width, format), original))
            .await
            .map_err(|e| CatalogError::Files(FileError(e.to_string())))?;
        match resized {
            Ok(scaled) => {
                if original.len() <= scaled.len() {
                    self.files.put_at(&key, &original).await?;
                    return Ok((original, mime));
                }
                self.files.put_at(&key, &scaled).await?;
                Ok((scaled, format.mime().into()))
            }
            Err(e) => {
                tracing::warn!(error = %e, cover = hash, "cover served at its own size");
                Ok((original, mime))
            }
        }
    }

    /// A cover image and its type; only hashes that are some book's cover are served.
    pub async fn cover(&self, hash: &str) -> Result<(Vec<u8>, String), CatalogError> {
        let mime = self.cover_type(hash).await?;
        Ok((self.file(hash).await?, mime))
    }

    /// The type of a cover or photo that something shows (an indexed lookup); `NotFound` for
    /// any other hash.
    async fn cover_type(&self, hash: &str) -> Result<String, CatalogError> {
        self.store.cover_mime(hash).await?.filter(|m| is_safe_image(m)).ok_or(CatalogError::NotFound)
    }
}

/// Where a cover's smaller width is kept.
fn derived_cover_key(hash: &str, width: u32, format: crate::covers::CoverFormat) -> String {
    content_hash(format!("{hash}:{width}:{}", format.as_str()).as_bytes())
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

/// Raster covers only: an SVG cover could carry script.
fn is_safe_image(mime: &str) -> bool {
    matches!(mime, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}

fn new_book(meta: Extracted, file_name: &str, file_hash: String, size: u64, cover: Option<(String, String)>, publish: bool) -> NewBook {
    let stem = std::path::Path::new(file_name).file_stem().and_then(|s| s.to_str()).unwrap_or("Sans titre");
    let title = if meta.title.trim().is_empty() { stem.replace(['-', '_'], " ") } else { meta.title.clone() };
    let (cover_hash, cover_mime) = cover.map_or((None, None), |(h, m)| (Some(h), Some(m)));
    let book = Book {
        id: uuid::Uuid::now_v7().to_string(),
        title: truncate(&title, 500),
        subtitle: truncate(&meta.subtitle, 500),
        description: truncate(&meta.description, 20_000),
        language: truncate(&meta.language, 35),
        isbn: meta.isbn.clone(),
        publisher: None,
        published_date: truncate(&meta.date, 40),
        authors: Vec::new(),
        categories: Vec::new(),
        format: meta.format.unwrap_or(Format::Epub),
        file_hash,
        file_size: size,
        cover_hash,
        page_count: meta.page_count,
        spine_length: meta.spine_length,
        price: Money::xof(0),
        featured: false,
        status: if publish { BookStatus::Published } else { BookStatus::Draft },
        created_at: chrono::Utc::now(),
        popularity: 0,
        subjects: meta.subjects.iter().map(|s| truncate(s, 200)).filter(|s| !s.is_empty() && !s.contains('\n')).take(20).collect(),
    };
    NewBook {
        book,
        cover_mime,
        contributors: meta.creators.iter().map(|c| (truncate(&c.name, 200), truncate(&c.role, 10))).collect(),
        publisher: Some(truncate(&meta.publisher, 200)).filter(|p| !p.is_empty()),
        // The file's subjects are suggestions for the editor, not categories.
        categories: None,
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}
