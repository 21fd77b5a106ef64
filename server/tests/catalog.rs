//! Catalogue pages, covers and the REST catalogue, against the real server and corpus books.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{backends, bearer, client, import, signed_in, spawn, Db, TestApp};

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = client().get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn catalogue_pages_and_covers() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "epub/moby-dick.epub", true).await;
        let arabic = import(&app, "epub/regime-anticancer-arabic.epub", true).await;
        let draft = import(&app, "epub/wasteland.epub", false).await;

        let (status, html) = get(&app, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Nouveautés") && html.contains("Moby-Dick"), "{}: new arrivals on the home page", app.label);

        let (status, html) = get(&app, "/catalogue").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("2 livres") && html.contains("Moby-Dick") && html.contains("Gratuit"), "{}", app.label);
        assert!(!html.contains(&draft.title), "drafts are not listed");
        let (_, html) = get(&app, "/catalogue?langue=ar").await;
        assert!(html.contains("1 livre") && html.contains(&arabic.title));
        assert!(html.contains(r#"<option value="ar" selected"#), "the filter stays selected");

        let (status, html) = get(&app, &format!("/livres/{}", moby.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Herman Melville</a>") && html.contains("de "));
        let cover = moby.cover_hash.clone().unwrap();
        assert!(html.contains(&format!("/files/covers/{cover}")));
        let (status, _) = get(&app, &format!("/livres/{}", draft.id)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "drafts are not shown to readers");
        let (status, _) = get(&app, "/livres/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let res = client().get(app.url(&format!("/files/covers/{cover}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("image/"));
        assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        let res =
            client().get(app.url(&format!("/files/covers/{cover}"))).header("if-none-match", format!("\"{cover}\"")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        let (status, _) = get(&app, &format!("/files/covers/{}", moby.file_hash)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "book files are not served as covers");
        let (status, _) = get(&app, "/files/covers/..%2F..%2Fetc%2Fpasswd").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.finish().await;
    }
}

#[tokio::test]
async fn rest_catalogue_lists_and_details() {
    let app = spawn(Db::Sqlite).await;
    for f in ["epub/moby-dick.epub", "epub/trees.epub", "epub/wasteland.epub", "pdf/tracemonkey.pdf"] {
        import(&app, f, true).await;
    }
    let body: Value = client().get(app.url("/api/v1/catalog/books/?page=2&limit=3")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["pagination"], serde_json::json!({"page": 2, "limit": 3, "total": 4, "totalPages": 2}));
    assert_eq!(body["books"].as_array().unwrap().len(), 1);
    let body: Value = client().get(app.url("/api/v1/catalog/books/?format=pdf")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["pagination"]["total"], 1);
    assert_eq!(body["books"][0]["format"], "pdf");

    let res = client().get(app.url("/api/v1/catalog/books/?limit=101")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["error"]["details"], serde_json::json!({"field": "limit", "reason": "too_long"}));
    let res = client().get(app.url("/api/v1/catalog/books/?page=zero")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // `search`: the listing becomes the search's, typos forgiven, the filters still applied,
    // paged the same way.
    let body: Value = client().get(app.url("/api/v1/catalog/books/?search=mobi%20dik")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["books"][0]["title"], "Moby-Dick", "{body}");
    assert_eq!(body["pagination"]["page"], 1);
    assert!(body["pagination"]["total"].as_u64().unwrap() >= 1);
    let body: Value =
        client().get(app.url("/api/v1/catalog/books/?search=mobi%20dik&format=pdf")).send().await.unwrap().json().await.unwrap();
    assert!(body["books"].as_array().unwrap().iter().all(|b| b["format"] == "pdf"), "filters narrow the search: {body}");
    assert!(body["books"].as_array().unwrap().iter().all(|b| b["title"] != "Moby-Dick"));
    let body: Value = client().get(app.url("/api/v1/catalog/books/?search=and&limit=1&page=2")).send().await.unwrap().json().await.unwrap();
    let total = body["pagination"]["total"].as_u64().unwrap();
    assert!(total >= 2, "two books say 'and': {body}");
    assert_eq!(body["pagination"]["totalPages"], total);
    assert_eq!(body["books"].as_array().unwrap().len(), 1);
    let first: Value =
        client().get(app.url("/api/v1/catalog/books/?search=and&limit=1&page=1")).send().await.unwrap().json().await.unwrap();
    assert_ne!(first["books"][0]["id"], body["books"][0]["id"], "pages do not overlap");
    let body: Value = client().get(app.url("/api/v1/catalog/books/?search=%20%20")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["pagination"]["total"], 4, "blank words list everything");
    let res = client().get(app.url(&format!("/api/v1/catalog/books/?search={}", "a".repeat(201)))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["details"], serde_json::json!({"field": "search", "reason": "too_long"}));

    let all: Value = client().get(app.url("/api/v1/catalog/books/?limit=100")).send().await.unwrap().json().await.unwrap();
    let moby = all["books"].as_array().unwrap().iter().find(|b| b["title"] == "Moby-Dick").unwrap().clone();
    let detail: Value = client()
        .get(app.url(&format!("/api/v1/catalog/books/{}/", moby["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["title"], "Moby-Dick");
    assert_eq!(detail["authors"][0]["name"], "Herman Melville");
    assert!(detail["coverUrl"].as_str().unwrap().starts_with("/files/covers/"));
    assert_eq!(detail["isFree"], true);
    let res = client().get(app.url("/api/v1/catalog/books/missing/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "NOT_FOUND");
    app.finish().await;
}

#[tokio::test]
async fn search_page_and_rest_search() {
    let app = spawn(Db::Sqlite).await;
    for f in ["epub/moby-dick.epub", "epub/trees.epub", "epub/wasteland.epub", "epub/regime-anticancer-arabic.epub", "pdf/tracemonkey.pdf"]
    {
        import(&app, f, true).await;
    }
    let (status, html) = get(&app, "/recherche?q=mobi+dik").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 résultat pour « mobi dik »") && html.contains("Moby-Dick"), "typo-tolerant page");
    assert!(html.contains(r#"value="mobi dik""#), "the box keeps the query");
    let (_, html) = get(&app, "/recherche?q=ab").await;
    assert!(html.contains("au moins 3 caractères"));
    let (_, html) = get(&app, "/recherche?q=zzqxwv").await;
    assert!(html.contains("Aucun livre ne correspond"));

    let res = client().get(app.url("/api/v1/catalog/books/search/?q=melvile")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total"], 1);
    assert_eq!(body["books"][0]["title"], "Moby-Dick");
    assert_eq!(body["facets"]["format"]["epub"], 1);
    let res = client().get(app.url("/api/v1/catalog/books/search/?q=mo")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["details"], serde_json::json!({"field": "q", "reason": "too_short"}));
    // Paging is bounded: a huge page is a clear error, never an overflow.
    for (page, reason) in [("4294967295", "out_of_range"), ("99999999999999999999", "invalid_format"), ("0", "invalid_format")] {
        let res = client().get(app.url(&format!("/api/v1/catalog/books/search/?q=moby&page={page}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "page {page}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["details"], serde_json::json!({"field": "page", "reason": reason}), "page {page}");
    }
    let ready: Value = client().get(app.url("/ready")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["index"], "ok");
    assert_eq!(ready["indexKind"], "embedded");
    assert_eq!(ready["jobs"]["ready"], 0, "every import reached the index: {ready}");
    assert_eq!(ready["jobs"]["events"], 0);
    app.finish().await;
}

fn file_form(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()))
}

#[tokio::test]
async fn editors_upload_review_and_publish() {
    let app = spawn(Db::Sqlite).await;
    let editor = signed_in(&app, "editrice@coko.test", "editor").await;
    let moby = std::fs::read(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/moby-dick.epub")).unwrap();
    let res = editor.post(app.url("/admin/livres/importer")).multipart(file_form("moby-dick.epub", moby.clone())).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/admin/livres/"));
    let id = location.trim_start_matches("/admin/livres/").to_owned();
    let (_, html) = get(&app, "/catalogue").await;
    assert!(!html.contains("Moby-Dick"), "uploads start as drafts");
    let html = editor.get(app.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Livre importé en brouillon") && html.contains("Moby-Dick"));

    let res = editor.post(app.url(&location)).form(&[("status", "published"), ("price", "1500"), ("featured", "on")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, "/catalogue").await;
    assert!(html.contains("Moby-Dick") && html.contains("1\u{202f}500\u{a0}FCFA"), "published with its price");
    app.settle().await; // the index follows through the job queue
    let found: Value = client().get(app.url("/api/v1/catalog/books/search/?q=moby&free=false")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["total"], 1, "the index knows the new price");

    // One money parser: French digit groups are read, anything else is refused with its field,
    // never taken as 0 (free).
    let res = editor.post(app.url(&location)).form(&[("status", "published"), ("price", "2\u{a0}500 FCFA")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.state.catalog.book(&id, None).await.unwrap().price.amount, 2500);
    for bad in ["1e3", "-5", "douze", ""] {
        let res = editor.post(app.url(&location)).form(&[("status", "published"), ("price", bad)]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "price {bad:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"price-error\""), "the field says why ({bad:?})");
        assert_eq!(app.state.catalog.book(&id, None).await.unwrap().price.amount, 2500, "{bad:?} changed nothing");
    }
    let res = editor.post(app.url("/admin/livres/importer")).multipart(file_form("moby-dick.epub", moby)).send().await.unwrap();
    assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/admin/livres/{id}"), "same file, same book");

    let res = editor
        .post(app.url("/admin/livres/importer"))
        .multipart(file_form("evil.epub", b"<script>alert(1)</script>".to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Fichier refusé") && html.contains("pas une archive EPUB lisible"), "the reason is given");

    // Correcting the metadata: refused fields are named, accepted ones reach pages and search.
    let meta = format!("{location}/metadonnees");
    let res = editor.post(app.url(&meta)).form(&[("title", " "), ("isbn", "123"), ("language", "en")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Titre : ce champ est obligatoire") && html.contains("ISBN : format invalide"), "both fields named");
    let fields = [
        ("title", "Moby Dick, or The Whale"),
        ("subtitle", "Édition illustrée"),
        ("authors", "Herman Melville\nRockwell Kent"),
        ("publisher", "Éditions Coko"),
        ("language", "en"),
        ("isbn", "978-0-306-40615-7"),
        ("published_date", "1851"),
        ("description", "Call me Ishmael."),
    ];
    let res = editor.post(app.url(&meta)).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &format!("/livres/{id}")).await;
    assert!(html.contains("Moby Dick, or The Whale") && html.contains("Rockwell Kent") && html.contains("9780306406157"));
    app.settle().await; // the index follows through the job queue
    let found: Value = client().get(app.url("/api/v1/catalog/books/search/?q=rockwell")).send().await.unwrap().json().await.unwrap();
    assert_eq!(found["total"], 1, "the index follows corrections");

    let reader = signed_in(&app, "lecteur@coko.test", "reader").await;
    let res = reader.post(app.url(&meta)).form(&[("title", "Pwned")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = reader.get(app.url("/admin/livres")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = reader.post(app.url(&location)).form(&[("status", "draft"), ("price", "0")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

fn book_form(path: &str, publish: bool) -> reqwest::multipart::Form {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(path);
    let part = reqwest::multipart::Part::bytes(std::fs::read(&p).unwrap()).file_name(p.file_name().unwrap().to_string_lossy().into_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    if publish {
        form.text("publish", "true")
    } else {
        form
    }
}

#[tokio::test]
async fn editors_add_change_and_remove_books_through_the_api() {
    for db in backends() {
        let app = spawn(db).await;
        let books = app.url("/api/v1/catalog/books/");
        let editor = bearer(&app, "editrice@coko.test", "editor").await;
        let reader = bearer(&app, "lecteur@coko.test", "reader").await;

        // Signed out: 401; a reader: 403; nothing stored.
        assert_eq!(
            client().post(&books).multipart(book_form("epub/moby-dick.epub", false)).send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED,
            "{}",
            app.label
        );
        assert_eq!(
            client().post(&books).bearer_auth(&reader).multipart(book_form("epub/moby-dick.epub", false)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );

        // An editor adds a book: a draft, out of the public catalogue, until published.
        let res = client().post(&books).bearer_auth(&editor).multipart(book_form("epub/moby-dick.epub", false)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.label);
        let moby: Value = res.json().await.unwrap();
        assert_eq!(moby["title"], "Moby-Dick");
        assert_eq!(moby["status"], "draft");
        let id = moby["id"].as_str().unwrap().to_owned();
        let one = app.url(&format!("/api/v1/catalog/books/{id}/"));
        assert_eq!(client().get(&one).send().await.unwrap().status(), StatusCode::NOT_FOUND, "drafts are hidden");
        // The same bytes again: the book already there.
        let again = client().post(&books).bearer_auth(&editor).multipart(book_form("epub/moby-dick.epub", false)).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::OK);
        assert_eq!(again.json::<Value>().await.unwrap()["id"], id.as_str());
        // Published at once when asked.
        let trees: Value = client()
            .post(&books)
            .bearer_auth(&editor)
            .multipart(book_form("epub/trees.epub", true))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(trees["status"], "published");

        // Hostile and missing files are refused with a reason.
        let bad = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(b"PK\x03\x04 not really".to_vec()).file_name("x.epub"));
        let res = client().post(&books).bearer_auth(&editor).multipart(bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["details"]["field"], "file");
        assert!(err["error"]["detail"].is_string(), "{err}");
        let empty = reqwest::multipart::Form::new().text("publish", "true");
        assert_eq!(
            client().post(&books).bearer_auth(&editor).multipart(empty).send().await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Changes: metadata, offer, status; bad values say which field.
        let res = client()
            .put(&one)
            .bearer_auth(&editor)
            .json(&serde_json::json!({"subtitle": "ou la Baleine", "authors": ["Herman Melville"], "price": 1500, "featured": true, "status": "published"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", app.label);
        let changed: Value = res.json().await.unwrap();
        assert_eq!(changed["subtitle"], "ou la Baleine");
        assert_eq!(changed["title"], "Moby-Dick", "absent fields are kept");
        assert_eq!(changed["status"], "published");
        assert_eq!(changed["featured"], true);
        assert_eq!(changed["isFree"], false);
        assert_eq!(client().get(&one).send().await.unwrap().status(), StatusCode::OK);
        for (body, field) in [
            (serde_json::json!({"title": ""}), "title"),
            (serde_json::json!({"price": -5}), "price"),
            (serde_json::json!({"status": "gone"}), "status"),
            (serde_json::json!({"isbn": "not an isbn"}), "isbn"),
        ] {
            let res = client().put(&one).bearer_auth(&editor).json(&body).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(res.json::<Value>().await.unwrap()["error"]["details"]["field"], field);
        }
        assert_eq!(
            client().put(&one).bearer_auth(&editor).json(&serde_json::json!({"nope": 1})).send().await.unwrap().status().as_u16() / 100,
            4
        );
        assert_eq!(
            client().put(&one).bearer_auth(&reader).json(&serde_json::json!({"price": 0})).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            client()
                .put(app.url("/api/v1/catalog/books/nope/"))
                .bearer_auth(&editor)
                .json(&serde_json::json!({"price": 0}))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // Removal: not by readers; a held book stays; then gone for good.
        assert_eq!(client().delete(&one).bearer_auth(&reader).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let lecteur = app.state.accounts.verified_user_by_email("lecteur@coko.test").await.unwrap();
        let admin = app.state.accounts.verified_user_by_email("editrice@coko.test").await.unwrap();
        app.state.reading.grant(&domain::audit::Actor::user(&admin, "127.0.0.1"), &lecteur.id, &id).await.unwrap();
        let res = client().delete(&one).bearer_auth(&editor).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT, "{}", app.label);
        let trees_url = app.url(&format!("/api/v1/catalog/books/{}/", trees["id"].as_str().unwrap()));
        assert_eq!(client().delete(&trees_url).bearer_auth(&editor).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(client().get(&trees_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(client().delete(&trees_url).bearer_auth(&editor).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        app.settle().await; // the index follows through the job queue
        let found: Value = client().get(app.url("/api/v1/catalog/books/search/?q=trees")).send().await.unwrap().json().await.unwrap();
        assert!(!found["books"].as_array().unwrap().iter().any(|b| b["id"] == trees["id"]), "out of the index");
        app.finish().await;
    }
}

#[tokio::test]
async fn editors_delete_a_book_from_its_page_after_confirming() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "epub/moby-dick.epub", true).await;
        let web = signed_in(&app, "editeur@coko.test", "editor").await;
        let html = web.get(app.url(&format!("/admin/livres/{}", moby.id))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("/admin/livres/{}/supprimer", moby.id)) && html.contains("Oui, supprimer définitivement"));
        let reader = signed_in(&app, "lectrice@coko.test", "reader").await;
        assert_eq!(
            reader.post(app.url(&format!("/admin/livres/{}/supprimer", moby.id))).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let res = web.post(app.url(&format!("/admin/livres/{}/supprimer", moby.id))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        assert_eq!(res.headers()["location"], "/admin/livres");
        assert_eq!(get(&app, &format!("/livres/{}", moby.id)).await.0, StatusCode::NOT_FOUND);
        let list = web.get(app.url("/admin/livres")).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Le livre a été supprimé."));
        app.finish().await;
    }
}

#[tokio::test]
async fn rest_lists_authors_publishers_and_categories() {
    for db in backends() {
        let app = spawn(db).await;
        import(&app, "epub/moby-dick.epub", true).await;
        import(&app, "epub/wasteland.epub", false).await;
        let (status, body) = get(&app, "/api/v1/catalog/authors/?limit=50").await;
        assert_eq!(status, StatusCode::OK, "{}", app.label);
        let authors: Value = serde_json::from_str(&body).unwrap();
        let list = authors["authors"].as_array().unwrap();
        assert!(!body.contains("Eliot"), "{}: only contributors to published books: {body}", app.label);
        let melville = list.iter().find(|a| a["name"] == "Herman Melville").expect("Melville is listed");
        assert_eq!(melville["bookCount"], 1);
        assert!(melville["biography"].is_string());
        assert!(melville["photoUrl"].is_null(), "no photo yet");
        assert_eq!(authors["pagination"]["total"], list.len());
        assert_eq!(authors["pagination"]["totalPages"], 1);
        let publishers: Value = serde_json::from_str(&get(&app, "/api/v1/catalog/publishers/").await.1).unwrap();
        assert_eq!(publishers["publishers"][0]["bookCount"], 1);
        let categories: Value = serde_json::from_str(&get(&app, "/api/v1/catalog/categories/").await.1).unwrap();
        assert_eq!(categories["categories"], serde_json::json!([]));
        assert_eq!(categories["pagination"]["page"], 1);
        for bad in ["/api/v1/catalog/authors/?limit=0", "/api/v1/catalog/publishers/?limit=101", "/api/v1/catalog/categories/?page=zero"] {
            let (status, body) = get(&app, bad).await;
            assert_eq!(status.as_u16() / 100, 4, "{bad}");
            assert!(body.contains("\"field\""), "{body}");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn author_and_publisher_pages_link_from_the_book_page() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "epub/moby-dick.epub", true).await;
        let draft = import(&app, "epub/wasteland.epub", false).await;
        let melville = moby.authors.iter().find(|a| a.name == "Herman Melville").unwrap().clone();
        let (status, html) = get(&app, &format!("/livres/{}", moby.id)).await;
        assert_eq!(status, StatusCode::OK, "{}", app.label);
        assert!(html.contains(&format!("href=\"/auteurs/{}\"", melville.id)), "the author is linked");
        let publisher = moby.publisher.clone().expect("Moby-Dick names its publisher");
        assert!(html.contains(&format!("href=\"/editeurs/{}\"", publisher.id)));

        let (status, html) = get(&app, &format!("/auteurs/{}", melville.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Herman Melville")
                && html.contains(&format!("/livres/{}", moby.id))
                && html.contains("1 livre dans le catalogue"),
            "{}",
            app.label
        );
        let (status, html) = get(&app, &format!("/editeurs/{}", publisher.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&publisher.name.replace('&', "&amp;")) && html.contains(&format!("/livres/{}", moby.id)));

        // A draft's author has nothing to show readers; unknown ids are 404s.
        let eliot = &draft.authors[0];
        assert_eq!(get(&app, &format!("/auteurs/{}", eliot.id)).await.0, StatusCode::NOT_FOUND, "{}", app.label);
        assert_eq!(get(&app, "/auteurs/nobody").await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&app, "/editeurs/nobody").await.0, StatusCode::NOT_FOUND);

        // Related books: another book by the same author appears on the page.
        let second = import(&app, "epub/childrens-literature.epub", true).await;
        let form = domain::catalog::MetadataForm {
            title: second.title.clone(),
            authors: "Herman Melville".into(),
            language: second.language.clone(),
            ..Default::default()
        };
        app.state.catalog.correct(&domain::audit::Actor::system(domain::account::Role::Editor), &second.id, &form).await.unwrap();
        let (_, html) = get(&app, &format!("/livres/{}", moby.id)).await;
        assert!(html.contains("Dans le même esprit") && html.contains(&format!("/livres/{}", second.id)), "{}", app.label);
        app.finish().await;
    }
}

#[tokio::test]
async fn admins_browse_the_audit_log_of_editors_actions() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "epub/moby-dick.epub", false).await;
        let editor = signed_in(&app, "editrice@coko.test", "editor").await;
        let res = editor
            .post(app.url(&format!("/admin/livres/{}", moby.id)))
            .form(&[("status", "published"), ("price", "1200")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.label);
        // Editors change books but do not read the log.
        assert_eq!(editor.get(app.url("/admin/journal")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let admin = signed_in(&app, "chef@coko.test", "admin").await;
        let html = admin.get(app.url("/admin/journal")).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("Statut ou prix modifié") && html.contains("editrice@coko.test") && html.contains("Moby-Dick"),
            "{}",
            app.label
        );
        assert!(html.contains("price : 0 → 1200") && html.contains("status : draft → published"), "the change is shown");
        assert!(html.contains("127.0.0.1"), "with the address it came from");
        let filtered = admin.get(app.url("/admin/journal?action=book_deleted")).send().await.unwrap().text().await.unwrap();
        assert!(filtered.contains("Aucune modification ne correspond."));
        let by_who = admin.get(app.url("/admin/journal?qui=editrice")).send().await.unwrap().text().await.unwrap();
        assert!(by_who.contains("Moby-Dick"));
        app.finish().await;
    }
}

#[tokio::test]
async fn covers_come_in_the_widths_pages_ask_for() {
    for db in backends() {
        let app = spawn(db).await;
        let moby = import(&app, "epub/moby-dick.epub", true).await;
        let hash = moby.cover_hash.clone().unwrap();
        let original = app.state.catalog.file(&hash).await.unwrap();
        let (original_w, _) = domain::covers::dimensions(&original).unwrap();
        let full_len = original.len() as u64;
        let (_, html) = get(&app, "/catalogue").await;
        assert!(
            html.contains(&format!("/files/covers/{hash}/160 160w, /files/covers/{hash}/320 320w, /files/covers/{hash}/640 640w")),
            "{}",
            app.label
        );
        for w in [160u32, 320, 640] {
            let res = client().get(app.url(&format!("/files/covers/{hash}/{w}"))).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{} {w}", app.label);
            assert!(
                matches!(res.headers()["content-type"].to_str().unwrap(), "image/jpeg" | "image/png"),
                "{:?}",
                res.headers()["content-type"]
            );
            assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
            let etag = res.headers()["etag"].to_str().unwrap().to_owned();
            let bytes = res.bytes().await.unwrap();
            let (width, _) = domain::covers::dimensions(&bytes).unwrap();
            assert!(width == w.min(original_w) || bytes.len() as u64 <= full_len, "{w}: the width asked, or the original when lighter");
            let again = client().get(app.url(&format!("/files/covers/{hash}/{w}"))).header("if-none-match", etag).send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        }
        let small = client().get(app.url(&format!("/files/covers/{hash}/160"))).send().await.unwrap().bytes().await.unwrap();
        let full = client().get(app.url(&format!("/files/covers/{hash}"))).send().await.unwrap().bytes().await.unwrap();
        assert!(small.len() < full.len(), "the small one is lighter: {} vs {}", small.len(), full.len());
        // WebP first in the page, each width lighter than its JPEG (or the original when lighter).
        assert!(
            html.contains(&format!("type=\"image/webp\" srcset=\"/files/covers/{hash}/160.webp 160w, /files/covers/{hash}/320.webp 320w")),
            "{}",
            app.label
        );
        for w in [160u32, 320, 640] {
            let res = client().get(app.url(&format!("/files/covers/{hash}/{w}.webp"))).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let etag = res.headers()["etag"].to_str().unwrap().to_owned();
            assert!(etag.contains("webp"), "{etag}: not the JPEG's tag");
            let webp = res.bytes().await.unwrap();
            let jpeg = client().get(app.url(&format!("/files/covers/{hash}/{w}"))).send().await.unwrap().bytes().await.unwrap();
            assert!(webp.len() <= jpeg.len(), "{w}: webp {} B, jpeg {} B", webp.len(), jpeg.len());
            if webp.len() < full_len as usize {
                assert_eq!(domain::covers::sniff(&webp), Some("image/webp"));
            }
            println!("moby-dick cover at {w} px: webp {} B, jpeg {} B", webp.len(), jpeg.len());
        }
        assert_eq!(client().get(app.url(&format!("/files/covers/{hash}/320.gif"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(client().get(app.url(&format!("/files/covers/{hash}/999"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(
            client().get(app.url(&format!("/files/covers/{}/160", "0".repeat(64)))).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn editors_edit_authors_publishers_and_categories_from_their_pages() {
    let app = spawn(Db::Sqlite).await;
    let moby = import(&app, "epub/moby-dick.epub", true).await;
    let melville = moby.authors[0].id.clone();
    let reader = signed_in(&app, "lecteur@coko.test", "reader").await;
    assert_eq!(reader.get(app.url("/admin/auteurs")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        reader.post(app.url(&format!("/admin/auteurs/{melville}"))).form(&[("name", "X")]).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let web = signed_in(&app, "editrice@coko.test", "editor").await;

    // Found by name; the form keeps what was typed when it is refused, and says which field.
    let list = web.get(app.url("/admin/auteurs?nom=melv")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Herman Melville") && list.contains(&format!("/admin/auteurs/{melville}")));
    let res = web
        .post(app.url(&format!("/admin/auteurs/{melville}")))
        .form(&[("name", " "), ("biography", "Marin, puis écrivain.")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Marin, puis écrivain.") && html.contains("href=\"#name\""), "the refused form names the field");
    let res = web
        .post(app.url(&format!("/admin/auteurs/{melville}")))
        .form(&[("name", "Herman Melville"), ("biography", "Marin, puis écrivain.")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(get(&app, &format!("/auteurs/{melville}")).await.1.contains("Marin, puis écrivain."), "the public page shows the biography");

    // A photo: uploaded, shown on the public page, served; a script is refused.
    let cover = client()
        .get(app.url(&format!("/files/covers/{}", moby.cover_hash.as_ref().unwrap())))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let photo = |bytes: Vec<u8>, name: &str| {
        reqwest::multipart::Form::new().part("photo", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()))
    };
    let res = web.post(app.url(&format!("/admin/auteurs/{melville}/photo"))).multipart(photo(cover, "melville.jpg")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = get(&app, &format!("/auteurs/{melville}")).await.1;
    let at = page.find("data-testid=\"author-photo\"").map(|i| &page[i.saturating_sub(400)..i]).expect("photo shown");
    let src = at.split("src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let served = client().get(app.url(&src)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    let res = web
        .post(app.url(&format!("/admin/auteurs/{melville}/photo")))
        .multipart(photo(b"<script>alert(1)</script>".to_vec(), "x.jpg"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Merging: readers may not; never into itself (422, the search field named); the search
    // offers the others, not the entry itself.
    let merge = format!("/admin/auteurs/{melville}/fusionner");
    assert_eq!(reader.post(app.url(&merge)).form(&[("into", "x")]).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let res = web.post(app.url(&merge)).form(&[("into", melville.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = res.text().await.unwrap();
    assert!(refused.contains("href=\"#fusion\""), "the refusal names the search field");
    assert!(
        refused.contains("ni l’entrée elle-même")
            || refused.contains("ni l&#x27;entrée elle-même")
            || refused.contains("ni l'entrée elle-même"),
        "and says why"
    );
    let res = web.post(app.url(&merge)).form(&[("into", "nobody")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let found = web.get(app.url(&format!("/admin/auteurs/{melville}?fusion=melville"))).send().await.unwrap().text().await.unwrap();
    assert!(found.contains("Fusionner un doublon") && !found.contains("data-testid=\"merge-into\""), "not offered into itself");

    // Publishers: a publisher still on a book is kept (409, with the reason).
    let publisher = moby.publisher.clone().unwrap().id;
    let res = web.post(app.url(&format!("/admin/editeurs/{publisher}/supprimer"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("Encore sur 1 livre : corrigez d"));

    // Categories: added, a taken slug refused, deleted.
    let res = web.post(app.url("/admin/categories")).form(&[("name", "Fiction"), ("slug", ""), ("parent", "")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let fiction = res.headers()["location"].to_str().unwrap().to_owned();
    let res = web.post(app.url("/admin/categories")).form(&[("name", "Autre"), ("slug", "fiction"), ("parent", "")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("déjà pris par un autre"));
    let tree = web.get(app.url("/admin/categories")).send().await.unwrap().text().await.unwrap();
    assert!(tree.contains(&fiction));
    let res = web.post(app.url(&format!("{fiction}/supprimer"))).send().await.unwrap();
    assert_eq!((res.status(), res.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/admin/categories"));
    assert_eq!(web.get(app.url(&fiction)).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // Every kind has its pages, and only these kinds: the routes are made per kind.
    for (list, entry) in
        [("/admin/auteurs", format!("/admin/auteurs/{melville}")), ("/admin/editeurs", format!("/admin/editeurs/{publisher}"))]
    {
        assert_eq!(web.get(app.url(list)).send().await.unwrap().status(), StatusCode::OK, "{list}");
        let page = web.get(app.url(&entry)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{entry}");
        assert!(page.text().await.unwrap().contains("Fusionner un doublon"), "{entry}: the merge section");
        let res = web.post(app.url(&format!("{entry}/fusionner"))).form(&[("into", "inconnu")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{entry}: merged into nothing");
    }
    assert_eq!(
        web.post(app.url("/admin/editeurs")).form(&[("name", "X")]).send().await.unwrap().status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "only categories are added from their list"
    );
    assert_eq!(web.get(app.url("/admin/inconnus/x")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn the_search_box_gets_suggestions_as_one_types() {
    let app = spawn(Db::Sqlite).await;
    let moby = import(&app, "epub/moby-dick.epub", true).await;
    import(&app, "epub/wasteland.epub", false).await;
    let res = client().get(app.url("/api/v1/catalog/suggest/?q=mobi")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    let body: Value = res.json().await.unwrap();
    let first = &body["suggestions"][0];
    assert_eq!((first["title"].as_str(), first["authors"].as_str()), (Some("Moby-Dick"), Some("Herman Melville")));
    assert_eq!(first["href"], format!("/livres/{}", moby.id));
    // A typo, a prefix; drafts never; one letter answers nothing (and is not an error).
    let typo: Value = client().get(app.url("/api/v1/catalog/suggest/?q=mobi%20dik")).send().await.unwrap().json().await.unwrap();
    assert_eq!(typo["suggestions"][0]["title"], "Moby-Dick");
    let draft: Value = client().get(app.url("/api/v1/catalog/suggest/?q=waste")).send().await.unwrap().json().await.unwrap();
    assert_eq!(draft["suggestions"], serde_json::json!([]));
    let short: Value = client().get(app.url("/api/v1/catalog/suggest/?q=m")).send().await.unwrap().json().await.unwrap();
    assert_eq!(short["suggestions"], serde_json::json!([]));
    let long = client().get(app.url(&format!("/api/v1/catalog/suggest/?q={}", "a".repeat(201)))).send().await.unwrap();
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    // Without WASM the header's input is a plain field of the search form.
    let home = get(&app, "/").await.1;
    assert!(home.contains("action=\"/recherche\"") && home.contains("id=\"site-search\"") && home.contains("role=\"combobox\""));
    app.finish().await;
}
