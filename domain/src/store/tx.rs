//! The unit of work: one transaction for one command — its rows, its audit entry and its events
//! together, or nothing. Begun from the store ([`SqlStore::begin`]); the areas' stores take it
//! for their writes; dropped without [`Tx::commit`], it rolls back.

use super::sql::{bind_all, Bind, SqlStore};
use super::StoreResult;
use crate::audit::AuditEntry;
use crate::events::Event;
use std::sync::Arc;
use tokio::sync::Notify;

pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    /// Events written (or jobs due now added): this process's queue is woken on commit.
    events: usize,
    wake: Arc<Notify>,
}

#[async_trait::async_trait]
impl super::UnitOfWork for SqlStore {
    /// Begins a unit of work. On SQLite the write lock is taken at once (`BEGIN IMMEDIATE`), so
    /// two commands that read then write never deadlock on upgrading their locks.
    async fn begin(&self) -> StoreResult<Tx> {
        let inner = match self.backend() {
            super::Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            super::Backend::Postgres => self.pool().begin().await?,
        };
        Ok(Tx { inner, events: 0, wake: self.wake.clone() })
    }

    fn wakeups(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

impl Tx {
    /// The transaction's connection, for the areas' SQL.
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }

    /// Adds a line to the audit journal, in this transaction.
    pub async fn audit(&mut self, e: &AuditEntry) -> StoreResult<()> {
        insert_audit(self.conn(), e).await
    }

    /// Records what happened, in this transaction: the dispatcher hands it on after commit.
    pub async fn event(&mut self, event: &Event) -> StoreResult<()> {
        let payload = serde_json::to_string(event).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        let sql = "INSERT INTO events (kind, payload, at) VALUES ($1, $2, $3)";
        bind_all(sqlx::query(sql), vec![Bind::Text(event.kind()), Bind::Text(&payload), Bind::Int(crate::clock::now_ms())])
            .execute(self.conn())
            .await?;
        self.events += 1;
        Ok(())
    }

    /// Wakes this process's job queue when the unit of work commits (a job due now was added).
    pub(crate) fn wake_on_commit(&mut self) {
        self.events += 1;
    }

    /// Ends the unit of work without keeping anything. Call it rather than dropping a `Tx`:
    /// on SQLite a dropped transaction's rollback is deferred, and the pooled connection can
    /// come back still inside it (`begin_with at non-zero transaction depth`, then "database
    /// is locked" for everyone).
    pub async fn rollback(self) -> StoreResult<()> {
        Ok(self.inner.rollback().await?)
    }

    pub async fn commit(self) -> StoreResult<()> {
        self.inner.commit().await?;
        if self.events > 0 {
            self.wake.notify_one();
        }
        Ok(())
    }
}

/// The one statement that writes an audit line (in a unit of work, or alone).
pub(crate) async fn insert_audit(conn: &mut sqlx::AnyConnection, e: &AuditEntry) -> StoreResult<()> {
    let sql = "INSERT INTO audit_log (id, at, actor_id, actor_email, action, target_id, target_label, before_json, after_json, ip) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let binds = vec![
        Bind::Text(&e.id),
        Bind::Int(e.at.timestamp_millis()),
        Bind::OptText(e.actor_id.as_deref()),
        Bind::Text(&e.actor_email),
        Bind::Text(e.action.as_str()),
        Bind::Text(&e.target_id),
        Bind::Text(&e.target_label),
        Bind::OptText(e.before.as_deref()),
        Bind::OptText(e.after.as_deref()),
        Bind::Text(&e.ip),
    ];
    bind_all(sqlx::query(sql), binds).execute(conn).await?;
    Ok(())
}
