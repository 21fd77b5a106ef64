//! Spawns the real server on port 0 with a fresh database and data folder.

#![allow(dead_code)]

pub mod sandbox;

use domain::store::{postgres_url_with_database, SqlStore};
use leptos::config::LeptosOptions;
use server::config::Config;
use server::state::AppState;
use std::path::PathBuf;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub data: tempfile::TempDir,
    pub label: &'static str,
    drop_pg: Option<(String, String)>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits until the job queue has done what the last commands asked (the search index
    /// follows the catalogue through it, a moment after each change).
    pub async fn settle(&self) {
        let left = self.state.jobs.settle(std::time::Duration::from_secs(30)).await.unwrap();
        assert_eq!((left.events, left.running), (0, 0), "the job queue settles");
    }

    pub fn outbox(&self) -> PathBuf {
        self.state.config.outbox_dir()
    }

    /// The newest mail sent to `to`, as text.
    pub fn last_mail_to(&self, to: &str) -> Option<String> {
        let mut mails: Vec<_> = std::fs::read_dir(self.outbox()).ok()?.flatten().map(|e| e.path()).collect();
        mails.sort();
        mails.iter().rev().map(|p| std::fs::read_to_string(p).unwrap_or_default()).find(|m| m.contains(&format!("To: {to}")))
    }

    /// How many mails went to `to`.
    pub fn mails_to(&self, to: &str) -> usize {
        let Ok(dir) = std::fs::read_dir(self.outbox()) else { return 0 };
        dir.flatten().filter(|e| std::fs::read_to_string(e.path()).unwrap_or_default().contains(&format!("To: {to}"))).count()
    }

    /// The token in the newest link to `path` mailed to `to`, waiting up to five seconds for
    /// it (mail leaves from the background).
    pub async fn mailed_token(&self, to: &str, path: &str) -> String {
        let needle = format!("{path}?token=");
        for _ in 0..100 {
            if let Some(mail) = self.last_mail_to(to).filter(|m| m.contains(&needle)) {
                let start = mail.find(&needle).unwrap();
                return mail[start + needle.len()..].split_whitespace().next().unwrap().to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no {path} link mailed to {to}")
    }

    /// Waits up to five seconds for the `n`-th mail to `to`.
    pub async fn wait_for_mails(&self, to: &str, n: usize) {
        for _ in 0..100 {
            if self.mails_to(to) >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("fewer than {n} mails to {to}")
    }

    pub async fn finish(self) {
        self.state.store.close().await;
        if let Some((admin, name)) = self.drop_pg {
            if let Ok(a) = SqlStore::connect(&admin).await {
                let _ = a.execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                a.close().await;
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The backends this run can test: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
pub fn backends() -> Vec<Db> {
    let mut v = vec![Db::Sqlite];
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        v.push(Db::Postgres);
    } else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL half skipped");
    }
    v
}

pub async fn spawn(db: Db) -> TestApp {
    spawn_with(db, &[]).await
}

/// Spawns with extra environment-style settings (e.g. `COKO_RATE_LIMIT_FACTOR`).
pub async fn spawn_with(db: Db, extra: &[(&str, &str)]) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let (database_url, drop_pg, label) = match db {
        Db::Sqlite => (format!("sqlite://{}/coko.db", data.path().display()), None, "sqlite"),
        Db::Postgres => {
            let admin = std::env::var("TEST_DATABASE_URL").unwrap();
            let name = format!("coko_h_{}", uuid::Uuid::now_v7().simple());
            let a = SqlStore::connect(&admin).await.expect("TEST_DATABASE_URL unreachable");
            a.execute_raw(&format!("CREATE DATABASE {name}")).await.unwrap();
            a.close().await;
            (postgres_url_with_database(&admin, &name), Some((admin, name)), "postgres")
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let data_dir = data.path().display().to_string();
    let mut vars: Vec<(String, String)> = vec![("DATABASE_URL".into(), database_url), ("COKO_DATA_DIR".into(), data_dir)];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_lookup(&addr.to_string(), |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).unwrap();
    let leptos = LeptosOptions::builder().output_name("coko").site_root("target/site").site_pkg_dir("pkg").build();
    let state = AppState::build(config, leptos).await.unwrap();
    let served = state.clone();
    tokio::spawn(async move { server::serve(listener, served).await.unwrap() });
    TestApp { base: format!("http://{addr}"), state, data, label, drop_pg }
}

/// Imports a corpus file (`epub/moby-dick.epub`) straight through the catalogue service.
pub async fn import(app: &TestApp, path: &str, publish: bool) -> domain::catalog::Book {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(path);
    let bytes = std::fs::read(&p).unwrap();
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    let book = match app.state.catalog.import(&bytes, &name, publish).await.unwrap() {
        domain::catalog::ImportOutcome::Created(b) => *b,
        other => panic!("{other:?}"),
    };
    app.settle().await;
    book
}

/// Puts a published book on sale at `amount` XOF, as an editor would.
pub async fn set_price(app: &TestApp, id: &str, amount: i64) {
    let editor = domain::audit::Actor::system(domain::account::Role::Editor);
    let published = domain::catalog::BookStatus::Published;
    app.state
        .catalog
        .edit(
            &editor,
            id,
            published,
            domain::catalog::Offer { price: domain::catalog::Money::xof(amount), featured: false, premium: false },
        )
        .await
        .unwrap();
    app.settle().await;
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A client that keeps cookies and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// A verified account made by staff, with `role`.
pub async fn account(app: &TestApp, email: &str, password: &str, role: &str) -> domain::account::User {
    let form = domain::account::NewAccount {
        email: email.into(),
        password: password.into(),
        name: "Éditrice".into(),
        country: "SN".into(),
        language: None,
    };
    let operator = domain::audit::Actor::system(domain::account::Role::Admin);
    let role = domain::account::Role::parse(role).expect("a role");
    app.state.accounts.create_verified(&operator, form, role).await.unwrap()
}

/// A browser signed in as a new user with `role` (reader, editor, admin).
pub async fn signed_in(app: &TestApp, email: &str, role: &str) -> reqwest::Client {
    account(app, email, "motdepasse-1", role).await;
    let c = browser();
    let res = c.post(app.url("/connexion")).form(&[("email", email), ("password", "motdepasse-1")]).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    c
}

/// An access token for a new user with `role`, signed in through the REST API.
pub async fn bearer(app: &TestApp, email: &str, role: &str) -> String {
    signed_in(app, email, role).await;
    let res = client()
        .post(app.url("/api/v1/auth/login/"))
        .json(&serde_json::json!({"email": email, "password": "motdepasse-1"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Runs the `coko` binary against the test's database, from the workspace root.
pub fn coko(app: &TestApp, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_coko"));
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(args)
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("COKO_DATA_DIR", app.data.path())
        .env("RUST_LOG", "warn")
        .env_remove("COKO_ADMIN_PASSWORD")
        .env_remove("COKO_BASE_URL")
        .env_remove("LEPTOS_SITE_ADDR")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}
