//! `/api/v1/community/…`: reviews and ratings, helpful votes and the moderators' queue — the
//! same service as the book page's forms (`crate::http::community`).

use super::auth::Ip;
use super::json::{ApiError, Body, Lang};
use super::reading::ReaderAuth;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header::AUTHORIZATION, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::account::User;
use domain::community::{Decision, FlagDecision, ReportInput, ReviewInput, ReviewSort};
use domain::error::{ErrorCode, FieldError, Reason};
use serde::Deserialize;
use serde_json::{json, Value};

/// The reader when there is one: a visitor reads reviews too. A token that does not hold is
/// still refused (401), never read as "signed out".
pub struct MaybeReader(pub Option<User>);

impl FromRequestParts<AppState> for MaybeReader {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = parts.headers.contains_key(AUTHORIZATION);
        match ReaderAuth::from_request_parts(parts, state).await {
            Ok(ReaderAuth(u)) => Ok(MaybeReader(Some(u))),
            Err(e) if !bearer && e.error.code == ErrorCode::Unauthenticated => Ok(MaybeReader(None)),
            Err(e) => Err(e),
        }
    }
}

#[derive(Deserialize)]
pub struct ReviewsQuery {
    sort: Option<String>,
    cursor: Option<String>,
}

fn invalid(field: &str, reason: Reason) -> domain::community::CommunityError {
    domain::community::CommunityError::Invalid(vec![FieldError::new(field, reason)])
}

/// `GET /community/books/{id}/reviews/?sort=helpful|newest|rating&cursor=` →
/// `{"average", "count", "histogram", "reviews": […], "next_cursor", "mine"}`.
pub async fn reviews(
    State(s): State<AppState>,
    Lang(lang): Lang,
    MaybeReader(viewer): MaybeReader,
    Path(book_id): Path<String>,
    Query(q): Query<ReviewsQuery>,
) -> Result<Json<Value>, ApiError> {
    let sort = match q.sort.as_deref() {
        None | Some("") => ReviewSort::default(),
        Some(x) => ReviewSort::parse(x).ok_or_else(|| ApiError::new(invalid("sort", Reason::Unknown), lang))?,
    };
    let page = s.community.reviews(viewer.as_ref(), &book_id, sort, q.cursor.as_deref()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({
        "average": page.summary.average,
        "count": page.summary.count,
        "histogram": page.summary.histogram,
        "sort": page.sort,
        "reviews": page.reviews,
        "next_cursor": page.next_cursor,
        "mine": page.mine,
    })))
}

/// `POST /community/books/{id}/reviews/` `{"rating", "title"?, "body"?, "spoiler"?}` → 201 and
/// the review (`status` says whether it waits for a moderator); 409 `ALREADY_REVIEWED` for a
/// second one, 429 past the posting limit.
pub async fn post_review(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Path(book_id): Path<String>,
    Body(input): Body<ReviewInput>,
) -> Result<Response, ApiError> {
    let review = s.community.post_review(&user, &book_id, &input, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok((StatusCode::CREATED, Json(review)).into_response())
}

/// `PUT /community/reviews/{id}/` (its author) → the review as it is now.
pub async fn edit_review(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Path(id): Path<String>,
    Body(input): Body<ReviewInput>,
) -> Result<Response, ApiError> {
    let review = s.community.edit_review(&user, &id, &input, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(review).into_response())
}

/// `GET /community/reviews/{id}/`.
pub async fn review(
    State(s): State<AppState>,
    Lang(lang): Lang,
    MaybeReader(viewer): MaybeReader,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let review = s.community.review(viewer.as_ref(), &id).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(review).into_response())
}

/// `DELETE /community/reviews/{id}/` (its author or a moderator) → 204.
pub async fn delete_review(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    s.community.delete_review(&user, &id, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /community/reviews/{id}/helpful/` → `{"helpful": n, "voted": true}`.
pub async fn vote(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = s.community.vote(&user, &id, true).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "helpful": n, "voted": true })))
}

/// `DELETE /community/reviews/{id}/helpful/` → `{"helpful": n, "voted": false}`.
pub async fn unvote(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let n = s.community.vote(&user, &id, false).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "helpful": n, "voted": false })))
}

/// `GET /community/moderation/queue/` (moderators and admins; 403 for others) →
/// `{"reviews": [{"review", "book_title", "author_since"}]}`: what waits for a decision.
pub async fn queue(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let held = s.community.held_reviews(&user).await.map_err(|e| ApiError::new(e, lang))?;
    let flagged = s.community.flagged(&user).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "reviews": held, "flags": flagged })))
}

#[derive(Deserialize)]
pub struct LogQuery {
    cursor: Option<String>,
}

/// `GET /community/moderation/log/?cursor=` (public) → `{"entries": [{"at", "action", "book_id",
/// "book_title", "reason"}], "next_cursor"}`: what moderators decided, never who.
pub async fn modlog(State(s): State<AppState>, Lang(lang): Lang, Query(q): Query<LogQuery>) -> Result<Json<Value>, ApiError> {
    let (entries, next) = s.community.modlog(q.cursor.as_deref()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "entries": entries, "next_cursor": next })))
}

/// `GET /community/moderation/words/` (moderators) → `{"words": [{"language", "word"}]}`.
pub async fn words(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let words = s.community.watched_words(&user).await.map_err(|e| ApiError::new(e, lang))?;
    let words: Vec<Value> = words.into_iter().map(|(l, w)| json!({ "language": l, "word": w })).collect();
    Ok(Json(json!({ "words": words })))
}

/// `PUT` / `DELETE /community/moderation/words/{language}/{word}/` → `{"watching", "changed"}`.
pub async fn watch(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    method: axum::http::Method,
    Path((language, word)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let watching = method != axum::http::Method::DELETE;
    let changed = s.community.watch_word(&user, &language, &word, watching, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "watching": watching, "changed": changed })))
}

/// `POST /community/reports/` `{"target_kind": "review", "target_id", "reason": "spam" |
/// "offensive" | "spoiler" | "off_topic" | "other", "note"?}` → 201 `{"reported": true}`, or 200
/// `{"reported": false}` when this reader had reported it already.
pub async fn report(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(input): Body<ReportInput>,
) -> Result<Response, ApiError> {
    let filed = s.community.report(&user, &input, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    let status = if filed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({ "reported": filed }))).into_response())
}

/// `POST /community/moderation/flags/{kind}/{id}/` `{"decision": "hide", "reason"}` |
/// `{"decision": "delete" | "reject" | "ignore"}` → 204 (moderators and admins).
pub async fn decide_flag(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Path((kind, id)): Path<(String, String)>,
    Body(decision): Body<FlagDecision>,
) -> Result<Response, ApiError> {
    s.community.decide_flag(&user, &kind, &id, &decision, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /community/moderation/reviews/{id}/` `{"decision": "publish"}` or
/// `{"decision": "hide", "reason": "…"}` → the review as it is now.
pub async fn moderate(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Path(id): Path<String>,
    Body(decision): Body<Decision>,
) -> Result<Response, ApiError> {
    let review = s.community.moderate(&user, &id, &decision, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(review).into_response())
}
