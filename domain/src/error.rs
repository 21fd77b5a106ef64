//! Error codes the UI and API clients translate. They are stable: renaming one is a breaking
//! change for mobile clients.

use serde::{Deserialize, Serialize};

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Required,
    TooShort,
    TooLong,
    InvalidFormat,
    Unknown,
    Mismatch,
    OutOfRange,
    /// Another one already has it (a name, a slug).
    Taken,
    /// An e-mail address whose owner has not confirmed it yet.
    Unverified,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Required => "required",
            Reason::TooShort => "too_short",
            Reason::TooLong => "too_long",
            Reason::InvalidFormat => "invalid_format",
            Reason::Unknown => "unknown",
            Reason::Mismatch => "mismatch",
            Reason::OutOfRange => "out_of_range",
            Reason::Taken => "taken",
            Reason::Unverified => "unverified",
        }
    }
}

/// A refused input: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub reason: Reason,
}

impl FieldError {
    pub fn new(field: &str, reason: Reason) -> Self {
        Self { field: field.to_owned(), reason }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason.as_str())
    }
}

/// Every error a client can be shown, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ValidationError,
    EmailTaken,
    InvalidCredentials,
    Unauthenticated,
    TokenExpired,
    InvalidToken,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    /// A paid book the reader has not bought.
    NotEntitled,
    /// A file format this feature does not handle yet.
    Unsupported,
    /// A stored file that cannot be opened.
    Unreadable,
    /// A write replayed by this device for an account that is not the one signed in now.
    AccountMismatch,
    /// The search index does not answer for now (the catalogue itself still does).
    SearchUnavailable,
    /// A payment provider is down or slow: the order is kept, try again.
    PaymentUnavailable,
    /// A payment provider refused the request.
    PaymentRefused,
    /// The reader already has what they tried to buy.
    AlreadyOwned,
    /// One review per reader and book: the reader has one already (edit it).
    AlreadyReviewed,
    /// Nothing to pay for (a free book), or nothing to refund.
    NotForSale,
    /// A webhook whose signature does not hold.
    InvalidSignature,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::EmailTaken => "EMAIL_TAKEN",
            ErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::TokenExpired => "TOKEN_EXPIRED",
            ErrorCode::InvalidToken => "INVALID_TOKEN",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::NotEntitled => "NOT_ENTITLED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::Unreadable => "UNREADABLE",
            ErrorCode::AccountMismatch => "ACCOUNT_MISMATCH",
            ErrorCode::SearchUnavailable => "SEARCH_UNAVAILABLE",
            ErrorCode::PaymentUnavailable => "PAYMENT_UNAVAILABLE",
            ErrorCode::PaymentRefused => "PAYMENT_REFUSED",
            ErrorCode::AlreadyOwned => "ALREADY_OWNED",
            ErrorCode::AlreadyReviewed => "ALREADY_REVIEWED",
            ErrorCode::NotForSale => "NOT_FOR_SALE",
            ErrorCode::InvalidSignature => "INVALID_SIGNATURE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}
