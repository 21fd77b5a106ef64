//! Pages that only show something (GET). Each loads what its page needs, then renders.

use super::errors::{sign_in_first, PageResult, WebError};
use super::render::render;
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{FollowBox, Page};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::notification::FollowKind;
use serde::Deserialize;

async fn show(state: &AppState, visit: &Visit, page: Page) -> PageResult {
    Ok(render(state, visit.ctx(page), StatusCode::OK).await)
}

/// The signed-in user, or the way to the sign-in page and back.
pub fn signed_in(visit: &Visit) -> Result<&domain::account::User, WebError> {
    visit.user.as_ref().ok_or_else(sign_in_first)
}

pub async fn home(State(s): State<AppState>, v: Visit) -> PageResult {
    let role = v.user.as_ref().map(|u| u.role);
    let recent = match s.catalog.browse(&Default::default(), None, 10, role).await {
        Ok(page) => page.books,
        Err(e) => {
            tracing::warn!(error = %e, "home: recent books left out");
            Vec::new()
        }
    };
    show(&s, &v, Page::Home { recent }).await
}

pub async fn login(State(s): State<AppState>, v: Visit) -> PageResult {
    if v.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    show(&s, &v, Page::Login).await
}

pub async fn register(State(s): State<AppState>, v: Visit) -> PageResult {
    if v.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    show(&s, &v, Page::Register).await
}

pub async fn profile(State(s): State<AppState>, v: Visit) -> PageResult {
    signed_in(&v)?;
    show(&s, &v, Page::Profile).await
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The link from the verification mail. Spending the token here is what the link is for.
pub async fn verify_email(State(s): State<AppState>, mut v: Visit, Query(q): Query<TokenQuery>) -> PageResult {
    let verified = match s.accounts.verify_email(&q.token, &v.ip).await {
        Ok(user) => {
            if v.user.as_ref().is_some_and(|u| u.id == user.id) {
                v.user = Some(user);
            }
            true
        }
        Err(domain::account::AccountError::InvalidToken) => false,
        Err(e) => return Err(e.into()),
    };
    let status = if verified { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    Ok(render(&s, v.ctx(Page::VerifyEmail { verified }), status).await)
}

pub async fn forgot_password(State(s): State<AppState>, v: Visit) -> PageResult {
    show(&s, &v, Page::ForgotPassword { sent: false }).await
}

pub async fn reset_password(State(s): State<AppState>, v: Visit, Query(q): Query<TokenQuery>) -> PageResult {
    show(&s, &v, Page::ResetPassword { token: q.token }).await
}

#[derive(Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

pub async fn admin_users(State(s): State<AppState>, v: Visit, Query(q): Query<UsersQuery>) -> PageResult {
    let actor = signed_in(&v)?;
    let page_no = q.page.and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).max(1);
    let page = s.accounts.list_users(actor, &q.q, page_no, 20).await?;
    show(&s, &v, Page::AdminUsers { page, search: q.q }).await
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    qui: Option<String>,
    apres: Option<String>,
}

/// `/admin/journal`: the audit log, for admins.
pub async fn audit(State(s): State<AppState>, v: Visit, Query(q): Query<AuditQuery>) -> PageResult {
    let user = signed_in(&v)?;
    let filter = domain::audit::AuditFilter {
        action: q.action.as_deref().and_then(domain::audit::AuditAction::parse),
        actor: q.qui.map(|w| w.trim().chars().take(100).collect::<String>()).filter(|w| !w.is_empty()),
        target: None,
    };
    let page = s.catalog.audit_log(user.role, &filter, q.apres.as_deref()).await?;
    show(&s, &v, Page::AdminAudit { page, filter }).await
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

pub async fn catalog(State(s): State<AppState>, v: Visit, Query(q): Query<CatalogQuery>) -> PageResult {
    let filter = app::pages::catalog::browse_filter(
        q.langue.as_deref(),
        q.format.as_deref(),
        q.prix.as_deref(),
        q.categorie.as_deref(),
        q.tri.as_deref(),
    );
    let role = v.user.as_ref().map(|u| u.role);
    let languages = s.catalog.languages(role).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "catalogue: language filter left out");
        Vec::new()
    });
    let listed = s.catalog.categories().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "catalogue: category tree left out");
        Vec::new()
    });
    let categories = domain::catalog::category_tree(&listed);
    // A chosen category can be followed from its catalogue.
    let chosen = filter.category.as_deref().and_then(|slug| listed.iter().find(|c| c.detail == slug));
    let follow = match chosen {
        Some(c) => {
            let here = app::pages::catalog::catalog_href(
                &domain::catalog::BookFilter { category: Some(c.detail.clone()), ..Default::default() },
                None,
            );
            Some(follow_box(&s, &v, FollowKind::Category, c, here).await?)
        }
        None => None,
    };
    let page = s.catalog.browse(&filter, q.apres.as_deref(), 20, role).await?;
    show(&s, &v, Page::Catalog { page, filter, cursor: q.apres, categories, languages, follow }).await
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

