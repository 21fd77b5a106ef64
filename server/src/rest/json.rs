//! JSON in and out: a body extractor whose refusals use Coko's error shape, the error
//! response itself, and the bearer-token extractor.

use crate::error::HttpError;
use crate::http::visit::request_language;
use crate::jwt::TokenError;
use crate::state::AppState;
use app::components::form::{error_text, reason_text};
use app::i18n::texts;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{HeaderValue, AUTHORIZATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use domain::account::{AccountError, User};
use domain::error::ErrorCode;
use domain::validation::Language;
use serde::de::DeserializeOwned;
use serde_json::json;

/// An error answered as `{"error":{"code","message","details":{"field","reason"}}}`, in the
/// client's language.
pub struct ApiError {
    pub error: HttpError,
    pub lang: Language,
}

impl ApiError {
    pub fn new(error: impl Into<HttpError>, lang: Language) -> Self {
        Self { error: error.into(), lang }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The one log line of a failed call (see the policy in `crate::error`).
        self.error.log();
        let t = texts(self.lang);
        let e = &self.error;
        let mut message = error_text(t, e.code, e.retry_after);
        let details = e.fields.first().map(|f| {
            message = format!("{} : {}", app::components::form::field_label(t, &f.field), reason_text(t, f));
            json!({ "field": f.field, "reason": f.reason.as_str() })
        });
        let fields: Vec<_> = e.fields.iter().map(|f| json!({ "field": f.field, "reason": f.reason.as_str() })).collect();
        let mut body = json!({ "error": { "code": e.code.as_str(), "message": message, "details": details, "fields": fields } });
        if let Some(detail) = e.detail {
            // A refused file: say what is wrong with it, in the client's language.
            body["error"]["message"] =
                json!(format!("{} : {}", app::components::form::field_label(t, "file"), app::pages::admin_books::ingest_reason(t, detail)));
            body["error"]["detail"] = json!(detail);
        }
        let mut res = (e.status, axum::Json(body)).into_response();
        if let Some(secs) = e.retry_after {
            res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The client's language for messages.
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(request_language(&parts.headers)))
    }
}

/// A JSON body; malformed ones get a 400 in Coko's error shape.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = request_language(req.headers());
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(_) => Err(ApiError::new(HttpError::bad_request("body"), lang)),
        }
    }
}

/// The user named by a valid `Authorization: Bearer` access token.
pub struct Bearer(pub User);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = request_language(&parts.headers);
        let refuse = |code| ApiError::new(HttpError::new(code), lang);
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| refuse(ErrorCode::Unauthenticated))?;
        let claims = state.jwt.verify(token.trim()).map_err(|e| match e {
            TokenError::Expired => refuse(ErrorCode::TokenExpired),
            TokenError::Invalid => refuse(ErrorCode::InvalidToken),
        })?;
        // A store error is ours (500), never the client's token: it must not throw it away.
        let user = state.accounts.user_for_access(&claims.sub, &claims.fam).await.map_err(|e| match e {
            AccountError::Store(_) => ApiError::new(e, lang),
            _ => refuse(ErrorCode::InvalidToken),
        })?;
        Ok(Bearer(user))
    }
}

pub async fn not_found(Lang(lang): Lang) -> ApiError {
    ApiError::new(HttpError::new(ErrorCode::NotFound), lang)
}
