//! The durable job queue, and the dispatcher that feeds it from domain events.
//!
//! A command writes its events in its own transaction ([`crate::store::Tx::event`]). The
//! dispatcher claims new events, asks every [`Handler`] which job it wants for each, and writes
//! those jobs and the events' dispatch mark in one transaction: an event becomes its jobs exactly
//! once, even with several servers. Workers claim due jobs with a lease; a worker killed mid-job
//! leaves it to be claimed again when the lease ends, so a job runs **at least once**: handlers
//! are idempotent (they read the current state, or check what they already did). A failing job
//! is retried with a growing delay, and kept as `dead` after its last attempt, for an operator.

#[cfg(feature = "ssr")]
mod dead;
#[cfg(feature = "ssr")]
mod queue;
#[cfg(feature = "ssr")]
mod runner;
#[cfg(feature = "ssr")]
mod sql;

#[cfg(feature = "ssr")]
pub use dead::{DeadJobs, JobsError, QueueStore};
#[cfg(feature = "ssr")]
pub use queue::*;
#[cfg(feature = "ssr")]
pub use runner::Runner;

/// A job that failed its last attempt, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadJob {
    pub id: String,
    pub queue: String,
    pub dedupe_key: String,
    pub attempts: u32,
    pub last_error: String,
    pub finished_at: chrono::DateTime<chrono::Utc>,
}
