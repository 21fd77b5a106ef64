//! `/api/v1/reading/…`: where each reader is in each book. Mobile clients sign requests with a
//! bearer token; the web reader uses its session cookie (same origin only).

use super::json::{ApiError, Bearer, Body, Lang};
use crate::error::HttpError;
use crate::http::visit::{request_language, session_user};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::account::User;
use domain::catalog::Format;
use domain::error::{ErrorCode, FieldError, Reason};
use domain::reading::{Annotation, AnnotationInput, Progress, ProgressUpdate, ReadingStats, SessionInput};
use tower_sessions::Session;

/// The signed-in reader: by bearer token, or by the web session for same-origin requests.
pub struct ReaderAuth(pub User);

impl FromRequestParts<AppState> for ReaderAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return Bearer::from_request_parts(parts, state).await.map(|Bearer(u)| ReaderAuth(u));
        }
        let lang = request_language(&parts.headers);
        let refuse = |code| ApiError::new(HttpError::new(code), lang);
        // A cookie-authenticated call must come from our own pages.
        let host = parts.headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        if let Some(origin) = parts.headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
            if origin.split("://").nth(1) != Some(host) {
                return Err(refuse(ErrorCode::Forbidden));
            }
        }
        let session = Session::from_request_parts(parts, state).await.map_err(|_| refuse(ErrorCode::Unauthenticated))?;
        // The same sign-in lifetime as the pages: a session past it reads as signed out.
        let id = session_user(&session).await.ok_or_else(|| refuse(ErrorCode::Unauthenticated))?;
        let user = state.accounts.user(&id).await.map_err(|e| match e {
            domain::account::AccountError::NotFound => refuse(ErrorCode::Unauthenticated),
            e => ApiError::new(e, lang),
        })?;
        // A write this device kept while offline names its account: never apply it to another.
        if let Some(meant) = parts.headers.get("x-coko-user").and_then(|v| v.to_str().ok()) {
            if meant != user.id {
                return Err(refuse(ErrorCode::AccountMismatch));
            }
        }
        Ok(ReaderAuth(user))
    }
}

/// `GET /reading/progress/{book_id}/`: 404 until a position was saved.
pub async fn progress(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(book): Path<String>,
) -> Result<Json<Progress>, ApiError> {
    match s.reading.progress(&user, &book).await {
        Ok(Some(p)) => Ok(Json(p)),
        Ok(None) => Err(ApiError::new(HttpError::new(ErrorCode::NotFound), lang)),
        Err(e) => Err(ApiError::new(e, lang)),
    }
}

/// `PUT /reading/progress/{book_id}/`: stores the position unless a newer one is stored, and
/// answers with what is stored.
pub async fn save_progress(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(book): Path<String>,
    Body(update): Body<ProgressUpdate>,
) -> Result<Json<Progress>, ApiError> {
    s.reading.save_progress(&user, &book, &update).await.map(Json).map_err(|e| ApiError::new(e, lang))
}

#[derive(serde::Deserialize)]
pub struct BookQuery {
    #[serde(default)]
    book: String,
    #[serde(default)]
    format: String,
}

/// `GET /reading/annotations/?book=`: the reader's annotations in a book, in reading order.
pub async fn annotations(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Query(q): Query<BookQuery>,
) -> Result<Json<reader::wire::Notes>, ApiError> {
    if q.book.trim().is_empty() {
        return Err(ApiError::new(
            HttpError { fields: vec![FieldError::new("book", Reason::Required)], ..HttpError::new(ErrorCode::ValidationError) },
            lang,
        ));
    }
    let (_, list) = s.reading.annotations(&user, q.book.trim()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(reader::wire::Notes { annotations: list.iter().map(Annotation::to_wire).collect() }))
}

/// `POST /reading/annotations/`: 201 with the new annotation, or 200 with the stored one when
/// its id was already used (a retried or replayed write).
pub async fn annotate(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(input): Body<AnnotationInput>,
) -> Result<Response, ApiError> {
    let (a, created) = s.reading.annotate(&user, &input).await.map_err(|e| ApiError::new(e, lang))?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(a.to_wire())).into_response())
}

/// `PUT /reading/annotations/{id}/`
pub async fn edit_annotation(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
    Body(input): Body<AnnotationInput>,
) -> Result<Json<reader::wire::Note>, ApiError> {
    s.reading.edit_annotation(&user, &id, &input).await.map(|a| Json(a.to_wire())).map_err(|e| ApiError::new(e, lang))
}

