//! An `.epub` file opened in memory: entries read by exact archive path, each capped in size
//! so a zip bomb cannot exhaust memory.

use crate::{EngineError, Publication};
use std::io::{Cursor, Read};
use std::sync::Arc;
use zip::ZipArchive;

/// Largest single entry the reader will inflate (a big fixed-layout image is a few MB).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct Archive {
    zip: ZipArchive<Cursor<Arc<[u8]>>>,
}

impl Archive {
    pub fn open(bytes: Arc<[u8]>) -> Result<Self, EngineError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| EngineError::Archive(e.to_string()))?;
        Ok(Self { zip })
    }

    /// An entry's bytes; `None` when absent, unreadable or larger than the cap.
    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        let mut zip = self.zip.clone();
        let entry = zip.by_name(path).ok()?;
        if entry.is_dir() || entry.size() > MAX_ENTRY_BYTES {
            return None;
        }
        let mut out = Vec::with_capacity(entry.size().min(MAX_ENTRY_BYTES) as usize);
        entry.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut out).ok()?;
        (out.len() as u64 <= MAX_ENTRY_BYTES).then_some(out)
    }

    /// An entry's inflated size, when it is present and within the cap.
    pub fn size(&self, path: &str) -> Option<u64> {
        let mut zip = self.zip.clone();
        let entry = zip.by_name(path).ok()?;
        (!entry.is_dir() && entry.size() <= MAX_ENTRY_BYTES).then(|| entry.size())
    }

    pub fn publication(&self) -> Result<Publication, EngineError> {
        Publication::parse(|p| self.read(p))
    }
}
