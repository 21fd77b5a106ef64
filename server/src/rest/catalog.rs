//! `/api/v1/catalog/…`: the catalogue for mobile clients.

use super::json::{ApiError, Lang};
use super::reading::ReaderAuth;
use crate::error::HttpError;
use crate::state::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::account::{Role, User};
use domain::catalog::{Book, BookFilter, BookStatus, CatalogError, Format, ImportOutcome, Listed, Listing, MetadataForm, Money, Sort};
use domain::error::{ErrorCode, FieldError, Reason};
use domain::validation::Language;
use serde::{Deserialize, Serialize};

/// A book as the API shows it: the domain's fields (camelCase), and where to get its cover and
/// file (the file answers 401/403 to those not entitled, and honours Range).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BookJson<'a> {
    #[serde(flatten)]
    book: &'a Book,
    cover_url: Option<String>,
    is_free: bool,
    file_url: String,
    /// The seed's `stats`: how many readers opened it, its average rating, its reviews.
    stats: Stats,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    downloads: i64,
    rating: Option<f64>,
    review_count: u32,
}

fn book_json(book: &Book) -> BookJson<'_> {
    BookJson {
        book,
        cover_url: book.cover_hash.as_ref().map(|h| format!("/files/covers/{h}")),
        is_free: book.is_free(),
        file_url: book.file_url(),
        stats: Stats { downloads: book.popularity, rating: book.rating(), review_count: book.rating_count },
    }
}

/// Where a page of a list is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    page: u32,
    limit: u32,
    total: u64,
    total_pages: u64,
}

impl Pagination {
    fn new(page: u32, limit: u32, total: u64) -> Self {
        Self { page, limit, total, total_pages: total.div_ceil(u64::from(limit.max(1))) }
    }
}

#[derive(Serialize)]
struct BookList<'a> {
    books: Vec<BookJson<'a>>,
    pagination: Pagination,
}

/// An author, publisher or category in the API's lists.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryJson<'a> {
    id: &'a str,
    name: &'a str,
    /// Authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    biography: Option<&'a str>,
    /// Authors (`null` without a photo).
    #[serde(skip_serializing_if = "Option::is_none")]
    photo_url: Option<Option<String>>,
    /// Categories.
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    /// Categories (`null` at the top of the tree).
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_id: Option<Option<&'a str>>,
    book_count: u64,
}

fn entry_json(kind: Listing, e: &Listed) -> EntryJson<'_> {
    let base = EntryJson { id: &e.id, name: &e.name, biography: None, photo_url: None, slug: None, parent_id: None, book_count: e.books };
    match kind {
        Listing::Authors => {
            EntryJson { biography: Some(&e.detail), photo_url: Some(e.photo.as_ref().map(|h| format!("/files/covers/{h}/320"))), ..base }
        }
        Listing::Categories => EntryJson { slug: Some(&e.detail), parent_id: Some(e.parent_id.as_deref()), ..base },
        Listing::Publishers => base,
    }
}

fn catalog_error(e: CatalogError, lang: Language) -> ApiError {
    ApiError::new(e, lang)
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    limit: Option<String>,
    language: Option<String>,
    format: Option<String>,
    free: Option<String>,
    category: Option<String>,
    sort: Option<String>,
    /// Words to look for: the books are then the search's, ranked by relevance.
    search: Option<String>,
}

fn invalid(field: &str, reason: Reason) -> HttpError {
    HttpError { fields: vec![FieldError::new(field, reason)], ..HttpError::bad_request(field) }
}

/// A value that was read but cannot be used (422), naming its field.
fn unusable(field: &str, reason: Reason) -> HttpError {
    HttpError { fields: vec![FieldError::new(field, reason)], ..HttpError::new(ErrorCode::ValidationError) }
}

/// The last page a listing or search serves (a million results at 100 a page): past it, the
/// offsets would only cost scans (and once overflowed `u32`).
pub const MAX_PAGE: u32 = 10_000;

/// `page` (1–[`MAX_PAGE`]) and `limit` (1–100) of a listing, with their defaults.
fn paging(page: Option<&str>, limit: Option<&str>, lang: Language) -> Result<(u32, u32), ApiError> {
    let page = match page.map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(p @ 1..)) if p <= u64::from(MAX_PAGE) => p as u32,
        Some(Ok(0)) | Some(Err(_)) => return Err(ApiError::new(invalid("page", Reason::InvalidFormat), lang)),
        Some(Ok(_)) => return Err(ApiError::new(invalid("page", Reason::OutOfRange), lang)),
    };
    let limit = match limit.map(str::parse::<u32>) {
        None => 20,
        Some(Ok(0)) => return Err(ApiError::new(invalid("limit", Reason::TooShort), lang)),
        Some(Ok(n)) if n > 100 => return Err(ApiError::new(invalid("limit", Reason::TooLong), lang)),
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(ApiError::new(invalid("limit", Reason::InvalidFormat), lang)),
    };
    Ok((page, limit))
}

