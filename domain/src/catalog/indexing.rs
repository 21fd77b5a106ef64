//! The search index follows the catalogue through the job queue: the first consumer of domain
//! events. A command never waits for the index; an index outage delays updates (the job is
//! retried), never loses them.
//!
//! The embedded index lives in the memory of the server that runs these jobs: it suits one
//! server (which rebuilds it from the database when it starts). Several servers share
//! Meilisearch, and any of them may run a job.

use super::service::CatalogService;
use super::{parse_cursor, Book, BookStatus, CatalogError, FoundBooks, Start};
use crate::account::Role;
use crate::audit::Actor;
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use crate::search::{SearchDoc, SearchFilter, SearchResults};
use async_trait::async_trait;
use std::time::Duration;

/// Writes a book to the index as the database has it now.
pub const INDEX_BOOK: &str = "search.book";
/// Rebuilds the whole index.
pub const REBUILD: &str = "search.rebuild";

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

impl CatalogService {
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

    pub async fn index_ready(&self) -> Result<(), CatalogError> {
        Ok(self.index.ping().await?)
    }
}

pub struct IndexBooks(pub CatalogService);

#[async_trait]
impl Handler for IndexBooks {
    fn queue(&self) -> &'static str {
        INDEX_BOOK
    }

    /// One waiting job per book however many changes (it reads the book when it runs).
    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let id = event.book_id()?;
        Some(NewJob::now(INDEX_BOOK, id, serde_json::json!({ "book_id": id })))
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let id = job.payload["book_id"].as_str().ok_or("no book_id in the job")?;
        self.0.index_book(id).await.map_err(|e| e.to_string())
    }
}

pub struct RebuildIndex(pub CatalogService);

#[async_trait]
impl Handler for RebuildIndex {
    fn queue(&self) -> &'static str {
        REBUILD
    }

    fn job_for(&self, event: &Event) -> Option<NewJob> {
        matches!(event, Event::SearchRebuildAsked).then(|| NewJob::now(REBUILD, "all", serde_json::json!({})))
    }

    async fn run(&self, _job: &Job) -> Result<(), String> {
        let n = self.0.reindex().await.map_err(|e| e.to_string())?;
        tracing::info!(books = n, "search index rebuilt");
        Ok(())
    }

    /// A million books take minutes to write again.
    fn lease(&self) -> Duration {
        Duration::from_secs(3600)
    }
}
