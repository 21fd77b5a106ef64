//! The durable job queue and the dispatcher on SQLite and PostgreSQL: an event becomes its jobs
//! once, even with two dispatchers racing; a job whose worker died is claimed again when its
//! lease ends; failures retry, then die; a waiting job is not queued twice.

#[macro_use]
mod support;

use async_trait::async_trait;
use domain::events::Event;
use domain::jobs::{Handler, Job, JobStore, NewJob, Runner};
use domain::store::UnitOfWork;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Counts its runs; fails the first `fail_first` of them.
struct Counting {
    runs: AtomicU32,
    fail_first: u32,
}

#[async_trait]
impl Handler for Counting {
    fn queue(&self) -> &'static str {
        "test.count"
    }
    /// A job per event (keyed by book: one waiting per book).
    fn job_for(&self, event: &Event) -> Option<NewJob> {
        let id = event.book_id()?;
        Some(NewJob { max_attempts: 2, ..NewJob::now("test.count", id, serde_json::json!({ "book_id": id })) })
    }
    async fn run(&self, _job: &Job) -> Result<(), String> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            Err(format!("failure {n}"))
        } else {
            Ok(())
        }
    }
}

async fn write_events(db: &support::TestDb, ids: impl IntoIterator<Item = String>) {
    let mut tx = db.store.begin().await.unwrap();
    for book_id in ids {
        tx.event(&Event::BookChanged { book_id }).await.unwrap();
    }
    tx.commit().await.unwrap();
}

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    events_become_jobs_once_even_with_two_dispatchers,
    |db: support::TestDb| async move {
        let handler = Arc::new(Counting { runs: 0.into(), fail_first: 0 });
        let a = Arc::new(Runner::new(Arc::new(db.store.clone())).with(handler.clone()));
        let b = Arc::new(Runner::new(Arc::new(db.store.clone())).with(handler.clone()));
        write_events(&db, (0..300).map(|i| format!("book-{i}"))).await;
        // A rolled-back unit of work leaves no event.
        let mut tx = db.store.begin().await.unwrap();
        tx.event(&Event::BookChanged { book_id: "never".into() }).await.unwrap();
        drop(tx);
        assert_eq!(a.backlog().await.unwrap().events, 300, "{}", db.label);

        let (x, y) = tokio::join!(a.dispatch(), b.dispatch());
        assert_eq!(x.unwrap() + y.unwrap(), 300, "{}: every event claimed by one dispatcher", db.label);
        let left = a.backlog().await.unwrap();
        assert_eq!((left.events, left.ready), (0, 300), "{}: one job per event", db.label);
        let (x, y) = tokio::join!(a.settle(Duration::from_secs(30)), b.settle(Duration::from_secs(30)));
        x.unwrap();
        y.unwrap();
        assert_eq!(handler.runs.load(Ordering::SeqCst), 300, "{}: every job run once", db.label);
        assert!(a.backlog().await.unwrap().is_idle());
        db
    }
);

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    units_of_work_dropped_or_cancelled_leave_the_pool_usable,
    |db: support::TestDb| async move {
        let runner = Runner::new(Arc::new(db.store.clone()));
        // Three times the pool's size: units of work dropped after a write (an early return),
        // and units of work whose request was cancelled while they held the write lock.
        for i in 0..12 {
            let mut tx = db.store.begin().await.unwrap();
            tx.event(&Event::BookChanged { book_id: format!("dropped-{i}") }).await.unwrap();
            // A read left in the middle of its rows, then the unit of work dropped.
            use domain::payment::PaymentStore;
            db.store.payment_for_update(&mut tx, "none").await.unwrap();
            db.store.claim_events(&mut tx, 1).await.unwrap();
            drop(tx);
            let cancelled = async {
                let mut tx = db.store.begin().await.unwrap();
                tx.event(&Event::BookChanged { book_id: format!("cancelled-{i}") }).await.unwrap();
                tokio::time::sleep(Duration::from_secs(3600)).await;
                tx.commit().await.unwrap();
            };
            assert!(tokio::time::timeout(Duration::from_millis(20), cancelled).await.is_err());
        }
        // Every connection is usable again, and nothing of theirs was kept.
        let kept = tokio::time::timeout(Duration::from_secs(20), write_events(&db, (0..8).map(|i| format!("kept-{i}")))).await;
        assert!(kept.is_ok(), "{}: a unit of work could begin and commit", db.label);
        assert_eq!(runner.backlog().await.unwrap().events, 8, "{}", db.label);
        db
    }
);

