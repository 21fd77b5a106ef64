//! The dispatcher and the worker, in one loop per server process: new events become jobs, due
//! jobs are run by their handler. Woken at once by this process's commits, and every second
//! for what other processes (`coko import`, other servers) wrote.

use super::{jittered, retry_delay, Backlog, Handler, JobStore};
use crate::store::{StoreResult, UnitOfWork};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the queue is looked at when nothing woke it.
const POLL: Duration = Duration::from_secs(1);
/// How long done jobs and dispatched events are kept (for operators' questions).
const KEEP_FINISHED: Duration = Duration::from_secs(7 * 24 * 3600);

pub struct Runner {
    jobs: Arc<dyn JobStore>,
    units: Arc<dyn UnitOfWork>,
    handlers: Vec<Arc<dyn Handler>>,
    /// This worker's name on the jobs it claims.
    worker: String,
}

impl Runner {
    pub fn new<S: JobStore + UnitOfWork>(store: Arc<S>) -> Self {
        let worker = format!("{}-{}", std::process::id(), &uuid::Uuid::now_v7().simple().to_string()[20..]);
        Runner { jobs: store.clone(), units: store, handlers: Vec::new(), worker }
    }

    pub fn with(mut self, handler: Arc<dyn Handler>) -> Self {
        self.handlers.push(handler);
        self
    }

    pub async fn backlog(&self) -> StoreResult<Backlog> {
        self.jobs.backlog().await
    }

    /// Turns every new event into its jobs (one transaction per batch: the jobs and the
    /// events' dispatch mark together). Returns how many events.
    pub async fn dispatch(&self) -> StoreResult<usize> {
        let mut n = 0;
        loop {
            let mut tx = self.units.begin().await?;
            let events = self.jobs.claim_events(&mut tx, 100).await?;
            if events.is_empty() {
                return Ok(n);
            }
            for stored in &events {
                let Some(event) = &stored.event else {
                    tracing::warn!(event = stored.id, "an event of a kind this build does not know: dispatched to nobody");
                    continue;
                };
                for h in &self.handlers {
                    if let Some(job) = h.job_for(event) {
                        self.jobs.enqueue(&mut tx, &job).await?;
                    }
                }
            }
            tx.commit().await?;
            n += events.len();
        }
    }

    /// Runs the jobs due now, one after the other. Returns how many.
    pub async fn work(&self) -> StoreResult<usize> {
        let queues: Vec<(&str, Duration)> = self.handlers.iter().map(|h| (h.queue(), h.lease())).collect();
        let jobs = self.jobs.claim_jobs(&queues, &self.worker, crate::clock::now_ms(), 16).await?;
        for job in &jobs {
            let Some(handler) = self.handlers.iter().find(|h| h.queue() == job.queue).cloned() else { continue };
            let lease = handler.lease();
            // On a task of its own: a panicking handler fails its job, not the loop.
            let (h, j) = (handler, job.clone());
            let run = tokio::spawn(async move { tokio::time::timeout(lease, h.run(&j)).await });
            let outcome = match run.await {
                Ok(Ok(result)) => result,
                Ok(Err(_late)) => Err(format!("still running after its lease ({} s)", lease.as_secs())),
                Err(e) if e.is_panic() => Err("the handler panicked".into()),
                Err(e) => Err(e.to_string()),
            };
            let now = crate::clock::now_ms();
            match outcome {
                Ok(()) => {
                    if !self.jobs.complete_job(&job.id, &self.worker, now).await? {
                        tracing::warn!(job = %job.id, queue = %job.queue, "job done after its lease was taken over");
                    }
                }
                Err(error) if job.attempts < job.max_attempts => {
                    let at = now + jittered(retry_delay(job.attempts), rand::random::<f64>()).as_millis() as i64;
                    tracing::warn!(job = %job.id, queue = %job.queue, attempt = job.attempts, %error, "job failed; retried later");
                    self.jobs.fail_job(&job.id, &self.worker, &error, Some(at), now).await?;
                }
                Err(error) => {
                    tracing::error!(job = %job.id, queue = %job.queue, attempts = job.attempts, %error, "job failed for the last time: dead");
                    self.jobs.fail_job(&job.id, &self.worker, &error, None, now).await?;
                }
            }
        }
        Ok(jobs.len())
    }

    /// One round: dispatch, then work. Returns how many events and jobs were handled.
    pub async fn run_once(&self) -> StoreResult<usize> {
        Ok(self.dispatch().await? + self.work().await?)
    }

    /// Runs rounds until nothing is left to do (jobs waiting for a retry later excepted, as
    /// they are not due) or `patience` is over; returns what is left. For tests and tools.
    pub async fn settle(&self, patience: Duration) -> StoreResult<Backlog> {
        let started = Instant::now();
        loop {
            let n = self.run_once().await?;
            let left = self.backlog().await?;
            if (left.events == 0 && left.running == 0 && n == 0) || started.elapsed() > patience {
                return Ok(left);
            }
            if n == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    /// The loop a server runs until it stops.
    pub fn spawn(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let wake = self.units.wakeups();
            let mut purged = Instant::now();
            loop {
                match self.run_once().await {
                    Ok(0) => {
                        let _ = tokio::time::timeout(POLL, wake.notified()).await;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "job queue unreachable; trying again");
                        tokio::time::sleep(POLL).await;
                    }
                }
                if purged.elapsed() > Duration::from_secs(3600) {
                    purged = Instant::now();
                    let before = crate::clock::now_ms() - KEEP_FINISHED.as_millis() as i64;
                    if let Err(e) = self.jobs.purge_finished(before).await {
                        tracing::warn!(error = %e, "old jobs not purged");
                    }
                }
            }
        })
    }
}
