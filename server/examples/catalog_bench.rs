//! Catalogue benchmarks that print figures (not timed tests): with N books synthesised from the
//! Project Gutenberg records (default 100 000), on SQLite and on PostgreSQL
//! (`TEST_DATABASE_URL`):
//! - the catalogue page rendered by the real server (SSR over HTTP): requests/s and p50/p99,
//!   first page, a filter, the title order, and a page deep in the keyset;
//! - search (embedded index) p50/p95 over typo, prefix and accent queries;
//! - import throughput (generated EPUBs through the real import: checks, metadata, cover, files,
//!   index) with 1 000 and with 10 000 books already present.
//!
//! - with `--pages-only`: the store's listing queries alone (no server, no index), first page
//!   and a page 500 pages deep per order and filter, and the uncached count — for 1M books.
//!
//! `cargo run --release -p server --example catalog_bench -- [--books N] [--seconds S] [--db sqlite|postgres|both] [--pages-only]`

use domain::store::SqlStore;
use leptos::config::LeptosOptions;
use serde_json::Value;
use server::config::Config;
use server::state::AppState;
use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A book row as Gutenberg record `i % records` would give, made unique by `i`.
struct Synth {
    title: String,
    author: String,
    language: String,
    popularity: i64,
}

fn records() -> Vec<Synth> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/catalog/gutenberg_catalog.json");
    let all: Vec<Value> = serde_json::from_slice(&std::fs::read(path).expect("corpus catalogue")).unwrap();
    all.iter()
        .map(|r| Synth {
            title: r["title"].as_str().unwrap_or("Sans titre").chars().take(200).collect(),
            author: r["authors"][0]["name"].as_str().unwrap_or("Anonyme").to_owned(),
            language: r["languages"][0].as_str().unwrap_or("en").to_owned(),
            popularity: r["download_count"].as_i64().unwrap_or(0),
        })
        .collect()
}

/// Inserts `n` published books (and their authors) in batches of 500 rows.
async fn fixture(store: &SqlStore, n: usize, offset: usize) -> Duration {
    let recs = records();
    let started = Instant::now();
    let mut authors: Vec<String> = recs.iter().map(|r| r.author.clone()).collect();
    authors.sort();
    authors.dedup();
    if offset == 0 {
        for chunk in authors.chunks(500) {
            let rows: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, a)| format!("({}, {}, 0)", quote(&format!("a{:06}-{}", i, domain::catalog::slug(a))), quote(a)))
                .collect();
            store
                .execute_raw(&format!("INSERT INTO authors (id, name, created_at) VALUES {} ON CONFLICT (name) DO NOTHING", rows.join(",")))
                .await
                .unwrap();
        }
    }
    let now = domain::clock::now_ms();
    for start in (offset..offset + n).step_by(500) {
        let end = (start + 500).min(offset + n);
        let mut books = Vec::new();
        let mut links = Vec::new();
        for i in start..end {
            let r = &recs[i % recs.len()];
            let id = format!("bench-{i:08}");
            let title = if i < recs.len() { r.title.clone() } else { format!("{} ({})", r.title, i / recs.len() + 1) };
            let created = now - (offset + n - i) as i64 * 1000;
            books.push(format!(
                "({}, {}, {}, 'epub', {}, 1000, 'published', {}, {}, {}, {}, {}, {})",
                quote(&id),
                quote(&title),
                quote(&r.language),
                quote(&format!("hash-{i:08}")),
                if i % 3 == 0 { 1500 } else { 0 },
                r.popularity,
                created,
                created,
                created,
                quote(&domain::catalog::sort_key(&title)),
            ));
            links.push(format!("({}, (SELECT id FROM authors WHERE name = {}), 'aut', 0)", quote(&id), quote(&r.author)));
        }
        let sql = format!(
            "INSERT INTO books (id, title, language, format, file_hash, file_size, status, price_amount, popularity, published_at, created_at, updated_at, sort_title) VALUES {};\
             INSERT INTO book_authors (book_id, author_id, role, position) VALUES {};",
            books.join(","),
            links.join(",")
        );
        store.execute_raw(&format!("BEGIN; {sql} COMMIT;")).await.unwrap();
    }
    started.elapsed()
}

