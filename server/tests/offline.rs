//! The offline side against the real server: the manifest, the versioned service worker, the
//! offline and downloads pages, the list of what a book needs offline, and the account check
//! that keeps a write replayed by a shared device from landing on the wrong account.

mod support;

use domain::catalog::Book;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, client, signed_in, spawn, TestApp};

async fn import(app: &TestApp, name: &str) -> Book {
    support::import(app, &format!("epub/{name}"), true).await
}

#[tokio::test]
async fn manifest_worker_and_offline_pages() {
    for db in backends() {
        let app = spawn(db).await;
        let res = client().get(app.url("/manifest.webmanifest")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        assert_eq!(res.headers()["content-type"], "application/manifest+json");
        let fr: Value = res.json().await.unwrap();
        assert_eq!(fr["lang"], "fr");
        assert_eq!(fr["display"], "standalone");
        assert_eq!(fr["icons"].as_array().unwrap().len(), 3);
        assert!(fr["icons"].as_array().unwrap().iter().any(|i| i["purpose"] == "maskable"));
        let en: Value = client()
            .get(app.url("/manifest.webmanifest"))
            .header("accept-language", "en-GB,en;q=0.8")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(en["lang"], "en");
        assert_ne!(fr["description"], en["description"]);

        let res = client().get(app.url("/sw.js")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let js = res.text().await.unwrap();
        let head: Value =
            serde_json::from_str(js.lines().next().unwrap().trim_start_matches("const BUILD = ").trim_end_matches(';')).unwrap();
        assert_eq!(head["version"].as_str().unwrap().len(), 12);
        assert!(head["shell"].as_array().unwrap().iter().any(|f| f == "/hors-ligne"));
        assert!(js.contains("addEventListener('fetch'"));
        // Revalidated by its ETag (the build's version): the same build answers 304, no body.
        let again = client().get(app.url("/sw.js")).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{}", app.label);
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());
        let other = client().get(app.url("/sw.js")).header("if-none-match", "\"sw-0123456789ab\"").send().await.unwrap();
        assert_eq!(other.status(), StatusCode::OK, "another build's worker gets this one");

        // The offline page is the same for everyone: it names nobody.
        let reader = signed_in(&app, "hors-ligne@coko.test", "reader").await;
        let html = reader.get(app.url("/hors-ligne")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Vous êtes hors ligne"));
        assert!(!html.contains("hors-ligne@coko.test") && !html.contains("coko-user"), "{}", app.label);
        // The downloads page is for signed-in readers.
        assert_eq!(client().get(app.url("/telechargements")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        let html = reader.get(app.url("/telechargements")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Économiseur de données") && html.contains("data-downloads-list"));
        app.finish().await;
    }
}

#[tokio::test]
async fn what_a_book_needs_offline_is_listed_for_those_entitled() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "moby-dick.epub").await;
        let paid = import(&app, "trees.epub").await;
        support::set_price(&app, &paid.id, 1500).await;
        let url = |b: &Book| app.url(&format!("/lire/{}/hors-ligne", b.id));
        assert_eq!(client().get(url(&moby)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let reader = signed_in(&app, "telecharge@coko.test", "reader").await;
        assert_eq!(reader.get(url(&paid)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.get(app.url("/lire/nope/hors-ligne")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        let res = reader.get(url(&moby)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("no-store"));
        let list: Value = res.json().await.unwrap();
        let urls: Vec<&str> = list["urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        assert_eq!(urls[0], format!("/lire/{}", moby.id));
        let opened = app.state.open_books.open(&app.state.catalog, &moby.file_hash).await.unwrap();
        // Every spine item is there, and every listed file is served.
        for item in &opened.publication.spine {
            assert!(urls.contains(&format!("/lire/{}/contenu/{}", moby.id, item.href).as_str()), "{}", item.href);
        }
        let bytes = list["bytes"].as_u64().unwrap();
        assert!(bytes > moby.file_size / 2, "{bytes} bytes inflated for a {} byte file", moby.file_size);
        for u in urls.iter().filter(|u| u.contains("/contenu/")).take(5) {
            assert_eq!(reader.get(app.url(u)).send().await.unwrap().status(), StatusCode::OK, "{u}");
        }
        assert!(list["api"].as_array().unwrap().iter().any(|u| u.as_str().unwrap().contains("annotations")));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_write_kept_for_another_account_is_refused() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "moby-dick.epub").await;
        let web = signed_in(&app, "binta@coko.test", "reader").await;
        let me = app.state.accounts.verified_user_by_email("binta@coko.test").await.unwrap();
        let base = app.url("/api/v1/reading/annotations/");
        let body = json!({
            "id": uuid::Uuid::now_v7().to_string(), "book_id": moby.id, "annotation_type": "highlight",
            "position": "e:6:0.1.0:5..e:6:0.1.0:20", "selected_text": "Call me Ishmael.", "content": "", "color": "#fde047",
            "created_at": "2026-11-25T10:00:00Z"
        });
        let res = web.post(&base).header("x-coko-user", "someone-else").json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT, "{}", app.label);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "ACCOUNT_MISMATCH");
        let list: Value = web.get(format!("{base}?book={}", moby.id)).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["annotations"].as_array().unwrap().len(), 0, "nothing stored");
        let progress = app.url(&format!("/api/v1/reading/progress/{}/", moby.id));
        let update = json!({"locator": "e:3:0:0", "percentage": 5.0, "device": "web-mobile", "updated_at": "2026-11-25T10:00:00Z"});
        assert_eq!(
            web.put(&progress).header("x-coko-user", "someone-else").json(&update).send().await.unwrap().status(),
            StatusCode::CONFLICT
        );
        // Named as the account signed in: accepted.
        let res = web.post(&base).header("x-coko-user", &me.id).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(web.put(&progress).header("x-coko-user", &me.id).json(&update).send().await.unwrap().status(), StatusCode::OK);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_pdf_opens_in_the_pdf_reader_and_can_be_kept_offline() {
    for db in backends() {
        let app = spawn(db).await;
        let pdf = support::import(&app, "pdf/tracemonkey.pdf", true).await;
        let reader = signed_in(&app, "pdf@coko.test", "reader").await;
        // Signed out: sign in first (as for EPUBs).
        assert_eq!(client().get(app.url(&format!("/lire/{}", pdf.id))).send().await.unwrap().status(), StatusCode::SEE_OTHER);
        let res = reader.get(app.url(&format!("/lire/{}", pdf.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"data-format="pdf""#), "the PDF reader's frame");
        assert!(html.contains(&format!(r#"data-file="{}""#, pdf.file_url())), "it names the file it reads");
        assert!(html.contains(r#"data-page="1""#), "a first opening starts at page 1");
        assert!(html.contains("Télécharger le fichier PDF"), "without WASM the file itself is offered");
        assert!(!html.contains("reader-frame"), "no EPUB iframe");
        // The saved page is where it reopens; `?page=` wins over it.
        let put = reader
            .put(app.url(&format!("/api/v1/reading/progress/{}/", pdf.id)))
            .json(&json!({"locator": "p:7", "percentage": 50.0, "device": "test", "updated_at": "2026-11-25T10:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), StatusCode::OK, "{}", put.text().await.unwrap());
        let html = reader.get(app.url(&format!("/lire/{}", pdf.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(r#"data-page="7""#) && html.contains(r#"data-explicit="false""#));
        let html = reader.get(app.url(&format!("/lire/{}?page=3", pdf.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(r#"data-page="3""#) && html.contains(r#"data-explicit="true""#));
        // A page beyond the end opens the last one.
        if let Some(n) = pdf.page_count {
            let html = reader.get(app.url(&format!("/lire/{}?page=9999", pdf.id))).send().await.unwrap().text().await.unwrap();
            assert!(html.contains(&format!(r#"data-page="{n}""#)));
        }

        // Offline: the reader page, the book page and the file itself, with the PDF engine.
        let list: Value = reader.get(app.url(&format!("/lire/{}/hors-ligne", pdf.id))).send().await.unwrap().json().await.unwrap();
        let urls: Vec<&str> = list["urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        assert_eq!(urls, [format!("/lire/{}", pdf.id), format!("/livres/{}", pdf.id), pdf.file_url()]);
        assert_eq!(list["bytes"].as_u64(), Some(pdf.file_size));
        assert!(
            list["reader"].as_array().unwrap().iter().all(|f| f.as_str().unwrap().contains("pdf")),
            "only the PDF engine: {}",
            list["reader"]
        );
        let file = reader.get(app.url(&pdf.file_url())).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.bytes().await.unwrap().len() as u64, pdf.file_size);
        app.finish().await;
    }
}
