//! The error policy (top of `server/src/error.rs`): a page whose store fails shows the error
//! page in the visitor's language with their header, answers 500 (never a blank 200 or a
//! sign-out), and is logged exactly once with its cause, whatever the layer. REST the same.
//! On SQLite and PostgreSQL.

mod support;

use reqwest::StatusCode;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use support::{backends, bearer, browser, signed_in, spawn};

/// Every log line of this test binary.
fn log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Sink(sink.clone()))
            .try_init()
            .expect("the only subscriber of this binary");
        buf
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The error lines logged while serving the request with id `rid`.
fn errors_of(rid: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(&log().lock().unwrap()).into_owned();
    text.lines().filter(|l| l.contains(&format!("id={rid}")) && l.contains("ERROR")).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_failing_page_is_an_error_page_logged_once_with_its_cause() {
    log();
    for db in backends() {
        let app = spawn(db).await;
        let editor = signed_in(&app, "editrice@coko.test", "editor").await;
        let token = bearer(&app, "lecteur@coko.test", "reader").await;
        assert_eq!(editor.get(app.url("/admin/livres")).send().await.unwrap().status(), StatusCode::OK);

        // The books table stops answering; accounts and sessions still do.
        app.state.store.execute_raw("ALTER TABLE books RENAME TO books_away").await.unwrap();

        let rid = format!("admin-books-{}", app.label);
        let res = editor.get(app.url("/admin/livres")).header("x-request-id", &rid).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}", app.label);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let page = res.text().await.unwrap();
        assert!(page.contains("Une erreur est survenue de notre côté"), "{}: the error page, in French", app.label);
        assert!(page.contains("action=\"/deconnexion\""), "{}: with the editor's own header (still signed in)", app.label);
        let lines = errors_of(&rid);
        assert_eq!(lines.len(), 1, "{}: logged once, not {lines:#?}", app.label);
        assert!(lines[0].contains("status=500") && lines[0].contains("books"), "{}: with its cause: {}", app.label, lines[0]);

        // A visitor reading in English gets the page in English; a book page the same.
        let rid = format!("catalogue-{}", app.label);
        let res = browser().get(app.url("/catalogue")).header("accept-language", "en").header("x-request-id", &rid).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}: not an empty catalogue", app.label);
        assert!(res.text().await.unwrap().contains("Something went wrong on our side"), "{}", app.label);
        assert_eq!(errors_of(&rid).len(), 1, "{}", app.label);
        let res = browser().get(app.url("/livres/any")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}: a store error is not a 404", app.label);

        // REST: the same failure is a 500 in Coko's error shape, logged once.
        let rid = format!("rest-{}", app.label);
        let res = reqwest::Client::new()
            .get(app.url("/api/v1/catalog/books/"))
            .bearer_auth(&token)
            .header("x-request-id", &rid)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{}", app.label);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "INTERNAL");
        assert!(!body.to_string().contains("books_away") && !body.to_string().contains("no such table"), "the cause is never shown");
        assert_eq!(errors_of(&rid).len(), 1, "{}: logged once", app.label);

        // A client's mistake is not ours: no error line.
        let rid = format!("not-found-{}", app.label);
        app.state.store.execute_raw("ALTER TABLE books_away RENAME TO books").await.unwrap();
        let res = browser().get(app.url("/livres/nope")).header("x-request-id", &rid).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(errors_of(&rid).is_empty(), "{}: a 404 is not logged as an error", app.label);
        app.finish().await;
    }
}
