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
use domain::community::{CommunityError, Decision, ReviewInput, ReviewStatus};
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
    let held = s.community.held_reviews(user).await.map_err(|e| WebError(e.into()))?;
    Ok(render(&s, v.ctx(Page::Moderation { held }), StatusCode::OK).await)
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
            let held = s.community.held_reviews(user).await.map_err(|e| WebError(e.into()))?;
            Ok(refuse(&s, &v, Page::Moderation { held }, "moderation", Vec::new(), e.into()).await)
        }
        Err(e) => Err(WebError(e.into())),
    }
}
