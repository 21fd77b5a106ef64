//! Open books kept in memory: a reader turning pages asks for one chapter at a time, and
//! re-reading the whole `.epub` from storage for each would waste the disk and the CPU.
//!
//! Each book is opened once however many ask at the same moment (single flight), at most
//! [`MAX_OPENING`] books are read and parsed at a time (heavy work waits its turn instead of
//! filling memory), and a book that could not be opened is remembered, so a broken or hostile
//! file is not read again on every request.

use domain::catalog::{CatalogError, CatalogService};
use reader::archive::Archive;
use reader::Publication;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, Semaphore};

/// How many books stay open (the most recently used ones).
const CAPACITY: usize = 16;
/// How many books are read and parsed at once.
pub const MAX_OPENING: usize = 2;
/// How many refusals are remembered (by file hash: a new upload is a new hash).
const FAILURES_KEPT: usize = 1024;

pub struct OpenBook {
    pub archive: Archive,
    pub publication: Publication,
    /// Its passages, extracted at the first search inside it.
    pub text: std::sync::OnceLock<reader::search::BookText>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Catalog(#[from] CatalogError),
    #[error("unreadable book: {0}")]
    Engine(#[from] reader::EngineError),
}

type Flight = Arc<OnceCell<Result<Arc<OpenBook>, String>>>;

pub struct OpenBooks {
    recent: Mutex<Vec<(String, Arc<OpenBook>)>>,
    in_flight: Mutex<HashMap<String, Flight>>,
    failed: Mutex<HashMap<String, String>>,
    opening: Semaphore,
    reads: AtomicU64,
}

impl Default for OpenBooks {
    fn default() -> Self {
        Self {
            recent: Mutex::default(),
            in_flight: Mutex::default(),
            failed: Mutex::default(),
            opening: Semaphore::new(MAX_OPENING),
            reads: AtomicU64::new(0),
        }
    }
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl OpenBooks {
    /// The book's archive and parsed package, opened from storage on first use.
    pub async fn open(&self, catalog: &CatalogService, file_hash: &str) -> Result<Arc<OpenBook>, OpenError> {
        let hash = &file_hash.to_owned();
        if let Some(found) = self.lookup(hash) {
            return Ok(found);
        }
        if let Some(why) = locked(&self.failed).get(hash) {
            return Err(reader::EngineError::Archive(why.clone()).into());
        }
        let flight: Flight = locked(&self.in_flight).entry(hash.clone()).or_default().clone();
        let outcome = flight.get_or_init(|| self.read_and_parse(catalog, hash)).await.clone();
        locked(&self.in_flight).remove(hash);
        match outcome {
            Ok(opened) => Ok(opened),
            Err(why) => Err(reader::EngineError::Archive(why).into()),
        }
    }

    async fn read_and_parse(&self, catalog: &CatalogService, hash: &str) -> Result<Arc<OpenBook>, String> {
        let _turn = self.opening.acquire().await.map_err(|e| e.to_string())?;
        // Another flight for this book may have finished while this one waited its turn.
        if let Some(found) = self.lookup(hash) {
            return Ok(found);
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        let bytes: Arc<[u8]> = catalog.file(hash).await.map_err(|e| e.to_string())?.into();
        let opened = tokio::task::spawn_blocking(move || -> Result<OpenBook, reader::EngineError> {
            let archive = Archive::open(bytes)?;
            let publication = archive.publication()?;
            Ok(OpenBook { archive, publication, text: std::sync::OnceLock::new() })
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
        match opened {
            Ok(opened) => {
                let opened = Arc::new(opened);
                let mut recent = locked(&self.recent);
                recent.retain(|(h, _)| h != hash);
                recent.push((hash.to_owned(), opened.clone()));
                if recent.len() > CAPACITY {
                    recent.remove(0);
                }
                Ok(opened)
            }
            Err(why) => {
                tracing::warn!(file = %hash, error = %why, "book cannot be opened; remembered");
                let mut failed = locked(&self.failed);
                if failed.len() >= FAILURES_KEPT {
                    failed.clear();
                }
                failed.insert(hash.to_owned(), why.clone());
                Err(why)
            }
        }
    }

    /// How many times a book was read from storage and parsed (for tests and operators).
    pub fn reads_from_storage(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    fn lookup(&self, hash: &str) -> Option<Arc<OpenBook>> {
        let mut recent = locked(&self.recent);
        let i = recent.iter().position(|(h, _)| h == hash)?;
        let entry = recent.remove(i);
        let found = entry.1.clone();
        recent.push(entry);
        Some(found)
    }
}
