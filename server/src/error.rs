//! The one place where domain errors become HTTP: a status, a code, the fields at fault.
//!
//! # Error policy
//!
//! - **Domain**: each area has one error enum (`AccountError`, `CatalogError`, `ReadingError`…)
//!   that says what went wrong in the area's words; store, file and index failures are wrapped
//!   as their own variants (`Store`, `Files`, `Search`) with the cause inside. The domain never
//!   logs a failure it returns.
//! - **HTTP**: every area error becomes an [`HttpError`] here, once (`From` impls below): a
//!   status, a code, the fields at fault, and — for failures that are ours, not the client's —
//!   the original error as `cause`. Converting does not log.
//! - **Handlers** return `Result<_, ApiError>` (REST) or `Result<Response, WebError>` (pages,
//!   forms); they use `?` and never swallow an error. A handler handles an error itself only
//!   when it has something better to show (a form again with its fields, a 404 page).
//! - **Logging happens once, when the response is made**: [`HttpError::log`] is called by
//!   `ApiError::into_response` and by the web's error-page middleware
//!   (`http::errors::error_pages`), with the request's span (its id, method and path). 5xx are
//!   logged at `error` with their cause, an unavailable index at `warn`, client errors (4xx)
//!   not at all. The HTTP trace layer does not log failures again.
//! - A part of a page that can be left out (related books, the language list) is logged at
//!   `warn` where it is left out, and the page is still served.

use axum::http::StatusCode;
use domain::account::AccountError;
use domain::error::{ErrorCode, FieldError};
use std::sync::Arc;

/// What went wrong underneath, kept for the log line.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// An error on its way to a client (REST as JSON, the web as an error page or a re-rendered form).
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// A finer reason for the client (e.g. why a file was refused: `zip_bomb`).
    pub detail: Option<&'static str>,
    /// The failure underneath an error that is ours (5xx): logged, never shown.
    pub cause: Option<Cause>,
}

impl HttpError {
    pub fn new(code: ErrorCode) -> Self {
        let status = match code {
            ErrorCode::ValidationError => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EmailTaken | ErrorCode::Conflict | ErrorCode::AccountMismatch => StatusCode::CONFLICT,
            ErrorCode::InvalidCredentials
            | ErrorCode::Unauthenticated
            | ErrorCode::TokenExpired
            | ErrorCode::InvalidToken
            | ErrorCode::InvalidSignature => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::NotEntitled => StatusCode::FORBIDDEN,
            ErrorCode::Unsupported => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::Unreadable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::SearchUnavailable | ErrorCode::PaymentUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            // The provider's decision on our request, not the client's mistake.
            ErrorCode::PaymentRefused => StatusCode::BAD_GATEWAY,
            ErrorCode::AlreadyOwned | ErrorCode::NotForSale | ErrorCode::AlreadyReviewed => StatusCode::CONFLICT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // An index that is down usually answers again within seconds (it restarts, or the
        // network comes back): clients may ask again then.
        let retry_after = matches!(code, ErrorCode::SearchUnavailable | ErrorCode::PaymentUnavailable).then_some(30);
        Self { status, code, fields: Vec::new(), retry_after, detail: None, cause: None }
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after), ..Self::new(ErrorCode::RateLimited) }
    }

    /// The same error, with what caused it underneath.
    pub fn caused_by(self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { cause: Some(Arc::new(cause)), ..self }
    }

    /// Writes the one log line of a failed request (see the policy above): ours at `error`,
    /// an index that does not answer at `warn`, the client's not at all.
    pub fn log(&self) {
        let cause = self.cause.as_ref().map(|c| c.to_string()).unwrap_or_default();
        if self.code == ErrorCode::SearchUnavailable {
            tracing::warn!(status = self.status.as_u16(), code = self.code.as_str(), cause = %cause, "search index unavailable");
        } else if matches!(self.code, ErrorCode::PaymentUnavailable | ErrorCode::PaymentRefused) {
            // A provider's outage or refusal: theirs to fix, ours to report.
            tracing::warn!(status = self.status.as_u16(), code = self.code.as_str(), cause = %cause, "payment provider failed");
        } else if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), code = self.code.as_str(), cause = %cause, "request failed");
        }
    }

    /// A request that could not be read at all (malformed JSON, wrong content type).
    pub fn bad_request(field: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            fields: vec![FieldError::new(field, domain::Reason::InvalidFormat)],
            ..Self::new(ErrorCode::ValidationError)
        }
    }
}

impl From<AccountError> for HttpError {
    fn from(e: AccountError) -> Self {
        let http = Self { fields: e.fields().to_vec(), ..Self::new(e.code()) };
        if http.code == ErrorCode::Internal {
            http.caused_by(e)
        } else {
            http
        }
    }
}

