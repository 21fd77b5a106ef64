//! What the pages' forms POST to. Success redirects (303) with a notice; refusal renders the
//! same page again with what was typed and what was wrong. No WASM needed.

use super::errors::{PageResult, WebError};
use super::pages::signed_in;
use super::render::{redirect_with, render, safe_next};
use super::visit::{Visit, LANG_COOKIE, THEME_COOKIE};
use crate::error::HttpError;
use crate::rate_limit;
use crate::sessions::{SIGNED_IN_AT, USER_ID};
use crate::state::AppState;
use app::context::{Flash, FormState, Page};
use axum::extract::{Form, Path, State};
use axum::http::header::{HeaderValue, RETRY_AFTER, SET_COOKIE};
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::{NewAccount, ProfileChanges, Theme};
use domain::validation::Language;
use std::collections::HashMap;

type Fields = Form<HashMap<String, String>>;

fn get<'a>(f: &'a HashMap<String, String>, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

/// Echoes the named fields back (never passwords).
pub(crate) fn echo(f: &HashMap<String, String>, keys: &[&str]) -> Vec<(String, String)> {
    keys.iter().filter_map(|k| f.get(*k).map(|v| (k.to_string(), v.clone()))).collect()
}

/// The form's page again, with what was typed and what was wrong (our own failures logged once,
/// here: the visitor keeps what they typed rather than landing on the error page).
pub(crate) async fn refuse(
    s: &AppState,
    v: &Visit,
    page: Page,
    form: &'static str,
    values: Vec<(String, String)>,
    err: HttpError,
) -> Response {
    err.log();
    let mut ctx = v.ctx(page);
    ctx.form = Some(FormState { form, values, fields: err.fields, error: Some(err.code), retry_after_secs: err.retry_after, detail: None });
    let mut res = render(s, ctx, err.status).await;
    if let Some(secs) = err.retry_after {
        res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

/// Starts a signed-in session under a fresh id (no session fixation), with the layer's
/// lifetime (a visitor's notice-only session had a short one) and its absolute start.
async fn sign_in(v: &Visit, user_id: &str) -> Result<(), tower_sessions::session::Error> {
    v.session.cycle_id().await?;
    v.session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(crate::sessions::INACTIVITY)));
    v.session.insert(SIGNED_IN_AT, domain::clock::now_ms()).await?;
    v.session.insert(USER_ID, user_id).await
}

pub async fn login(State(s): State<AppState>, v: Visit, Form(f): Fields) -> PageResult {
    let values = echo(&f, &["email", "next"]);
    let email = get(&f, "email").trim().to_lowercase();
    match crate::guard::guarded_login(&s, &v.ip, &email, get(&f, "password")).await {
        Ok(user) => {
            sign_in(&v, &user.id).await.map_err(|e| WebError(HttpError::new(domain::ErrorCode::Internal).caused_by(e)))?;
            let to = safe_next(f.get("next").map(String::as_str).filter(|n| !n.is_empty()), "/");
            Ok(redirect_with(&v.session, &to, Some(Flash::SignedIn)).await)
        }
        Err(e) => Ok(refuse(&s, &v, Page::Login, "login", values, e).await),
    }
}

pub async fn register(State(s): State<AppState>, v: Visit, Form(f): Fields) -> Response {
    let values = echo(&f, &["email", "name", "country", "language"]);
    if let Err(wait) = s.limiter.check(rate_limit::REGISTER, &v.ip) {
        return refuse(&s, &v, Page::Register, "register", values, HttpError::rate_limited(wait)).await;
    }
    let form = NewAccount {
        email: get(&f, "email").into(),
        password: get(&f, "password").into(),
        name: get(&f, "name").into(),
        country: get(&f, "country").into(),
        language: f.get("language").cloned().or(Some(v.lang.as_str().into())),
    };
    // The same answer whether the address was free or not: see AccountService::register.
    match s.accounts.register(form, &v.ip).await {
        Ok(()) => redirect_with(&v.session, "/connexion", Some(Flash::Registered)).await,
        Err(e) => refuse(&s, &v, Page::Register, "register", values, e.into()).await,
    }
}

/// Ends the session. A visitor who is not signed in has nothing to end: no row is written.
pub async fn logout(v: Visit) -> Response {
    if v.user.is_none() {
        return Redirect::to("/").into_response();
    }
    let _ = v.session.flush().await;
    redirect_with(&v.session, "/", Some(Flash::SignedOut)).await
}

pub async fn profile(State(s): State<AppState>, v: Visit, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let changes = ProfileChanges {
        name: f.get("name").cloned(),
        country: f.get("country").cloned(),
        language: f.get("language").cloned(),
        avatar_url: f.get("avatar_url").cloned(),
        theme: f.get("theme").cloned(),
        // Chosen per category on /profil/notifications; the channel defaults stay as they are.
        notify_email: None,
        notify_sms: None,
        notify_push: None,
    };
    Ok(match s.accounts.update_profile(&user.id, changes, &v.ip).await {
        Ok(updated) => {
            // The interface language chosen in the profile stays after signing out.
            let mut res = redirect_with(&v.session, "/profil", Some(Flash::ProfileSaved)).await;
            let cookie = preference_cookie(LANG_COOKIE, updated.language.as_str(), s.config.secure_cookies);
            res.headers_mut().append(SET_COOKIE, cookie);
            res
        }
        Err(e) => {
            let values = echo(&f, &["name", "country", "language", "avatar_url", "theme"]);
            refuse(&s, &v, Page::Profile, "profile", values, e.into()).await
        }
    })
}

