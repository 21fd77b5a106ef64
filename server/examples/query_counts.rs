//! How many SQL statements the hot paths cost, counted from sqlx's own statement events (not
//! estimated): a search page, a suggestion (the same call, 6 hits), "Ma bibliothèque" for a
//! reader with every demo book on the shelf. "Before" runs the old per-book loop against the
//! same database, through the same ports, so both figures come from one run.
//!
//! An offline download is counted twice: per book part through the services (the old check,
//! the account and the whole book, against the one-statement file check), and as the real HTTP
//! requests of one download (every part of a book, session included) on a running server.
//!
//! `cargo run --release -p server --example query_counts`

use domain::account::AccountStore;
use domain::account::{Role, User};
use domain::catalog::indexing::IndexBooks;
use domain::catalog::CatalogStore;
use domain::catalog::{BookStatus, CatalogService, ImportOutcome, Money};
use domain::files::LocalFiles;
use domain::ingest::Limits;
use domain::reading::ReadingStore;
use domain::reading::{ProgressUpdate, ReadingService};
use domain::search::{EmbeddedIndex, SearchFilter, SearchIndex};
use domain::store::SqlStore;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tracing_subscriber::layer::SubscriberExt;

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);
/// Statements run while serving an HTTP request (inside the server's `request` span), so that
/// the job queue's own polling in the background is not counted.
static IN_REQUESTS: AtomicUsize = AtomicUsize::new(0);

/// Counts the events sqlx emits for every statement it runs.
struct Counter;

impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>> tracing_subscriber::Layer<S> for Counter {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
            if ctx.event_scope(event).is_some_and(|mut scope| scope.any(|span| span.name() == "request")) {
                IN_REQUESTS.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

async fn counted<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let out = f.await;
    (out, STATEMENTS.load(Ordering::SeqCst) - before)
}

#[tokio::main]
async fn main() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Counter)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqlStore::connect(&format!("sqlite://{}/coko.db", dir.path().display())).await.unwrap());
    store.migrate().await.unwrap();
    let index = Arc::new(EmbeddedIndex::new());
    let catalog = CatalogService::new(store.clone(), Arc::new(LocalFiles::new(dir.path().join("files"))), index.clone(), Limits::default());
    let reading = ReadingService::new(store.clone() as Arc<dyn ReadingStore>, store.clone() as Arc<dyn CatalogStore>);
    let editor = domain::audit::Actor::system(Role::Editor);
    let reader = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: "lectrice@bench.coko".into(),
        name: "Lectrice".into(),
        country: "SN".into(),
        language: domain::validation::Language::Fr,
        avatar_url: None,
        role: Role::Reader,
        email_verified: true,
        preferences: Default::default(),
        created_at: chrono::Utc::now(),
    };
    let mut tx = domain::store::UnitOfWork::begin(&*store).await.unwrap();
    store.insert_user(&mut tx, &reader, "h").await.unwrap();
    tx.commit().await.unwrap();
    let mut ids = Vec::new();
    for (i, b) in domain::demo::DEMO_BOOKS.iter().enumerate() {
        let ImportOutcome::Created(book) = catalog.import(&domain::demo::epub(b), &format!("{}.epub", b.title), true).await.unwrap() else {
            continue;
        };
        let price = Money::xof(if i % 2 == 0 { 0 } else { 1500 });
        catalog
            .edit(&editor, &book.id, BookStatus::Published, domain::catalog::Offer { price, featured: false, premium: false })
            .await
            .unwrap();
        if i % 2 == 1 {
            reading.grant(&editor, &reader.id, &book.id).await.unwrap();
        }
        let update =
            ProgressUpdate { locator: "e:0:0:0".into(), percentage: 10.0 + i as f64, device: "bench".into(), ..Default::default() };
        reading.save_progress(&reader, &book.id, &update).await.unwrap();
        ids.push(book.id);
    }
    domain::jobs::Runner::new(store.clone())
        .with(Arc::new(IndexBooks(catalog.clone())))
        .settle(std::time::Duration::from_secs(30))
        .await
        .unwrap();

    let query = "le";
    let filter = SearchFilter::default();
    let (found, after_search) = counted(catalog.search(query, &filter, 0, 20)).await;
    let hits = found.unwrap().books.len();
    let (_, before_search) = counted(async {
        let r = index.search(query, &filter, 0, 20).await.unwrap();
        for id in r.ids {
            let _ = store.book_by_id(&id).await.unwrap();
        }
    })
    .await;
    let (suggested, after_suggest) = counted(catalog.search(query, &filter, 0, 6)).await;
    let suggested = suggested.unwrap().books.len();
    let (_, before_suggest) = counted(async {
        for id in index.search(query, &filter, 0, 6).await.unwrap().ids {
            let _ = store.book_by_id(&id).await.unwrap();
        }
    })
    .await;
    let (lib, after_library) = counted(reading.library(&reader)).await;
    let lib = lib.unwrap();
    let shelf = lib.reading.len() + lib.finished.len() + lib.owned.len();
    let (_, before_library) = counted(async {
        for (id, _) in store.recent_progress(&reader.id, 100).await.unwrap() {
            let _ = reading.readable_book(Some(&reader), &id).await;
        }
        for id in store.entitled_books(&reader.id, 200).await.unwrap() {
            let _ = reading.readable_book(Some(&reader), &id).await;
        }
    })
    .await;
    // Related books on a book's page: the first view asks the store, the next ones (within a
    // few seconds, while the catalogue is unchanged) do not.
    let shown = catalog.book(&ids[0], None).await.unwrap();
    let (_, related_first) = counted(catalog.related(&shown, 6)).await;
    let (_, related_again) = counted(catalog.related(&shown, 6)).await;

    // One part of a paid book the reader was granted: the old check loaded the account, then
    // the whole book (with its authors and categories) and the entitlement.
    let paid = ids[1].clone();
    let (_, before_part) = counted(async {
        let u = store.user_by_id(&reader.id).await.unwrap();
        let _ = reading.readable_book(u.as_ref().map(|r| &r.user), &paid).await.unwrap();
    })
    .await;
    let (_, after_part) = counted(async { reading.readable_file(Some(&reader.id), &paid).await.unwrap() }).await;

    // The real download on a running server: `/lire/{id}/hors-ligne` lists the parts, each is
    // then fetched as the service worker does. A long book of the corpus (Moby-Dick, paid).
    let corpus = std::env::var("COKO_CORPUS").unwrap_or_else(|_| "../shared/corpus".into());
    let moby = std::fs::read(format!("{corpus}/epub/moby-dick.epub")).expect("the corpus (COKO_CORPUS) has moby-dick.epub");
    let ImportOutcome::Created(long) = catalog.import(&moby, "moby-dick.epub", true).await.unwrap() else { panic!("imported") };
    catalog
        .edit(&editor, &long.id, BookStatus::Published, domain::catalog::Offer { price: Money::xof(2000), featured: false, premium: false })
        .await
        .unwrap();
    let (parts, per_download) = http_download(&dir, &store, &long.id).await;

    println!("| path | books | statements before | statements now |");
    println!("|---|---|---|---|");
    println!("| search page (`{query}`) | {hits} | {before_search} | {after_search} |");
    println!("| suggestion (6 at most) | {suggested} | {before_suggest} | {after_suggest} |");
    println!("| Ma bibliothèque | {shelf} on the shelves | {before_library} | {after_library} |");
    println!("| related books on a book page (next views) | 1 | {related_first} | {related_again} |");
    println!("| one part of a book (access check) | 1 | {before_part} | {after_part} |");
    println!(
        "| offline download over HTTP ({parts} parts, session included) | 1 | {} (estimated: {parts} × {}) | {per_download} |",
        parts * (before_part + 1),
        before_part + 1
    );
}

