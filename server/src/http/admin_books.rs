//! Editors' pages: the book list with drafts, editing a book's status and offer, and uploads.

use super::pages::{failure, sign_in_first};
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

/// The signed-in editor's role, or the response that refuses everyone else.
pub(super) async fn editor(s: &AppState, v: &Visit) -> Result<domain::account::Role, Response> {
    match &v.user {
        None => Err(sign_in_first(v)),
        Some(u) if u.role.can_edit_catalog() => Ok(u.role),
        Some(_) => Err(render(s, v.ctx(Page::Error { code: ErrorCode::Forbidden }), StatusCode::FORBIDDEN).await),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    apres: Option<String>,
}

pub async fn list(State(s): State<AppState>, v: Visit, Query(q): Query<ListQuery>) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    match s.catalog.browse(&Default::default(), q.apres.as_deref(), 50, Some(role)).await {
        Ok(page) => render(&s, v.ctx(Page::AdminBooks { page, cursor: q.apres }), StatusCode::OK).await,
        Err(_) => failure(&s, &v).await,
    }
}

pub async fn show(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    match s.catalog.book(&id, Some(role)).await {
        Ok(book) => render(&s, v.ctx(Page::AdminBook { book: Box::new(book) }), StatusCode::OK).await,
        Err(CatalogError::NotFound) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(_) => failure(&s, &v).await,
    }
}

pub async fn save(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    let status = if f.get("status").map(String::as_str) == Some("published") { BookStatus::Published } else { BookStatus::Draft };
    // A price that does not read is refused with its field, never taken as 0 (free).
    let outcome = match domain::catalog::parse_price(f.get("price").map_or("", String::as_str)) {
        Ok(price) => s.catalog.edit(&v.actor(), &id, status, Money::xof(price), f.contains_key("featured")).await,
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
) -> Response {
    match outcome {
        Ok(_) => redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::BookSaved)).await,
        Err(CatalogError::Invalid(fields)) => match s.catalog.book(id, Some(role)).await {
            Ok(book) => {
                let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
                let values = f.into_iter().collect();
                ctx.form = Some(FormState { form, values, fields, error: Some(ErrorCode::ValidationError), ..Default::default() });
                render(s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(_) => failure(s, v).await,
        },
        Err(CatalogError::NotFound) => render(s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(_) => failure(s, v).await,
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
pub async fn bulk(State(s): State<AppState>, v: Visit, body: axum::body::Bytes) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
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
            match back.strip_prefix("/admin/livres/").filter(|id| ids.len() == 1 && *id == ids[0]) {
                Some(_) => redirect_with(&v.session, &back, Some(Flash::BookSaved)).await,
                None => redirect_with(&v.session, "/admin/livres", Some(Flash::BooksChanged)).await,
            }
        }
        Err(CatalogError::Invalid(fields)) => match s.catalog.browse(&Default::default(), None, 50, Some(role)).await {
            Ok(page) => {
                let mut ctx = v.ctx(Page::AdminBooks { page, cursor: None });
                let values = pairs.into_iter().filter(|(n, _)| n != "livres").collect();
                ctx.form = Some(FormState { form: "bulk", values, fields, ..Default::default() });
                render(&s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(_) => failure(&s, &v).await,
        },
        Err(_) => failure(&s, &v).await,
    }
}

/// Deletes a book (after the confirmation on its page); a book readers hold is refused.
pub async fn delete(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    match s.catalog.delete(&v.actor(), &id).await {
        Ok(book) => {
            tracing::info!(book = %book.id, title = %book.title, by = ?v.user.as_ref().map(|u| &u.id), "book deleted");
            redirect_with(&v.session, "/admin/livres", Some(Flash::BookDeleted)).await
        }
        Err(CatalogError::InUse) => match s.catalog.book(&id, Some(role)).await {
            Ok(book) => {
                let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
                ctx.form = Some(FormState { form: "delete", error: Some(ErrorCode::Conflict), ..Default::default() });
                render(&s, ctx, StatusCode::CONFLICT).await
            }
            Err(_) => failure(&s, &v).await,
        },
        Err(CatalogError::NotFound) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(_) => failure(&s, &v).await,
    }
}

pub async fn correct(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let role = match editor(&s, &v).await {
        Ok(r) => r,
        Err(res) => return res,
    };
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

pub async fn upload_form(State(s): State<AppState>, v: Visit) -> Response {
    if let Err(res) = editor(&s, &v).await {
        return res;
    }
    render(&s, v.ctx(Page::AdminUpload { max_mb: s.config.max_upload_bytes / (1024 * 1024) }), StatusCode::OK).await
}

async fn refuse_upload(s: &AppState, v: &Visit, code: &str, status: StatusCode) -> Response {
    let mut ctx = v.ctx(Page::AdminUpload { max_mb: s.config.max_upload_bytes / (1024 * 1024) });
    ctx.form = Some(FormState { form: "upload", detail: Some(code.to_owned()), ..Default::default() });
    render(s, ctx, status).await
}

/// Reads the uploaded file (refusing it past the size limit) and imports it as a draft.
pub async fn upload(State(s): State<AppState>, v: Visit, mut multipart: Multipart) -> Response {
    if let Err(res) = editor(&s, &v).await {
        return res;
    }
    let (name, bytes) = match super::upload::read(&mut multipart, s.config.max_upload_bytes).await {
        Ok(up) => (up.name, up.bytes),
        Err(super::upload::UploadError::TooLarge) => return refuse_upload(&s, &v, "too_large", StatusCode::PAYLOAD_TOO_LARGE).await,
        Err(super::upload::UploadError::Missing) => return refuse_upload(&s, &v, "missing", StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match s.catalog.upload(&v.actor(), &bytes, &name).await {
        Ok(ImportOutcome::Created(book)) => {
            tracing::info!(book = %book.id, by = ?v.user.as_ref().map(|u| &u.id), "book uploaded");
            redirect_with(&v.session, &format!("/admin/livres/{}", book.id), Some(Flash::BookImported)).await
        }
        Ok(ImportOutcome::AlreadyPresent(id)) => {
            redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::AlreadyPresent)).await
        }
        Err(CatalogError::Refused(e)) => refuse_upload(&s, &v, e.code(), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(_) => failure(&s, &v).await,
    }
}

/// Gives a reader (named by e-mail) access to a paid book.
pub async fn grant(
    State(s): State<AppState>,
    v: Visit,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Err(res) = editor(&s, &v).await {
        return res;
    }
    let Some(actor) = v.user.clone() else { return failure(&s, &v).await };
    let email = f.get("email").cloned().unwrap_or_default();
    let refused = |fields: Vec<domain::FieldError>| async {
        match s.catalog.book(&id, Some(actor.role)).await {
            Ok(book) => {
                let mut ctx = v.ctx(Page::AdminBook { book: Box::new(book) });
                let values = f.clone().into_iter().collect();
                ctx.form = Some(FormState { form: "grant", values, fields, error: Some(ErrorCode::ValidationError), ..Default::default() });
                render(&s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(_) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        }
    };
    let reader = match s.accounts.verified_user_by_email(&email).await {
        Ok(u) => u,
        Err(e) => return refused(e.fields().to_vec()).await,
    };
    match s.reading.grant(&v.actor(), &reader.id, &id).await {
        Ok(()) => redirect_with(&v.session, &format!("/admin/livres/{id}"), Some(Flash::AccessGranted)).await,
        Err(domain::reading::ReadingError::NotFound) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(_) => failure(&s, &v).await,
    }
}
