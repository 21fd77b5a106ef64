//! The search index follows the catalogue through the job queue: the first consumer of domain
//! events. A command never waits for the index; an index outage delays updates (the job is
//! retried), never loses them.
//!
//! The embedded index lives in the memory of the server that runs these jobs: it suits one
//! server (which rebuilds it from the database when it starts). Several servers share
//! Meilisearch, and any of them may run a job.

use super::service::CatalogService;
use crate::events::Event;
use crate::jobs::{Handler, Job, NewJob};
use async_trait::async_trait;
use std::time::Duration;

/// Writes a book to the index as the database has it now.
pub const INDEX_BOOK: &str = "search.book";
/// Rebuilds the whole index.
pub const REBUILD: &str = "search.rebuild";

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