/// The `free` filter: `true`/`1`, `false`/`0`, or absent.
fn free_filter(free: Option<&str>, lang: Language) -> Result<Option<bool>, ApiError> {
    match free {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(_) => Err(ApiError::new(invalid("free", Reason::InvalidFormat), lang)),
    }
}

fn search_allowed(s: &AppState, ip: &str, lang: domain::validation::Language) -> Result<(), ApiError> {
    s.limiter.check(crate::rate_limit::SEARCH, ip).map_err(|w| ApiError::new(crate::error::HttpError::rate_limited(w), lang))
}

pub async fn list(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ip: super::auth::Ip,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let (page, limit) = paging(q.page.as_deref(), q.limit.as_deref(), lang)?;
    let format = match q.format.as_deref() {
        None | Some("") => None,
        Some(f) => Some(Format::parse(f).ok_or_else(|| ApiError::new(invalid("format", Reason::Unknown), lang))?),
    };
    let free = free_filter(q.free.as_deref(), lang)?;
    let filter = BookFilter {
        language: q.language.filter(|l| !l.is_empty()).map(|l| l.chars().take(35).collect()),
        format,
        free,
        category: q.category.filter(|c| !c.is_empty()).map(|c| c.chars().take(100).collect()),
        sort: match q.sort.as_deref() {
            None | Some("") => Sort::Newest,
            Some(v) => Sort::parse(v).ok_or_else(|| ApiError::new(invalid("sort", Reason::Unknown), lang))?,
        },
        ..Default::default()
    };
    let search = q.search.as_deref().map(str::trim).filter(|w| !w.is_empty());
    if search.is_some() {
        search_allowed(&s, ip.as_str(), lang)?;
    }
    let (books, total) = match search {
        Some(words) if words.chars().count() > 200 => return Err(ApiError::new(invalid("search", Reason::TooLong), lang)),
        Some(words) => {
            let within = domain::search::SearchFilter::from(&filter);
            let offset = (u64::from(page) - 1) * u64::from(limit);
            let found = s.catalog.search(words, &within, offset as usize, limit as usize).await.map_err(|e| catalog_error(e, lang))?;
            (found.books, found.total)
        }
        None => {
            let result = s.catalog.page(&filter, page, limit).await.map_err(|e| catalog_error(e, lang))?;
            (result.books, result.total)
        }
    };
    Ok(Json(BookList { books: books.iter().map(book_json).collect(), pagination: Pagination::new(page, limit, total) }).into_response())
}

pub async fn detail(State(s): State<AppState>, Lang(lang): Lang, Path(id): Path<String>) -> Result<Response, ApiError> {
    let book = s.catalog.book(&id, None).await.map_err(|e| catalog_error(e, lang))?;
    Ok(Json(book_json(&book)).into_response())
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
    limit: Option<String>,
    language: Option<String>,
    format: Option<String>,
    free: Option<String>,
}

/// `GET /catalog/books/search/?q=` (at least 3 characters): ranked books with facet counts.
pub async fn search(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ip: super::auth::Ip,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    search_allowed(&s, ip.as_str(), lang)?;
    let query = q.q.unwrap_or_default();
    let n = query.trim().chars().count();
    if n < 3 {
        let reason = if n == 0 { Reason::Required } else { Reason::TooShort };
        return Err(ApiError::new(invalid("q", reason), lang));
    }
    if n > 200 {
        return Err(ApiError::new(invalid("q", Reason::TooLong), lang));
    }
    let (page, limit) = paging(q.page.as_deref(), q.limit.as_deref(), lang)?;
    let free = free_filter(q.free.as_deref(), lang)?;
    let filter = domain::search::SearchFilter {
        language: q.language.filter(|l| !l.is_empty()),
        format: q.format.filter(|f| !f.is_empty()),
        free,
        category: None,
    };
    let offset = ((u64::from(page) - 1) * u64::from(limit)) as usize;
    let found = s.catalog.search(query.trim(), &filter, offset, limit as usize).await.map_err(|e| catalog_error(e, lang))?;
    let counts = |v: &[(String, u64)]| v.iter().cloned().collect::<std::collections::BTreeMap<String, u64>>();
    let facets = Facets {
        language: counts(&found.facets.language),
        format: counts(&found.facets.format),
        free: counts(&found.facets.free),
        category: counts(&found.facets.category),
    };
    Ok(Json(Found { books: found.books.iter().map(book_json).collect(), facets, total: found.total }).into_response())
}

