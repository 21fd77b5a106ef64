//! What a much-reviewed book costs: one book with N published reviews (1 000 by default) from N
//! readers, and 3 helpful votes per review, posted through `CommunityService` (each post one
//! unit of work: the review, the book's rating recounted, its audit line and event). Then the
//! real server renders the book's page (SSR over HTTP, the first page of reviews in each of the
//! three orders, with the reviewer's "verified" and the viewer's vote joined in) and answers the
//! REST list, 4 clients at once for S seconds: requests/s and p50/p99. SQLite, and PostgreSQL
//! when `TEST_DATABASE_URL` is set.
//!
//! `cargo run --release -p server --example reviews_bench [-- N S]`

use domain::account::{AccountStore, Preferences, Role, User};
use domain::community::ReviewInput;
use domain::store::{SqlStore, UnitOfWork};
use leptos::config::LeptosOptions;
use server::config::Config;
use server::state::AppState;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// 4 clients asking for `path` for `seconds`: (requests/s, p50 ms, p99 ms).
async fn load(url: &str, seconds: u64) -> (f64, f64, f64) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let res = client.get(&url).send().await.unwrap();
                    assert!(res.status().is_success(), "{url}: {}", res.status());
                    let _ = res.bytes().await.unwrap();
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    (all.len() as f64 / seconds as f64, percentile(&all, 0.5), percentile(&all, 0.99))
}

async fn bench(label: &str, url: &str, n: usize, seconds: u64) {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let vars =
        [("DATABASE_URL", url.to_owned()), ("COKO_DATA_DIR", dir.path().display().to_string()), ("COKO_RATE_LIMIT_FACTOR", "10000".into())];
    let config = Config::from_lookup(&addr.to_string(), |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let leptos = LeptosOptions::builder().output_name("coko").site_root("target/site").site_pkg_dir("pkg").build();
    let state = AppState::build(config, leptos).await.unwrap();
    let served = state.clone();
    tokio::spawn(async move { server::serve(listener, served).await.unwrap() });
    let base = format!("http://{addr}");

    let epub = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/moby-dick.epub");
    let book = match state.catalog.import(&std::fs::read(epub).unwrap(), "moby-dick.epub", true).await.unwrap() {
        domain::catalog::ImportOutcome::Created(b) => *b,
        other => panic!("{other:?}"),
    };
    let store: &SqlStore = &state.store;
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let mut readers = Vec::with_capacity(n);
    let mut tx = store.begin().await.unwrap();
    for i in 0..n {
        let u = User {
            id: uuid::Uuid::now_v7().to_string(),
            email: format!("avis-{i}@example.sn"),
            name: format!("Lectrice {i}"),
            country: "SN".into(),
            language: domain::validation::Language::Fr,
            avatar_url: None,
            role: Role::Reader,
            email_verified: true,
            preferences: Preferences::default(),
            created_at: month_ago,
        };
        store.insert_user(&mut tx, &u, "h").await.unwrap();
        readers.push(u);
    }
    tx.commit().await.unwrap();

    let started = Instant::now();
    for (i, u) in readers.iter().enumerate() {
        let input = ReviewInput {
            rating: (i % 5 + 1) as u8,
            title: format!("Avis {i}"),
            body: format!("Un roman **immense**, lu en {} jours.\n\n> Appelez-moi Ismaël.", i % 30 + 1),
            spoiler: i % 7 == 0,
        };
        let r = state.community.post_review(u, &book.id, &input, "127.0.0.1").await.unwrap();
        // Out of the burst window: the next ones are published, not held.
        store.execute_raw(&format!("UPDATE reviews SET created_at = created_at - 7200000 WHERE id = '{}'", r.id)).await.unwrap();
    }
    let posted = n as f64 / started.elapsed().as_secs_f64();
    let page = state.community.reviews(None, &book.id, domain::community::ReviewSort::Newest, None).await.unwrap();
    let ids: Vec<String> = page.reviews.iter().map(|r| r.id.clone()).collect();
    let started = Instant::now();
    let mut votes = 0;
    for (i, u) in readers.iter().enumerate().take(n.min(1000)) {
        for id in ids.iter().skip(i % 3).step_by(7).take(3) {
            if state.community.vote(u, id, true).await.is_ok() {
                votes += 1;
            }
        }
    }
    let voted = votes as f64 / started.elapsed().as_secs_f64();
    println!("{label}: {n} reviews posted at {posted:.0}/s (each: review, rating recount, audit, event); {votes} votes at {voted:.0}/s");
    let stored = state.catalog.book(&book.id, None).await.unwrap();
    assert_eq!(stored.rating_count as usize, n, "every review counted");

    for (what, path) in [
        ("book page, most helpful", format!("/livres/{}", book.id)),
        ("book page, newest", format!("/livres/{}?avis=recents", book.id)),
        ("book page, best rated", format!("/livres/{}?avis=notes", book.id)),
        ("REST reviews, newest", format!("/api/v1/community/books/{}/reviews/?sort=newest", book.id)),
    ] {
        let (rps, p50, p99) = load(&format!("{base}{path}"), seconds).await;
        println!("{label}: {what}: {rps:.0} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms");
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    bench("SQLite", &format!("sqlite://{}/bench.db", dir.path().display()), n, seconds).await;
    if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("coko_reviews_{}", uuid::Uuid::now_v7().simple());
        let a = SqlStore::connect(&admin).await.unwrap();
        a.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
        bench("PostgreSQL", &domain::store::postgres_url_with_database(&admin, &name), n, seconds).await;
        let _ = a.execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    } else {
        println!("PostgreSQL: skipped (set TEST_DATABASE_URL)");
    }
}
