//! Who is asking, in which language and theme: resolved once per page request.

use crate::sessions::{FLASH, SIGNED_IN_AT, USER_ID};
use crate::state::AppState;
use app::context::{Flash, Page, PageCtx};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use domain::account::{Theme, User};
use domain::validation::Language;
use std::net::SocketAddr;
use tower_sessions::Session;

pub const LANG_COOKIE: &str = "coko_lang";
pub const THEME_COOKIE: &str = "coko_theme";

/// A page request: the session, the signed-in user if any, and the reader's settings.
pub struct Visit {
    pub session: Session,
    pub user: Option<User>,
    pub lang: Language,
    pub theme: Theme,
    pub path: String,
    pub ip: String,
    pub flash: Option<Flash>,
    /// The reader's unread notifications, for the bell (pages only: 0 for forms).
    pub unread: u32,
    pub base_url: String,
}

impl Visit {
    /// The context for rendering `page`.
    pub fn ctx(&self, page: Page) -> PageCtx {
        PageCtx {
            lang: self.lang,
            theme: self.theme,
            viewer: self.user.clone(),
            path: self.path.clone(),
            flash: self.flash,
            form: None,
            page,
            unread: self.unread,
            base_url: self.base_url.clone(),
        }
    }

    /// Who acts, for the audit log (a visitor signed out acts as a reader: refused anyway).
    pub fn actor(&self) -> domain::audit::Actor {
        match &self.user {
            Some(u) => domain::audit::Actor::user(u, &self.ip),
            None => domain::audit::Actor { ip: self.ip.clone(), ..domain::audit::Actor::system(domain::account::Role::Reader) },
        }
    }

    pub fn session_id(&self) -> Option<String> {
        self.session.id().map(|id| id.to_string())
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address. Without proxies, the socket peer. Behind `proxies` trusted reverse
/// proxies, each of which appends the address it was reached from to `X-Forwarded-For`, the
/// client is the `proxies`-th hop from the right: everything left of it was written by the
/// client and proves nothing. A header with fewer hops than proxies is not trusted at all.
pub fn client_ip(parts: &Parts, proxies: u8) -> String {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into());
    if proxies == 0 {
        return peer;
    }
    forwarded_client(&parts.headers, proxies).unwrap_or(peer)
}

fn forwarded_client(headers: &HeaderMap, proxies: u8) -> Option<String> {
    // Several headers are one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
    let hop = hops.len().checked_sub(usize::from(proxies)).map(|i| hops[i])?;
    hop.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// A signed-in web session ends this long after the sign-in, however active.
pub const SESSION_ABSOLUTE_MS: i64 = 30 * 24 * 3600 * 1000;

/// Whether a session signed in at `signed_in_ms` (if it says) is still within its lifetime.
pub fn session_within_lifetime(signed_in_ms: Option<i64>, now_ms: i64) -> bool {
    signed_in_ms.is_some_and(|at| now_ms - at < SESSION_ABSOLUTE_MS)
}

/// The language of a request without a signed-in user: cookie, then `Accept-Language`.
pub fn request_language(headers: &HeaderMap) -> Language {
    cookie(headers, LANG_COOKIE)
        .and_then(Language::from_tag)
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Language::from_accept_language))
        .unwrap_or_default()
}

/// The account id signed in on `session`, if its sign-in is still within its lifetime (an
/// expired one is ended here).
pub async fn session_user(session: &Session) -> Option<String> {
    let user_id: Option<String> = session.get(USER_ID).await.ok().flatten();
    user_id.as_ref()?;
    let signed_in: Option<i64> = session.get(SIGNED_IN_AT).await.ok().flatten();
    if !session_within_lifetime(signed_in, domain::clock::now_ms()) {
        let _ = session.flush().await;
        return None;
    }
    user_id
}

/// A request that never shows the one-time notice, so must not use it up: the offline page
/// (fetched by the service worker while it installs — possibly between a sign-in's POST and
/// the page it redirects to) and prefetches. Fetches by the pages' own scripts (the upload
/// form's XHR follows its redirect and shows the page it gets) do read it.
fn background_fetch(parts: &Parts) -> bool {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    parts.uri.path() == "/hors-ligne"
        || header("sec-purpose").is_some_and(|p| p.contains("prefetch"))
        || header("purpose").is_some_and(|p| p.eq_ignore_ascii_case("prefetch"))
}

