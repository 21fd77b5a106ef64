//! Open books kept in memory: a reader turning pages asks for one chapter at a time, and
//! re-reading the whole `.epub` from storage for each would waste the disk and the CPU.

use domain::catalog::{Book, CatalogError, CatalogService};
use reader::archive::Archive;
use reader::Publication;
use std::sync::{Arc, Mutex};

/// How many books stay open (the most recently used ones).
const CAPACITY: usize = 16;

pub struct OpenBook {
    pub archive: Archive,
    pub publication: Publication,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Catalog(#[from] CatalogError),
    #[error("unreadable book: {0}")]
    Engine(#[from] reader::EngineError),
}

#[derive(Default)]
pub struct OpenBooks {
    recent: Mutex<Vec<(String, Arc<OpenBook>)>>,
}

impl OpenBooks {
    /// The book's archive and parsed package, opened from storage on first use.
    pub async fn open(&self, catalog: &CatalogService, book: &Book) -> Result<Arc<OpenBook>, OpenError> {
        if let Some(found) = self.lookup(&book.file_hash) {
            return Ok(found);
        }
        let bytes: Arc<[u8]> = catalog.file(&book.file_hash).await?.into();
        let opened = tokio::task::spawn_blocking(move || -> Result<OpenBook, reader::EngineError> {
            let archive = Archive::open(bytes)?;
            let publication = archive.publication()?;
            Ok(OpenBook { archive, publication })
        })
        .await
        .map_err(|e| reader::EngineError::Archive(e.to_string()))??;
        let opened = Arc::new(opened);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.retain(|(h, _)| h != &book.file_hash);
        recent.push((book.file_hash.clone(), opened.clone()));
        if recent.len() > CAPACITY {
            recent.remove(0);
        }
        Ok(opened)
    }

    fn lookup(&self, hash: &str) -> Option<Arc<OpenBook>> {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let i = recent.iter().position(|(h, _)| h == hash)?;
        let entry = recent.remove(i);
        let found = entry.1.clone();
        recent.push(entry);
        Some(found)
    }
}
