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
            ErrorCode::InvalidCredentials
            | ErrorCode::Unauthenticated
            | ErrorCode::TokenExpired
            | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::NotEntitled => StatusCode::FORBIDDEN,
            ErrorCode::Unsupported => StatusCode::NOT_IMPLEMENTED,
            ErrorCode::Unreadable => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self { status, code, fields: Vec::new(), retry_after: None, detail: None }
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
