//! One transaction per command, with its event; other areas (the search index first) react
//! through the job queue run by the server. Against the real server and the real `coko`
//! binary, on SQLite and PostgreSQL.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::{backends, client, coko, spawn, TestApp};

/// Searches the REST API until `title` is found, for at most 20 s.
async fn found_by_search(app: &TestApp, q: &str, title: &str) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let url = app.url(&format!("/api/v1/catalog/books/search/?q={}", urlencoding(q)));
        let body: Value = client().get(url).send().await.unwrap().json().await.unwrap();
        if body["books"].as_array().is_some_and(|b| b.iter().any(|b| b["title"] == title)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

fn urlencoding(q: &str) -> String {
    q.replace(' ', "+")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_imported_from_the_command_line_become_searchable_on_the_running_server() {
    for db in backends() {
        let app = spawn(db).await;
        let folder = tempfile::tempdir().unwrap();
        let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub");
        std::fs::copy(corpus.join("trees.epub"), folder.path().join("trees.epub")).unwrap();
        let out = coko(&app, &["import", folder.path().to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}: {}", app.label, String::from_utf8_lossy(&out.stderr));
        assert!(found_by_search(&app, "trees", "Trees").await, "{}: the server's index got the import", app.label);

        // `coko reindex` asks the server, which rebuilds its own (embedded) index.
        let out = coko(&app, &["reindex"], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("rebuild asked"), "{}", String::from_utf8_lossy(&out.stdout));
        app.settle().await;
        let ready: Value = client().get(app.url("/ready")).send().await.unwrap().json().await.unwrap();
        assert_eq!(ready["jobs"]["dead"], 0, "{ready}");
        assert!(found_by_search(&app, "trees", "Trees").await);

        // The import is in the journal, by the command line.
        let entries = app.state.catalog.audit_log(domain::account::Role::Admin, &Default::default(), None).await.unwrap().entries;
        assert!(entries.iter().any(|e| e.action == domain::audit::AuditAction::BookAdded && e.actor_email == "system"), "{}", app.label);
        app.finish().await;
    }
}
