//! Resource exhaustion, closed: hostile book XML refused at ingest and harmless at open, book
//! files streamed by range (memory held flat), books opened once however many ask, ingest off
//! the async workers, and what a shared phone's HTTP cache may keep. SQLite and PostgreSQL.

mod support;

use domain::catalog::CatalogError;
use domain::ingest::IngestError;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;
use support::{backends, bearer, client, signed_in, spawn_with, TestApp};

/// A minimal EPUB 3 whose one chapter is `chapter` (and whose package carries `meta`).
fn epub(chapter: &str, meta: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default();
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/epub+zip").unwrap();
    z.start_file("META-INF/container.xml", deflated).unwrap();
    z.write_all(br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#).unwrap();
    z.start_file("OEBPS/content.opf", deflated).unwrap();
    let opf = format!(
        r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:{}</dc:identifier><dc:title>Un livre piégé</dc:title><dc:language>fr</dc:language>{meta}</metadata><manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c1"/></spine></package>"#,
        uuid::Uuid::now_v7()
    );
    z.write_all(opf.as_bytes()).unwrap();
    z.start_file("OEBPS/nav.xhtml", deflated).unwrap();
    z.write_all(br#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol><li><a href="c1.xhtml">Un</a></li></ol></nav></body></html>"#).unwrap();
    z.start_file("OEBPS/c1.xhtml", deflated).unwrap();
    z.write_all(chapter.as_bytes()).unwrap();
    z.finish().unwrap();
    out.into_inner()
}

const LAUGHS: &str = r#"<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "hahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]><html xmlns="http://www.w3.org/1999/xhtml"><body><p>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</p></body></html>"#;

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, lang: &str) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let res = client()
        .post(app.url("/api/v1/catalog/books/"))
        .bearer_auth(token)
        .header("accept-language", lang)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hostile_books_are_refused_at_ingest_with_a_reason_an_editor_reads() {
    for db in backends() {
        let app = spawn_with(db, &[("COKO_RATE_LIMIT_FACTOR", "10")]).await;
        let token = bearer(&app, "editrice@coko.test", "editor").await;

        // Billion laughs in a chapter: refused before anything expands it.
        let (status, body) = upload(&app, &token, "rires.epub", epub(LAUGHS, ""), "fr").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {body}", app.label);
        assert_eq!(body["error"]["detail"], "hostile_xml");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("XML fabriqué pour épuiser les lecteurs"), "{message}");
        let (_, body) = upload(&app, &token, "rires.epub", epub(LAUGHS, ""), "en").await;
        assert!(body["error"]["message"].as_str().unwrap().contains("XML built to exhaust readers"), "{body}");

        // A title of megabytes is said to be one, not a zip bomb.
        let long_title = format!("<dc:description>{}</dc:description>", "très long ".repeat(600_000));
        let (status, body) = upload(&app, &token, "long.epub", epub("<html><body><p>a</p></body></html>", &long_title), "fr").await;
        assert_eq!((status, body["error"]["detail"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("metadata_too_long")), "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("métadonnées du livre sont démesurées"));

        // A broken package: the file is named, never the parser's internals.
        let bad = epub("<html><body><p>a</p></body></html>", "<dc:creator>Sans fin");
        let err = app.state.catalog.import(&bad, "casse.epub", true).await.unwrap_err();
        assert!(matches!(err, CatalogError::Refused(IngestError::MalformedXml(ref f)) if f.ends_with(".opf")), "{err}");
        assert!(!err.to_string().contains("this is a bug"), "{err}");

        // Ordinary books still come in.
        let ok = app.state.catalog.import(&epub("<html><body><p>Bonjour</p></body></html>", ""), "ok.epub", true).await;
        assert!(ok.is_ok(), "{}: {ok:?}", app.label);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_book_that_cannot_open_is_read_once_and_remembered() {
    use domain::files::FileStore;
    let app = spawn_with(support::Db::Sqlite, &[]).await;
    // A file stored before ingest checked packages (or by any path around it): its package
    // declares entities. Opening refuses it once and remembers, without reading it again.
    let book = support::import(&app, "epub/trees.epub", true).await;
    let files = domain::files::LocalFiles::new(app.data.path().join("files"));
    let mut broken = book.clone();
    broken.file_hash = files.put(&epub_with_hostile_package()).await.unwrap();
    let before = app.state.open_books.reads_from_storage();
    for _ in 0..5 {
        let err = app.state.open_books.open(&app.state.catalog, &broken.file_hash).await.err().expect("refused");
        assert!(err.to_string().contains("hostile XML") || err.to_string().contains("entities"), "{err}");
    }
    assert_eq!(app.state.open_books.reads_from_storage() - before, 1, "read once, then remembered");
    assert!(app.state.catalog.import(&epub_with_hostile_package(), "piege.epub", true).await.is_err(), "and ingest refuses it");
    app.finish().await;
}

fn epub_with_hostile_package() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("mimetype", o.compression_method(zip::CompressionMethod::Stored)).unwrap();
    z.write_all(b"application/epub+zip").unwrap();
    z.start_file("META-INF/container.xml", o).unwrap();
    z.write_all(br#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#).unwrap();
    z.start_file("content.opf", o).unwrap();
    z.write_all(br#"<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&b;</dc:title></metadata><manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>"#).unwrap();
    z.start_file("c.xhtml", o).unwrap();
    z.write_all(b"<html><body/></html>").unwrap();
    z.finish().unwrap();
    out.into_inner()
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse().ok()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_range_requests_hold_memory_flat_and_books_open_once() {
    for db in backends() {
        let app = spawn_with(db, &[]).await;
        let pdf = support::import(&app, "pdf/freeculture.pdf", true).await;
        let epub_book = support::import(&app, "epub/accessible_epub_3.epub", true).await;
        let reader = signed_in(&app, "lectrice@coko.test", "reader").await;
        let url = app.url(&format!("/files/books/{}/{}.pdf", pdf.id, pdf.file_hash));
        let one = reader.get(&url).header("range", "bytes=0-0").send().await.unwrap();
        assert_eq!(one.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(one.bytes().await.unwrap().len(), 1);

        let before = rss_kib();
        let mut tasks = Vec::new();
        for i in 0..64u64 {
            let (c, url) = (reader.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let res = c.get(&url).header("range", format!("bytes={i}-{i}")).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
                res.bytes().await.unwrap().len()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        let grown = rss_kib().saturating_sub(before);
        let file_kib = pdf.file_size / 1024;
        println!("rss: {} parallel one-byte ranges of a {file_kib} KiB PDF grew the process by {grown} KiB ({})", 64, app.label);
        assert!(grown < file_kib * 8, "{}: {grown} KiB for 64 ranges; reading whole files would hold 64 × {file_kib} KiB", app.label);

        // Sixteen readers open the same EPUB at once: it is read and parsed once.
        let before = app.state.open_books.reads_from_storage();
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (s, b) = (app.state.clone(), epub_book.clone());
            tasks.push(tokio::spawn(async move { s.open_books.open(&s.catalog, &b.file_hash).await.is_ok() }));
        }
        for t in tasks {
            assert!(t.await.unwrap());
        }
        assert_eq!(app.state.open_books.reads_from_storage() - before, 1, "{}: single flight", app.label);
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_at_once_while_a_heavy_upload_is_read() {
    let app = spawn_with(support::Db::Sqlite, &[]).await;
    let token = bearer(&app, "editrice@coko.test", "editor").await;
    let heavy = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/pdf/freeculture.pdf")).unwrap();
    let uploads: Vec<_> = (0..4)
        .map(|i| {
            let (base, token, mut bytes) = (app.base.clone(), token.clone(), heavy.clone());
            bytes.extend_from_slice(format!("\n% copy {i}\n").as_bytes());
            tokio::spawn(async move {
                let form = reqwest::multipart::Form::new()
                    .part("file", reqwest::multipart::Part::bytes(bytes).file_name(format!("lourd-{i}.pdf")));
                client().post(format!("{base}/api/v1/catalog/books/")).bearer_auth(token).multipart(form).send().await.unwrap().status()
            })
        })
        .collect();
    let mut slowest = std::time::Duration::ZERO;
    for _ in 0..20 {
        let started = std::time::Instant::now();
        assert_eq!(client().get(app.url("/health")).send().await.unwrap().status(), StatusCode::OK);
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for u in uploads {
        assert_eq!(u.await.unwrap(), StatusCode::CREATED);
    }
    println!("health during four heavy uploads: slowest answer {slowest:?}");
    assert!(slowest < std::time::Duration::from_secs(2), "{slowest:?}");
    app.finish().await;
}

#[tokio::test]
async fn paid_content_and_private_pages_are_not_kept_for_the_next_person() {
    for db in backends() {
        let app = spawn_with(db, &[]).await;
        let free = support::import(&app, "epub/moby-dick.epub", true).await;
        let paid = support::import(&app, "epub/trees.epub", true).await;
        support::set_price(&app, &paid.id, 1500).await;
        let reader = signed_in(&app, "acheteuse@coko.test", "reader").await;
        let buyer = app.state.accounts.verified_user_by_email("acheteuse@coko.test").await.unwrap();
        app.state.reading.grant(&domain::audit::Actor::system(domain::account::Role::Editor), &buyer.id, &paid.id).await.unwrap();
        let cache = |res: &reqwest::Response| res.headers()["cache-control"].to_str().unwrap().to_owned();

        let part = |b: &domain::catalog::Book, href: &str| app.url(&format!("/lire/{}/contenu/{href}", b.id));
        let paid_href = app.state.open_books.open(&app.state.catalog, &paid.file_hash).await.unwrap().publication.spine[0].href.clone();
        let free_href = app.state.open_books.open(&app.state.catalog, &free.file_hash).await.unwrap().publication.spine[0].href.clone();
        let res = reader.get(part(&paid, &paid_href)).send().await.unwrap();
        assert_eq!((res.status(), cache(&res).as_str()), (StatusCode::OK, "private, no-cache"), "{}", app.label);
        let res = reader.get(part(&free, &free_href)).send().await.unwrap();
        assert!(cache(&res).contains("immutable"), "a free book's parts stay cached");
        let res = reader.get(app.url(&format!("/files/books/{}/{}.epub", paid.id, paid.file_hash))).send().await.unwrap();
        assert_eq!(cache(&res), "private, no-cache");
        // Revalidation answers the next account by its own rights.
        let etag = reader.get(part(&paid, &paid_href)).send().await.unwrap().headers()["etag"].to_str().unwrap().to_owned();
        let other = signed_in(&app, "voisine@coko.test", "reader").await;
        let res = other.get(part(&paid, &paid_href)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let res = reader.get(app.url("/profil")).send().await.unwrap();
        assert_eq!(cache(&res), "no-store");
        let res = reader.get(app.url("/catalogue")).send().await.unwrap();
        assert_eq!(cache(&res), "private, no-cache", "public pages may be kept offline");
        app.finish().await;
    }
}

#[tokio::test]
async fn in_book_search_reads_the_book_once_and_is_rate_limited() {
    let app = spawn_with(support::Db::Sqlite, &[]).await;
    let moby = support::import(&app, "epub/moby-dick.epub", true).await;
    let reader = signed_in(&app, "chercheuse@coko.test", "reader").await;
    let ask = |q: &str| reader.get(app.url(&format!("/lire/{}?q={q}", moby.id))).send();
    let first = ask("ishmael").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first = first.text().await.unwrap();
    assert!(first.contains("Ishmael"), "a hit is listed");
    let opened = app.state.open_books.open(&app.state.catalog, &moby.file_hash).await.unwrap();
    assert!(opened.text.get().is_some(), "the book's text is kept after the first search");
    let reads = app.state.open_books.reads_from_storage();
    let again = ask("ishmael").await.unwrap().text().await.unwrap();
    assert_eq!(app.state.open_books.reads_from_storage(), reads, "nothing read again");
    assert_eq!(first.matches("Ishmael").count(), again.matches("Ishmael").count());
    for _ in 0..28 {
        assert_eq!(ask("whale").await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(ask("whale").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS, "31st search in a minute");
    app.finish().await;
}
