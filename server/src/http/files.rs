//! `/files/…`: stored covers and book files, named by content hash. Covers are cached forever;
//! book files privately and revalidated at each use (after an entitlement check), streamed,
//! with byte ranges for resumable downloads.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::covers::CoverFormat;

pub async fn cover(state: State<AppState>, Path(hash): Path<String>, headers: HeaderMap) -> Response {
    cover_response(state, hash, None, headers).await
}

/// `/files/covers/{hash}/{width}` (JPEG) and `/files/covers/{hash}/{width}.webp`: the cover in
/// one of the widths pages ask for.
pub async fn cover_at(state: State<AppState>, Path((hash, width)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let (width, format) = match width.strip_suffix(".webp") {
        Some(w) => (w, CoverFormat::Webp),
        None => (width.as_str(), CoverFormat::Jpeg),
    };
    match width.parse::<u32>() {
        Ok(w) => cover_response(state, hash, Some((w, format)), headers).await,
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn cover_response(State(s): State<AppState>, hash: String, width: Option<(u32, CoverFormat)>, headers: HeaderMap) -> Response {
    let etag = match width {
        Some((w, f)) => format!("\"{hash}-{w}-{}\"", f.as_str()),
        None => format!("\"{hash}\""),
    };
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let found = match width {
        Some((w, f)) => s.catalog.cover_at(&hash, w, f).await,
        None => s.catalog.cover(&hash).await,
    };
    match found {
        Ok((bytes, mime)) => {
            let mut res = bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
            if let Ok(v) = HeaderValue::from_str(&etag) {
                h.insert(header::ETAG, v);
            }
            res
        }
        Err(domain::catalog::CatalogError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cover failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Entitled content (book files, a paid book's parts): the browser may keep it, but must ask
/// again before each use (`no-cache`), and the answer comes after the entitlement check of
/// whoever is signed in then — a 304 for the same reader, a refusal for the next person on
/// the same phone. Offline copies live in the per-account store of the service worker.
pub const ENTITLED: &str = "private, no-cache";

/// A single `bytes=` range of a body `len` long: `Ok(None)` for the whole body, `Err` when it
/// cannot be satisfied.
fn byte_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None); // several ranges: the whole file is a valid answer
    }
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            if n == 0 {
                return Err(());
            }
            (len.saturating_sub(n), len.saturating_sub(1))
        }
        (s, "") => (s.parse().map_err(|_| ())?, len.saturating_sub(1)),
        (s, e) => (s.parse().map_err(|_| ())?, e.parse::<u64>().map_err(|_| ())?.min(len.saturating_sub(1))),
    };
    if len == 0 || start > end || start >= len {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// `/files/books/{id}/{hash}.{ext}`: the whole book file for those entitled to it.
pub async fn book(
    State(s): State<AppState>,
    super::visit::SessionViewer(viewer): super::visit::SessionViewer,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    use domain::reading::ReadingError as R;
    let book = match s.reading.readable_file(viewer.as_deref(), &id).await {
        Ok(b) => b,
        Err(R::SignInRequired) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(R::NotEntitled) | Err(R::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(R::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            crate::error::HttpError::from(e).log();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if name != format!("{}.{}", book.file_hash, book.format.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{}\"", book.file_hash);
    let mut res = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let len = match s.catalog.file_size(&book.file_hash).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "book file missing from storage");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        // A range is honoured only for the very file named by `If-Range` (or without it).
        let if_range_ok = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()).is_none_or(|v| v == etag);
        let range = if if_range_ok { byte_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), len) } else { Ok(None) };
        let (status, start, end) = match range {
            Ok(Some((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end),
            Ok(None) => (StatusCode::OK, 0, len.saturating_sub(1)),
            Err(()) => {
                let mut res = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    res.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return res;
            }
        };
        let count = if len == 0 { 0 } else { end - start + 1 };
        // Streamed from storage: a range costs its own bytes, never the whole file.
        let reader = match s.catalog.file_range(&book.file_hash, start, count).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "book file missing from storage");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let mut res = (status, axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(reader))).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        if status == StatusCode::PARTIAL_CONTENT {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                h.insert(header::CONTENT_RANGE, v);
            }
        }
        res
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(book.format.mime()));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(ENTITLED));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges() {
        assert_eq!(byte_range(None, 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=50-500"), 100), Ok(Some((50, 99))));
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Err(()));
        assert_eq!(byte_range(Some("bytes=9-1"), 100), Err(()));
        assert_eq!(byte_range(Some("bytes=x-1"), 100), Err(()));
        assert_eq!(byte_range(Some("bytes=-0"), 100), Err(()));
    }
}
