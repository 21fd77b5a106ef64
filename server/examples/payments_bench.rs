//! What payments cost, measured through the production adapters against the Wave sandbox (a
//! real HTTP server on loopback, `coko payment-sandbox`'s code, run here in a task of its own):
//! checkout creation (the payment stored, Wave's session opened over HTTP, kept) as p50/p99,
//! and webhook handling throughput (signature checked on the raw body, kept, confirmed by a
//! lookup at Wave over HTTP, the state moved with the book granted and the invoice issued), with
//! eight webhooks in flight at once. On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is
//! set (a throwaway database is made and dropped).
//!
//! `cargo run --release -p server --example payments_bench [-- N]` (N payments, 300 by default)

use domain::account::{AccountStore, Preferences, Role, User};
use domain::audit::Actor;
use domain::catalog::{BookStatus, CatalogService, CatalogStore, ImportOutcome, Money, Offer};
use domain::payment::providers::wave::{Wave, WaveConfig};
use domain::payment::{Checkout, PaymentService, PaymentState, PaymentStore};
use domain::store::{SqlStore, UnitOfWork};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "wave_sn_WHS_bench";
const KEY: &str = "wave_sn_prod_bench";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_sandbox() -> String {
    let port = free_port();
    std::env::set_var("COKO_SANDBOX_ADDR", format!("127.0.0.1:{port}"));
    std::env::set_var("COKO_SANDBOX_WAVE_API_KEY", KEY);
    std::env::set_var("COKO_SANDBOX_WAVE_WEBHOOK_SECRET", SECRET);
    // No webhook URL: the benchmark delivers the signed webhooks itself, to time them.
    std::env::remove_var("COKO_SANDBOX_WAVE_WEBHOOK_URL");
    let config = server::sandbox::SandboxConfig::from_env().unwrap();
    tokio::spawn(async move { server::sandbox::run(config).await.unwrap() });
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{base}/_sandbox/wave/deliveries")).await.is_ok() {
            return base;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sandbox did not start");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn bench(label: &str, url: &str, sandbox: &str, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqlStore::connect(url).await.unwrap());
    store.migrate().await.unwrap();
    let index = Arc::new(domain::search::EmbeddedIndex::new());
    let catalog =
        CatalogService::new(store.clone(), Arc::new(domain::files::LocalFiles::new(dir.path())), index, domain::ingest::Limits::default());
    let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/trees.epub");
    let ImportOutcome::Created(book) = catalog.import(&std::fs::read(corpus).unwrap(), "trees.epub", true).await.unwrap() else {
        panic!("imported before")
    };
    let offer = Offer { price: Money::xof(1500), featured: false, premium: false };
    catalog.edit(&Actor::system(Role::Editor), &book.id, BookStatus::Published, offer).await.unwrap();
    let wave = Wave::new(WaveConfig {
        base_url: sandbox.to_owned(),
        api_key: KEY.into(),
        webhook_secrets: vec![SECRET.into()],
        timeout: Duration::from_secs(10),
    });
    let payments = PaymentService::new(
        store.clone() as Arc<dyn PaymentStore>,
        store.clone() as Arc<dyn CatalogStore>,
        vec![Arc::new(wave)],
        "http://127.0.0.1:3000",
    );
    let mut users = Vec::new();
    for i in 0..n {
        let u = User {
            id: uuid::Uuid::now_v7().to_string(),
            email: format!("bench{i}@example.sn"),
            name: "Lectrice".into(),
            country: "SN".into(),
            language: domain::validation::Language::Fr,
            avatar_url: None,
            role: Role::Reader,
            email_verified: true,
            preferences: Preferences::default(),
            created_at: chrono::Utc::now(),
        };
        let mut tx = store.begin().await.unwrap();
        store.insert_user(&mut tx, &u, "h").await.unwrap();
        tx.commit().await.unwrap();
        users.push(u);
    }

    // Checkouts one after another: what a reader waits for before Wave's page.
    let mut times = Vec::new();
    let mut made = Vec::new();
    for u in &users {
        let input = Checkout { book_id: book.id.clone(), plan: String::new(), provider: "wave".into(), phone: "+221771234567".into() };
        let t = Instant::now();
        let p = payments.checkout(u, &input, "").await.unwrap();
        times.push(t.elapsed());
        made.push(p);
    }
    times.sort();
    println!(
        "{label}: checkout (stored, Wave session over HTTP, kept): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {n}",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0
    );

    // Every session paid at Wave (its page), then the signed webhooks, eight at a time.
    // The payer's answer redirects to Coko's return page, which is not served here: not followed.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for p in &made {
        let session = p.provider_ref.clone().unwrap();
        let res = http.post(format!("{sandbox}/c/{session}")).form(&[("outcome", "pay"), ("phone", "+221771234567")]).send().await.unwrap();
        assert!(res.status().is_redirection());
    }
    let hooks: Vec<(String, Vec<u8>)> = made
        .iter()
        .map(|p| {
            let body = serde_json::json!({
                "id": format!("AE_{}", p.id.replace('-', "")),
                "type": "checkout.session.completed",
                "data": {"id": p.provider_ref, "client_reference": p.id},
            })
            .to_string();
            let t = chrono::Utc::now().timestamp().to_string();
            let sig = domain::payment::providers::hmac_hex(SECRET, &[t.as_bytes(), body.as_bytes()].concat());
            (format!("t={t},v1={sig}"), body.into_bytes())
        })
        .collect();
    let queue = Arc::new(tokio::sync::Mutex::new(hooks.into_iter()));
    let started = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (queue, payments) = (queue.clone(), payments.clone());
            tokio::spawn(async move {
                loop {
                    let Some((sig, body)) = queue.lock().await.next() else { break };
                    let headers = vec![("wave-signature".to_owned(), sig)];
                    payments.webhook("wave", &headers, &body).await.unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed();
    let mut paid = 0;
    for (u, p) in users.iter().zip(&made) {
        if payments.payment_for(u, &p.id).await.unwrap().state == PaymentState::Succeeded {
            paid += 1;
        }
    }
    assert_eq!(paid, n, "every webhook confirmed its payment");
    println!(
        "{label}: webhooks (verified, kept, confirmed at Wave over HTTP, granted, invoiced), 8 in flight: {:.0}/s ({n} in {:.2} s)",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let sandbox = start_sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    bench("SQLite", &format!("sqlite://{}/coko.db", dir.path().display()), &sandbox, n).await;
    if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("coko_bench_{}", uuid::Uuid::now_v7().simple());
        let base = SqlStore::connect(&admin).await.unwrap();
        base.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        bench("PostgreSQL", &url, &sandbox, n).await;
        base.execute_raw(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    }
}