backend_test!(a_waiting_job_is_not_queued_twice, |db: support::TestDb| async move {
    let handler = Arc::new(Counting { runs: 0.into(), fail_first: 0 });
    let runner = Runner::new(Arc::new(db.store.clone())).with(handler.clone());
    write_events(&db, ["b1", "b1", "b2", "b1"].map(String::from)).await;
    assert_eq!(runner.dispatch().await.unwrap(), 4);
    assert_eq!(runner.backlog().await.unwrap().ready, 2, "{}: one waiting job per key", db.label);
    runner.settle(Duration::from_secs(10)).await.unwrap();
    assert_eq!(handler.runs.load(Ordering::SeqCst), 2);
    // Done, the key is free again.
    write_events(&db, ["b1".to_owned()]).await;
    runner.settle(Duration::from_secs(10)).await.unwrap();
    assert_eq!(handler.runs.load(Ordering::SeqCst), 3, "{}", db.label);
    db
});

backend_test!(a_dead_workers_job_is_claimed_again_after_its_lease, |db: support::TestDb| async move {
    let store: Arc<dyn JobStore> = Arc::new(db.store.clone());
    let mut tx = db.store.begin().await.unwrap();
    store.enqueue(&mut tx, &NewJob::now("test.lease", "k", serde_json::json!({}))).await.unwrap();
    tx.commit().await.unwrap();
    let now = domain::clock::now_ms();
    let lease = [("test.lease", Duration::from_secs(60))];
    let first = store.claim_jobs(&lease, "killed", now, 10).await.unwrap();
    assert_eq!(first.len(), 1, "{}", db.label);
    assert!(store.claim_jobs(&lease, "other", now + 1_000, 10).await.unwrap().is_empty(), "{}: leased", db.label);
    // The first worker was killed (kill -9): once its lease is over, another takes the job.
    let again = store.claim_jobs(&lease, "other", now + 61_000, 10).await.unwrap();
    assert_eq!(again.len(), 1, "{}: claimed again", db.label);
    assert_eq!((again[0].id.as_str(), again[0].attempts), (first[0].id.as_str(), 2));
    assert!(!store.complete_job(&first[0].id, "killed", now + 62_000).await.unwrap(), "the old worker lost it");
    assert!(store.complete_job(&again[0].id, "other", now + 62_000).await.unwrap());
    assert!(store.backlog().await.unwrap().is_idle());
    // Finished jobs are purged after a while.
    assert_eq!(store.purge_finished(now + 63_000).await.unwrap(), 1, "{}", db.label);
    db
});

backend_test!(failures_are_retried_later_then_dead, |db: support::TestDb| async move {
    let handler = Arc::new(Counting { runs: 0.into(), fail_first: 5 });
    let runner = Runner::new(Arc::new(db.store.clone())).with(handler.clone());
    write_events(&db, ["b1".to_owned()]).await;
    assert_eq!(runner.run_once().await.unwrap(), 2, "dispatched and tried");
    let left = runner.backlog().await.unwrap();
    assert_eq!((left.ready, left.dead), (1, 0), "{}: waiting for its retry", db.label);
    assert_eq!(runner.work().await.unwrap(), 0, "not before its time");
    // Its second (last) attempt fails too: dead, kept for an operator.
    let store: Arc<dyn JobStore> = Arc::new(db.store.clone());
    let later = domain::clock::now_ms() + 3_600_000;
    let job = store.claim_jobs(&[("test.count", Duration::from_secs(60))], "w", later, 1).await.unwrap().remove(0);
    assert_eq!(job.attempts, 2);
    store.fail_job(&job.id, "w", "still failing", None, later).await.unwrap();
    let left = runner.backlog().await.unwrap();
    assert_eq!((left.ready, left.dead), (0, 1), "{}", db.label);
    assert!(left.is_idle(), "dead jobs wait for an operator, not a worker");
    db
});