/// How many books of a search fall under each value of a filter.
#[derive(Serialize)]
struct Facets {
    language: std::collections::BTreeMap<String, u64>,
    format: std::collections::BTreeMap<String, u64>,
    free: std::collections::BTreeMap<String, u64>,
    category: std::collections::BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct Found<'a> {
    books: Vec<BookJson<'a>>,
    facets: Facets,
    total: u64,
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    q: Option<String>,
}

/// `GET /api/v1/catalog/suggest/?q=`: a few books for the search box as one types (from two
/// letters; fewer answer an empty list). Short-lived public cache: the same prefix typed by
/// many readers is answered once a minute.
pub async fn suggest(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ip: super::auth::Ip,
    Query(q): Query<SuggestQuery>,
) -> Result<Response, ApiError> {
    search_allowed(&s, ip.as_str(), lang)?;
    let query = q.q.unwrap_or_default();
    let query = query.trim();
    if query.chars().count() > 200 {
        return Err(ApiError::new(invalid("q", Reason::TooLong), lang));
    }
    let books = if query.chars().count() < 2 {
        Vec::new()
    } else {
        s.catalog.search(query, &Default::default(), 0, 6).await.map_err(|e| catalog_error(e, lang))?.books
    };
    let suggestions = books
        .iter()
        .map(|b| domain::wire::Suggestion {
            id: b.id.clone(),
            title: b.title.clone(),
            authors: b.author_names(),
            href: format!("/livres/{}", b.id),
        })
        .collect();
    let mut res = Json(domain::wire::Suggestions { suggestions }).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("public, max-age=60"));
    Ok(res)
}

// --- editors: add, change and remove books -------------------------------------------------

fn editor_role(user: &User, lang: Language) -> Result<Role, ApiError> {
    if user.role.can_edit_catalog() {
        Ok(user.role)
    } else {
        Err(ApiError::new(HttpError::new(ErrorCode::Forbidden), lang))
    }
}

/// `POST /catalog/books/` (multipart: `file`, optional `publish=true`): 201 with the new book
/// (a draft unless published), 200 with the one already holding these bytes.
pub async fn create(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: super::auth::Ip,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let role = editor_role(&user, lang)?;
    let by = domain::audit::Actor::user(&user, ip.as_str());
    let up = match crate::http::upload::read(&mut multipart, s.config.max_upload_bytes).await {
        Ok(up) => up,
        Err(crate::http::upload::UploadError::TooLarge) => {
            let e = HttpError { status: StatusCode::PAYLOAD_TOO_LARGE, detail: Some("too_large"), ..invalid("file", Reason::TooLong) };
            return Err(ApiError::new(e, lang));
        }
        Err(crate::http::upload::UploadError::Missing) => return Err(ApiError::new(unusable("file", Reason::Required), lang)),
    };
    let publish = matches!(up.fields.get("publish").map(String::as_str), Some("true" | "1" | "on"));
    let outcome = s.catalog.upload(&by, &up.bytes, &up.name).await.map_err(|e| catalog_error(e, lang))?;
    let (status, id) = match outcome {
        ImportOutcome::Created(book) => {
            tracing::info!(book = %book.id, by = %user.id, "book added through the API");
            (StatusCode::CREATED, book.id)
        }
        ImportOutcome::AlreadyPresent(id) => (StatusCode::OK, id),
    };
    let mut book = s.catalog.book(&id, Some(role)).await.map_err(|e| catalog_error(e, lang))?;
    if publish && status == StatusCode::CREATED {
        book = s.catalog.edit(&by, &id, BookStatus::Published, book.offer()).await.map_err(|e| catalog_error(e, lang))?;
    }
    Ok((status, Json(book_json(&book))).into_response())
}

/// What `PUT /catalog/books/{id}/` may change; absent fields keep their value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookChange {
    title: Option<String>,
    subtitle: Option<String>,
    description: Option<String>,
    language: Option<String>,
    isbn: Option<String>,
    published_date: Option<String>,
    /// Names, in order.
    authors: Option<Vec<String>>,
    publisher: Option<String>,
    /// Category paths (`"Fiction > Romans"`), made when missing.
    categories: Option<Vec<String>>,
    /// `draft` or `published`.
    status: Option<String>,
    /// In francs CFA (XOF), 0 for free.
    price: Option<i64>,
    featured: Option<bool>,
    /// Opened by Premium.
    premium: Option<bool>,
}

