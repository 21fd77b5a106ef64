//! Importing files into the catalogue: checked off the runtime, stored by content, catalogued
//! in one unit of work with its audit entry and event.

use super::assets::is_safe_image;
use super::service::CatalogService;
use super::{Book, BookStatus, CatalogError, Format, Money, NewBook};
use crate::account::Role;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::events::Event;
use crate::files::content_hash;
use crate::ingest::{inspect, Extracted, IngestError};
use crate::store::StoreError;

/// Files inspected at once.
pub const INGEST_SLOTS: usize = 2;

/// The longest an upload may take to inspect.
pub const INGEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// What importing a file did.
#[derive(Debug)]
pub enum ImportOutcome {
    Created(Box<Book>),
    /// The same file (by content hash) is already in the catalogue.
    AlreadyPresent(String),
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
        premium: false,
        status: if publish { BookStatus::Published } else { BookStatus::Draft },
        created_at: chrono::Utc::now(),
        popularity: 0,
        rating_count: 0,
        rating_sum: 0,
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

impl CatalogService {
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

    /// Editors and admins only: imports an uploaded file as a draft.
    pub async fn upload(&self, by: &Actor, bytes: &[u8], file_name: &str) -> Result<ImportOutcome, CatalogError> {
        if !by.role.can_edit_catalog() {
            return Err(CatalogError::Forbidden);
        }
        self.add(by, bytes, file_name, false).await
    }
}
