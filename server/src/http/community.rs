//! The community's forms: a reader's review of a book (posted or changed from the book's page),
//! deleting it, "helpful" votes, and the moderators' page — the same service as
//! `/api/v1/community/` (`crate::rest::community`).

use super::errors::{PageResult, WebError};
use super::forms::{echo, refuse};
use super::pages::{book_page, signed_in, BookQuery};
use super::render::{redirect_with, render, safe_next};
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{Flash, Page};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use domain::community::{CommunityError, Decision, FlagDecision, ReportInput, ReviewInput, ReviewStatus};
use std::collections::HashMap;

type Fields = Form<HashMap<String, String>>;

fn get<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

/// `POST /livres/{id}/avis`: the reader's review of the book, new or changed (one per reader
/// and book: a second form from another tab changes the first).
pub async fn save_review(State(s): State<AppState>, v: Visit, Path(book_id): Path<String>, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let input = ReviewInput {
        // Not a number, or none chosen: "required" (0), as the service says it.
        rating: get(&f, "rating").trim().parse().unwrap_or(0),
        title: get(&f, "title").to_owned(),
        body: get(&f, "body").to_owned(),
        spoiler: !get(&f, "spoiler").is_empty(),
    };
    let mine = s.community.store().review_by(&book_id, &user.id).await.map_err(|e| WebError(HttpError::from(e)))?;
    let saved = match &mine {
        Some(r) => s.community.edit_review(user, &r.id, &input, &v.ip).await,
        None => s.community.post_review(user, &book_id, &input, &v.ip).await,
    };
    match saved {
        Ok(review) => {
            let flash = if review.status == ReviewStatus::Published { Flash::ReviewSaved } else { Flash::ReviewHeld };
            Ok(redirect_with(&v.session, &format!("/livres/{book_id}#mon-avis"), Some(flash)).await)
        }
        Err(e @ (CommunityError::Invalid(_) | CommunityError::TooMany(_) | CommunityError::AlreadyReviewed)) => {
            let page = book_page(&s, &v, &book_id, &BookQuery::default()).await?;
            Ok(refuse(&s, &v, page, "review", echo(&f, &["rating", "title", "body", "spoiler"]), e.into()).await)
        }
        Err(e) => Err(WebError(e.into())),
    }
}

/// `POST /avis/{id}/supprimer`: its author, or a moderator.
pub async fn delete_review(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let user = signed_in(&v)?;
    let review = s.community.review(Some(user), &id).await.map_err(|e| WebError(e.into()))?;
    s.community.delete_review(user, &id, &v.ip).await.map_err(|e| WebError(e.into()))?;
    Ok(redirect_with(&v.session, &format!("/livres/{}#avis", review.book_id), Some(Flash::ReviewDeleted)).await)
}

/// `POST /avis/{id}/utile` (`helpful=true|false`): back to the review.
pub async fn vote(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let review = s.community.review(Some(user), &id).await.map_err(|e| WebError(e.into()))?;
    s.community.vote(user, &id, get(&f, "helpful") != "false").await.map_err(|e| WebError(e.into()))?;
    let next = safe_next(f.get("next").map(String::as_str), &format!("/livres/{}#avis-{id}", review.book_id));
    Ok(redirect_with(&v.session, &next, None).await)
}

/// `GET /moderation`: what waits for a moderator.
pub async fn moderation(State(s): State<AppState>, v: Visit) -> PageResult {
    let user = signed_in(&v)?;
    Ok(render(&s, v.ctx(moderation_page(&s, user).await?), StatusCode::OK).await)
}

async fn moderation_page(s: &AppState, user: &domain::account::User) -> Result<Page, WebError> {
    let held = s.community.held_reviews(user).await.map_err(|e| WebError(e.into()))?;
    let flagged = s.community.flagged(user).await.map_err(|e| WebError(e.into()))?;
    let words = s.community.watched_words(user).await.map_err(|e| WebError(e.into()))?;
    Ok(Page::Moderation { held, flagged, words })
}