/// `PUT /catalog/books/{id}/`: corrects metadata, publishes or unpublishes, sets the offer.
pub async fn update(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: super::auth::Ip,
    Path(id): Path<String>,
    super::json::Body(change): super::json::Body<BookChange>,
) -> Result<Response, ApiError> {
    let role = editor_role(&user, lang)?;
    let by = domain::audit::Actor::user(&user, ip.as_str());
    let current = s.catalog.book(&id, Some(role)).await.map_err(|e| catalog_error(e, lang))?;
    let status = match change.status.as_deref() {
        None => current.status,
        Some("draft") => BookStatus::Draft,
        Some("published") => BookStatus::Published,
        Some(_) => return Err(ApiError::new(unusable("status", Reason::Unknown), lang)),
    };
    let price = match change.price {
        None => current.price.amount,
        Some(p) => domain::catalog::check_price(p).map_err(|reason| ApiError::new(unusable("price", reason), lang))?,
    };
    let touches_metadata = change.title.is_some()
        || change.subtitle.is_some()
        || change.description.is_some()
        || change.language.is_some()
        || change.isbn.is_some()
        || change.published_date.is_some()
        || change.authors.is_some()
        || change.publisher.is_some()
        || change.categories.is_some();
    if touches_metadata {
        let keep = |new: Option<String>, old: &str| new.unwrap_or_else(|| old.to_owned());
        let form = MetadataForm {
            title: keep(change.title, &current.title),
            subtitle: keep(change.subtitle, &current.subtitle),
            description: keep(change.description, &current.description),
            language: keep(change.language, &current.language),
            isbn: keep(change.isbn, current.isbn.as_deref().unwrap_or("")),
            published_date: keep(change.published_date, &current.published_date),
            authors: change
                .authors
                .map(|a| a.join("\n"))
                .unwrap_or_else(|| current.authors.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join("\n")),
            publisher: keep(change.publisher, current.publisher.as_ref().map(|p| p.name.as_str()).unwrap_or("")),
            categories: change.categories.map(|c| c.join("\n")),
        };
        s.catalog.correct(&by, &id, &form).await.map_err(|e| catalog_error(e, lang))?;
    }
    let book = s
        .catalog
        .edit(
            &by,
            &id,
            status,
            domain::catalog::Offer {
                price: Money::xof(price),
                featured: change.featured.unwrap_or(current.featured),
                premium: change.premium.unwrap_or(current.premium),
            },
        )
        .await
        .map_err(|e| catalog_error(e, lang))?;
    tracing::info!(book = %book.id, by = %user.id, "book changed through the API");
    Ok(Json(book_json(&book)).into_response())
}

/// `DELETE /catalog/books/{id}/`: 204; 409 when readers hold the book.
pub async fn remove(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: super::auth::Ip,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    editor_role(&user, lang)?;
    let book = s.catalog.delete(&domain::audit::Actor::user(&user, ip.as_str()), &id).await.map_err(|e| catalog_error(e, lang))?;
    tracing::info!(book = %book.id, title = %book.title, by = %user.id, "book deleted through the API");
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --- authors, publishers, categories -------------------------------------------------------

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    limit: Option<String>,
}

async fn listing(s: &AppState, lang: Language, q: PageQuery, kind: Listing) -> Result<Response, ApiError> {
    let (page, limit) = paging(q.page.as_deref(), q.limit.as_deref(), lang)?;
    let (list, total) = s.catalog.listing(kind, page, limit).await.map_err(|e| catalog_error(e, lang))?;
    let key = match kind {
        Listing::Authors => "authors",
        Listing::Publishers => "publishers",
        Listing::Categories => "categories",
    };
    let entries: Vec<EntryJson> = list.iter().map(|e| entry_json(kind, e)).collect();
    let mut body = serde_json::Map::new();
    body.insert(key.into(), serde_json::to_value(entries).unwrap_or_default());
    body.insert("pagination".into(), serde_json::to_value(Pagination::new(page, limit, total)).unwrap_or_default());
    Ok(Json(body).into_response())
}

/// `GET /catalog/authors/`: authors with published books, by name.
pub async fn authors(State(s): State<AppState>, Lang(lang): Lang, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    listing(&s, lang, q, Listing::Authors).await
}

/// `GET /catalog/publishers/`: publishers with published books, by name.
pub async fn publishers(State(s): State<AppState>, Lang(lang): Lang, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    listing(&s, lang, q, Listing::Publishers).await
}

/// `GET /catalog/categories/`: the category tree (each with its `parentId`), by name.
pub async fn categories(State(s): State<AppState>, Lang(lang): Lang, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    listing(&s, lang, q, Listing::Categories).await
}
