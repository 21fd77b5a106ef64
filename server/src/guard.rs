//! What stands between a client and a password: the sign-in check with its failure back-off,
//! and the reset limits. The sign-in form and the REST API both go through here.

use crate::error::HttpError;
use crate::rate_limit;
use crate::state::AppState;

/// Checks a password for the sign-in form and the REST login alike. Only failures count, per
/// account and client together (see [`rate_limit::FailureBackoff`]): a stranger guessing at
/// a reader's account never locks that reader out, and each guesser meets a growing wait.
/// Every address is also held to [`rate_limit::LOGIN`] attempts a minute.
pub async fn guarded_login(s: &AppState, ip: &str, email: &str, password: &str) -> Result<domain::account::User, HttpError> {
    let key = rate_limit::account_client_key(email, ip);
    s.login_failures.check(&key).map_err(HttpError::rate_limited)?;
    s.limiter.check(rate_limit::LOGIN, ip).map_err(HttpError::rate_limited)?;
    match s.accounts.login(email, password).await {
        Ok(user) => {
            s.login_failures.succeeded(&key);
            Ok(user)
        }
        Err(e @ domain::account::AccountError::InvalidCredentials) => {
            s.login_failures.failed(&key);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Reset requests: a few per account from one address, more per address; never per account
/// alone, which would let anyone use up a reader's resets.
pub fn reset_allowed(s: &AppState, ip: &str, email: &str) -> Result<(), u64> {
    s.limiter.check(rate_limit::PASSWORD_RESET_CLIENT, ip)?;
    s.limiter.check(rate_limit::PASSWORD_RESET, &rate_limit::account_client_key(email, ip))
}
