//! Pages that only show something (GET). Each loads what its page needs, then renders.

use super::render::render;
use super::visit::Visit;
use crate::state::AppState;
use app::context::Page;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::error::ErrorCode;
use serde::Deserialize;

async fn show(state: &AppState, visit: &Visit, page: Page) -> Response {
    render(state, visit.ctx(page), StatusCode::OK).await
}

/// Sends signed-out visitors to the sign-in page, with a way back.
pub fn sign_in_first(visit: &Visit) -> Response {
    let next: String = visit
        .path
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    Redirect::to(&format!("/connexion?next={next}")).into_response()
}

pub async fn home(State(s): State<AppState>, v: Visit) -> Response {
    let role = v.user.as_ref().map(|u| u.role);
    let recent = match s.catalog.browse(&Default::default(), None, 10, role).await {
        Ok(page) => page.books,
        Err(e) => {
            tracing::error!(error = %e, "home: catalogue unavailable");
            Vec::new()
        }
    };
    show(&s, &v, Page::Home { recent }).await
}

pub async fn login(State(s): State<AppState>, v: Visit) -> Response {
    if v.user.is_some() {
        return Redirect::to("/").into_response();
    }
    show(&s, &v, Page::Login).await
}

pub async fn register(State(s): State<AppState>, v: Visit) -> Response {
    if v.user.is_some() {
        return Redirect::to("/").into_response();
    }
    show(&s, &v, Page::Register).await
}

pub async fn profile(State(s): State<AppState>, v: Visit) -> Response {
    if v.user.is_none() {
        return sign_in_first(&v);
    }
    show(&s, &v, Page::Profile).await
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The link from the verification mail. Spending the token here is what the link is for.
pub async fn verify_email(State(s): State<AppState>, mut v: Visit, Query(q): Query<TokenQuery>) -> Response {
    let verified = match s.accounts.verify_email(&q.token).await {
        Ok(user) => {
            if v.user.as_ref().is_some_and(|u| u.id == user.id) {
                v.user = Some(user);
            }
            true
        }
        Err(_) => false,
    };
    let status = if verified { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    render(&s, v.ctx(Page::VerifyEmail { verified }), status).await
}

pub async fn forgot_password(State(s): State<AppState>, v: Visit) -> Response {
    show(&s, &v, Page::ForgotPassword { sent: false }).await
}

pub async fn reset_password(State(s): State<AppState>, v: Visit, Query(q): Query<TokenQuery>) -> Response {
    show(&s, &v, Page::ResetPassword { token: q.token }).await
}

#[derive(Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

pub async fn admin_users(State(s): State<AppState>, v: Visit, Query(q): Query<UsersQuery>) -> Response {
    let Some(actor) = v.user.clone() else { return sign_in_first(&v) };
    let page_no = q.page.and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    match s.accounts.list_users(&actor, &q.q, page_no, 20).await {
        Ok(page) => show(&s, &v, Page::AdminUsers { page, search: q.q }).await,
        Err(e) => {
            let err = crate::error::HttpError::from(e);
            render(&s, v.ctx(Page::Error { code: err.code }), err.status).await
        }
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    qui: Option<String>,
    apres: Option<String>,
}

/// `/admin/journal`: the audit log, for admins.
pub async fn audit(State(s): State<AppState>, v: Visit, Query(q): Query<AuditQuery>) -> Response {
    let Some(user) = v.user.clone() else { return sign_in_first(&v) };
    let filter = domain::audit::AuditFilter {
        action: q.action.as_deref().and_then(domain::audit::AuditAction::parse),
        actor: q.qui.map(|w| w.trim().chars().take(100).collect::<String>()).filter(|w| !w.is_empty()),
        target: None,
    };
    match s.catalog.audit_log(user.role, &filter, q.apres.as_deref()).await {
        Ok(page) => show(&s, &v, Page::AdminAudit { page, filter }).await,
        Err(domain::catalog::CatalogError::Forbidden) => {
            render(&s, v.ctx(Page::Error { code: ErrorCode::Forbidden }), StatusCode::FORBIDDEN).await
        }
        Err(e) => {
            tracing::error!(error = %e, "audit log failed");
            failure(&s, &v).await
        }
    }
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    langue: Option<String>,
    format: Option<String>,
    prix: Option<String>,
    categorie: Option<String>,
    tri: Option<String>,
    apres: Option<String>,
}

pub async fn catalog(State(s): State<AppState>, v: Visit, Query(q): Query<CatalogQuery>) -> Response {
    let filter = app::pages::catalog::browse_filter(
        q.langue.as_deref(),
        q.format.as_deref(),
        q.prix.as_deref(),
        q.categorie.as_deref(),
        q.tri.as_deref(),
    );
    let role = v.user.as_ref().map(|u| u.role);
    let languages = s.catalog.languages(role).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "languages unavailable");
        Vec::new()
    });
    let categories = match s.catalog.categories().await {
        Ok(list) => domain::catalog::category_tree(&list),
        Err(e) => {
            tracing::warn!(error = %e, "categories unavailable");
            Vec::new()
        }
    };
    match s.catalog.browse(&filter, q.apres.as_deref(), 20, role).await {
        Ok(page) => show(&s, &v, Page::Catalog { page, filter, cursor: q.apres, categories, languages }).await,
        Err(e) => {
            tracing::error!(error = %e, "catalogue listing failed");
            failure(&s, &v).await
        }
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    langue: Option<String>,
    format: Option<String>,
    prix: Option<String>,
    page: Option<String>,
}

pub async fn search(State(s): State<AppState>, v: Visit, Query(q): Query<SearchQuery>) -> Response {
    let query: String = q.q.trim().chars().take(200).collect();
    let browse = app::pages::catalog::filter_from_query(q.langue.as_deref(), q.format.as_deref(), q.prix.as_deref());
    let filter = domain::search::SearchFilter::from(&browse);
    let page = q.page.and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).clamp(1, 500);
    if query.chars().count() < 3 {
        let ctx = v.ctx(Page::Search { query, filter, found: None, page });
        return render(&s, ctx, StatusCode::OK).await;
    }
    if let Err(wait) = s.limiter.check(crate::rate_limit::SEARCH, &v.ip) {
        let e = crate::error::HttpError::rate_limited(wait);
        return render(&s, v.ctx(Page::Error { code: e.code }), e.status).await;
    }
    let per = app::pages::search::PER_PAGE;
    match s.catalog.search(&query, &filter, ((page - 1) * per) as usize, per as usize).await {
        Ok(found) => show(&s, &v, Page::Search { query, filter, found: Some(found), page }).await,
        Err(e) => {
            let e = crate::error::HttpError::from(e);
            render(&s, v.ctx(Page::Error { code: e.code }), e.status).await
        }
    }
}