backend_test!(a_second_dispatcher_passes_over_events_another_is_claiming, |db: support::TestDb| async move {
    // SQLite has one writer at a time: the second waits by design. PostgreSQL skips the rows
    // another claim holds (`FOR UPDATE SKIP LOCKED`) and takes the next ones at once.
    if db.label != "postgres" {
        return db;
    }
    write_events(&db, (0..4).map(|i| format!("book-{i}"))).await;
    let mut first = db.store.begin().await.unwrap();
    let held = db.store.claim_events(&mut first, 2).await.unwrap();
    let mut second = db.store.begin().await.unwrap();
    let next = tokio::time::timeout(Duration::from_secs(5), db.store.claim_events(&mut second, 2))
        .await
        .expect("not queued behind the first claim's locks")
        .unwrap();
    let ids = |v: &[domain::events::StoredEvent]| v.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(held.len() + next.len(), 4);
    assert!(ids(&held).iter().all(|id| !ids(&next).contains(id)), "{:?} / {:?}", ids(&held), ids(&next));
    second.commit().await.unwrap();
    first.commit().await.unwrap();
    db
});

backend_test!(an_admin_gives_a_dead_job_a_new_run_and_it_is_journaled, |db: support::TestDb| async move {
    use domain::account::Role;
    use domain::audit::{Actor, AuditAction};
    use domain::catalog::CatalogStore;
    use domain::jobs::{DeadJobs, JobsError};
    let handler = Arc::new(Counting { runs: 0.into(), fail_first: 1 });
    let runner = Runner::new(Arc::new(db.store.clone())).with(handler.clone());
    write_events(&db, ["b1".to_owned()]).await;
    runner.run_once().await.unwrap();
    // Its last attempt fails: dead.
    let store: Arc<dyn JobStore> = Arc::new(db.store.clone());
    let later = domain::clock::now_ms() + 3_600_000;
    let job = store.claim_jobs(&[("test.count", Duration::from_secs(60))], "w", later, 1).await.unwrap().remove(0);
    store.fail_job(&job.id, "w", "SMTP 451: try again later", None, later).await.unwrap();

    let dead = DeadJobs::new(Arc::new(db.store.clone()));
    let admin = Actor { ip: "192.0.2.9".into(), ..Actor::system(Role::Admin) };
    assert!(matches!(dead.list(&Actor::system(Role::Editor), 10).await, Err(JobsError::Forbidden)), "admins only");
    let listed = dead.list(&admin, 10).await.unwrap();
    assert_eq!(listed.len(), 1, "{}", db.label);
    assert_eq!((listed[0].queue.as_str(), listed[0].dedupe_key.as_str(), listed[0].attempts), ("test.count", "b1", 2));
    assert_eq!(listed[0].last_error, "SMTP 451: try again later");

    // A job for the same book waiting already does the work: no second one.
    write_events(&db, ["b1".to_owned()]).await;
    runner.dispatch().await.unwrap();
    assert!(matches!(dead.retry(&admin, &job.id).await, Err(JobsError::AlreadyWaiting)), "{}", db.label);
    runner.work().await.unwrap();
    assert_eq!(runner.backlog().await.unwrap().ready, 0);

    // Retried: due now, attempts from zero, runs, journaled once with the admin's address.
    dead.retry(&admin, &job.id).await.unwrap();
    assert!(dead.list(&admin, 10).await.unwrap().is_empty(), "{}", db.label);
    let runs = handler.runs.load(Ordering::SeqCst);
    assert_eq!(runner.work().await.unwrap(), 1, "{}: run again at once", db.label);
    assert_eq!(handler.runs.load(Ordering::SeqCst), runs + 1);
    assert!(runner.backlog().await.unwrap().is_idle());
    let log = db.store.audit_log(&Default::default(), None, 10).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == AuditAction::JobRetried && e.ip == "192.0.2.9").count(), 1, "{}", db.label);
    assert!(matches!(dead.retry(&admin, &job.id).await, Err(JobsError::NotFound)), "only a dead job is retried");
    db
});
