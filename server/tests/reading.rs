//! The reader's server side against the real server: who may open a book, the book's files
//! served under a script-free policy, and progress through the session and the bearer API.

mod support;

use domain::catalog::Book;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{backends, client, signed_in, spawn, TestApp};

async fn import(app: &TestApp, name: &str) -> Book {
    support::import(app, &format!("epub/{name}"), true).await
}

#[tokio::test]
async fn books_open_for_those_entitled_with_a_script_free_policy() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "moby-dick.epub").await;
        let paid = import(&app, "trees.epub").await;
        support::set_price(&app, &paid.id, 1500).await;

        // Signed out: sent to sign in, and the content is refused.
        let res = client().get(app.url(&format!("/lire/{}", moby.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        assert!(res.headers()["location"].to_str().unwrap().starts_with("/connexion?next=/lire/"));
        let chapter = app.state.open_books.open(&app.state.catalog, &moby.file_hash).await.unwrap().publication.spine[3].href.clone();
        let res = client().get(app.url(&format!("/lire/{}/contenu/{chapter}", moby.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        let reader = signed_in(&app, "lectrice@coko.test", "reader").await;
        let res = reader.get(app.url(&format!("/lire/{}", moby.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"id="reader-frame""#) && html.contains(r#"sandbox="allow-same-origin""#), "{}", app.label);
        assert!(!html.contains("allow-scripts"));
        assert!(html.contains("Loomings"), "the table of contents is in the page");
        assert!(html.contains(r#"id="reader-publication""#));
        assert!(!html.contains("</script></script>"));
        assert!(!html.contains(".wasm"), "the catalogue's islands are not loaded in the reader");

        let res = reader.get(app.url(&format!("/lire/{}/contenu/{chapter}", moby.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "application/xhtml+xml");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("sandbox allow-same-origin") && !csp.contains("script-src"), "{csp}");
        assert_eq!(h["x-frame-options"], "SAMEORIGIN");
        assert!(h["cache-control"].to_str().unwrap().starts_with("private"));
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert!(res.text().await.unwrap().contains("<html"));
        let res = reader.get(app.url(&format!("/lire/{}/contenu/{chapter}", moby.id))).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        for bad in ["META-INF/container.xml", "../../../etc/passwd", "OPS/nothing-here.xhtml"] {
            let res = reader.get(app.url(&format!("/lire/{}/contenu/{bad}", moby.id))).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
            if !bad.starts_with("..") {
                // (The client resolves `..` itself, leaving the reader's route.)
                assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN", "errors too can show in the reader's frame");
            }
        }

        // A paid book: refused with a reason until an editor grants it.
        let res = reader.get(app.url(&format!("/lire/{}", paid.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(res.text().await.unwrap().contains("payant"));
        // An editor gives access from the book's admin page; readers cannot.
        let grant_url = app.url(&format!("/admin/livres/{}/acces", paid.id));
        let res = reader.post(&grant_url).form(&[("email", "lectrice@coko.test")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{}", app.label);
        let editor = signed_in(&app, "editrice-acces@coko.test", "editor").await;
        let html = editor.get(app.url(&format!("/admin/livres/{}", paid.id))).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("Offrir l’accès à un lecteur") || html.contains("Offrir l'accès à un lecteur"),
            "the grant form shows for a paid book"
        );
        let res = editor.post(&grant_url).form(&[("email", "personne@coko.test")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("personne@coko.test"), "the typed address stays in the form");
        let res = editor.post(&grant_url).form(&[("email", "lectrice@coko.test")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = editor.get(app.url(&format!("/admin/livres/{}", paid.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Accès accordé."));
        let res = reader.get(app.url(&format!("/lire/{}", paid.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);

        // The whole file, for those entitled, with ranges (resumable downloads, offline copies).
        let detail: Value =
            client().get(app.url(&format!("/api/v1/catalog/books/{}/", moby.id))).send().await.unwrap().json().await.unwrap();
        let file_url = detail["fileUrl"].as_str().unwrap().to_owned();
        assert_eq!(file_url, format!("/files/books/{}/{}.epub", moby.id, moby.file_hash));
        assert_eq!(client().get(app.url(&file_url)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let res = reader.get(app.url(&file_url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        assert_eq!(res.headers()["accept-ranges"], "bytes");
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("private"));
        assert_eq!(res.bytes().await.unwrap().len() as u64, moby.file_size);
        let res = reader.get(app.url(&file_url)).header("range", "bytes=0-3").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(res.headers()["content-range"].to_str().unwrap(), format!("bytes 0-3/{}", moby.file_size));
        assert_eq!(&res.bytes().await.unwrap()[..], b"PK\x03\x04");
        let res = reader.get(app.url(&file_url)).header("range", format!("bytes={}-", moby.file_size)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        let paid_url = format!("/files/books/{}/{}.epub", paid.id, paid.file_hash);
        let other = signed_in(&app, "autre@coko.test", "reader").await;
        assert_eq!(other.get(app.url(&paid_url)).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(
            other.get(app.url(&format!("/files/books/{}/{}.epub", moby.id, paid.file_hash))).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );

        // The book page links to the reader.
        let html = reader.get(app.url(&format!("/livres/{}", moby.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!(r#"href="/lire/{}""#, moby.id)));
        assert!(html.contains(".wasm"), "other pages do load the islands");
        app.finish().await;
    }
}

#[tokio::test]
async fn progress_follows_the_reader_between_web_and_mobile() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "moby-dick.epub").await;
        let web = signed_in(&app, "awa@coko.test", "reader").await;
        let url = app.url(&format!("/api/v1/reading/progress/{}/", moby.id));

        let res = client().get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", app.label);
        let res = web.get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "no position yet");

        let body = json!({"locator": "e:6:2.1:35", "percentage": 4.2, "device": "web", "updated_at": "2026-11-25T10:00:00Z"});
        let res = web.put(&url).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        let saved: Value = res.json().await.unwrap();
        assert_eq!(saved["locator"], "e:6:2.1:35");
        assert_eq!(saved["percentage"], 4.2);
        assert_eq!(saved["updated_at"], "2026-11-25T10:00:00Z");

        // Another site cannot write with the reader's cookie.
        let res = web.put(&url).header("origin", "https://evil.example").json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // Bad input names the fields.
        let res = web.put(&url).json(&json!({"locator": "chapitre 6", "percentage": 140})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "VALIDATION_ERROR");
        assert_eq!(err["error"]["fields"].as_array().unwrap().len(), 2);

        // The phone (bearer token) sees the same position, and an older write from it loses.
        let login: Value = client()
            .post(app.url("/api/v1/auth/login/"))
            .json(&json!({"email": "awa@coko.test", "password": "motdepasse-1"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["access_token"].as_str().unwrap_or_else(|| panic!("{login}")).to_owned();
        let phone = client();
        let got: Value = phone.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["locator"], "e:6:2.1:35");
        let older = json!({"locator": "e:2::0", "percentage": 1.0, "device": "phone", "updated_at": "2026-11-25T09:00:00Z"});
        let kept: Value = phone.put(&url).bearer_auth(&token).json(&older).send().await.unwrap().json().await.unwrap();
        assert_eq!(kept["locator"], "e:6:2.1:35", "{}: the newest write wins", app.label);

        // Opening the book resumes there.
        let html = web.get(app.url(&format!("/lire/{}", moby.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(r#"data-chapter="6""#) && html.contains(r#"data-start="e:6:2.1:35""#), "{}", app.label);

        // Display settings follow the reader (values brought back in range).
        let settings_url = app.url("/api/v1/reading/settings/");
        assert_eq!(web.get(&settings_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let saved: Value = web
            .put(&settings_url)
            .json(&json!({"font_size": 400, "theme": "sepia", "font": "dyslexic"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!((saved["font_size"].as_u64(), saved["theme"].as_str()), (Some(250), Some("sepia")), "{}", app.label);
        let got: Value = phone.get(&settings_url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["font"], "dyslexic");
        let html = web.get(app.url(&format!("/lire/{}", moby.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("sepia") && html.contains("data-settings="), "the reader page carries them");
        let bad = web.put(&settings_url).json(&json!({"theme": "neon"})).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        // Reading sessions feed the statistics (a replayed session counts once).
        let now = chrono::Utc::now();
        let session = json!({
            "id": uuid::Uuid::now_v7().to_string(), "book_id": moby.id,
            "started_at": (now - chrono::Duration::minutes(25)).to_rfc3339(), "ended_at": (now - chrono::Duration::minutes(5)).to_rfc3339(),
            "start_percentage": 1.0, "end_percentage": 4.2, "device": "web-mobile"
        });
        let sessions = app.url("/api/v1/reading/sessions/");
        assert_eq!(web.post(&sessions).json(&session).send().await.unwrap().status(), StatusCode::CREATED, "{}", app.label);
        assert_eq!(web.post(&sessions).json(&session).send().await.unwrap().status(), StatusCode::OK);
        let bad = web.post(&sessions).json(&json!({"id": "x", "book_id": moby.id})).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let stats: Value = web.get(app.url("/api/v1/reading/stats/")).send().await.unwrap().json().await.unwrap();
        let minutes = stats["minutes_30_days"].as_u64().unwrap();
        assert!((19..=20).contains(&minutes), "{}: {stats}", app.label);
        assert_eq!(stats["days"].as_array().unwrap().len(), 30);
        assert!(stats["current_streak"].as_u64().unwrap() >= 1);
        let html = web.get(app.url("/statistiques")).send().await.unwrap().text().await.unwrap();
        let figure = html.split(r#"data-testid="stats-minutes""#).nth(1).unwrap_or_default();
        assert!(
            html.contains("Statistiques de lecture") && figure.split("</p>").next().unwrap_or_default().contains(&minutes.to_string()),
            "{}",
            app.label
        );

        // The library shows the book in progress with how far.
        let html = web.get(app.url("/ma-bibliotheque")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Continuer la lecture") && html.contains("Moby-Dick") && html.contains("4 % lu"), "{}", app.label);
        assert!(html.contains(&format!(r#"href="/lire/{}""#, moby.id)));
        app.finish().await;
    }
}

#[tokio::test]
async fn annotations_through_the_api_and_their_exports() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "moby-dick.epub").await;
        let web = signed_in(&app, "note@coko.test", "reader").await;
        let base = app.url("/api/v1/reading/annotations/");
        let id = uuid::Uuid::now_v7().to_string();
        let body = json!({
            "id": id, "book_id": moby.id, "annotation_type": "highlight",
            "position": "e:6:0.1.0:5..e:6:0.1.0:20", "selected_text": "Call me Ishmael.",
            "content": "La plus célèbre des premières phrases.", "color": "#93c5fd",
            "created_at": "2026-11-25T10:00:00Z"
        });
        assert_eq!(client().post(&base).json(&body).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let res = web.post(&base).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label);
        let replay = web.post(&base).json(&body).send().await.unwrap();
        assert_eq!(replay.status(), StatusCode::OK, "a replay creates nothing");
        let bad = web
            .post(&base)
            .json(&json!({"id": "nope", "book_id": moby.id, "annotation_type": "highlight", "position": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let list: Value = web.get(format!("{base}?book={}", moby.id)).send().await.unwrap().json().await.unwrap();
        assert_eq!(list["annotations"].as_array().unwrap().len(), 1, "{}", app.label);
        assert_eq!(list["annotations"][0]["selected_text"], "Call me Ishmael.");

        let res = web.put(format!("{base}{id}/")).json(&json!({"content": "Note revue.", "color": "#fde047"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let edited: Value = res.json().await.unwrap();
        assert_eq!(edited["content"], "Note revue.");

        let md = web.get(format!("{base}export/?book={}&format=md", moby.id)).send().await.unwrap();
        assert_eq!(md.status(), StatusCode::OK);
        assert!(md.headers()["content-disposition"].to_str().unwrap().contains("notes-Moby-Dick.md"));
        let md = md.text().await.unwrap();
        assert!(
            md.contains("# Moby-Dick") && md.contains("> Call me Ishmael.") && md.contains("Note revue.") && md.contains("Loomings"),
            "{md}"
        );

        let pdf = web.get(format!("{base}export/?book={}&format=pdf", moby.id)).send().await.unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let path = app.data.path().join("notes.pdf");
        std::fs::write(&path, pdf.bytes().await.unwrap()).unwrap();
        let text = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed by the test command");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Call me Ishmael.") && text.contains("Note revue.") && text.contains("Moby-Dick"), "{text}");

        let other = signed_in(&app, "autre-note@coko.test", "reader").await;
        assert_eq!(other.delete(format!("{base}{id}/")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(other.post(&base).json(&body).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(web.delete(format!("{base}{id}/")).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        let list: Value = web.get(format!("{base}?book={}", moby.id)).send().await.unwrap().json().await.unwrap();
        assert!(list["annotations"].as_array().unwrap().is_empty());
        app.finish().await;
    }
}

#[tokio::test]
async fn pdf_passages_are_annotated_by_page_and_exported_under_their_page() {
    for db in backends() {
        let app = spawn(db).await;
        let pdf = support::import(&app, "pdf/tracemonkey.pdf", true).await;
        let web = signed_in(&app, "pdf-note@coko.test", "reader").await;
        let base = app.url("/api/v1/reading/annotations/");
        let note = |position: &str, text: &str, content: &str| {
            json!({
                "id": uuid::Uuid::now_v7().to_string(), "book_id": pdf.id, "annotation_type": if content.is_empty() { "highlight" } else { "note" },
                "position": position, "selected_text": text, "content": content, "color": "#86efac",
                "created_at": "2026-11-29T10:00:00Z"
            })
        };
        // Character offsets into pages' text; a passage may run onto the next page.
        let res = web.post(&base).json(&note("p:3:120..p:4:18", "a trace tree", "Le cœur de l'article.")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label);
        let res = web.post(&base).json(&note("p:1:0..p:1:34", "Trace-based Just-in-Time Type Specialization", "")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        for bad in ["p:4:9..p:3:0", "p:0:1..p:1:2", "p:2:x..p:2:4", "p:2:5..e:1::0"] {
            let res = web.post(&base).json(&note(bad, "x", "")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            let body: Value = res.json().await.unwrap();
            assert!(body.to_string().contains("position"), "{bad}: {body}");
        }
        let md = web.get(format!("{base}export/?book={}&format=md", pdf.id)).send().await.unwrap().text().await.unwrap();
        let (p1, p3) = (md.find("## Page 1").expect(&md), md.find("## Page 3").expect(&md));
        assert!(p1 < p3, "in page order: {md}");
        assert!(md.contains("> Trace-based Just-in-Time Type Specialization") && md.contains("Le cœur de l'article."), "{md}");
        app.finish().await;
    }
}
