//! Book and cover files, stored once under their SHA-256: a port and the local-folder adapter.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("file store: {0}")]
pub struct FileError(pub String);

/// The hex SHA-256 of some bytes: the name they are stored under.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Part of a stored file, read as it is sent.
pub type FileReader = std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>;

#[async_trait]
pub trait FileStore: Send + Sync + 'static {
    /// Stores the bytes (a no-op when already there) and returns their hash.
    async fn put(&self, bytes: &[u8]) -> Result<String, FileError>;
    async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, FileError>;
    /// How long the stored file is; `None` when it is not there.
    async fn size(&self, hash: &str) -> Result<Option<u64>, FileError>;
    /// `len` bytes from `start`, streamed from storage (a seek and a bounded read: never the
    /// whole file in memory, however many ask); `None` when the file is not there.
    async fn read_range(&self, hash: &str, start: u64, len: u64) -> Result<Option<FileReader>, FileError>;
    /// Forgets the bytes (nothing happens when they are not there).
    async fn remove(&self, hash: &str) -> Result<(), FileError>;
    /// Stores bytes derived from a stored file (a cover's smaller width) under `key`, itself a
    /// SHA-256 made from the original's hash and what was derived.
    async fn put_at(&self, key: &str, bytes: &[u8]) -> Result<(), FileError>;
}

/// Files under a local folder, `ab/cd/abcd…`, written atomically.
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path_of(&self, hash: &str) -> Option<PathBuf> {
        let valid = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&hash[..2]).join(&hash[2..4]).join(hash))
    }
}

async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await?;
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7().simple()));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}

#[async_trait]
impl FileStore for LocalFiles {
    async fn put(&self, bytes: &[u8]) -> Result<String, FileError> {
        let hash = content_hash(bytes);
        let path = self.path_of(&hash).ok_or_else(|| FileError("bad hash".into()))?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(hash);
        }
        write_atomically(&path, bytes).await.map_err(|e| FileError(e.to_string()))?;
        Ok(hash)
    }

    async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, FileError> {
        let Some(path) = self.path_of(hash) else { return Ok(None) };
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FileError(e.to_string())),
        }
    }

    async fn size(&self, hash: &str) -> Result<Option<u64>, FileError> {
        let Some(path) = self.path_of(hash) else { return Ok(None) };
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FileError(e.to_string())),
        }
    }

    async fn read_range(&self, hash: &str, start: u64, len: u64) -> Result<Option<FileReader>, FileError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let Some(path) = self.path_of(hash) else { return Ok(None) };
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(FileError(e.to_string())),
        };
        file.seek(std::io::SeekFrom::Start(start)).await.map_err(|e| FileError(e.to_string()))?;
        Ok(Some(Box::pin(file.take(len))))
    }

    async fn put_at(&self, key: &str, bytes: &[u8]) -> Result<(), FileError> {
        let path = self.path_of(key).ok_or_else(|| FileError("bad key".into()))?;
        write_atomically(&path, bytes).await.map_err(|e| FileError(e.to_string()))
    }

    async fn remove(&self, hash: &str) -> Result<(), FileError> {
        let Some(path) = self.path_of(hash) else { return Ok(()) };
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(FileError(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_refuses_odd_names() {
        let dir = tempfile::tempdir().unwrap();
        let files = LocalFiles::new(dir.path());
        let h = files.put(b"livre").await.unwrap();
        assert_eq!(h, content_hash(b"livre"));
        assert_eq!(files.put(b"livre").await.unwrap(), h, "idempotent");
        assert_eq!(files.get(&h).await.unwrap().as_deref(), Some(&b"livre"[..]));
        assert_eq!(files.get("../../etc/passwd").await.unwrap(), None);
        assert_eq!(files.get(&"0".repeat(64)).await.unwrap(), None);
        assert_eq!(files.size(&h).await.unwrap(), Some(5));
        let mut part = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut files.read_range(&h, 1, 3).await.unwrap().unwrap(), &mut part).await.unwrap();
        assert_eq!(part, "ivr");
        assert!(files.read_range(&"0".repeat(64), 0, 1).await.unwrap().is_none());
    }
}
