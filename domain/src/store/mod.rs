//! Ports for persistent state, and their SQL adapters (SQLite and PostgreSQL, one code path).

use async_trait::async_trait;

pub(crate) mod rows;
pub(crate) mod sql;
pub(crate) mod tx;

pub use sql::{postgres_url_with_database, Backend, SqlStore};
pub use tx::Tx;

/// What can go wrong below the services.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the write (e.g. an e-mail already registered).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Where units of work begin: one transaction per command (see [`Tx`]).
#[async_trait]
pub trait UnitOfWork: Send + Sync + 'static {
    async fn begin(&self) -> StoreResult<Tx>;
    /// Woken when a unit of work that wrote events commits in this process (the dispatcher
    /// waits on it, and polls for other processes' events).
    fn wakeups(&self) -> std::sync::Arc<tokio::sync::Notify>;
}