impl From<domain::catalog::CatalogError> for HttpError {
    fn from(e: domain::catalog::CatalogError) -> Self {
        use domain::catalog::CatalogError as C;
        match e {
            C::NotFound => Self::new(ErrorCode::NotFound),
            C::Forbidden => Self::new(ErrorCode::Forbidden),
            C::InUse => Self::new(ErrorCode::Conflict),
            C::Invalid(fields) => Self { fields, ..Self::new(ErrorCode::ValidationError) },
            C::Refused(why) => Self {
                fields: vec![FieldError::new("file", domain::Reason::InvalidFormat)],
                detail: Some(why.code()),
                ..Self::new(ErrorCode::ValidationError)
            },
            C::Search(e) => Self::new(ErrorCode::SearchUnavailable).caused_by(e),
            other @ (C::Store(_) | C::Files(_)) => Self::new(ErrorCode::Internal).caused_by(other),
        }
    }
}

impl From<domain::reading::ReadingError> for HttpError {
    fn from(e: domain::reading::ReadingError) -> Self {
        use domain::reading::ReadingError as R;
        match e {
            R::NotFound => Self::new(ErrorCode::NotFound),
            R::SignInRequired => Self::new(ErrorCode::Unauthenticated),
            R::NotEntitled => Self::new(ErrorCode::NotEntitled),
            R::Forbidden => Self::new(ErrorCode::Forbidden),
            R::Invalid(fields) => Self { fields, ..Self::new(ErrorCode::ValidationError) },
            R::Store(e) => Self::new(ErrorCode::Internal).caused_by(e),
        }
    }
}

impl From<domain::jobs::JobsError> for HttpError {
    fn from(e: domain::jobs::JobsError) -> Self {
        use domain::jobs::JobsError as J;
        match e {
            J::Forbidden => Self::new(ErrorCode::Forbidden),
            J::NotFound => Self::new(ErrorCode::NotFound),
            J::AlreadyWaiting => Self::new(ErrorCode::Conflict),
            J::Store(e) => Self::new(ErrorCode::Internal).caused_by(e),
        }
    }
}

impl From<domain::payment::PaymentError> for HttpError {
    fn from(e: domain::payment::PaymentError) -> Self {
        use domain::payment::PaymentError as P;
        match e {
            P::NotFound => Self::new(ErrorCode::NotFound),
            P::Forbidden => Self::new(ErrorCode::Forbidden),
            P::Invalid(fields) => Self { fields, ..Self::new(ErrorCode::ValidationError) },
            P::AlreadyOwned => Self::new(ErrorCode::AlreadyOwned),
            P::NotForSale | P::NotRefundable => Self::new(ErrorCode::NotForSale),
            P::Rejected(_) => Self::new(ErrorCode::InvalidSignature),
            e @ P::Unavailable(_) => Self::new(ErrorCode::PaymentUnavailable).caused_by(e),
            e @ P::Refused(_) => Self::new(ErrorCode::PaymentRefused).caused_by(e),
            P::Store(e) => Self::new(ErrorCode::Internal).caused_by(e),
        }
    }
}

impl From<domain::notification::NotificationError> for HttpError {
    fn from(e: domain::notification::NotificationError) -> Self {
        use domain::notification::NotificationError as N;
        match e {
            N::NotFound => Self::new(ErrorCode::NotFound),
            N::Forbidden => Self::new(ErrorCode::Forbidden),
            N::Invalid(fields) => Self { fields, ..Self::new(ErrorCode::ValidationError) },
            N::TooSoon(secs) => Self::rate_limited(secs),
            N::Store(e) => Self::new(ErrorCode::Internal).caused_by(e),
        }
    }
}

impl From<domain::community::CommunityError> for HttpError {
    fn from(e: domain::community::CommunityError) -> Self {
        use domain::community::CommunityError as C;
        match e {
            C::NotFound => Self::new(ErrorCode::NotFound),
            C::Forbidden => Self::new(ErrorCode::Forbidden),
            C::Invalid(fields) => Self { fields, ..Self::new(ErrorCode::ValidationError) },
            C::AlreadyReviewed => Self::new(ErrorCode::AlreadyReviewed),
            C::TooMany(secs) => Self::rate_limited(secs),
            C::Store(e) => Self::new(ErrorCode::Internal).caused_by(e),
        }
    }
}

impl From<domain::store::StoreError> for HttpError {
    fn from(e: domain::store::StoreError) -> Self {
        Self::new(ErrorCode::Internal).caused_by(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::catalog::CatalogError;
    use domain::search::SearchError;

    #[test]
    fn an_index_that_does_not_answer_is_a_503_to_retry_not_a_500() {
        let e = HttpError::from(CatalogError::Search(SearchError("meilisearch: connection refused".into())));
        assert_eq!((e.status, e.code, e.retry_after), (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::SearchUnavailable, Some(30)));
        assert_eq!(e.code.as_str(), "SEARCH_UNAVAILABLE");
        let e = HttpError::from(CatalogError::NotFound);
        assert_eq!((e.status, e.retry_after), (StatusCode::NOT_FOUND, None));
        assert!(e.cause.is_none(), "a client's error has no cause to log");
    }

    #[test]
    fn our_failures_keep_their_cause_for_the_log() {
        let e = HttpError::from(CatalogError::Store(domain::store::StoreError::Corrupt("disk I/O error".into())));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(e.cause.expect("kept").to_string().contains("disk I/O error"));
    }
}
