//! The queue's SQL, written once for SQLite and PostgreSQL. Claims are single statements that
//! re-check their condition on the rows they change, so two workers (or dispatchers) racing for
//! the same rows get different ones: on PostgreSQL the second waits for the first's row locks
//! and then finds the rows no longer claimable; SQLite runs one writer at a time. On
//! PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`: a second server passes over the rows
//! another is claiming and takes the next ones, instead of queueing behind its locks.

use super::{Backlog, DeadJob, Job, JobStore, NewJob};
use crate::events::StoredEvent;
use crate::store::sql::{bind_all, conflict_or, Bind};
use crate::store::{SqlStore, StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::Row;
use std::time::Duration;

/// A job is due: waiting and its time has come, or running with its lease over (its worker died).
const DUE: &str = "((state = 'ready' AND run_at <= $2) OR (state = 'running' AND locked_until < $2))";

/// Another job with the same key is running under a live lease: this one waits for it, so two
/// workers never run the same key's jobs at once (a late one would write an older state).
const BUSY: &str = "SELECT 1 FROM jobs r WHERE r.queue = jobs.queue AND r.dedupe_key = jobs.dedupe_key \
                    AND r.state = 'running' AND r.locked_until >= $2 AND r.id <> jobs.id";

fn job_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Job> {
    let payload: String = r.try_get("payload")?;
    Ok(Job {
        id: r.try_get("id")?,
        queue: r.try_get("queue")?,
        payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("job payload: {e}")))?,
        attempts: r.try_get::<i64, _>("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
        max_attempts: r.try_get::<i64, _>("max_attempts")?.clamp(1, i64::from(u32::MAX)) as u32,
    })
}

#[async_trait]
impl JobStore for SqlStore {
    async fn claim_events(&self, tx: &mut Tx, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        let skip = self.row_lock(true);
        let sql = format!(
            "UPDATE events SET dispatched_at = $1 WHERE dispatched_at IS NULL AND id IN \
             (SELECT id FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $2{skip}) RETURNING id, payload, at"
        );
        let now = crate::clock::now_ms();
        let rows =
            bind_all(sqlx::query(&sql), vec![Bind::Int(now), Bind::Int(i64::from(limit.clamp(1, 1000)))]).fetch_all(tx.conn()).await?;
        let mut events = rows
            .iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                Ok(StoredEvent { id: r.try_get("id")?, at_ms: r.try_get("at")?, event: serde_json::from_str(&payload).ok() })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        events.sort_by_key(|e| e.id);
        Ok(events)
    }

    async fn enqueue(&self, tx: &mut Tx, job: &NewJob) -> StoreResult<bool> {
        let sql = "INSERT INTO jobs (id, queue, payload, dedupe_key, state, attempts, max_attempts, run_at, created_at) \
                   VALUES ($1, $2, $3, $4, 'ready', 0, $5, $6, $7) ON CONFLICT DO NOTHING";
        let (id, payload) = (uuid::Uuid::now_v7().to_string(), job.payload.to_string());
        let binds = vec![
            Bind::Text(&id),
            Bind::Text(job.queue),
            Bind::Text(&payload),
            Bind::Text(&job.dedupe_key),
            Bind::Int(i64::from(job.max_attempts.max(1))),
            Bind::Int(job.run_at_ms),
            Bind::Int(crate::clock::now_ms()),
        ];
        let added = bind_all(sqlx::query(sql), binds).execute(tx.conn()).await?.rows_affected() == 1;
        if added && job.run_at_ms <= crate::clock::now_ms() {
            // Due now: this process's worker starts on it at commit, not at its next poll.
            tx.wake_on_commit();
        }
        Ok(added)
    }

    async fn claim_jobs(&self, queues: &[(&str, Duration)], worker: &str, now_ms: i64, limit: u32) -> StoreResult<Vec<Job>> {
        let mut claimed = Vec::new();
        for (queue, lease) in queues {
            let left = limit.saturating_sub(claimed.len() as u32);
            if left == 0 {
                break;
            }
            let sql = format!(
                "UPDATE jobs SET state = 'running', locked_by = $3, locked_until = $4, attempts = attempts + 1 \
                 WHERE {DUE} AND queue = $1 AND id IN (SELECT id FROM jobs WHERE queue = $1 AND {DUE} AND NOT EXISTS ({BUSY}) \
                 ORDER BY run_at, id LIMIT $5{skip}) \
                 RETURNING id, queue, payload, attempts, max_attempts",
                skip = self.row_lock(true)
            );
            let until = now_ms.saturating_add(lease.as_millis().min(i64::MAX as u128) as i64);
            let binds = vec![Bind::Text(queue), Bind::Int(now_ms), Bind::Text(worker), Bind::Int(until), Bind::Int(i64::from(left))];
            for r in bind_all(sqlx::query(&sql), binds).fetch_all(self.pool()).await? {
                claimed.push(job_from_row(&r)?);
            }
        }
        Ok(claimed)
    }

