//! Fresh databases for each test: a SQLite file always, a PostgreSQL database whenever
//! `TEST_DATABASE_URL` is set (the test command sets it; CI makes the server reachable).

#![allow(dead_code)]

use domain::store::SqlStore;

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

/// One contract test as two test cases, `<name>::sqlite` and `<name>::postgres`, so that a
/// failure names its backend. The test is a closure from a fresh [`TestDb`] to the same (it is
/// finished after). The PostgreSQL case passes with a message when `TEST_DATABASE_URL` is unset.
#[allow(unused_macros)]
macro_rules! backend_test {
    ($name:ident, $test:expr) => {
        backend_test!(
            #[tokio::test]
            $name,
            $test
        );
    };
    (#[$attr:meta] $name:ident, $test:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[$attr]
            async fn sqlite() {
                let test = $test;
                test(support::sqlite().await).await.finish().await;
            }

            #[$attr]
            async fn postgres() {
                let test = $test;
                match support::postgres().await {
                    Some(db) => test(db).await.finish().await,
                    None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL case skipped"),
                }
            }
        }
    };
}

/// Runs a statement of a store's port in its own unit of work, committed when it succeeds:
/// `in_tx!(store, insert_user(&user, "hash"))`.
#[allow(unused_macros)]
macro_rules! in_tx {
    ($store:expr, $method:ident ( $($arg:expr),* $(,)? )) => {{
        let mut tx = domain::store::UnitOfWork::begin(&*$store).await.expect("begin");
        let done = $store.$method(&mut tx, $($arg),*).await;
        if done.is_ok() {
            tx.commit().await.expect("commit");
        }
        done
    }};
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

/// Makes every audit write fail (a full disk, a lost connection between two statements…).
pub async fn break_the_audit_journal(db: &TestDb) {
    let sql = match db.store.backend() {
        domain::store::Backend::Sqlite => {
            "CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END;"
        }
        domain::store::Backend::Postgres => {
            "CREATE FUNCTION audit_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit down'; END; $$ LANGUAGE plpgsql; \
             CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_down();"
        }
    };
    db.store.execute_raw(sql).await.unwrap();
}

/// The events written and not dispatched yet, oldest first (read in a unit of work that is
/// rolled back: they stay for the dispatcher).
pub async fn pending_events(db: &TestDb) -> Vec<domain::events::Event> {
    use domain::jobs::JobStore;
    use domain::store::UnitOfWork;
    let mut tx = db.store.begin().await.unwrap();
    let claimed = db.store.claim_events(&mut tx, 10_000).await.unwrap();
    drop(tx);
    claimed.into_iter().filter_map(|e| e.event).collect()
}

/// A verified reader (French), stored: `name` and `country` as given.
pub async fn reader(db: &TestDb, name: &str, country: &str) -> domain::account::User {
    use domain::account::AccountStore;
    use domain::store::UnitOfWork;
    let u = domain::account::User {
        id: uuid::Uuid::now_v7().to_string(),
        email: format!("{}@example.{}", uuid::Uuid::now_v7().simple(), country.to_lowercase()),
        name: name.into(),
        country: country.into(),
        language: domain::validation::Language::Fr,
        avatar_url: None,
        role: domain::account::Role::Reader,
        email_verified: true,
        preferences: domain::account::Preferences::default(),
        created_at: chrono::Utc::now(),
    };
    let mut tx = db.store.begin().await.unwrap();
    db.store.insert_user(&mut tx, &u, "h").await.unwrap();
    tx.commit().await.unwrap();
    u
}
