//! Editors' pages for authors (`/admin/auteurs`), publishers (`/admin/editeurs`) and categories
//! (`/admin/categories`): list, add (categories), edit, delete, and an author's photo.

use super::admin_books::editor;
use super::errors::PageResult;
use super::render::{redirect_with, render};
use super::visit::Visit;
use crate::state::AppState;
use app::context::{Flash, FormState, Page};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::catalog::{in_branch, CatalogError, EntryForm, Listing};
use domain::error::{ErrorCode, FieldError, Reason};
use serde::Deserialize;
use std::collections::HashMap;

/// Authors and publishers shown per page.
const PER_PAGE: u32 = 50;

fn base(kind: Listing) -> &'static str {
    app::pages::admin_entries::admin_base(kind)
}

/// The pages of the three kinds, at their paths: the same handlers, told the kind by the route.
/// (Adding a category and an author's photo have routes of their own.)
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for kind in [Listing::Authors, Listing::Publishers, Listing::Categories] {
        let b = base(kind);
        let mut listing = get(move |State(s): State<AppState>, v: Visit, Query(q): Query<ListQuery>| list(s, v, kind, q));
        if kind == Listing::Categories {
            listing = listing.post(add_category);
        }
        router = router
            .route(b, listing)
            .route(
                &format!("{b}/{{id}}"),
                get(move |State(s): State<AppState>, v: Visit, Path(id): Path<String>, Query(q): Query<EntryQuery>| {
                    entry_page(s, v, kind, id, q)
                })
                .post(
                    move |State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>| {
                        save(s, v, kind, id, f)
                    },
                ),
            )
            .route(
                &format!("{b}/{{id}}/supprimer"),
                post(move |State(s): State<AppState>, v: Visit, Path(id): Path<String>| delete(s, v, kind, id)),
            )
            .route(
                &format!("{b}/{{id}}/fusionner"),
                post(move |State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>| {
                    merge(s, v, kind, id, f)
                }),
            );
    }
    router
}

fn form_of(f: &HashMap<String, String>) -> EntryForm {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    EntryForm { name: get("name"), biography: get("biography"), slug: get("slug"), parent: get("parent") }
}

#[derive(Deserialize)]
pub struct ListQuery {
    nom: Option<String>,
    page: Option<u32>,
}

async fn list(s: AppState, v: Visit, kind: Listing, q: ListQuery) -> PageResult {
    editor(&v)?;
    let name: String = q.nom.unwrap_or_default().trim().chars().take(100).collect();
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (entries, total) = if kind == Listing::Categories {
        let all = s.catalog.all_categories(&v.actor()).await?;
        let n = all.len() as u64;
        (all, n)
    } else {
        s.catalog.entries(&v.actor(), kind, Some(&name), page, PER_PAGE).await?
    };
    Ok(render(&s, v.ctx(Page::AdminEntries { kind, entries, total, page, name }), StatusCode::OK).await)
}

/// Entries offered for a merge per search.
const MERGE_CANDIDATES: u32 = 10;

/// The edit page, with a refused form (`form`) when there is one, and the entries found for a
/// merge when a name (`merge`) was searched.
async fn show(
    s: &AppState,
    v: &Visit,
    kind: Listing,
    id: &str,
    form: Option<FormState>,
    status: StatusCode,
    merge: Option<String>,
) -> PageResult {
    let actor = v.actor();
    let entry = s.catalog.entry(&actor, kind, id).await?;
    let categories = if kind == Listing::Categories { s.catalog.all_categories(&actor).await? } else { Vec::new() };
    let merge = match merge.map(|q| q.trim().chars().take(100).collect::<String>()).filter(|q| !q.is_empty()) {
        // Never itself, nor (categories) one of its own subcategories.
        Some(q) => {
            let (found, _) = s.catalog.entries(&actor, kind, Some(&q), 1, MERGE_CANDIDATES + 1).await?;
            let found =
                found.into_iter().filter(|e| !in_branch(&categories, &e.id, &entry.id) && e.id != entry.id).take(MERGE_CANDIDATES as usize);
            Some((q, found.collect()))
        }
        _ => None,
    };
    let mut ctx = v.ctx(Page::AdminEntry { kind, entry, categories, merge });
    ctx.form = form;
    Ok(render(s, ctx, status).await)
}

#[derive(Deserialize)]
pub struct EntryQuery {
    /// A name searched to merge this entry into another.
    fusion: Option<String>,
}

async fn entry_page(s: AppState, v: Visit, kind: Listing, id: String, q: EntryQuery) -> PageResult {
    editor(&v)?;
    show(&s, &v, kind, &id, None, StatusCode::OK, q.fusion).await
}