struct Db {
    url: String,
    label: &'static str,
    drop: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

async fn new_db(kind: &str) -> Option<Db> {
    let dir = tempfile::tempdir().unwrap();
    match kind {
        "sqlite" => Some(Db { url: format!("sqlite://{}/bench.db", dir.path().display()), label: "SQLite", drop: None, _dir: dir }),
        _ => {
            let admin = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
            let name = format!("coko_bench_{}", std::process::id());
            let a = SqlStore::connect(&admin).await.ok()?;
            let _ = a.execute_raw(&format!("DROP DATABASE IF EXISTS {name}")).await;
            a.execute_raw(&format!("CREATE DATABASE {name}")).await.ok()?;
            a.close().await;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
            Some(Db { url: format!("{base}/{name}"), label: "PostgreSQL", drop: Some((admin, name)), _dir: dir })
        }
    }
}

async fn drop_db(db: Db) {
    if let Some((admin, name)) = db.drop {
        if let Ok(a) = SqlStore::connect(&admin).await {
            let _ = a.execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            a.close().await;
        }
    }
}

async fn app(db: &Db) -> (AppState, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let vars = [
        ("DATABASE_URL", db.url.clone()),
        ("COKO_DATA_DIR", db._dir.path().display().to_string()),
        ("COKO_RATE_LIMIT_FACTOR", "10000".into()),
    ];
    let config = Config::from_lookup(&addr.to_string(), |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let leptos = LeptosOptions::builder().output_name("coko").site_root("target/site").site_pkg_dir("pkg").build();
    let state = AppState::build(config, leptos).await.unwrap();
    let served = state.clone();
    tokio::spawn(async move { server::serve(listener, served).await.unwrap() });
    (state, format!("http://{addr}"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// `workers` clients asking for `paths` in turn for `seconds`: (requests/s, p50 ms, p99 ms).
async fn load(base: &str, paths: &[String], workers: usize, seconds: u64) -> (f64, f64, f64) {
    let client = reqwest::Client::builder().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (client, base, paths) = (client.clone(), base.to_owned(), paths.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = w;
            while Instant::now() < deadline {
                let t = Instant::now();
                let res = client.get(format!("{base}{}", paths[i % paths.len()])).send().await.unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                let _ = res.bytes().await.unwrap();
                times.push(t.elapsed());
                i += 1;
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    (all.len() as f64 / seconds as f64, percentile(&all, 0.5), percentile(&all, 0.99))
}

/// A new database of `kind` holding `n` synthesised books, analysed, and a store open on it;
/// `None` (said) when PostgreSQL is not configured.
async fn fixture_db(kind: &str, n: usize) -> Option<(Db, SqlStore)> {
    let Some(db) = new_db(kind).await else {
        println!("{kind}: skipped (set TEST_DATABASE_URL for PostgreSQL)");
        return None;
    };
    let store = SqlStore::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let took = fixture(&store, n, 0).await;
    store.refresh_statistics().await.unwrap();
    println!("{}: {n} books inserted in {:.1} s (fixture, batched SQL)", db.label, took.as_secs_f64());
    Some((db, store))
}

async fn bench_catalogue(kind: &str, n: usize, seconds: u64) {
    let Some((db, store)) = fixture_db(kind, n).await else { return };
    store.close().await;
    let started = Instant::now();
    let (state, base) = app(&db).await;
    println!("{}: server start with the embedded index built over {n} books: {:.1} s", db.label, started.elapsed().as_secs_f64());

    // A cursor deep in the list: walk 50 pages of the newest-first order.
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let page = state.catalog.browse(&Default::default(), cursor.as_deref(), 20, None).await.unwrap();
        cursor = page.next_cursor;
    }
    let paths = vec![
        "/catalogue".to_owned(),
        "/catalogue?langue=fr".to_owned(),
        "/catalogue?tri=titre".to_owned(),
        "/catalogue?tri=populaire&prix=gratuit".to_owned(),
        format!("/catalogue?apres={}", cursor.unwrap_or_default()),
    ];
    let (rps, p50, p99) = load(&base, &paths, 4, seconds).await;
    println!("{}: /catalogue SSR at {n} books (4 clients, {seconds} s, first page / language / title / popular+free / page 51): {rps:.0} req/s, p50 {p50:.1} ms, p99 {p99:.1} ms", db.label);

    let queries = [
        "mobi dik",
        "frankenstien",
        "miserables",
        "pride and prej",
        "whale",
        "shelley",
        "sherlok holmes",
        "alice wonderland",
        "war and peace",
        "dracula",
    ];
    let mut times = Vec::new();
    for round in 0..20 {
        for q in queries {
            let t = Instant::now();
            let found = state.catalog.search(q, &Default::default(), 0, 20).await.unwrap();
            times.push(t.elapsed());
            if round == 0 && found.total == 0 {
                println!("  (no result for {q})");
            }
        }
    }
    times.sort();
    println!(
        "{}: search at {n} books (embedded index, {} queries): p50 {:.1} ms, p95 {:.1} ms",
        db.label,
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95)
    );
    drop_db(db).await;
}

/// The listing queries alone at `n` books: per order and filter, the median of the first page
/// and of a page 500 pages deep (reached by walking the keyset), and one uncached count.
async fn bench_pages(kind: &str, n: usize) {
    use domain::catalog::{parse_cursor, CatalogStore, Start};
    use domain::catalog::{BookFilter, Sort};
    let Some((db, store)) = fixture_db(kind, n).await else { return };
    let t = Instant::now();
    let total = store.count_books(&BookFilter::default(), true).await.unwrap();
    println!("{}: count of {total} published books (uncached): {:.1} ms", db.label, t.elapsed().as_secs_f64() * 1000.0);
    let filters = [
        ("newest", BookFilter::default()),
        ("title", BookFilter { sort: Sort::Title, ..Default::default() }),
        ("popular", BookFilter { sort: Sort::Popular, ..Default::default() }),
        ("language fr", BookFilter { language: Some("fr".into()), ..Default::default() }),
        ("popular + free", BookFilter { sort: Sort::Popular, free: Some(true), ..Default::default() }),
    ];
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1000.0
    };
    for (label, filter) in filters {
        let mut first = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            store.list_books(&filter, true, Start::Offset(0), 20).await.unwrap();
            first.push(t.elapsed());
        }
        let mut cursor = None;
        for _ in 0..500 {
            let start = cursor.as_deref().and_then(parse_cursor).unwrap_or(Start::Offset(0));
            cursor = store.list_books(&filter, true, start, 20).await.unwrap().next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        let deep = match cursor.as_deref().and_then(parse_cursor) {
            Some(start) => {
                let mut times = Vec::new();
                for _ in 0..7 {
                    let t = Instant::now();
                    store.list_books(&filter, true, start.clone(), 20).await.unwrap();
                    times.push(t.elapsed());
                }
                format!("{:.2} ms", median(times))
            }
            None => "n/a (fewer than 500 pages)".into(),
        };
        println!("{}: {n} books, {label}: first page {:.2} ms, page 501 {deep} (median of 7)", db.label, median(first));
    }
    store.close().await;
    drop_db(db).await;
}

/// Generated EPUBs (with a cover) imported one by one through the catalogue service.
async fn bench_import(kind: &str, present: usize, count: usize) {
    let Some(db) = new_db(kind).await else { return };
    let store = SqlStore::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    fixture(&store, present, 0).await;
    store.close().await;
    let (state, _) = app(&db).await;
    let files: Vec<(String, Vec<u8>)> = (0..count)
        .map(|i| {
            let title: &'static str = Box::leak(format!("Livre de banc d'essai n° {i}").into_boxed_str());
            let book = domain::demo::DemoBook {
                categories: "Fiction > Romans",
                title,
                author: "Awa Ndiaye",
                language: "fr",
                description: "Un livre pour mesurer l'import.",
                price_xof: 0,
                featured: false,
                premium: false,
                colors: ([(i % 200) as u8, 80, 120], [240, 200, 40]),
            };
            (format!("{title}.epub"), domain::demo::epub(&book))
        })
        .collect();
    let started = Instant::now();
    for (name, bytes) in &files {
        state.catalog.import(bytes, name, true).await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{}: import of {count} EPUBs with {present} books present: {:.1} books/s ({:.1} s)", db.label, count as f64 / secs, secs);
    drop_db(db).await;
}

#[tokio::main]
async fn main() {
    let _ = any_spawner::Executor::init_tokio();
    let n: usize = arg("--books", "100000").parse().unwrap();
    let seconds: u64 = arg("--seconds", "10").parse().unwrap();
    let which = arg("--db", "both");
    let kinds: Vec<&str> = match which.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    if std::env::args().any(|a| a == "--pages-only") {
        for kind in &kinds {
            bench_pages(kind, n).await;
        }
        return;
    }
    for kind in &kinds {
        bench_catalogue(kind, n, seconds).await;
    }
    if std::env::args().any(|a| a == "--ssr-only") {
        return;
    }
    let imports: usize = arg("--imports", "300").parse().unwrap();
    for kind in &kinds {
        for present in [1_000, 10_000] {
            bench_import(kind, present, imports).await;
        }
    }
}
