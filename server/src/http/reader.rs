//! `/lire/{id}`: the reader page, and `/lire/{id}/contenu/{path}`: the book's own files, served
//! one by one to the sandboxed iframe with a policy under which none of their scripts can run.

use super::errors::{PageResult, WebError};
use super::render::render;
use super::visit::{SessionViewer, Visit};
use crate::state::AppState;
use app::context::Page;
use app::pages::reader::ReaderView;
use app::pages::reader_pdf::PdfReaderView;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::catalog::{Book, Format};
use domain::error::ErrorCode;
use domain::reading::{Locator, ReadingError};
use serde::Deserialize;

/// What book content may do: show its own images, styles, fonts and media, nothing else. The
/// `sandbox` directive keeps scripts off even when the file is opened outside the reader.
pub const CONTENT_POLICY: &str = "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
    font-src 'self' data:; media-src 'self'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox allow-same-origin";

#[derive(Deserialize)]
pub struct ReaderQuery {
    partie: Option<u32>,
    /// A PDF's page, from 1.
    page: Option<u32>,
    /// Search inside the book.
    q: Option<String>,
}

pub async fn page(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Query(q): Query<ReaderQuery>) -> PageResult {
    // A book the reader may not open says why in one way: not in their library.
    let book: Book = s.reading.readable_book(v.user.as_ref(), &id).await.map_err(|e| match e {
        ReadingError::Forbidden => ReadingError::NotEntitled,
        e => e,
    })?;
    if book.format == Format::Pdf {
        return Ok(pdf_page(&s, &v, book, q.page).await);
    }
    let opened = match s.open_books.open(&s.catalog, &book.file_hash).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, book = %book.id, "book cannot be opened");
            return Err(WebError::new(ErrorCode::Unreadable));
        }
    };
    let progress = match &v.user {
        Some(u) => s.reading.progress_in(u, &book).await.ok().flatten(),
        None => None,
    };
    let publication = opened.publication.clone();
    let first = publication.reading_order().next().map_or(0, |(i, _)| i);
    let saved = progress.as_ref().and_then(|p| Locator::parse(&p.locator).ok());
    let last = publication.spine.len().saturating_sub(1) as u32;
    let (chapter, start) = match (q.partie, &saved) {
        (Some(n), _) => (n.min(last), None),
        (None, Some(l)) => (l.spine().unwrap_or(first).min(last), Some(l.to_string())),
        (None, None) => (first, None),
    };
    let furthest = progress
        .as_ref()
        .filter(|p| q.partie.is_none() && p.furthest.percentage > p.percentage + 0.5)
        .map(|p| (p.furthest.locator.clone(), p.furthest.percentage));
    let query = q.q.as_deref().map(str::trim).filter(|q| q.chars().count() >= 2).map(|q| q.chars().take(100).collect::<String>());
    let search = match query {
        Some(query) => {
            s.limiter.check(crate::rate_limit::BOOK_SEARCH, &v.ip).map_err(|wait| WebError(crate::error::HttpError::rate_limited(wait)))?;
            // The book's text is extracted once per open book; later searches read nothing.
            let (book_open, needle) = (opened.clone(), query.clone());
            let hits = tokio::task::spawn_blocking(move || {
                book_open
                    .text
                    .get_or_init(|| reader::search::BookText::extract(&book_open.publication, |p| book_open.archive.read(p)))
                    .search(&needle, 50)
            })
            .await
            .unwrap_or_default();
            Some((query, hits))
        }
        None => None,
    };
    let settings = match &v.user {
        Some(u) => s.reading.settings(u).await.ok().flatten().and_then(|st| serde_json::to_string(&st).ok()).unwrap_or_default(),
        None => String::new(),
    };
    let view = ReaderView {
        book,
        publication,
        chapter,
        start,
        furthest,
        explicit: q.partie.is_some(),
        settings,
        search,
        assets: s.reader_assets.clone(),
    };
    Ok(render(&s, v.ctx(Page::Reader { view: Box::new(view) }), StatusCode::OK).await)
}