/// `DELETE /reading/annotations/{id}/`: 204.
pub async fn delete_annotation(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.reading.delete_annotation(&user, &id).await.map(|_| StatusCode::NO_CONTENT).map_err(|e| ApiError::new(e, lang))
}

/// The chapter an annotation is in: its table-of-contents label, or "Partie N"; in a PDF,
/// "Page N".
fn chapter_of(publication: Option<&reader::Publication>, a: &Annotation, part: &str, page_label: &str) -> String {
    if let Some(page) = a.start().and_then(|l| l.page()) {
        return app::i18n::fill(page_label, &[("page", &page.to_string())]);
    }
    let spine = a.start().and_then(|l| l.spine());
    fn find(entries: &[reader::TocEntry], spine: u32) -> Option<&str> {
        entries.iter().find_map(|e| if e.spine == Some(spine) { Some(e.label.as_str()) } else { find(&e.children, spine) })
    }
    match (publication, spine) {
        (Some(p), Some(n)) => find(&p.toc, n).map(str::to_owned).unwrap_or_else(|| format!("{part} {}", n + 1)),
        (_, Some(n)) => format!("{part} {}", n + 1),
        _ => part.to_owned(),
    }
}

/// `GET /reading/annotations/export/?book=&format=md|pdf`: a download of the reader's notes.
pub async fn export(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Query(q): Query<BookQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_str() {
        "" | "md" => "md",
        "pdf" => "pdf",
        _ => {
            return Err(ApiError::new(
                HttpError { fields: vec![FieldError::new("format", Reason::Unknown)], ..HttpError::new(ErrorCode::ValidationError) },
                lang,
            ))
        }
    };
    let (book, list) = s.reading.annotations(&user, q.book.trim()).await.map_err(|e| ApiError::new(e, lang))?;
    // Chapter names come from an EPUB's contents; a PDF's notes are headed by page.
    let opened = if book.format == Format::Epub { s.open_books.open(&s.catalog, &book.file_hash).await.ok() } else { None };
    let t = app::i18n::texts(lang);
    let items: Vec<(String, Annotation)> =
        list.into_iter().map(|a| (chapter_of(opened.as_ref().map(|o| &o.publication), &a, t.export_part, t.pdf_page_label), a)).collect();
    let stem: String = book
        .title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(60)
        .collect();
    let (body, mime) = if format == "md" {
        (domain::reading::to_markdown(&book.title, &book.author_names(), &items).into_bytes(), "text/markdown; charset=utf-8")
    } else {
        (domain::reading::pdf::annotations_pdf(&book.title, &book.author_names(), &items), "application/pdf")
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let disposition = format!("attachment; filename=\"notes-{}.{format}\"", if stem.is_ascii() { stem.as_str() } else { "coko" });
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// `POST /reading/sessions/`: 201, or 200 when this id was recorded before.
pub async fn record_session(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(input): Body<SessionInput>,
) -> Result<Response, ApiError> {
    let (session, stored) = s.reading.record_session(&user, &input).await.map_err(|e| ApiError::new(e, lang))?;
    Ok((if stored { StatusCode::CREATED } else { StatusCode::OK }, Json(session)).into_response())
}

/// `GET /reading/stats/`: minutes per day (30 days), streak, books finished.
pub async fn stats(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<ReadingStats>, ApiError> {
    s.reading.stats(&user).await.map(Json).map_err(|e| ApiError::new(e, lang))
}

/// `GET /reading/settings/`: the reader's display settings (404 until saved).
pub async fn settings(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
) -> Result<Json<reader::layout::Settings>, ApiError> {
    match s.reading.settings(&user).await {
        Ok(Some(settings)) => Ok(Json(settings)),
        Ok(None) => Err(ApiError::new(HttpError::new(ErrorCode::NotFound), lang)),
        Err(e) => Err(ApiError::new(e, lang)),
    }
}

/// `PUT /reading/settings/`: saves them for every device of this reader.
pub async fn save_settings(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(settings): Body<reader::layout::Settings>,
) -> Result<Json<reader::layout::Settings>, ApiError> {
    s.reading.save_settings(&user, &settings).await.map(Json).map_err(|e| ApiError::new(e, lang))
}