pub async fn change_password(State(s): State<AppState>, v: Visit, Form(f): Fields) -> PageResult {
    let user = signed_in(&v)?;
    let keep = v.session_id();
    Ok(match s.accounts.change_password(&user.id, get(&f, "current_password"), get(&f, "new_password"), keep.as_deref(), &v.ip).await {
        Ok(()) => redirect_with(&v.session, "/profil", Some(Flash::PasswordChanged)).await,
        Err(e) => refuse(&s, &v, Page::Profile, "password", vec![], e.into()).await,
    })
}

pub async fn resend_verification(v: Visit, State(s): State<AppState>) -> PageResult {
    s.accounts.send_verification(signed_in(&v)?).await;
    Ok(redirect_with(&v.session, "/profil", Some(Flash::VerificationSent)).await)
}

pub async fn forgot_password(State(s): State<AppState>, v: Visit, Form(f): Fields) -> Response {
    let values = echo(&f, &["email"]);
    let email = get(&f, "email").trim().to_lowercase();
    if let Err(wait) = crate::guard::reset_allowed(&s, &v.ip, &email) {
        let page = Page::ForgotPassword { sent: false };
        return refuse(&s, &v, page, "forgot", values, HttpError::rate_limited(wait)).await;
    }
    match s.accounts.forgot_password(&email).await {
        Ok(()) => render(&s, v.ctx(Page::ForgotPassword { sent: true }), axum::http::StatusCode::OK).await,
        Err(e) => refuse(&s, &v, Page::ForgotPassword { sent: false }, "forgot", values, e.into()).await,
    }
}

pub async fn reset_password(State(s): State<AppState>, v: Visit, Form(f): Fields) -> Response {
    let token = get(&f, "token").to_owned();
    match s.accounts.reset_password(&token, get(&f, "password"), &v.ip).await {
        Ok(_) => {
            // Every session of the account ended, this browser's too if it was signed in.
            let _ = v.session.flush().await;
            redirect_with(&v.session, "/connexion", Some(Flash::PasswordReset)).await
        }
        Err(e) => refuse(&s, &v, Page::ResetPassword { token }, "reset", vec![], e.into()).await,
    }
}

pub async fn set_role(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Fields) -> PageResult {
    let actor = signed_in(&v)?;
    let back = safe_next(f.get("back").map(String::as_str), "/admin/utilisateurs");
    match s.accounts.set_role(&v.actor(), &id, get(&f, "role")).await {
        Ok(_) => Ok(redirect_with(&v.session, &back, Some(Flash::RoleChanged)).await),
        Err(e) => {
            let page = s.accounts.list_users(actor, "", 1, 20).await?;
            Ok(refuse(&s, &v, Page::AdminUsers { page, search: String::new() }, "role", vec![], e.into()).await)
        }
    }
}

/// `POST /admin/taches/{id}/relancer`: a dead job runs again.
pub async fn retry_job(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    signed_in(&v)?;
    match s.dead_jobs.retry(&v.actor(), &id).await {
        Ok(()) => Ok(redirect_with(&v.session, "/admin/taches", Some(Flash::JobRetried)).await),
        // Another job already does this work: the page says so.
        Err(domain::jobs::JobsError::AlreadyWaiting) => {
            Ok(redirect_with(&v.session, "/admin/taches", Some(Flash::JobAlreadyWaiting)).await)
        }
        Err(e) => Err(e.into()),
    }
}

fn preference_cookie(name: &str, value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Remembers a preference: in a cookie for everyone, in the profile for a signed-in reader.
async fn remember(s: &AppState, v: &Visit, next: &str, cookie: &str, value: &str, changes: ProfileChanges) -> Response {
    if let Some(user) = &v.user {
        if let Err(e) = s.accounts.update_profile(&user.id, changes, &v.ip).await {
            tracing::warn!(error = %e, "preference not saved to the profile");
        }
    }
    let mut res = Redirect::to(next).into_response();
    res.headers_mut().append(SET_COOKIE, preference_cookie(cookie, value, s.config.secure_cookies));
    res
}

/// The language switcher.
pub async fn set_language(State(s): State<AppState>, v: Visit, Form(f): Fields) -> Response {
    let next = safe_next(f.get("next").map(String::as_str), "/");
    let Some(lang) = Language::from_tag(get(&f, "lang")) else { return Redirect::to(&next).into_response() };
    let changes = ProfileChanges { language: Some(lang.as_str().into()), ..Default::default() };
    remember(&s, &v, &next, LANG_COOKIE, lang.as_str(), changes).await
}

/// The theme switcher.
pub async fn set_theme(State(s): State<AppState>, v: Visit, Form(f): Fields) -> Response {
    let next = safe_next(f.get("next").map(String::as_str), "/");
    let Some(theme) = Theme::parse(get(&f, "theme")) else { return Redirect::to(&next).into_response() };
    let changes = ProfileChanges { theme: Some(theme.as_str().into()), ..Default::default() };
    remember(&s, &v, &next, THEME_COOKIE, theme.as_str(), changes).await
}