    async fn complete_job(&self, id: &str, worker: &str, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE jobs SET state = 'done', finished_at = $3, locked_by = NULL, locked_until = NULL \
                   WHERE id = $1 AND locked_by = $2 AND state = 'running'";
        let done = bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::Text(worker), Bind::Int(now_ms)]).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn fail_job(&self, id: &str, worker: &str, error: &str, retry_at_ms: Option<i64>, now_ms: i64) -> StoreResult<bool> {
        let error: String = error.chars().take(2000).collect();
        let mine = "WHERE id = $1 AND locked_by = $2 AND state = 'running'";
        let (sql, binds) = match retry_at_ms {
            Some(at) => (
                format!("UPDATE jobs SET state = 'ready', run_at = $4, last_error = $3, locked_by = NULL, locked_until = NULL {mine}"),
                vec![Bind::Text(id), Bind::Text(worker), Bind::Text(&error), Bind::Int(at)],
            ),
            None => (
                format!("UPDATE jobs SET state = 'dead', finished_at = $4, last_error = $3, locked_by = NULL, locked_until = NULL {mine}"),
                vec![Bind::Text(id), Bind::Text(worker), Bind::Text(&error), Bind::Int(now_ms)],
            ),
        };
        match bind_all(sqlx::query(&sql), binds).execute(self.pool()).await.map_err(|e| conflict_or(e, "job")) {
            Ok(done) => Ok(done.rows_affected() == 1),
            // A job with the same key is waiting already: it does this work, so this one ends.
            Err(StoreError::Conflict(_)) => {
                let sql = format!(
                    "UPDATE jobs SET state = 'done', finished_at = $4, last_error = $3, locked_by = NULL, locked_until = NULL {mine}"
                );
                let superseded = format!("{error} (superseded by a job waiting with the same key)");
                let binds = vec![Bind::Text(id), Bind::Text(worker), Bind::Text(&superseded), Bind::Int(now_ms)];
                Ok(bind_all(sqlx::query(&sql), binds).execute(self.pool()).await?.rows_affected() == 1)
            }
            Err(e) => Err(e),
        }
    }

    async fn backlog(&self) -> StoreResult<Backlog> {
        let events: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM events WHERE dispatched_at IS NULL").fetch_one(self.pool()).await?.try_get("n")?;
        let mut b = Backlog { events: events.max(0) as u64, ..Backlog::default() };
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('ready', 'running', 'dead') GROUP BY state")
            .fetch_all(self.pool())
            .await?;
        for r in rows {
            let n = r.try_get::<i64, _>("n")?.max(0) as u64;
            match r.try_get::<String, _>("state")?.as_str() {
                "ready" => b.ready = n,
                "running" => b.running = n,
                _ => b.dead = n,
            }
        }
        Ok(b)
    }

    async fn dead_jobs(&self, limit: u32) -> StoreResult<Vec<DeadJob>> {
        let sql = "SELECT id, queue, dedupe_key, attempts, last_error, finished_at FROM jobs WHERE state = 'dead' \
                   ORDER BY finished_at DESC, id LIMIT $1";
        let rows = sqlx::query(sql).bind(i64::from(limit.clamp(1, 500))).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(DeadJob {
                    id: r.try_get("id")?,
                    queue: r.try_get("queue")?,
                    dedupe_key: r.try_get("dedupe_key")?,
                    attempts: r.try_get::<i64, _>("attempts")?.clamp(0, i64::from(u32::MAX)) as u32,
                    last_error: r.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                    finished_at: crate::clock::from_ms(r.try_get::<Option<i64>, _>("finished_at")?.unwrap_or(0)),
                })
            })
            .collect()
    }

    async fn revive_job(&self, tx: &mut Tx, id: &str, now_ms: i64) -> StoreResult<Option<bool>> {
        let found = bind_all(sqlx::query("SELECT queue, dedupe_key FROM jobs WHERE id = $1 AND state = 'dead'"), vec![Bind::Text(id)])
            .fetch_optional(tx.conn())
            .await?;
        let Some(found) = found else { return Ok(None) };
        let (queue, key): (String, String) = (found.try_get("queue")?, found.try_get("dedupe_key")?);
        // Checked first: a failed statement would end the whole unit of work on PostgreSQL.
        let waiting = "SELECT 1 AS w FROM jobs WHERE queue = $1 AND dedupe_key = $2 AND state = 'ready'";
        if bind_all(sqlx::query(waiting), vec![Bind::Text(&queue), Bind::Text(&key)]).fetch_optional(tx.conn()).await?.is_some() {
            return Ok(Some(false));
        }
        let sql = "UPDATE jobs SET state = 'ready', attempts = 0, run_at = $2, finished_at = NULL WHERE id = $1 AND state = 'dead'";
        let done = bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::Int(now_ms)]).execute(tx.conn()).await?;
        Ok(Some(done.rows_affected() == 1))
    }

    async fn purge_finished(&self, before_ms: i64) -> StoreResult<u64> {
        let jobs = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1").bind(before_ms).execute(self.pool()).await?;
        let events = sqlx::query("DELETE FROM events WHERE dispatched_at IS NOT NULL AND dispatched_at < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        Ok(jobs.rows_affected() + events.rows_affected())
    }
}