/// Who asks for one of a book's files (a part, a range of the file), without loading the
/// account: those come by the hundred, and the access check reads the account's role in its
/// own single statement (`ReadingService::readable_file`).
pub struct SessionViewer(pub Option<String>);

impl FromRequestParts<AppState> for SessionViewer {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let session = Session::from_request_parts(parts, state).await.map_err(|e| (e.0, e.1).into_response())?;
        Ok(Self(session_user(&session).await))
    }
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let session = Session::from_request_parts(parts, state).await.map_err(|e| (e.0, e.1).into_response())?;
        let user_id = session_user(&session).await;
        // An account that is gone ends its session; a database that does not answer does not
        // (the visitor is told to try again, still signed in once it is back).
        let mut unavailable = false;
        let user = match user_id {
            Some(id) => match state.accounts.user(&id).await {
                Ok(u) => Some(u),
                Err(domain::account::AccountError::NotFound) => {
                    let _ = session.flush().await;
                    None
                }
                Err(e) => {
                    tracing::error!(error = %e, "session's account not loaded: database unavailable");
                    unavailable = true;
                    None
                }
            },
            None => None,
        };
        // The offline page and prefetches leave the one-time notice for the page that shows it
        // (the service worker must not take "Vous êtes connecté." away from a sign-in).
        let shows_notice = !background_fetch(parts);
        let flash = match shows_notice {
            true => match session.remove::<String>(FLASH).await {
                Ok(Some(f)) => Flash::parse(&f),
                _ => None,
            },
            false => None,
        };
        // A visitor's session carries nothing but a notice (FLASH is the only key written
        // before sign-in): once the notice is read, the row goes.
        if shows_notice && user.is_none() && session.id().is_some() && !unavailable {
            let _ = session.flush().await;
        }
        let lang = user.as_ref().map(|u| u.language).unwrap_or_else(|| request_language(&parts.headers));
        let theme = user
            .as_ref()
            .map(|u| u.preferences.theme)
            .or_else(|| cookie(&parts.headers, THEME_COOKIE).and_then(Theme::parse))
            .unwrap_or_default();
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let ip = client_ip(parts, state.config.trusted_proxies);
        // The bell's count, for the pages that show it (a form's POST answers with a redirect).
        let unread = match (&user, parts.method == axum::http::Method::GET) {
            (Some(u), true) => state.notifications.unread(&u.id).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "unread notifications not counted: the bell shows none");
                0
            }),
            _ => 0,
        };
        let base_url = state.config.base_url.clone();
        let visit = Self { session, user, lang, theme, path, ip, flash, unread, base_url };
        if let Some(seen) = parts.extensions.get::<super::errors::Seen>() {
            seen.record(visit.ctx(Page::NotFound));
        }
        if unavailable {
            let page = visit.ctx(Page::Error { code: domain::ErrorCode::Internal });
            return Err(super::render::render(state, page, StatusCode::SERVICE_UNAVAILABLE).await);
        }
        Ok(visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_hop_the_trusted_proxies_appended() {
        // The client wrote "6.6.6.6"; the one proxy appended the real peer.
        assert_eq!(forwarded_client(&headers(&["6.6.6.6, 41.82.1.2"]), 1).as_deref(), Some("41.82.1.2"));
        assert_eq!(forwarded_client(&headers(&["6.6.6.6", "41.82.1.2"]), 1).as_deref(), Some("41.82.1.2"), "several headers are one list");
        // Two proxies: the outer one appended the client, the inner one the outer proxy.
        assert_eq!(forwarded_client(&headers(&["6.6.6.6, 41.82.1.2, 10.0.0.5"]), 2).as_deref(), Some("41.82.1.2"));
        assert_eq!(forwarded_client(&headers(&["41.82.1.2"]), 2), None, "fewer hops than proxies: not trusted");
        assert_eq!(forwarded_client(&headers(&["6.6.6.6, not-an-address"]), 1), None);
        assert_eq!(forwarded_client(&HeaderMap::new(), 1), None);
    }

    #[test]
    fn signed_in_sessions_have_an_absolute_lifetime() {
        let now = 100 * SESSION_ABSOLUTE_MS;
        assert!(session_within_lifetime(Some(now - 1000), now));
        assert!(!session_within_lifetime(Some(now - SESSION_ABSOLUTE_MS), now));
        assert!(!session_within_lifetime(None, now), "a session that does not say when it began is over");
    }
}
