//! What the notification fan-out and the job queue cost: N notices (10 000 by default, for 1 000
//! readers) handed to `NotificationService::notify` by 8 tasks at once — each one unit of work
//! storing the in-app notification, the e-mail delivery and its job — while workers run the
//! e-mail jobs (delivery marked sending, the mail rendered in the reader's language with its
//! HTML and unsubscribe links, handed to the mailer, marked sent). The mailer here only counts:
//! the figure is the queue's and the store's, not an SMTP server's. Prints notices/s enqueued,
//! jobs/s sent, and enqueue→sent latency p50/p99 (from each delivery's own timestamps). SQLite
//! with one worker; PostgreSQL (when `TEST_DATABASE_URL` is set) with one and with two workers —
//! the two never send a delivery twice (checked).
//!
//! `cargo run --release -p server --example notifications_bench [-- N]`

use async_trait::async_trait;
use domain::account::{AccountStore, Preferences, Role, User};
use domain::jobs::Runner;
use domain::mail::{MailError, Mailer, Message};
use domain::notification::{Category, DeliveryState, EmailDeliveries, Kind, Notice, NotificationService, NotificationStore};
use domain::store::{SqlStore, UnitOfWork};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Counting(AtomicUsize);

#[async_trait]
impl Mailer for Counting {
    async fn send(&self, _m: Message) -> Result<String, MailError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok("250 OK".into())
    }
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn bench(label: &str, url: &str, n: usize, workers: usize) {
    let store = Arc::new(SqlStore::connect(url).await.unwrap());
    store.migrate().await.unwrap();
    let readers = (n / 10).max(1);
    let mut users = Vec::with_capacity(readers);
    let mut tx = store.begin().await.unwrap();
    for i in 0..readers {
        let u = User {
            id: uuid::Uuid::now_v7().to_string(),
            email: format!("bench-{i}-{}@example.sn", uuid::Uuid::now_v7().simple()),
            name: format!("Lectrice {i}"),
            country: "SN".into(),
            language: domain::validation::Language::Fr,
            avatar_url: None,
            role: Role::Reader,
            email_verified: true,
            preferences: Preferences::default(),
            created_at: chrono::Utc::now(),
        };
        store.insert_user(&mut tx, &u, "h").await.unwrap();
        users.push(u.id);
    }
    tx.commit().await.unwrap();
    let service = NotificationService::new(store.clone(), store.clone(), store.clone());
    let mailer = Arc::new(Counting::default());
    let mut runners = Vec::new();
    for _ in 0..workers {
        let email = EmailDeliveries {
            service: service.clone(),
            accounts: store.clone(),
            mailer: mailer.clone(),
            base_url: "https://coko.example".into(),
        };
        let runner = Arc::new(Runner::new(store.clone()).with(Arc::new(email)));
        runner.clone().spawn();
        runners.push(runner);
    }

    let users = Arc::new(users);
    let started = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let (service, users) = (service.clone(), users.clone());
            tokio::spawn(async move {
                for i in (t..n).step_by(8) {
                    let params = serde_json::json!({"item": "book", "title": format!("Livre {i}"), "amount": 1500, "currency": "XOF", "provider": "Wave"});
                    let notice = Notice {
                        user_id: users[i % users.len()].clone(),
                        category: Category::Payments,
                        kind: Kind::PaymentReceipt,
                        params: params.as_object().cloned().unwrap(),
                        link: Some(format!("/achats/p{i}")),
                        source: format!("receipt:p{i}"),
                        pace: None,
                    };
                    service.notify(&notice).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let enqueued = started.elapsed();
    while mailer.0.load(Ordering::Relaxed) < n && started.elapsed() < Duration::from_secs(1800) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drained = started.elapsed();
    let sent = mailer.0.load(Ordering::Relaxed);
    let log = store.deliveries(None, 500).await.unwrap();
    assert!(log.iter().all(|d| d.state == DeliveryState::Sent && d.attempts == 1), "{label}: each delivery sent once");
    // Latencies from every delivery (the log above is the last 500; all of them here).
    let mut lat: Vec<i64> = Vec::with_capacity(n);
    for i in 0..n {
        let key = format!("receipt:p{i}:{}:email", users[i % users.len()]);
        let d = store.delivery(&key).await.unwrap().unwrap().delivery;
        lat.push((d.updated_at - d.created_at).num_milliseconds());
    }
    lat.sort_unstable();
    println!(
        "{label:<11} workers {workers}  {n} notices: enqueued {:>6.0}/s ({:.1} s) · sent {sent} ({} duplicates) at {:>6.0} jobs/s ({:.1} s) · enqueue→sent p50 {} ms, p99 {} ms",
        n as f64 / enqueued.as_secs_f64(),
        enqueued.as_secs_f64(),
        sent.saturating_sub(n),
        n as f64 / drained.as_secs_f64(),
        drained.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
    );
    assert_eq!(sent, n, "{label}: every notice sent once");

    // Paced below capacity: a notice's own path from `notify` to the mailer, not the backlog's.
    let (rate, count) = (40usize, 600usize);
    let tick = Duration::from_secs_f64(1.0 / rate as f64);
    let paced_start = Instant::now();
    for i in 0..count {
        let due = paced_start + tick * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let notice = Notice {
            user_id: users[i % users.len()].clone(),
            category: Category::Payments,
            kind: Kind::PaymentReceipt,
            params: serde_json::json!({"item": "book", "title": "Livre", "amount": 1500, "currency": "XOF", "provider": "Wave"})
                .as_object()
                .cloned()
                .unwrap(),
            link: None,
            source: format!("paced:{i}"),
            pace: None,
        };
        service.notify(&notice).await.unwrap();
    }
    while mailer.0.load(Ordering::Relaxed) < n + count && paced_start.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut paced: Vec<i64> = Vec::with_capacity(count);
    for i in 0..count {
        let d = store.delivery(&format!("paced:{i}:{}:email", users[i % users.len()])).await.unwrap().unwrap().delivery;
        assert_eq!(d.state, DeliveryState::Sent);
        paced.push((d.updated_at - d.created_at).num_milliseconds());
    }
    paced.sort_unstable();
    println!(
        "{label:<11} workers {workers}  {count} notices paced at {rate}/s: enqueue→sent p50 {} ms, p99 {} ms",
        percentile(&paced, 0.5),
        percentile(&paced, 0.99)
    );
    store.close().await;
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    bench("SQLite", &format!("sqlite://{}/coko.db", dir.path().display()), n, 1).await;
    if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
        for workers in [1, 2] {
            let name = format!("coko_bench_{}", uuid::Uuid::now_v7().simple());
            let base = SqlStore::connect(&admin).await.unwrap();
            base.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
            let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
            bench("PostgreSQL", &url, n, workers).await;
            base.execute_raw(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
            base.close().await;
        }
    }
}
