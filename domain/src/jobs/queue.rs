//! The queue's model, its storage port and the handlers' contract (server side).

use super::DeadJob;
use crate::events::{Event, StoredEvent};
use crate::store::{StoreResult, Tx};
use async_trait::async_trait;
use std::time::Duration;

/// A job to add: to `queue`, at most one waiting per `dedupe_key` (a second one while the first
/// still waits is dropped: it would do the same work).
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub queue: &'static str,
    pub payload: serde_json::Value,
    pub dedupe_key: String,
    pub max_attempts: u32,
    /// Not before this time (ms).
    pub run_at_ms: i64,
}

impl NewJob {
    /// A job due now, tried up to [`DEFAULT_ATTEMPTS`] times.
    pub fn now(queue: &'static str, dedupe_key: impl Into<String>, payload: serde_json::Value) -> Self {
        NewJob { queue, payload, dedupe_key: dedupe_key.into(), max_attempts: DEFAULT_ATTEMPTS, run_at_ms: crate::clock::now_ms() }
    }
}

pub const DEFAULT_ATTEMPTS: u32 = 10;

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub queue: String,
    pub payload: serde_json::Value,
    /// This one included.
    pub attempts: u32,
    pub max_attempts: u32,
}

/// How many jobs are where (for `/ready`, metrics and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Events not yet turned into jobs.
    pub events: u64,
    pub ready: u64,
    pub running: u64,
    pub dead: u64,
}

impl Backlog {
    /// Nothing left to do (dead jobs wait for an operator, not for a worker).
    pub fn is_idle(&self) -> bool {
        self.events == 0 && self.ready == 0 && self.running == 0
    }
}

/// An area's reaction to events: which job it wants for an event, and how to run it.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The queue it works; jobs in it are run by this handler only.
    fn queue(&self) -> &'static str;
    /// The job wanted for `event`, if any (none: a queue filled by a service, not by events).
    fn job_for(&self, _event: &Event) -> Option<NewJob> {
        None
    }
    /// Does the work. An error is retried later (its text is kept on the job).
    async fn run(&self, job: &Job) -> Result<(), String>;
    /// How long a run may take before another worker may claim the job again.
    fn lease(&self) -> Duration {
        Duration::from_secs(300)
    }
}

/// The queue's storage.
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Claims up to `limit` events not dispatched yet, oldest first, in `tx`; another
    /// dispatcher's concurrent claim gets other events.
    async fn claim_events(&self, tx: &mut Tx, limit: u32) -> StoreResult<Vec<StoredEvent>>;
    /// Adds a job in `tx` (a command's own, or the dispatcher's); false when one with its key
    /// was already waiting.
    async fn enqueue(&self, tx: &mut Tx, job: &NewJob) -> StoreResult<bool>;
    /// Claims up to `limit` due jobs of `queues` for `worker`, each until `now + lease` of its
    /// queue; a running job whose lease is over is due again.
    async fn claim_jobs(&self, queues: &[(&str, Duration)], worker: &str, now_ms: i64, limit: u32) -> StoreResult<Vec<Job>>;
    /// A claimed job is done (false when the lease was lost to another worker meanwhile).
    async fn complete_job(&self, id: &str, worker: &str, now_ms: i64) -> StoreResult<bool>;
    /// A claimed job failed: again at `retry_at_ms`, or dead when `None`.
    async fn fail_job(&self, id: &str, worker: &str, error: &str, retry_at_ms: Option<i64>, now_ms: i64) -> StoreResult<bool>;
    async fn backlog(&self) -> StoreResult<Backlog>;
    /// The dead jobs, the most recent first.
    async fn dead_jobs(&self, limit: u32) -> StoreResult<Vec<DeadJob>>;
    /// Gives a dead job a new run (attempts from zero, due now) in `tx`: `Ok(None)` when there
    /// is no such dead job, `Ok(Some(false))` when a job with its key is already waiting (that one
    /// does the work).
    async fn revive_job(&self, tx: &mut Tx, id: &str, now_ms: i64) -> StoreResult<Option<bool>>;
    /// Forgets jobs finished (done) before `before_ms` and dispatched events older than it.
    async fn purge_finished(&self, before_ms: i64) -> StoreResult<u64>;
}

/// The delay before attempt `attempts + 1`: 5 s, doubling, at most an hour.
pub fn retry_delay(attempts: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(10))).min(Duration::from_secs(3600))
}

/// [`retry_delay`] spread by ±20 % at random (`spread` in `[0, 1)`), so jobs that failed together
/// (a provider's outage) do not all come back in the same second.
pub fn jittered(delay: Duration, spread: f64) -> Duration {
    delay.mul_f64(0.8 + 0.4 * spread.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::from_secs(5));
        assert_eq!(retry_delay(2), Duration::from_secs(10));
        assert_eq!(retry_delay(5), Duration::from_secs(80));
        assert_eq!(retry_delay(30), Duration::from_secs(3600));
    }

    #[test]
    fn retries_are_spread_around_their_delay() {
        let d = Duration::from_secs(100);
        assert_eq!(jittered(d, 0.0), Duration::from_secs(80));
        assert_eq!(jittered(d, 0.5), Duration::from_secs(100));
        assert!(jittered(d, 0.999) < Duration::from_secs(120));
        assert_eq!(jittered(d, 7.0), Duration::from_secs(120), "out of range is clamped");
    }
}
