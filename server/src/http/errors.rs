//! Failed pages: a handler returns `Err(WebError)`, and [`error_pages`] turns it into the error
//! page in the visitor's language (with their header: signed in or not), logging it once.
//! See the policy at the top of `crate::error`.

use super::render::render;
use super::visit::request_language;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{Page, PageCtx};
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::error::ErrorCode;
use std::sync::{Arc, Mutex};

/// What a page handler returns.
pub type PageResult = Result<Response, WebError>;

/// A page that failed: carried to [`error_pages`] inside an empty response.
#[derive(Debug)]
pub struct WebError(pub HttpError);

impl WebError {
    pub fn new(code: ErrorCode) -> Self {
        Self(HttpError::new(code))
    }
}

macro_rules! web_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for WebError {
            fn from(e: $t) -> Self {
                Self(e.into())
            }
        }
    )*};
}
web_error_from!(
    HttpError,
    domain::account::AccountError,
    domain::catalog::CatalogError,
    domain::reading::ReadingError,
    domain::jobs::JobsError,
    domain::payment::PaymentError,
    domain::notification::NotificationError,
    domain::store::StoreError
);

/// The error, waiting in the response's extensions for the middleware to render it.
#[derive(Clone)]
struct Failed(HttpError);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut res = self.0.status.into_response();
        res.extensions_mut().insert(Failed(self.0));
        res
    }
}

/// Who was asking, left by the `Visit` extractor for the error page (no second look-up).
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Option<PageCtx>>>);

impl Seen {
    pub fn record(&self, ctx: PageCtx) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(ctx);
        }
    }

    fn take(&self) -> Option<PageCtx> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Renders the page of a failed handler: sign-in for a visitor who must sign in, the "not found"
/// page, or the error page with what the visitor can do (wait, retry later).
pub async fn error_pages(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let seen = Seen::default();
    req.extensions_mut().insert(seen.clone());
    let headers = req.headers().clone();
    let path = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    let res = next.run(req).await;
    let Some(Failed(e)) = res.extensions().get::<Failed>().cloned() else { return res };
    e.log();
    if e.code == ErrorCode::Unauthenticated {
        return sign_in_to(&path);
    }
    let mut ctx = seen.take().unwrap_or_else(|| PageCtx {
        lang: request_language(&headers),
        theme: Default::default(),
        viewer: None,
        path: path.clone(),
        flash: None,
        form: None,
        page: Page::NotFound,
        unread: 0,
        base_url: s.config.base_url.clone(),
    });
    ctx.page = if e.code == ErrorCode::NotFound { Page::NotFound } else { Page::Error { code: e.code } };
    let mut page = render(&s, ctx, e.status).await;
    if let Some(secs) = e.retry_after {
        page.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    page
}

/// Sends a signed-out visitor to the sign-in page, with the way back to `path`.
pub fn sign_in_to(path: &str) -> Response {
    let next: String = path
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"/-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    Redirect::to(&format!("/connexion?next={next}")).into_response()
}

/// `Err` for a page only signed-in visitors see.
pub fn sign_in_first() -> WebError {
    WebError::new(ErrorCode::Unauthenticated)
}
