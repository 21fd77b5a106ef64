//! `/api/v1/reading/…`: where each reader is in each book. Mobile clients sign requests with a
//! bearer token; the web reader uses its session cookie (same origin only).

use super::json::{ApiError, Bearer, Body, Lang};
use crate::error::HttpError;
use crate::http::visit::request_language;
use crate::sessions::USER_ID;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::Json;
use domain::account::User;
use domain::error::ErrorCode;
use domain::reading::{Progress, ProgressUpdate};
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
        let id: Option<String> = session.get(USER_ID).await.ok().flatten();
        let id = id.ok_or_else(|| refuse(ErrorCode::Unauthenticated))?;
        let user = state.accounts.user(&id).await.map_err(|_| refuse(ErrorCode::Unauthenticated))?;
        Ok(ReaderAuth(user))
    }
}

/// `GET /reading/progress/{book_id}/`: 404 until a position was saved.
pub async fn progress(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth, Path(book): Path<String>) -> Result<Json<Progress>, ApiError> {
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
