//! Rendering a page with Leptos, and the redirects that follow a successful form.

use crate::state::AppState;
use app::context::{Flash, PageCtx};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;

/// Server-renders the whole document for `ctx` with the given status.
pub async fn render(state: &AppState, ctx: PageCtx, status: StatusCode) -> Response {
    let options = state.leptos.clone();
    let flash = ctx.flash.is_some();
    let cache = if ctx.page.is_private() { "no-store" } else { "private, no-cache" };
    let uri = if ctx.path.starts_with('/') { ctx.path.clone() } else { "/".into() };
    let handler = leptos_axum::render_app_async_with_context(move || provide_context(ctx.clone()), move || app::shell(options.clone()));
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap_or_default();
    let mut res = handler(req).await;
    *res.status_mut() = status;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
    if flash {
        // A one-time notice: the service worker must not show it again from its copy.
        res.headers_mut().insert("coko-once", header::HeaderValue::from_static("1"));
    }
    res
}

/// A 303 to `to`, leaving a one-time notice in the session.
pub async fn redirect_with(session: &Session, to: &str, flash: Option<Flash>) -> Response {
    if let Some(f) = flash {
        let _ = session.insert(crate::sessions::FLASH, f.as_str()).await;
        // A visitor's session holds nothing but the notice: it need not outlive its display.
        if session.get::<String>(crate::sessions::USER_ID).await.ok().flatten().is_none() {
            session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(time::Duration::minutes(10))));
        }
    }
    Redirect::to(to).into_response()
}

/// Only local paths are followed after a form, never another site.
pub fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => default.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/profil"), "/"), "/profil");
        assert_eq!(safe_next(Some("//evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("https://evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("/\\evil.example"), "/"), "/");
        assert_eq!(safe_next(None, "/x"), "/x");
    }
}
