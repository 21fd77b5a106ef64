//! The catalogue's files: books, covers (resized on first demand and kept) and photos.

use super::service::CatalogService;
use super::CatalogError;
use crate::files::{content_hash, FileError};

impl CatalogService {
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
pub(super) fn derived_cover_key(hash: &str, width: u32, format: crate::covers::CoverFormat) -> String {
    content_hash(format!("{hash}:{width}:{}", format.as_str()).as_bytes())
}

/// Raster covers only: an SVG cover could carry script.
pub(super) fn is_safe_image(mime: &str) -> bool {
    matches!(mime, "image/jpeg" | "image/png" | "image/gif" | "image/webp")
}