pub async fn book(State(s): State<AppState>, v: Visit, axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    match s.catalog.book(&id, v.user.as_ref().map(|u| u.role)).await {
        Ok(book) => {
            let related = s.catalog.related(&book, 6).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "related books unavailable");
                Vec::new()
            });
            show(&s, &v, Page::Book { book: Box::new(book), related }).await
        }
        Err(domain::catalog::CatalogError::NotFound) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(e) => {
            tracing::error!(error = %e, "book page failed");
            failure(&s, &v).await
        }
    }
}

#[derive(Deserialize)]
pub struct CursorQuery {
    apres: Option<String>,
}

async fn listed(s: AppState, v: Visit, kind: domain::catalog::Listing, id: String, cursor: Option<String>) -> Response {
    match s.catalog.listed_with_books(kind, &id, cursor.as_deref(), v.user.as_ref().map(|u| u.role)).await {
        Ok((entry, page)) => show(&s, &v, Page::Listed { kind, entry, page }).await,
        Err(domain::catalog::CatalogError::NotFound) => render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await,
        Err(e) => {
            tracing::error!(error = %e, "listed page failed");
            failure(&s, &v).await
        }
    }
}

/// `/auteurs/{id}`: an author and their books.
pub async fn author(
    State(s): State<AppState>,
    v: Visit,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<CursorQuery>,
) -> Response {
    listed(s, v, domain::catalog::Listing::Authors, id, q.apres).await
}

/// `/editeurs/{id}`: a publisher and their books.
pub async fn publisher(
    State(s): State<AppState>,
    v: Visit,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<CursorQuery>,
) -> Response {
    listed(s, v, domain::catalog::Listing::Publishers, id, q.apres).await
}

pub async fn library(State(s): State<AppState>, v: Visit) -> Response {
    let Some(user) = &v.user else { return sign_in_first(&v) };
    match s.reading.library(user).await {
        Ok(library) => show(&s, &v, Page::Library { library }).await,
        Err(e) => {
            tracing::error!(error = %e, "library failed");
            failure(&s, &v).await
        }
    }
}

pub async fn not_found(State(s): State<AppState>, v: Visit) -> Response {
    render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await
}

/// Shown when a page fails in a way the visitor cannot fix.
pub async fn failure(s: &AppState, v: &Visit) -> Response {
    render(s, v.ctx(Page::Error { code: ErrorCode::Internal }), StatusCode::INTERNAL_SERVER_ERROR).await
}

pub async fn stats(State(s): State<AppState>, v: Visit) -> Response {
    let Some(user) = &v.user else { return sign_in_first(&v) };
    match s.reading.stats(user).await {
        Ok(stats) => show(&s, &v, Page::Stats { stats }).await,
        Err(e) => {
            tracing::error!(error = %e, "statistics failed");
            failure(&s, &v).await
        }
    }
}