/// `POST …/{id}/fusionner` (field `into`): this entry merged into the one kept.
async fn merge(s: AppState, v: Visit, kind: Listing, id: String, f: HashMap<String, String>) -> PageResult {
    editor(&v)?;
    let into = f.get("into").map(|i| i.trim().chars().take(64).collect::<String>()).unwrap_or_default();
    match s.catalog.merge_entry(&v.actor(), kind, &id, &into).await {
        Ok(kept) => {
            tracing::info!(kind = ?kind, from = %id, into = %kept.id, "catalogue entries merged");
            Ok(redirect_with(&v.session, &format!("{}/{}", base(kind), kept.id), Some(Flash::EntriesMerged)).await)
        }
        Err(CatalogError::Invalid(fields)) => {
            // The entry to keep is chosen through the search field: the refusal is shown there.
            let fields =
                fields.into_iter().map(|f| if f.field == "into" { FieldError { field: "fusion".into(), ..f } } else { f }).collect();
            let form = FormState { form: "merge", fields, error: Some(ErrorCode::ValidationError), ..Default::default() };
            show(&s, &v, kind, &id, Some(form), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn save(s: AppState, v: Visit, kind: Listing, id: String, f: HashMap<String, String>) -> PageResult {
    editor(&v)?;
    match s.catalog.update_entry(&v.actor(), kind, &id, &form_of(&f)).await {
        Ok(_) => Ok(redirect_with(&v.session, &format!("{}/{id}", base(kind)), Some(Flash::EntrySaved)).await),
        Err(CatalogError::Invalid(fields)) => {
            let form = FormState {
                form: "entry",
                values: f.into_iter().collect(),
                fields,
                error: Some(ErrorCode::ValidationError),
                ..Default::default()
            };
            show(&s, &v, kind, &id, Some(form), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/categories`: a new category.
async fn add_category(State(s): State<AppState>, v: Visit, Form(f): Form<HashMap<String, String>>) -> PageResult {
    editor(&v)?;
    let actor = v.actor();
    match s.catalog.add_category(&actor, &form_of(&f)).await {
        Ok(c) => Ok(redirect_with(&v.session, &format!("/admin/categories/{}", c.id), Some(Flash::CategoryAdded)).await),
        Err(CatalogError::Invalid(fields)) => {
            let all = s.catalog.all_categories(&actor).await?;
            let total = all.len() as u64;
            let mut ctx = v.ctx(Page::AdminEntries { kind: Listing::Categories, entries: all, total, page: 1, name: String::new() });
            ctx.form = Some(FormState {
                form: "add",
                values: f.into_iter().collect(),
                fields,
                error: Some(ErrorCode::ValidationError),
                ..Default::default()
            });
            Ok(render(&s, ctx, StatusCode::UNPROCESSABLE_ENTITY).await)
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(s: AppState, v: Visit, kind: Listing, id: String) -> PageResult {
    editor(&v)?;
    match s.catalog.delete_entry(&v.actor(), kind, &id).await {
        Ok(gone) => {
            tracing::info!(kind = ?kind, id = %gone.id, name = %gone.name, "catalogue entry deleted");
            Ok(redirect_with(&v.session, base(kind), Some(Flash::EntryDeleted)).await)
        }
        Err(CatalogError::InUse) => {
            let form = FormState { form: "delete", error: Some(ErrorCode::Conflict), ..Default::default() };
            show(&s, &v, kind, &id, Some(form), StatusCode::CONFLICT, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/auteurs/{id}/photo` (multipart, field `photo`).
pub async fn author_photo(State(s): State<AppState>, v: Visit, Path(id): Path<String>, mut multipart: Multipart) -> PageResult {
    editor(&v)?;
    let max = domain::catalog::MAX_PHOTO_BYTES as u64;
    let outcome = match super::upload::read_field(&mut multipart, "photo", max).await {
        Ok(upload) => s.catalog.set_author_photo(&v.actor(), &id, &upload.bytes).await,
        Err(super::upload::UploadError::TooLarge) => Err(CatalogError::Invalid(vec![FieldError::new("photo", Reason::TooLong)])),
        Err(super::upload::UploadError::Missing) => Err(CatalogError::Invalid(vec![FieldError::new("photo", Reason::Required)])),
    };
    match outcome {
        Ok(_) => Ok(redirect_with(&v.session, &format!("/admin/auteurs/{id}"), Some(Flash::PhotoSaved)).await),
        Err(CatalogError::Invalid(fields)) => {
            let form = FormState { form: "photo", fields, error: Some(ErrorCode::ValidationError), ..Default::default() };
            show(&s, &v, Listing::Authors, &id, Some(form), StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/auteurs/{id}/photo/retirer`.
pub async fn remove_author_photo(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    editor(&v)?;
    s.catalog.remove_author_photo(&v.actor(), &id).await?;
    Ok(redirect_with(&v.session, &format!("/admin/auteurs/{id}"), Some(Flash::EntrySaved)).await)
}