#[derive(serde::Deserialize)]
pub struct LogQuery {
    apres: Option<String>,
}

/// `GET /moderation/journal` (public): what moderators decided, never who.
pub async fn modlog(State(s): State<AppState>, v: Visit, axum::extract::Query(q): axum::extract::Query<LogQuery>) -> PageResult {
    let (entries, next) = match s.community.modlog(q.apres.as_deref()).await {
        Err(CommunityError::Invalid(_)) => s.community.modlog(None).await,
        other => other,
    }
    .map_err(|e| WebError(e.into()))?;
    Ok(render(&s, v.ctx(Page::Modlog { entries, next }), StatusCode::OK).await)
}

/// `POST /moderation/mots` (`language`, `word`, `watching=true|false`).
pub async fn watch_word(State(s): State<AppState>, v: Visit, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let watching = get(&f, "watching") != "false";
    match s.community.watch_word(user, get(&f, "language"), get(&f, "word"), watching, &v.ip).await {
        Ok(_) => Ok(redirect_with(&v.session, "/moderation#mots", Some(Flash::WordsSaved)).await),
        Err(e @ CommunityError::Invalid(_)) => {
            let page = moderation_page(&s, user).await?;
            Ok(refuse(&s, &v, page, "words", echo(&f, &["language", "word"]), e.into()).await)
        }
        Err(e) => Err(WebError(e.into())),
    }
}

/// `POST /signalements` (`target_kind`, `target_id`, `reason`, `note`, `next`): back to the page.
pub async fn report(State(s): State<AppState>, v: Visit, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let input = ReportInput {
        target_kind: get(&f, "target_kind").to_owned(),
        target_id: get(&f, "target_id").to_owned(),
        reason: get(&f, "reason").to_owned(),
        note: get(&f, "note").to_owned(),
    };
    s.community.report(user, &input, &v.ip).await.map_err(|e| WebError(e.into()))?;
    let next = safe_next(f.get("next").map(String::as_str), "/");
    Ok(redirect_with(&v.session, &next, Some(Flash::ReportFiled)).await)
}

/// `POST /moderation/signalements/{kind}/{id}` (`decision=hide` with a `reason`, `delete`,
/// `reject`, `ignore`).
pub async fn decide_flag(State(s): State<AppState>, v: Visit, Path((kind, id)): Path<(String, String)>, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let decision = match get(&f, "decision") {
        "hide" => FlagDecision::Hide { reason: get(&f, "reason").to_owned() },
        "delete" => FlagDecision::Delete,
        "reject" => FlagDecision::Reject,
        _ => FlagDecision::Ignore,
    };
    match s.community.decide_flag(user, &kind, &id, &decision, &v.ip).await {
        Ok(()) => Ok(redirect_with(&v.session, "/moderation", Some(Flash::FlagDecided)).await),
        Err(e @ CommunityError::Invalid(_)) => {
            let page = moderation_page(&s, user).await?;
            Ok(refuse(&s, &v, page, "moderation", Vec::new(), e.into()).await)
        }
        Err(e) => Err(WebError(e.into())),
    }
}

/// `POST /moderation/avis/{id}` (`decision=publish`, or `hide` with a `reason`).
pub async fn moderate(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let decision = match get(&f, "decision") {
        "hide" => Decision::Hide { reason: get(&f, "reason").to_owned() },
        _ => Decision::Publish,
    };
    match s.community.moderate(user, &id, &decision, &v.ip).await {
        Ok(_) => {
            let next = safe_next(f.get("next").map(String::as_str), "/moderation");
            Ok(redirect_with(&v.session, &next, Some(Flash::ReviewModerated)).await)
        }
        Err(e @ CommunityError::Invalid(_)) => {
            let page = moderation_page(&s, user).await?;
            Ok(refuse(&s, &v, page, "moderation", Vec::new(), e.into()).await)
        }
        Err(e) => Err(WebError(e.into())),
    }
}
