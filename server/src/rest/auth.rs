//! `/api/v1/auth/…`: the seed's authentication endpoints.

use super::json::{ApiError, Bearer, Body, Lang};
use crate::error::HttpError;
use crate::http::visit::client_ip;
use crate::jwt::ACCESS_TTL_SECS;
use crate::rate_limit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::account::{NewAccount, ProfileChanges, RefreshToken, User};
use serde::Deserialize;
use serde_json::json;

type ApiResult = Result<Response, ApiError>;

/// The client's address, for rate limits.
pub struct Ip(String);

impl Ip {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl axum::extract::FromRequestParts<AppState> for Ip {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Ip(client_ip(parts, state.config.trusted_proxies)))
    }
}

async fn tokens_for(s: &AppState, user: &User, lang: domain::validation::Language) -> Result<serde_json::Value, ApiError> {
    let refresh = s.accounts.issue_refresh_token(&user.id).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(token_body(s, user, &refresh))
}

fn token_body(s: &AppState, user: &User, refresh: &RefreshToken) -> serde_json::Value {
    let access = s.jwt.issue(&user.id, user.role.as_str(), &refresh.family, chrono::Utc::now().timestamp(), ACCESS_TTL_SECS);
    json!({
        "user": user,
        "access_token": access,
        "refresh_token": refresh.raw,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_SECS,
    })
}

#[derive(Deserialize)]
pub struct RegisterBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    country: String,
    language: Option<String>,
}

/// 202 with the same message whether the address was new or already had an account (whose
/// owner is mailed instead): registration does not tell who has an account. The client signs
/// in next with `/auth/login/`.
pub async fn register(State(s): State<AppState>, Lang(lang): Lang, Ip(ip): Ip, Body(b): Body<RegisterBody>) -> ApiResult {
    s.limiter.check(rate_limit::REGISTER, &ip).map_err(|w| ApiError::new(HttpError::rate_limited(w), lang))?;
    let form = NewAccount { email: b.email, password: b.password, name: b.name, country: b.country, language: b.language };
    s.accounts.register(form, &ip).await.map_err(|e| ApiError::new(e, lang))?;
    let message = app::i18n::texts(lang).register_sent;
    Ok((StatusCode::ACCEPTED, Json(json!({ "message": message }))).into_response())
}

#[derive(Deserialize)]
pub struct LoginBody {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn login(State(s): State<AppState>, Lang(lang): Lang, Ip(ip): Ip, Body(b): Body<LoginBody>) -> ApiResult {
    let user = crate::guard::guarded_login(&s, &ip, &b.email, &b.password).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(tokens_for(&s, &user, lang).await?).into_response())
}

#[derive(Deserialize)]
pub struct RefreshBody {
    #[serde(default)]
    refresh_token: String,
}

pub async fn refresh(State(s): State<AppState>, Lang(lang): Lang, Body(b): Body<RefreshBody>) -> ApiResult {
    let (user, next) = s.accounts.rotate_refresh_token(&b.refresh_token).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(token_body(&s, &user, &next)).into_response())
}

pub async fn logout(State(s): State<AppState>, Lang(lang): Lang, Body(b): Body<RefreshBody>) -> ApiResult {
    s.accounts.revoke_refresh_token(&b.refresh_token).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn profile(Bearer(user): Bearer) -> ApiResult {
    Ok(Json(json!({ "user": user })).into_response())
}

#[derive(Deserialize)]
pub struct ProfileBody {
    name: Option<String>,
    country: Option<String>,
    language: Option<String>,
    avatar_url: Option<String>,
    theme: Option<String>,
    notify_email: Option<bool>,
    notify_sms: Option<bool>,
    notify_push: Option<bool>,
}

pub async fn update_profile(
    State(s): State<AppState>,
    Lang(lang): Lang,
    Ip(ip): Ip,
    Bearer(user): Bearer,
    Body(b): Body<ProfileBody>,
) -> ApiResult {
    let changes = ProfileChanges {
        name: b.name,
        country: b.country,
        language: b.language,
        avatar_url: b.avatar_url,
        theme: b.theme,
        notify_email: b.notify_email,
        notify_sms: b.notify_sms,
        notify_push: b.notify_push,
    };
    let user = s.accounts.update_profile(&user.id, changes, &ip).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "user": user })).into_response())
}

#[derive(Deserialize)]
pub struct EmailBody {
    #[serde(default)]
    email: String,
}

pub async fn forgot_password(State(s): State<AppState>, Lang(lang): Lang, Ip(ip): Ip, Body(b): Body<EmailBody>) -> ApiResult {
    crate::guard::reset_allowed(&s, &ip, &b.email).map_err(|w| ApiError::new(HttpError::rate_limited(w), lang))?;
    s.accounts.forgot_password(&b.email).await.map_err(|e| ApiError::new(e, lang))?;
    let message = app::i18n::texts(lang).forgot_sent;
    Ok((StatusCode::ACCEPTED, Json(json!({ "message": message }))).into_response())
}

#[derive(Deserialize)]
pub struct ResetBody {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

pub async fn reset_password(State(s): State<AppState>, Lang(lang): Lang, Ip(ip): Ip, Body(b): Body<ResetBody>) -> ApiResult {
    let user = s.accounts.reset_password(&b.token, &b.password, &ip).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "user": user })).into_response())
}

#[derive(Deserialize)]
pub struct TokenBody {
    #[serde(default)]
    token: String,
}

pub async fn verify_email(State(s): State<AppState>, Lang(lang): Lang, Ip(ip): Ip, Body(b): Body<TokenBody>) -> ApiResult {
    let user = s.accounts.verify_email(&b.token, &ip).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "user": user })).into_response())
}
