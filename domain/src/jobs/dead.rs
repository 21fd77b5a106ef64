//! Dead jobs, for admins: listed with their last error, and given a new run from the admin page.
//! A retry is a command like any other: the job revived and its audit line in one unit of work.

use super::{DeadJob, JobStore};
use crate::account::Role;
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::store::{StoreError, UnitOfWork};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("not allowed")]
    Forbidden,
    #[error("no such dead job")]
    NotFound,
    /// A job for the same work is already waiting: it does what this one would.
    #[error("a job with the same key is waiting")]
    AlreadyWaiting,
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// The queue's storage and its units of work.
pub trait QueueStore: JobStore + UnitOfWork {}
impl<T: JobStore + UnitOfWork> QueueStore for T {}

#[derive(Clone)]
pub struct DeadJobs {
    store: Arc<dyn QueueStore>,
}

impl DeadJobs {
    pub fn new(store: Arc<dyn QueueStore>) -> Self {
        Self { store }
    }

    /// The most recent dead jobs (admins only).
    pub async fn list(&self, by: &Actor, limit: u32) -> Result<Vec<DeadJob>, JobsError> {
        if by.role != Role::Admin {
            return Err(JobsError::Forbidden);
        }
        Ok(self.store.dead_jobs(limit).await?)
    }

    /// Gives a dead job a new run, audited (admins only).
    pub async fn retry(&self, by: &Actor, id: &str) -> Result<(), JobsError> {
        if by.role != Role::Admin {
            return Err(JobsError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        match self.store.revive_job(&mut tx, id, crate::clock::now_ms()).await? {
            None => return Err(JobsError::NotFound),
            Some(false) => return Err(JobsError::AlreadyWaiting),
            Some(true) => {}
        }
        tx.audit(&AuditEntry::new(by, AuditAction::JobRetried, id, id, None, None)).await?;
        tx.commit().await?;
        // The runner of this process is woken by the commit's own notice only for events: the
        // job is due now and is picked up at the next poll (a second at most).
        Ok(())
    }
}
