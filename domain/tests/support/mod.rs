//! Fresh databases for each test: a SQLite file always, a PostgreSQL database whenever
//! `TEST_DATABASE_URL` is set (the test command sets it; CI makes the server reachable).

#![allow(dead_code)]

use domain::store::SqlStore;
use std::future::Future;

pub struct TestDb {
    pub store: SqlStore,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.drop_pg {
            let admin = SqlStore::connect(&admin_url).await.expect("admin connection");
            admin.execute_raw(&format!("DROP DATABASE IF EXISTS {name}")).await.ok();
            admin.close().await;
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/coko.db", dir.path().display());
    let store = SqlStore::connect(&url).await.expect("sqlite connect");
    store.migrate().await.expect("sqlite migrate");
    TestDb { store, label: "sqlite", _dir: Some(dir), drop_pg: None }
}

pub async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let name = format!("coko_t_{}", uuid::Uuid::now_v7().simple());
    let admin = SqlStore::connect(&admin_url).await.expect("TEST_DATABASE_URL is set but PostgreSQL is unreachable");
    admin.execute_raw(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    admin.close().await;
    let url = domain::store::postgres_url_with_database(&admin_url, &name);
    let store = SqlStore::connect(&url).await.expect("postgres connect");
    store.migrate().await.expect("postgres migrate");
    Some(TestDb { store, label: "postgres", _dir: None, drop_pg: Some((admin_url, name)) })
}

/// Runs one contract test on every available backend.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    let db = test(sqlite().await).await;
    db.finish().await;
    match postgres().await {
        Some(pg) => test(pg).await.finish().await,
        None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL half skipped"),
    }
}

/// The job queue of a test, with the catalogue's search handlers: what `coko serve` runs.
pub fn runner(db: &TestDb, catalog: &domain::catalog::CatalogService) -> domain::jobs::Runner {
    use domain::catalog::indexing::{IndexBooks, RebuildIndex};
    domain::jobs::Runner::new(std::sync::Arc::new(db.store.clone()))
        .with(std::sync::Arc::new(IndexBooks(catalog.clone())))
        .with(std::sync::Arc::new(RebuildIndex(catalog.clone())))
}

/// Runs the queue until nothing due is left.
pub async fn settle(runner: &domain::jobs::Runner) {
    let left = runner.settle(std::time::Duration::from_secs(30)).await.expect("job queue");
    assert_eq!((left.events, left.running), (0, 0), "the queue settles");
}

/// The catalogue service of a test: its files under `files`, the embedded index.
pub fn catalog(db: &TestDb, files: &std::path::Path) -> domain::catalog::CatalogService {
    domain::catalog::CatalogService::new(
        std::sync::Arc::new(db.store.clone()),
        std::sync::Arc::new(domain::files::LocalFiles::new(files)),
        std::sync::Arc::new(domain::search::EmbeddedIndex::new()),
        domain::ingest::Limits::default(),
    )
}