pub async fn search(State(s): State<AppState>, v: Visit, Query(q): Query<SearchQuery>) -> PageResult {
    let query: String = q.q.trim().chars().take(200).collect();
    let browse = app::pages::catalog::filter_from_query(q.langue.as_deref(), q.format.as_deref(), q.prix.as_deref());
    let filter = domain::search::SearchFilter::from(&browse);
    let page = q.page.and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).clamp(1, 500);
    if query.chars().count() < 3 {
        return show(&s, &v, Page::Search { query, filter, found: None, page }).await;
    }
    s.limiter.check(crate::rate_limit::SEARCH, &v.ip).map_err(|wait| WebError(HttpError::rate_limited(wait)))?;
    let per = app::pages::search::PER_PAGE;
    let found = s.catalog.search(&query, &filter, ((page - 1) * per) as usize, per as usize).await?;
    show(&s, &v, Page::Search { query, filter, found: Some(found), page }).await
}

#[derive(Deserialize, Default)]
pub struct BookQuery {
    /// The reviews' order (`utiles`, `recents`, `notes`) and where their page starts.
    avis: Option<String>,
    avis_apres: Option<String>,
}

pub async fn book(
    State(s): State<AppState>,
    v: Visit,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<BookQuery>,
) -> PageResult {
    let page = book_page(&s, &v, &id, &q).await?;
    show(&s, &v, page).await
}

/// A book's page as `v` sees it, its reviews in the order asked.
pub(crate) async fn book_page(s: &AppState, v: &Visit, id: &str, q: &BookQuery) -> Result<Page, WebError> {
    let book = s.catalog.book(id, v.user.as_ref().map(|u| u.role)).await?;
    let related = s.catalog.related(&book, 6).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "book page: related books left out");
        Vec::new()
    });
    // A paid book offers "buy" to those who cannot open it yet.
    let readable = s.reading.access_to_book(v.user.as_ref(), &book).await? == domain::reading::Access::Granted;
    let sort = q.avis.as_deref().and_then(app::pages::reviews::sort_from_word).unwrap_or_default();
    let reviews = match s.community.reviews_of(v.user.as_ref(), &book, sort, q.avis_apres.as_deref()).await {
        Ok(page) => Some(Box::new(page)),
        // A cursor that does not read: the first page.
        Err(domain::community::CommunityError::Invalid(_)) => {
            s.community.reviews_of(v.user.as_ref(), &book, sort, None).await.ok().map(Box::new)
        }
        Err(e) => {
            tracing::warn!(error = %e, "book page: reviews left out");
            None
        }
    };
    Ok(Page::Book { book: Box::new(book), related, readable, reviews })
}

#[derive(Deserialize)]
pub struct CursorQuery {
    apres: Option<String>,
}

async fn listed(s: AppState, v: Visit, kind: domain::catalog::Listing, id: String, cursor: Option<String>) -> PageResult {
    let (entry, page) = s.catalog.listed_with_books(kind, &id, cursor.as_deref(), v.user.as_ref().map(|u| u.role)).await?;
    let follow = match kind {
        domain::catalog::Listing::Authors => Some(follow_box(&s, &v, FollowKind::Author, &entry, format!("/auteurs/{}", entry.id)).await?),
        _ => None,
    };
    show(&s, &v, Page::Listed { kind, entry, page, follow }).await
}

/// The follow button of an author or a category, as the viewer sees it.
async fn follow_box(
    s: &AppState,
    v: &Visit,
    kind: FollowKind,
    entry: &domain::catalog::Listed,
    here: String,
) -> Result<FollowBox, WebError> {
    let following = match &v.user {
        Some(u) => Some(s.notifications.is_following(u, kind, &entry.id).await.map_err(|e| WebError(HttpError::from(e)))?),
        None => None,
    };
    Ok(FollowBox { kind, id: entry.id.clone(), name: entry.name.clone(), following, here })
}

/// `/auteurs/{id}`: an author and their books.
pub async fn author(
    State(s): State<AppState>,
    v: Visit,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<CursorQuery>,
) -> PageResult {
    listed(s, v, domain::catalog::Listing::Authors, id, q.apres).await
}

/// `/editeurs/{id}`: a publisher and their books.
pub async fn publisher(
    State(s): State<AppState>,
    v: Visit,
    axum::extract::Path(id): axum::extract::Path<String>,
    Query(q): Query<CursorQuery>,
) -> PageResult {
    listed(s, v, domain::catalog::Listing::Publishers, id, q.apres).await
}

pub async fn library(State(s): State<AppState>, v: Visit) -> PageResult {
    let library = s.reading.library(signed_in(&v)?).await?;
    show(&s, &v, Page::Library { library }).await
}

pub async fn not_found(State(s): State<AppState>, v: Visit) -> Response {
    render(&s, v.ctx(Page::NotFound), StatusCode::NOT_FOUND).await
}

/// `/admin/taches`: the background jobs that failed for good, with their error (admins).
pub async fn dead_jobs(State(s): State<AppState>, v: Visit) -> PageResult {
    signed_in(&v)?;
    let jobs = s.dead_jobs.list(&v.actor(), 100).await?;
    let backlog = s.jobs.backlog().await.map_err(|e| WebError(HttpError::new(domain::ErrorCode::Internal).caused_by(e)))?;
    show(&s, &v, Page::AdminJobs { jobs, waiting: backlog.ready + backlog.running }).await
}

pub async fn stats(State(s): State<AppState>, v: Visit) -> PageResult {
    let stats = s.reading.stats(signed_in(&v)?).await?;
    show(&s, &v, Page::Stats { stats }).await
}
