//! The accounts' port: users, one-time and refresh tokens, web sessions.

use super::{Preferences, Role, User};
use crate::store::{StoreResult, Tx, UnitOfWork};
use async_trait::async_trait;

/// A user as stored, with the password hash the services need.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
}

/// The fields a profile edit may change.
#[derive(Debug, Clone)]
pub struct ProfileRecord {
    pub name: String,
    pub country: String,
    pub language: String,
    pub avatar_url: Option<String>,
    pub preferences: Preferences,
}

/// Outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// First use of a live token: it is now spent. `family_expires_ms` is the family's end,
    /// which its successor keeps.
    Valid { user_id: String, family_id: String, family_expires_ms: i64 },
    /// The token was already spent or revoked: its family must be revoked.
    Reused { family_id: String },
    /// Expired.
    Expired,
    /// Never issued.
    Unknown,
}

/// Accounts, one-time tokens, refresh tokens and web sessions.
#[async_trait]
/// Writes take the command's unit of work ([`Tx`]); web sessions (written on every request by
/// the session layer) do not.
pub trait AccountStore: UnitOfWork {
    async fn insert_user(&self, tx: &mut Tx, user: &User, password_hash: &str) -> StoreResult<()>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// A user as this unit of work sees it.
    async fn user_in(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;
    async fn update_profile(&self, tx: &mut Tx, id: &str, profile: &ProfileRecord, now_ms: i64) -> StoreResult<bool>;
    async fn set_password_hash(&self, tx: &mut Tx, id: &str, hash: &str, now_ms: i64) -> StoreResult<bool>;
    async fn mark_email_verified(&self, tx: &mut Tx, id: &str, now_ms: i64) -> StoreResult<bool>;
    async fn set_role(&self, tx: &mut Tx, id: &str, role: Role, now_ms: i64) -> StoreResult<bool>;
    /// Users whose name or e-mail contains `search` (case-insensitive), newest first.
    async fn list_users(&self, search: &str, limit: u32, offset: u64) -> StoreResult<(Vec<User>, u64)>;
    /// How many admins there are, counted in `tx` so that no concurrent demotion slips past.
    async fn count_admins(&self, tx: &mut Tx) -> StoreResult<u64>;

    async fn insert_one_time_token(&self, tx: &mut Tx, hash: &str, user_id: &str, purpose: &str, expires_ms: i64) -> StoreResult<()>;
    /// When the newest token of `purpose` was made for the user, if any.
    async fn last_one_time_token_at(&self, user_id: &str, purpose: &str) -> StoreResult<Option<i64>>;
    /// Spends a live token atomically; `None` when unknown, spent or expired.
    async fn consume_one_time_token(&self, tx: &mut Tx, hash: &str, purpose: &str, now_ms: i64) -> StoreResult<Option<String>>;

    /// Stores a refresh token that lives until `expires_ms`, in a family that ends at
    /// `family_expires_ms` whatever its refreshes.
    async fn insert_refresh_token(
        &self,
        tx: &mut Tx,
        hash: &str,
        user_id: &str,
        family_id: &str,
        expires_ms: i64,
        family_expires_ms: i64,
    ) -> StoreResult<()>;
    /// Whether a family is neither revoked nor over: access tokens of a dead family are refused.
    async fn refresh_family_live(&self, family_id: &str, now_ms: i64) -> StoreResult<bool>;
    async fn use_refresh_token(&self, tx: &mut Tx, hash: &str, now_ms: i64) -> StoreResult<RefreshUse>;
    async fn revoke_refresh_family(&self, tx: &mut Tx, family_id: &str, now_ms: i64) -> StoreResult<()>;
    async fn revoke_user_refresh_tokens(&self, tx: &mut Tx, user_id: &str, now_ms: i64) -> StoreResult<()>;

    async fn load_session(&self, id: &str, now_ms: i64) -> StoreResult<Option<Vec<u8>>>;
    async fn save_session(&self, id: &str, user_id: Option<&str>, data: &[u8], expires_ms: i64) -> StoreResult<()>;
    /// Inserts a session only if the id is free; false on collision.
    async fn create_session(&self, id: &str, user_id: Option<&str>, data: &[u8], expires_ms: i64) -> StoreResult<bool>;
    async fn delete_session(&self, id: &str) -> StoreResult<()>;
    /// Ends every session of a user but `keep` (the one that changed the password).
    async fn delete_user_sessions(&self, tx: &mut Tx, user_id: &str, keep: Option<&str>) -> StoreResult<u64>;
    async fn delete_expired_sessions(&self, now_ms: i64) -> StoreResult<u64>;

    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
}
