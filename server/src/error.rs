//! The one place where domain errors become HTTP: a status, a code, the fields at fault.

use axum::http::StatusCode;
use domain::account::AccountError;
use domain::error::{ErrorCode, FieldError};

/// An error on its way to a client (REST as JSON, the web as a re-rendered form).
#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
    /// A finer reason for the client (e.g. why a file was refused: `zip_bomb`).
    pub detail: Option<&'static str>,
}

impl HttpError {
    pub fn new(code: ErrorCode) -> Self {
        let status = match code {
            ErrorCode::ValidationError => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EmailTaken | ErrorCode::Conflict | ErrorCode::AccountMismatch => StatusCode::CONFLICT,
            ErrorCode::InvalidCredentials | ErrorCode::Unauthenticated | ErrorCode::TokenExpired | ErrorCode::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            ErrorCode::Forbidden | ErrorCode::NotEntitled => StatusCode::FORBIDDEN,
            ErrorCode::Unsupported => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::Unreadable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::SearchUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // An index that is down usually answers again within seconds (it restarts, or the
        // network comes back): clients may ask again then.
        let retry_after = (code == ErrorCode::SearchUnavailable).then_some(30);
        Self { status, code, fields: Vec::new(), retry_after, detail: None }
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self { retry_after: Some(retry_after), ..Self::new(ErrorCode::RateLimited) }
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
        if e.code() == ErrorCode::Internal {
            tracing::error!(error = %e, "internal error");
        }
        Self { fields: e.fields().to_vec(), ..Self::new(e.code()) }
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
            C::Search(e) => {
                tracing::warn!(error = %e, "search index unavailable");
                Self::new(ErrorCode::SearchUnavailable)
            }
            other => {
                tracing::error!(error = %other, "catalogue error");
                Self::new(ErrorCode::Internal)
            }
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
            R::Store(e) => {
                tracing::error!(error = %e, "reading store failed");
                Self::new(ErrorCode::Internal)
            }
        }
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
    }
}
