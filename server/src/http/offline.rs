//! The installable, offline-first side of Coko: the web app manifest, the service worker
//! (`public/sw.js`, versioned with each build), the offline page, the downloads page, and the
//! list of what a book needs to be read with no network.

use super::errors::PageResult;
use super::pages::signed_in;
use super::render::render;
use super::visit::Visit;
use crate::state::AppState;
use app::context::Page;
use app::i18n::texts;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::catalog::Format;
use domain::reading::ReadingError;
use serde_json::json;
use std::path::Path as FsPath;

/// The service worker's own code; the server puts the build's version and file list before it.
const WORKER: &str = include_str!("../../../public/sw.js");

/// The files every visitor's browser keeps, named for this build.
#[derive(Debug, Clone, Default)]
pub struct Shell {
    /// Changes whenever any shell file or the worker changes: a new worker is installed then.
    pub version: String,
    /// Precached at install: styles, the islands' WASM and glue, icons, the offline page.
    pub files: Vec<String>,
    /// The EPUB reader's WASM, glue and fonts: kept at the first book opened or downloaded.
    pub reader: Vec<String>,
    /// The PDF reader's WASM and glue: kept at the first PDF opened or downloaded (1.3 MB that
    /// EPUB readers never pay for).
    pub pdf_reader: Vec<String>,
}

impl Shell {
    /// Lists the build under `site_root` (cargo-leptos' `pkg/`, the reader's folder).
    pub fn of_site(site_root: &str, reader_dir: Option<&str>) -> Self {
        let root = FsPath::new(site_root);
        let mut files: Vec<String> = list(&root.join("pkg"), "/pkg");
        files.extend(["/pwa.js", "/coko-store.js", "/favicon.svg", "/icons/icon-192.png", "/hors-ligne"].map(String::from));
        let (pdf_reader, reader): (Vec<String>, Vec<String>) = reader_dir
            .map(|d| {
                let base = format!("/reader/{d}");
                let mut r = list(&root.join("reader").join(d), &base);
                r.retain(|f| !f.ends_with(".txt"));
                r.extend(
                    list(&root.join("reader").join(d).join("fonts"), &format!("{base}/fonts"))
                        .into_iter()
                        .filter(|f| f.ends_with(".woff2")),
                );
                r
            })
            .unwrap_or_default()
            .into_iter()
            .partition(|f| f.contains("pdf"));
        // Names and contents: `pwa.js` keeps its name from one build to the next.
        let mut all: Vec<u8> = Vec::new();
        for f in files.iter().chain(&reader).chain(&pdf_reader) {
            all.extend_from_slice(f.as_bytes());
            all.extend(std::fs::read(root.join(f.trim_start_matches('/'))).unwrap_or_default());
        }
        all.extend_from_slice(WORKER.as_bytes());
        let version = domain::files::content_hash(&all)[..12].to_owned();
        Shell { version, files, reader, pdf_reader }
    }
}

/// Files directly in `dir` (not the precompressed copies), as URLs under `base`.
fn list(dir: &FsPath, base: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.ends_with(".br") && !n.ends_with(".gz") && !n.ends_with(".ts"))
                .map(|n| format!("{base}/{n}"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// `GET /sw.js`: revalidated at every visit, so a new build reaches readers at once. The
/// build's version is its ETag: a browser that has this build's worker gets a bodiless 304.
pub async fn worker(State(s): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let etag = format!("\"sw-{}\"", s.shell.version);
    let etag_value = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"sw\""));
    let known =
        headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|v| v.split(',').any(|t| t.trim() == etag));
    if known {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))])
            .into_response();
    }
    let head = json!({ "version": s.shell.version, "shell": s.shell.files, "reader": s.shell.reader });
    let body = format!("const BUILD = {head};\n{WORKER}");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::ETAG, etag_value),
            // The worker's own policy: it loads its helper and fetches from this site only.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'self'; img-src 'self' data:")),
        ],
        body,
    )
        .into_response()
}

/// `GET /manifest.webmanifest`, in the visitor's language.
pub async fn manifest(v: Visit) -> Response {
    let t = texts(v.lang);
    let body = json!({
        "id": "/",
        "name": format!("Coko — {}", t.app_tagline),
        "short_name": "Coko",
        "description": t.home_lead,
        "lang": v.lang.as_str(),
        "dir": if v.lang.is_rtl() { "rtl" } else { "ltr" },
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": "#115e59",
        "background_color": "#f8fafc",
        "categories": ["books", "education"],
        "icons": [
            { "src": "/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any" },
            { "src": "/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any" },
            { "src": "/icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable" }
        ],
        "shortcuts": [
            { "name": t.nav_library, "url": "/ma-bibliotheque" },
            { "name": t.downloads_title, "url": "/telechargements" }
        ]
    });
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::VARY, HeaderValue::from_static("cookie, accept-language")),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `GET /hors-ligne`: what the service worker shows for a page it does not have. Rendered for
/// nobody in particular: the worker keeps it for whoever uses the device.
pub async fn offline_page(State(s): State<AppState>, v: Visit) -> Response {
    let mut ctx = v.ctx(Page::Offline);
    ctx.viewer = None;
    ctx.flash = None;
    render(&s, ctx, StatusCode::OK).await
}

/// `GET /telechargements`: the books kept on this device (listed by the browser itself).
pub async fn downloads_page(State(s): State<AppState>, v: Visit) -> PageResult {
    signed_in(&v)?;
    Ok(render(&s, v.ctx(Page::Downloads), StatusCode::OK).await)
}

/// `GET /lire/{id}/hors-ligne`: every URL the reader needs to open the book with no network,
/// and their size, for the "download" button to announce before it starts.
pub async fn book_files(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> Response {
    let Some(user) = v.user.as_ref() else { return StatusCode::UNAUTHORIZED.into_response() };
    let book = match s.reading.readable_book(Some(user), &id).await {
        Ok(b) => b,
        Err(ReadingError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(ReadingError::NotEntitled) | Err(ReadingError::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(ReadingError::SignInRequired) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => {
            crate::error::HttpError::from(e).log();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let cover = book.cover_hash.as_ref().map(|h| format!("/files/covers/{h}"));
    // What the reader fetches itself when it opens.
    let api = vec![
        format!("/api/v1/reading/annotations/?book={id}"),
        format!("/api/v1/reading/progress/{id}/"),
        "/api/v1/reading/settings/".to_owned(),
    ];
    let mut urls = vec![format!("/lire/{id}"), format!("/livres/{id}")];
    let (bytes, reader) = if book.format == Format::Pdf {
        // The PDF reader reads the file itself.
        urls.push(book.file_url());
        (book.file_size, &s.shell.pdf_reader)
    } else {
        let opened = match s.open_books.open(&s.catalog, &book.file_hash).await {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e, book = %book.id, "book cannot be opened");
                return StatusCode::UNPROCESSABLE_ENTITY.into_response();
            }
        };
        let mut bytes: u64 = 0;
        for r in &opened.publication.resources {
            if let Some(size) = opened.archive.size(&r.href) {
                bytes += size;
                // Raw: the browser normalises it exactly as it does the frame's `src`.
                urls.push(format!("/lire/{id}/contenu/{}", r.href));
            }
        }
        (bytes, &s.shell.reader)
    };
    let mut res = Json(json!({
        "book": book.id,
        "title": book.title,
        "authors": book.author_names(),
        "user": user.id,
        "bytes": bytes,
        "urls": urls,
        "cover": cover,
        "api": api,
        "reader": reader,
    }))
    .into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}
