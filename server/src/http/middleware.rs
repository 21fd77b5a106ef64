//! Middleware: security headers, cache policy, same-origin form posts, request spans.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers every response carries. Pages set their own CSP (with a nonce); anything else gets
/// the strictest one.
pub async fn security_headers(State(secure): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    // Book content sets SAMEORIGIN: the reader frames it.
    if !h.contains_key(header::X_FRAME_OPTIONS) {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    }
    if secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// Hashed build assets are cached forever; everything else is revalidated.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if res.headers().contains_key(header::CACHE_CONTROL) || !res.status().is_success() {
        return res;
    }
    let value = if (path.starts_with("/pkg/") && is_hashed(&path)) || is_reader_build(&path) {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/pkg/") || path.ends_with(".svg") || path.ends_with(".png") {
        "public, max-age=3600, must-revalidate"
    } else {
        "no-cache"
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// cargo-leptos' `hash-files` names assets `name.<hash>.ext`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    file.split('.').count() >= 3 && file.split('.').nth(1).is_some_and(|h| h.len() >= 8 && h.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The reader's WASM lives under `/reader/<16 hex digits>/`, named by its content.
fn is_reader_build(path: &str) -> bool {
    path.strip_prefix("/reader/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(dir, _)| dir.len() == 16 && dir.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Refuses form posts sent from another site (a second line behind SameSite=Lax cookies).
pub async fn same_origin_forms(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        if let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if origin_host != host {
                return (StatusCode::FORBIDDEN, "cross-site form refused").into_response();
            }
        }
    }
    next.run(req).await
}

/// Each request's span carries its id, so every log line of a request can be found.
pub fn request_span(req: &axum::http::Request<Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names() {
        assert!(super::is_hashed("/pkg/coko.a1b2c3d4e5f6.css"));
        assert!(!super::is_hashed("/pkg/coko.css"));
        assert!(super::is_reader_build("/reader/0123456789abcdef/coko_reader_bg.wasm"));
        assert!(!super::is_reader_build("/reader/current"));
    }
}
