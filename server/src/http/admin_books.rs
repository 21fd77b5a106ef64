//! Editors' pages: the book list with drafts, editing a book's status and offer, and uploads.

use super::errors::{sign_in_first, PageResult, WebError};
use super::render::{redirect_with, render};
use super::visit::Visit;
use crate::state::AppState;
use app::context::{Flash, FormState, Page};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::catalog::{BookStatus, BulkAction, CatalogError, ImportOutcome, Money};
use domain::error::{ErrorCode, FieldError, Reason};
use serde::Deserialize;
use std::collections::HashMap;

/// The signed-in editor's role; everyone else is sent to sign in or refused.
pub(super) fn editor(v: &Visit) -> Result<domain::account::Role, WebError> {
    match &v.user {
        None => Err(sign_in_first()),
        Some(u) if u.role.can_edit_catalog() => Ok(u.role),
        Some(_) => Err(WebError::new(ErrorCode::Forbidden)),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    apres: Option<String>,
}

pub async fn list(State(s): State<AppState>, v: Visit, Query(q): Query<ListQuery>) -> PageResult {
    let role = editor(&v)?;
    let page = s.catalog.browse(&Default::default(), q.apres.as_deref(), 50, Some(role)).await?;
    Ok(render(&s, v.ctx(Page::AdminBooks { page, cursor: q.apres }), StatusCode::OK).await)
}

pub async fn show(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let book = s.catalog.book(&id, Some(editor(&v)?)).await?;
    Ok(render(&s, v.ctx(Page::AdminBook { book: Box::new(book) }), StatusCode::OK).await)
}

pub async fn save(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let role = editor(&v)?;
    let status = if f.get("status").map(String::as_str) == Some("published") { BookStatus::Published } else { BookStatus::Draft };
    // A price that does not read is refused with its field, never taken as 0 (free).
    let outcome = match domain::catalog::parse_price(f.get("price").map_or("", String::as_str)) {
        Ok(price) => {
            let offer = domain::catalog::Offer {
                price: Money::xof(price),
                featured: f.contains_key("featured"),
                premium: f.contains_key("premium"),
            };
            s.catalog.edit(&v.actor(), &id, status, offer).await
        }
        Err(reason) => Err(CatalogError::Invalid(vec![domain::FieldError::new("price", reason)])),
    };
    saved(&s, &v, role, &id, "offer", f, outcome).await
}

/// After a form on a book's admin page: back to it with a notice, or the page again with the
/// form's values and what is wrong.
async fn saved<T>(
    s: &AppState,
    v: &Visit,
    role: domain::account::Role,
    id: &str,
    form: &'static str,
    f: HashMap<String, String>,
    outcome: Result<T, CatalogError>,
) -> PageResult {
    match outcome {
        Ok(_) => Ok(redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::BookSaved)).await),
        Err(CatalogError::Invalid(fields)) => {
            let book = s.catalog.book(id, Some(role)).await?;
            let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
            let values = f.into_iter().collect();
            ctx.form = Some(FormState { form, values, fields, error: Some(ErrorCode::ValidationError), ..Default::default() });
            Ok(render(s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// The list's action words (the form's French values) to the domain's action.
fn bulk_action(word: &str, category: &str) -> Result<BulkAction, CatalogError> {
    match word {
        "publier" => Ok(BulkAction::Publish),
        "depublier" => Ok(BulkAction::Unpublish),
        "vedette" => Ok(BulkAction::Feature),
        "retirer-vedette" => Ok(BulkAction::Unfeature),
        "classer" => BulkAction::file(category),
        _ => Err(CatalogError::Invalid(vec![FieldError::new("action", Reason::Required)])),
    }
}

/// The domain's field names to the form's, so that the form shows each error at its field.
fn form_names(e: CatalogError, names: &[(&str, &'static str)]) -> CatalogError {
    match e {
        CatalogError::Invalid(fields) => CatalogError::Invalid(
            fields
                .into_iter()
                .map(|mut f| {
                    if let Some((_, form)) = names.iter().find(|(domain, _)| *domain == f.field) {
                        f.field = (*form).into();
                    }
                    f
                })
                .collect(),
        ),
        other => other,
    }
}

/// `POST /admin/livres/lot`: one action on the books ticked in the list (`livres`, repeated).
pub async fn bulk(State(s): State<AppState>, v: Visit, body: axum::body::Bytes) -> PageResult {
    let role = editor(&v)?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "livres")
        .map(|(_, v)| v.chars().take(64).collect())
        .take(domain::catalog::MAX_BULK + 1)
        .collect();
    let outcome = match bulk_action(&get("action"), &get("categorie")) {
        Ok(action) => s.catalog.bulk(&v.actor(), &ids, &action).await,
        Err(e) => Err(e),
    }
    .map_err(|e| form_names(e, &[("books", "livres"), ("category", "categorie")]));
    match outcome {
        Ok(n) => {
            tracing::info!(books = n, action = %get("action"), "bulk change");
            // From a book's own page (its suggested categories): back there.
            let back = get("retour");
            Ok(match back.strip_prefix("/admin/livres/").filter(|id| ids.len() == 1 && *id == ids[0]) {
                Some(_) => redirect_with(&v.session, &back, Some(Flash::BookSaved)).await,
                None => redirect_with(&v.session, "/admin/livres", Some(Flash::BooksChanged)).await,
            })
        }
        Err(CatalogError::Invalid(fields)) => {
            let page = s.catalog.browse(&Default::default(), None, 50, Some(role)).await?;
            let mut ctx = v.ctx(Page::AdminBooks { page, cursor: None });
            let values = pairs.into_iter().filter(|(n, _)| n != "livres").collect();
            ctx.form = Some(FormState { form: "bulk", values, fields, ..Default::default() });
            Ok(render(&s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a book (after the confirmation on its page); a book readers hold is refused.
pub async fn delete(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let role = editor(&v)?;
    match s.catalog.delete(&v.actor(), &id).await {
        Ok(book) => {
            tracing::info!(book = %book.id, title = %book.title, by = ?v.user.as_ref().map(|u| &u.id), "book deleted");
            Ok(redirect_with(&v.session, "/admin/livres", Some(Flash::BookDeleted)).await)
        }
        Err(CatalogError::InUse) => {
            let book = s.catalog.book(&id, Some(role)).await?;
            let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
            ctx.form = Some(FormState { form: "delete", error: Some(ErrorCode::Conflict), ..Default::default() });
            Ok(render(&s, ctx, StatusCode::CONFLICT).await)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn correct(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let role = editor(&v)?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let form = domain::catalog::MetadataForm {
        title: get("title"),
        subtitle: get("subtitle"),
        description: get("description"),
        language: get("language"),
        isbn: get("isbn"),
        published_date: get("published_date"),
        authors: get("authors"),
        publisher: get("publisher"),
        categories: Some(get("categories")),
    };
    let outcome = s.catalog.correct(&v.actor(), &id, &form).await;
    saved(&s, &v, role, &id, "metadata", f, outcome).await
}

pub async fn upload_form(State(s): State<AppState>, v: Visit) -> PageResult {
    editor(&v)?;
    Ok(render(&s, v.ctx(Page::AdminUpload { max_mb: s.config.max_upload_bytes / (1024 * 1024) }), StatusCode::OK).await)
}

async fn refuse_upload(s: &AppState, v: &Visit, code: &str, status: StatusCode) -> Response {
    let mut ctx = v.ctx(Page::AdminUpload { max_mb: s.config.max_upload_bytes / (1024 * 1024) });
    ctx.form = Some(FormState { form: "upload", detail: Some(code.to_owned()), ..Default::default() });
    render(s, ctx, status).await
}

/// Reads the uploaded file (refusing it past the size limit) and imports it as a draft.
pub async fn upload(State(s): State<AppState>, v: Visit, mut multipart: Multipart) -> PageResult {
    editor(&v)?;
    let (name, bytes) = match super::upload::read(&mut multipart, s.config.max_upload_bytes).await {
        Ok(up) => (up.name, up.bytes),
        Err(super::upload::UploadError::TooLarge) => return Ok(refuse_upload(&s, &v, "too_large", StatusCode::PAYLOAD_TOO_LARGE).await),
        Err(super::upload::UploadError::Missing) => return Ok(refuse_upload(&s, &v, "missing", StatusCode::UNPROCESSABLE_ENTITY).await),
    };
    Ok(match s.catalog.upload(&v.actor(), &bytes, &name).await {
        Ok(ImportOutcome::Created(book)) => {
            tracing::info!(book = %book.id, by = ?v.user.as_ref().map(|u| &u.id), "book uploaded");
            redirect_with(&v.session, &format!("/admin/livres/{}", book.id), Some(Flash::BookImported)).await
        }
        Ok(ImportOutcome::AlreadyPresent(id)) => {
            redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::AlreadyPresent)).await
        }
        Err(CatalogError::Refused(e)) => refuse_upload(&s, &v, e.code(), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e.into()),
    })
}

/// Gives a reader (named by e-mail) access to a paid book.
pub async fn grant(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> PageResult {
    let role = editor(&v)?;
    let email = f.get("email").cloned().unwrap_or_default();
    let reader = match s.accounts.verified_user_by_email(&email).await {
        Ok(u) => u,
        Err(e) if e.code() == ErrorCode::Internal => return Err(e.into()),
        Err(e) => {
            let book = s.catalog.book(&id, Some(role)).await?;
            let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
            let values = f.into_iter().collect();
            let fields = e.fields().to_vec();
            ctx.form = Some(FormState { form: "grant", values, fields, error: Some(ErrorCode::ValidationError), ..Default::default() });
            return Ok(render(&s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await);
        }
    };
    s.reading.grant(&v.actor(), &reader.id, &id).await?;
    Ok(redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::AccessGranted)).await)
}
