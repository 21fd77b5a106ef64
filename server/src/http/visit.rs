//! Who is asking, in which language and theme: resolved once per page request.

use crate::sessions::{FLASH, USER_ID};
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

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a proxy.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            return first.trim().to_owned();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The language of a request without a signed-in user: cookie, then `Accept-Language`.
pub fn request_language(headers: &HeaderMap) -> Language {
    cookie(headers, LANG_COOKIE)
        .and_then(Language::from_tag)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await.map_err(|e| (e.0, e.1))?;
        let user_id: Option<String> = session.get(USER_ID).await.ok().flatten();
        let user = match user_id {
            Some(id) => match state.accounts.user(&id).await {
                Ok(u) => Some(u),
                Err(_) => {
                    let _ = session.flush().await;
                    None
                }
            },
            None => None,
        };
        let flash = match session.remove::<String>(FLASH).await {
            Ok(Some(f)) => Flash::parse(&f),
            _ => None,
        };
        let lang = user.as_ref().map(|u| u.language).unwrap_or_else(|| request_language(&parts.headers));
        let theme = user
            .as_ref()
            .map(|u| u.preferences.theme)
            .or_else(|| cookie(&parts.headers, THEME_COOKIE).and_then(Theme::parse))
            .unwrap_or_default();
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let ip = client_ip(parts, state.config.trust_proxy);
        Ok(Self { session, user, lang, theme, path, ip, flash })
    }
}