/// The PDF reader: the page to open at (asked for, saved, or the first), the furthest reached.
async fn pdf_page(s: &AppState, v: &Visit, book: Book, asked: Option<u32>) -> Response {
    let progress = match &v.user {
        Some(u) => s.reading.progress_in(u, &book).await.ok().flatten(),
        None => None,
    };
    let last = book.page_count.unwrap_or(u32::MAX).max(1);
    let page_of = |locator: &str| match Locator::parse(locator) {
        Ok(Locator::Page { page }) => Some(page),
        _ => None,
    };
    let saved = progress.as_ref().and_then(|p| page_of(&p.locator));
    let page = asked.or(saved).unwrap_or(1).clamp(1, last);
    let furthest = progress
        .as_ref()
        .filter(|p| asked.is_none() && p.furthest.percentage > p.percentage + 0.5)
        .and_then(|p| Some((page_of(&p.furthest.locator)?, p.furthest.percentage)));
    let view = PdfReaderView { book, page, explicit: asked.is_some(), furthest, assets: s.reader_assets.clone() };
    render(s, v.ctx(Page::PdfReader { view: Box::new(view) }), StatusCode::OK).await
}

/// A media type for files the manifest does not describe well.
fn guess_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "xhtml" | "xht" => "application/xhtml+xml",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "otf" => "font/otf",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "ncx" => "application/x-dtbncx+xml",
        _ => "application/octet-stream",
    }
}

/// A part the book does not have: an empty document (not the browser's error page, which the
/// reader could not look into), which the reader fills with its "missing part" message.
fn missing() -> Response {
    let body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head><body></body></html>";
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], body).into_response()
}

/// Every answer to the frame, errors included, may be framed by the reader and runs nothing:
/// otherwise a missing part would show the browser's blocked-frame page instead of a message.
pub async fn content(state: State<AppState>, v: SessionViewer, path: Path<(String, String)>, headers: HeaderMap) -> Response {
    let mut res = content_inner(state, v, path, headers).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    res
}

async fn content_inner(
    State(s): State<AppState>,
    SessionViewer(viewer): SessionViewer,
    Path((id, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let book = match s.reading.readable_file(viewer.as_deref(), &id).await {
        Ok(b) => b,
        Err(ReadingError::SignInRequired) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(ReadingError::NotEntitled) | Err(ReadingError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(ReadingError::NotFound) => return missing(),
        Err(e) => {
            crate::error::HttpError::from(e).log();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(path) = reader::href::normalise(&path) else { return missing() };
    let etag = format!(
        "\"{}-{}\"",
        &book.file_hash[..16.min(book.file_hash.len())],
        domain::files::content_hash(path.as_bytes()).get(..12).unwrap_or("")
    );
    let opened = match s.open_books.open(&s.catalog, &book.file_hash).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "book cannot be opened");
            return StatusCode::UNPROCESSABLE_ENTITY.into_response();
        }
    };
    // Only the book's own files, never other archive entries (or `META-INF/`).
    if !opened.publication.has_resource(&path) {
        return missing();
    }
    let mut res = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let archive = opened.archive.clone();
        let entry = path.clone();
        match tokio::task::spawn_blocking(move || archive.read(&entry)).await.ok().flatten() {
            Some(bytes) => {
                let declared = opened.publication.media_type_of(&path).filter(|m| !m.is_empty() && m.contains('/'));
                let mime = declared.unwrap_or_else(|| guess_type(&path));
                let mut res = bytes.into_response();
                if let Ok(v) = HeaderValue::from_str(mime) {
                    res.headers_mut().insert(header::CONTENT_TYPE, v);
                }
                res
            }
            None => return missing(),
        }
    };
    let h = res.headers_mut();
    // A free book's parts are the same for everyone; a paid book's are revalidated at each use
    // so the next account on a shared phone meets the entitlement check, not the HTTP cache.
    let cache = if book.free { "private, max-age=31536000, immutable" } else { super::files::ENTITLED };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    res
}