/// Serves the catalogue above, signs a reader in, and fetches every part of `book` as one
/// offline download does; answers the number of parts and the statements all of it ran.
async fn http_download(dir: &tempfile::TempDir, store: &Arc<SqlStore>, book: &str) -> (usize, usize) {
    let url = format!("sqlite://{}/coko.db", dir.path().display());
    let vars = [("DATABASE_URL", url), ("COKO_DATA_DIR", dir.path().display().to_string()), ("COKO_RATE_LIMIT_FACTOR", "1000".into())];
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config =
        server::config::Config::from_lookup(&addr.to_string(), |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let leptos = leptos::config::LeptosOptions::builder().output_name("coko").site_root("target/site").site_pkg_dir("pkg").build();
    let state = server::state::AppState::build(config, leptos).await.unwrap();
    let form = domain::account::NewAccount {
        email: "lecteur-http@bench.coko".into(),
        password: "motdepasse-bench".into(),
        name: "Lecteur".into(),
        country: "SN".into(),
        language: None,
    };
    let user = state.accounts.create_verified(&domain::audit::Actor::system(Role::Admin), form, Role::Reader).await.unwrap();
    let mut tx = domain::store::UnitOfWork::begin(&**store).await.unwrap();
    store.grant(&mut tx, &user.id, book, "grant", None).await.unwrap();
    tx.commit().await.unwrap();
    tokio::spawn(server::serve(listener, state));
    let web = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let base = format!("http://{addr}");
    let res = web
        .post(format!("{base}/connexion"))
        .form(&[("email", "lecteur-http@bench.coko"), ("password", "motdepasse-bench")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "signed in");
    let list: serde_json::Value = web.get(format!("{base}/lire/{book}/hors-ligne")).send().await.unwrap().json().await.unwrap();
    let parts: Vec<String> =
        list["urls"].as_array().unwrap().iter().filter_map(|u| u.as_str()).filter(|u| u.contains("/contenu/")).map(str::to_owned).collect();
    let before = IN_REQUESTS.load(Ordering::SeqCst);
    for part in &parts {
        let res = web.get(format!("{base}{part}")).send().await.unwrap();
        assert!(res.status().is_success(), "{part}: {}", res.status());
    }
    (parts.len(), IN_REQUESTS.load(Ordering::SeqCst) - before)
}
