//! The catalogue store and service on SQLite and PostgreSQL, with real corpus books.

#[macro_use]
mod support;

use domain::account::Role;
use domain::catalog::CatalogStore;
use domain::catalog::{BookFilter, BookStatus, CatalogService, Format, ImportOutcome};
use domain::files::LocalFiles;
use domain::ingest::Limits;
use domain::search::{EmbeddedIndex, SearchFilter};
use std::path::PathBuf;
use std::sync::Arc;

fn corpus(path: &str) -> (Vec<u8>, String) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(path);
    (std::fs::read(&p).unwrap(), p.file_name().unwrap().to_string_lossy().into_owned())
}

backend_test!(import_browse_and_read_books, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let store: Arc<dyn CatalogStore> = Arc::new(db.store.clone());
    let svc =
        CatalogService::new(store.clone(), Arc::new(LocalFiles::new(files.path())), Arc::new(EmbeddedIndex::new()), Limits::default());
    let mut ids = Vec::new();
    for (i, f) in
        ["epub/moby-dick.epub", "epub/regime-anticancer-arabic.epub", "epub/wasteland.epub", "pdf/tracemonkey.pdf"].iter().enumerate()
    {
        let (bytes, name) = corpus(f);
        let publish = i != 2; // wasteland stays a draft
        match svc.import(&bytes, &name, publish).await.unwrap() {
            ImportOutcome::Created(b) => ids.push(b.id.clone()),
            other => panic!("{}: {other:?}", db.label),
        }
        // A second import of the same bytes finds the first.
        assert!(matches!(svc.import(&bytes, &name, publish).await.unwrap(), ImportOutcome::AlreadyPresent(_)));
    }
    let jobs = support::runner(&db, &svc);
    support::settle(&jobs).await;
    let moby = svc.book(&ids[0], None).await.unwrap();
    assert_eq!(moby.title, "Moby-Dick");
    assert_eq!(moby.author_names(), "Herman Melville");
    assert_eq!(moby.format, Format::Epub);
    assert!(moby.cover_hash.is_some(), "{}", db.label);
    assert!(svc.file(moby.cover_hash.as_ref().unwrap()).await.unwrap().len() > 1000);
    assert_eq!(svc.file(&moby.file_hash).await.unwrap().len() as u64, moby.file_size);
    assert!(moby.is_free());
    assert!(svc.book(&ids[2], None).await.is_err(), "drafts hidden from readers");
    assert_eq!(svc.book(&ids[2], Some(Role::Editor)).await.unwrap().status, BookStatus::Draft);

    let all = svc.browse(&BookFilter::default(), None, 10, None).await.unwrap();
    assert_eq!(all.total, 3, "{}", db.label);
    assert_eq!(all.books[0].id, ids[3], "newest first");
    let editors = svc.browse(&BookFilter::default(), None, 10, Some(Role::Editor)).await.unwrap();
    assert_eq!(editors.total, 4);

    let first = svc.browse(&BookFilter::default(), None, 2, None).await.unwrap();
    assert_eq!(first.books.len(), 2);
    let next = svc.browse(&BookFilter::default(), first.next_cursor.as_deref(), 2, None).await.unwrap();
    assert_eq!(next.books.len(), 1, "{}: keyset page 2", db.label);
    assert!(next.next_cursor.is_none());
    assert!(!first.books.iter().any(|b| b.id == next.books[0].id));

    let arabic = svc.browse(&BookFilter { language: Some("ar".into()), ..Default::default() }, None, 10, None).await.unwrap();
    assert_eq!(arabic.total, 1, "{}", db.label);
    let pdfs = svc.browse(&BookFilter { format: Some(Format::Pdf), ..Default::default() }, None, 10, None).await.unwrap();
    assert_eq!(pdfs.books.len(), 1);
    let paid = svc.browse(&BookFilter { free: Some(false), ..Default::default() }, None, 10, None).await.unwrap();
    assert_eq!(paid.total, 0);
    let rest = svc.page(&BookFilter::default(), 2, 2).await.unwrap();
    assert_eq!(rest.books.len(), 1, "offset page 2");

    let found = svc.search("mobi dik", &SearchFilter::default(), 0, 10).await.unwrap();
    assert_eq!(found.books[0].title, "Moby-Dick", "{}: imported books are searchable", db.label);
    assert!(svc.search("wasteland", &SearchFilter::default(), 0, 10).await.unwrap().books.is_empty(), "drafts are not indexed");

    let editor = domain::audit::Actor::system(Role::Editor);
    svc.edit(
        &editor,
        &ids[2],
        BookStatus::Published,
        domain::catalog::Offer { price: domain::catalog::Money::xof(0), featured: false, premium: false },
    )
    .await
    .unwrap();
    assert_eq!(svc.reindex().await.unwrap(), 4);
    assert_eq!(svc.search("waste land", &SearchFilter::default(), 0, 10).await.unwrap().total, 1, "reindex picks up published books");
    assert_eq!(svc.browse(&BookFilter::default(), None, 10, None).await.unwrap().total, 4);
    db
});

backend_test!(refused_files_leave_nothing_behind, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    assert!(svc.import(b"definitely not an epub", "x.epub", true).await.is_err());
    assert_eq!(std::fs::read_dir(files.path()).unwrap().count(), 0, "no file stored");
    assert_eq!(svc.browse(&BookFilter::default(), None, 10, Some(Role::Admin)).await.unwrap().total, 0);
    db
});

backend_test!(authors_and_publishers_are_listed_with_their_published_books, |db: support::TestDb| async move {
    use domain::catalog::Listing;
    let files = tempfile::tempdir().unwrap();
    let store: Arc<dyn CatalogStore> = Arc::new(db.store.clone());
    let svc =
        CatalogService::new(store.clone(), Arc::new(LocalFiles::new(files.path())), Arc::new(EmbeddedIndex::new()), Limits::default());
    for (f, publish) in
        [("epub/moby-dick.epub", true), ("epub/wasteland.epub", false), ("epub/trees.epub", true), ("epub/childrens-literature.epub", true)]
    {
        let (bytes, name) = corpus(f);
        svc.import(&bytes, &name, publish).await.unwrap();
    }
    let (authors, total) = svc.listing(Listing::Authors, 1, 100).await.unwrap();
    let names: Vec<&str> = authors.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"Herman Melville"), "{}: {names:?}", db.label);
    assert!(!names.iter().any(|n| n.contains("Eliot")), "{}: a draft's author is not listed: {names:?}", db.label);
    assert_eq!(total as usize, authors.len());
    assert!(authors.iter().all(|a| a.books >= 1));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");
    // Pages.
    let (first, _) = svc.listing(Listing::Authors, 1, 1).await.unwrap();
    let (second, _) = svc.listing(Listing::Authors, 2, 1).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(total < 2 || (second.len() == 1 && second[0].id != first[0].id), "{}", db.label);

    let (publishers, n) = svc.listing(Listing::Publishers, 1, 100).await.unwrap();
    assert_eq!(n as usize, publishers.len());
    assert!(publishers.iter().any(|p| p.name.contains("Harper")), "{}: {publishers:?}", db.label);
    // No category exists until editors make some.
    assert_eq!(svc.listing(Listing::Categories, 1, 100).await.unwrap(), (Vec::new(), 0));
    db
});

/// The embedded index behind a switch: off, every call fails as a Meilisearch outage would.
struct Switchable {
    inner: EmbeddedIndex,
    up: std::sync::atomic::AtomicBool,
}

impl Switchable {
    fn check(&self) -> Result<(), domain::search::SearchError> {
        if self.up.load(std::sync::atomic::Ordering::SeqCst) {
            Ok(())
        } else {
            Err(domain::search::SearchError("connection refused".into()))
        }
    }
}

#[async_trait::async_trait]
impl domain::search::SearchIndex for Switchable {
    async fn upsert(&self, docs: Vec<domain::search::SearchDoc>) -> Result<(), domain::search::SearchError> {
        self.check()?;
        self.inner.upsert(docs).await
    }
    async fn delete(&self, id: &str) -> Result<(), domain::search::SearchError> {
        self.check()?;
        self.inner.delete(id).await
    }
    async fn clear(&self) -> Result<(), domain::search::SearchError> {
        self.check()?;
        self.inner.clear().await
    }
    async fn search(
        &self,
        q: &str,
        f: &SearchFilter,
        offset: usize,
        limit: usize,
    ) -> Result<domain::search::SearchResults, domain::search::SearchError> {
        self.check()?;
        self.inner.search(q, f, offset, limit).await
    }
    async fn ping(&self) -> Result<(), domain::search::SearchError> {
        self.check()
    }
}

backend_test!(an_index_outage_delays_updates_and_loses_none, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let index = Arc::new(Switchable { inner: EmbeddedIndex::new(), up: true.into() });
    let svc = CatalogService::new(Arc::new(db.store.clone()), Arc::new(LocalFiles::new(files.path())), index.clone(), Limits::default());
    let editor = domain::audit::Actor::system(Role::Editor);
    let (bytes, name) = corpus("epub/moby-dick.epub");
    let moby = match svc.import(&bytes, &name, true).await.unwrap() {
        ImportOutcome::Created(b) => b,
        other => panic!("{other:?}"),
    };
    let jobs = support::runner(&db, &svc);
    support::settle(&jobs).await;
    assert_eq!(svc.search("moby", &SearchFilter::default(), 0, 10).await.unwrap().total, 1, "{}", db.label);
    assert!(jobs.backlog().await.unwrap().is_idle());

    // The index goes down: imports and edits still succeed (they never wait for it); the
    // index's jobs wait, one per book however many changes.
    index.up.store(false, std::sync::atomic::Ordering::SeqCst);
    let (bytes, name) = corpus("epub/wasteland.epub");
    let waste = match svc.import(&bytes, &name, true).await.unwrap() {
        ImportOutcome::Created(b) => b,
        other => panic!("{other:?}"),
    };
    svc.edit(&editor, &moby.id, BookStatus::Draft, domain::catalog::Offer { price: moby.price.clone(), featured: false, premium: false })
        .await
        .unwrap();
    svc.edit(
        &editor,
        &moby.id,
        BookStatus::Published,
        domain::catalog::Offer { price: moby.price.clone(), featured: true, premium: false },
    )
    .await
    .unwrap();
    svc.edit(&editor, &moby.id, BookStatus::Draft, domain::catalog::Offer { price: moby.price.clone(), featured: false, premium: false })
        .await
        .unwrap();
    assert_eq!(jobs.dispatch().await.unwrap(), 4, "{}: an event per command", db.label);
    assert_eq!(jobs.backlog().await.unwrap().ready, 2, "{}: one waiting job per book", db.label);
    assert_eq!(jobs.work().await.unwrap(), 2, "both tried, both failed");
    let left = jobs.backlog().await.unwrap();
    assert_eq!((left.ready, left.running, left.dead), (2, 0, 0), "{}: kept for a retry", db.label);
    assert!(svc.index_ready().await.is_err());

    // Back up: the retries (5 s later) write each book as it is now (The Waste Land in,
    // Moby-Dick out).
    index.up.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = std::time::Instant::now();
    while jobs.backlog().await.unwrap().ready > 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "retried");
        jobs.run_once().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let found = svc.search("waste land", &SearchFilter::default(), 0, 10).await.unwrap();
    assert_eq!(found.books.first().map(|b| b.id.clone()), Some(waste.id.clone()), "{}", db.label);
    assert_eq!(svc.search("moby", &SearchFilter::default(), 0, 10).await.unwrap().total, 0, "the draft left the index");

    // A rebuild from the database gives the same index.
    assert_eq!(svc.reindex().await.unwrap(), 1);
    assert_eq!(svc.search("waste", &SearchFilter::default(), 0, 10).await.unwrap().total, 1);
    db
});

backend_test!(browsing_sorts_by_title_and_readers_with_keyset_pages, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    for f in [
        "epub/moby-dick.epub",
        "epub/wasteland.epub",
        "epub/trees.epub",
        "epub/childrens-literature.epub",
        "epub/accessible_epub_3.epub",
        "pdf/tracemonkey.pdf",
    ] {
        let (bytes, name) = corpus(f);
        svc.import(&bytes, &name, true).await.unwrap();
    }
    // After a bulk import the planner's statistics are refreshed (the SQL of each database).
    db.store.refresh_statistics().await.unwrap();
    // A to Z, ignoring case and accents, the same on both databases, page after page.
    let filter = BookFilter { sort: domain::catalog::Sort::Title, ..Default::default() };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = svc.browse(&filter, cursor.as_deref(), 2, None).await.unwrap();
        seen.extend(page.books.iter().map(|b| b.title.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "{}: every book once: {seen:?}", db.label);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|t| domain::search::fold(t));
    assert_eq!(seen, sorted, "{}", db.label);
    // Most read first; ties newest id first; the REST-style offset pages agree.
    let popular = BookFilter { sort: domain::catalog::Sort::Popular, ..Default::default() };
    let first = svc.browse(&popular, None, 3, None).await.unwrap();
    let next = svc.browse(&popular, first.next_cursor.as_deref(), 3, None).await.unwrap();
    assert_eq!(first.books.len() + next.books.len(), 6);
    assert!(first.books.iter().all(|b| !next.books.iter().any(|n| n.id == b.id)), "no overlap");
    assert!(first.next_cursor.as_deref().is_some_and(|c| c.starts_with('p')));
    assert_eq!(
        svc.page(&popular, 2, 3).await.unwrap().books.iter().map(|b| &b.id).collect::<Vec<_>>(),
        next.books.iter().map(|b| &b.id).collect::<Vec<_>>()
    );
    db
});

backend_test!(editors_file_books_in_a_category_tree, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let editor = domain::audit::Actor::system(Role::Editor);
    let (bytes, name) = corpus("epub/moby-dick.epub");
    let ImportOutcome::Created(moby) = svc.import(&bytes, &name, true).await.unwrap() else { panic!() };
    let form = |cats: &str| domain::catalog::MetadataForm { categories: Some(cats.into()), ..domain::catalog::MetadataForm::of(&moby) };
    let book =
        svc.correct(&editor, &moby.id, &form("Fiction > Romans d'aventure\nClassiques ;  Fiction > Romans d'aventure")).await.unwrap();
    let mut slugs: Vec<_> = book.categories.iter().map(|c| c.slug.as_str()).collect();
    slugs.sort();
    assert_eq!(slugs, ["classiques", "romans-d-aventure"], "{}: duplicates dropped, slugs made", db.label);
    // The tree: Fiction holds Romans d'aventure; Fiction has no book of its own but shows.
    let (all, _) = svc.listing(domain::catalog::Listing::Categories, 1, 100).await.unwrap();
    let fiction = all.iter().find(|c| c.name == "Fiction").unwrap();
    let novels = all.iter().find(|c| c.detail == "romans-d-aventure").unwrap();
    assert_eq!(novels.parent_id.as_deref(), Some(fiction.id.as_str()));
    let tree = domain::catalog::category_tree(&all);
    let labels: Vec<_> = tree.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["Classiques", "Fiction", "\u{a0}\u{a0}Romans d'aventure"]);
    // Browsing a category finds the book; other fields kept (categories: None) keep them.
    let found = svc.browse(&BookFilter { category: Some("romans-d-aventure".into()), ..Default::default() }, None, 10, None).await.unwrap();
    assert_eq!(found.total, 1);
    let kept = svc.correct(&editor, &moby.id, &domain::catalog::MetadataForm::of(&book)).await.unwrap();
    assert_eq!(kept.categories.len(), 2);
    // An empty name in a path is refused, naming the field; nothing changes.
    match svc.correct(&editor, &moby.id, &form("Fiction > > Romans")).await {
        Err(domain::catalog::CatalogError::Invalid(f)) => assert_eq!(f[0].field, "categories"),
        other => panic!("{other:?}"),
    }
    // Emptied: no category.
    assert!(svc.correct(&editor, &moby.id, &form("")).await.unwrap().categories.is_empty());
    db
});

backend_test!(bulk_actions_change_every_ticked_book, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let editor = domain::audit::Actor::system(Role::Editor);
    let mut ids = Vec::new();
    for f in ["epub/moby-dick.epub", "epub/wasteland.epub", "epub/trees.epub"] {
        let (bytes, name) = corpus(f);
        let ImportOutcome::Created(b) = svc.import(&bytes, &name, false).await.unwrap() else { panic!() };
        ids.push(b.id.clone());
    }
    use domain::catalog::BulkAction;
    let two = ids[..2].to_vec();
    assert_eq!(svc.bulk(&editor, &two, &BulkAction::Publish).await.unwrap(), 2, "{}", db.label);
    assert_eq!(svc.browse(&BookFilter::default(), None, 10, None).await.unwrap().total, 2, "published for readers");
    support::settle(&support::runner(&db, &svc)).await;
    assert_eq!(svc.search("waste land", &SearchFilter::default(), 0, 10).await.unwrap().total, 1, "and in the index");
    svc.bulk(&editor, &two, &BulkAction::Feature).await.unwrap();
    assert!(svc.book(&ids[0], None).await.unwrap().featured);
    // Filing adds a category and keeps the others.
    svc.bulk(&editor, &[ids[0].clone()], &BulkAction::file("Classiques").unwrap()).await.unwrap();
    let action = BulkAction::file("Fiction > Mer").unwrap();
    assert_eq!(svc.bulk(&editor, &ids, &action).await.unwrap(), 3);
    let moby = svc.book(&ids[0], Some(Role::Editor)).await.unwrap();
    let mut names: Vec<_> = moby.categories.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Classiques", "Mer"]);
    // Each change is in the audit log; unknown ids are skipped; bad input names its field.
    let log = svc.audit_log(Role::Admin, &Default::default(), None).await.unwrap();
    assert!(log.entries.len() >= 2 + 2 + 1 + 3, "{} entries", log.entries.len());
    assert_eq!(svc.bulk(&editor, &["nope".into()], &BulkAction::Unpublish).await.unwrap(), 0);
    let field = |r: Result<(), domain::catalog::CatalogError>| match r {
        Err(domain::catalog::CatalogError::Invalid(f)) => f[0].field.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(field(BulkAction::file("  ").map(|_| ())), "category");
    assert_eq!(field(BulkAction::file("A > B; C").map(|_| ())), "category");
    assert_eq!(field(svc.bulk(&editor, &[], &BulkAction::Publish).await.map(|_| ())), "books");
    let reader = domain::audit::Actor::system(Role::Reader);
    assert!(matches!(svc.bulk(&reader, &two, &BulkAction::Publish).await, Err(domain::catalog::CatalogError::Forbidden)));
    db
});

/// An index that never answers (a Meilisearch that accepted the connection and hangs).
struct Hanging;

#[async_trait::async_trait]
impl domain::search::SearchIndex for Hanging {
    async fn upsert(&self, _: Vec<domain::search::SearchDoc>) -> Result<(), domain::search::SearchError> {
        std::future::pending().await
    }
    async fn delete(&self, _: &str) -> Result<(), domain::search::SearchError> {
        std::future::pending().await
    }
    async fn clear(&self) -> Result<(), domain::search::SearchError> {
        std::future::pending().await
    }
    async fn search(
        &self,
        _: &str,
        _: &SearchFilter,
        _: usize,
        _: usize,
    ) -> Result<domain::search::SearchResults, domain::search::SearchError> {
        std::future::pending().await
    }
    async fn ping(&self) -> Result<(), domain::search::SearchError> {
        std::future::pending().await
    }
}

backend_test!(catalogue_commands_never_wait_for_the_index, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc =
        CatalogService::new(Arc::new(db.store.clone()), Arc::new(LocalFiles::new(files.path())), Arc::new(Hanging), Limits::default());
    let editor = domain::audit::Actor::system(Role::Editor);
    let at_once = std::time::Duration::from_secs(5);
    let (bytes, name) = corpus("epub/moby-dick.epub");
    let imported = tokio::time::timeout(at_once, svc.import(&bytes, &name, true)).await.expect("an import returns at once");
    let ImportOutcome::Created(moby) = imported.unwrap() else { panic!() };
    let edited = tokio::time::timeout(
        at_once,
        svc.edit(
            &editor,
            &moby.id,
            BookStatus::Draft,
            domain::catalog::Offer { price: moby.price.clone(), featured: true, premium: false },
        ),
    )
    .await;
    assert!(edited.expect("an edit returns at once").unwrap().featured, "{}", db.label);
    let form = domain::catalog::MetadataForm { title: "Moby Dick, or the Whale".into(), ..domain::catalog::MetadataForm::of(&moby) };
    tokio::time::timeout(at_once, svc.correct(&editor, &moby.id, &form)).await.expect("a correction returns at once").unwrap();
    tokio::time::timeout(at_once, svc.delete(&editor, &moby.id)).await.expect("a deletion returns at once").unwrap();
    db
});

backend_test!(a_command_writes_its_rows_audit_and_event_together_or_nothing, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let jobs = support::runner(&db, &svc);
    let editor = domain::audit::Actor::system(Role::Editor);
    let (bytes, name) = corpus("epub/moby-dick.epub");
    let ImportOutcome::Created(moby) = svc.import(&bytes, &name, true).await.unwrap() else { panic!() };
    let (bytes, name) = corpus("epub/wasteland.epub");
    let ImportOutcome::Created(waste) = svc.import(&bytes, &name, false).await.unwrap() else { panic!() };
    support::settle(&jobs).await;
    let audit = |svc: CatalogService| async move { svc.audit_log(Role::Admin, &Default::default(), None).await.unwrap().entries.len() };
    assert_eq!(audit(svc.clone()).await, 2, "{}: the command line's imports are audited", db.label);

    support::break_the_audit_journal(&db).await;
    assert!(svc.delete(&editor, &moby.id).await.is_err(), "{}", db.label);
    assert!(svc.book(&moby.id, None).await.is_ok(), "{}: the book stays when its audit cannot be written", db.label);
    assert!(svc.file(&moby.file_hash).await.is_ok(), "and its file");
    assert!(svc
        .edit(&editor, &moby.id, BookStatus::Draft, domain::catalog::Offer { price: moby.price.clone(), featured: false, premium: false })
        .await
        .is_err());
    assert_eq!(svc.book(&moby.id, None).await.unwrap().status, BookStatus::Published, "{}: the edit is undone", db.label);
    use domain::catalog::BulkAction;
    let both = vec![waste.id.clone(), moby.id.clone()];
    assert!(svc.bulk(&editor, &both, &BulkAction::Feature).await.is_err());
    assert!(!svc.book(&waste.id, Some(Role::Editor)).await.unwrap().featured, "{}: a bulk action is one unit", db.label);
    let (bytes, name) = corpus("epub/trees.epub");
    assert!(svc.import(&bytes, &name, true).await.is_err());
    assert_eq!(svc.browse(&BookFilter::default(), None, 10, Some(Role::Admin)).await.unwrap().total, 2, "{}", db.label);
    let left = jobs.backlog().await.unwrap();
    assert_eq!((left.events, left.ready), (0, 0), "{}: no event of what did not happen", db.label);
    db
});

backend_test!(cover_lookups_use_an_index, |db: support::TestDb| async move {
    for sql in ["SELECT cover_mime FROM books WHERE cover_hash = 'abc'", "SELECT photo_mime FROM authors WHERE photo_hash = 'abc'"] {
        let plan = db.store.query_plan(sql).await.unwrap().join("\n");
        assert!(plan.to_lowercase().contains("index"), "{}: {sql}: {plan}", db.label);
    }
    db
});

backend_test!(a_parent_category_shows_its_whole_branch_and_languages_are_the_books, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let editor = domain::audit::Actor::system(Role::Editor);
    for (f, path) in
        [("epub/moby-dick.epub", "Fiction > Romans > Mer"), ("epub/trees.epub", "Fiction > Contes"), ("epub/wasteland.epub", "Poésie")]
    {
        let (bytes, name) = corpus(f);
        let ImportOutcome::Created(b) = svc.import(&bytes, &name, true).await.unwrap() else { panic!() };
        let form = domain::catalog::MetadataForm { categories: Some(path.into()), ..domain::catalog::MetadataForm::of(&b) };
        svc.correct(&editor, &b.id, &form).await.unwrap();
    }
    let count = |slug: &str| {
        let (svc, slug) = (svc.clone(), slug.to_owned());
        async move { svc.browse(&BookFilter { category: Some(slug), ..Default::default() }, None, 10, None).await.unwrap().total }
    };
    assert_eq!(count("fiction").await, 2, "{}: books filed below a category are in it", db.label);
    assert_eq!(count("romans").await, 1);
    assert_eq!(count("mer").await, 1);
    assert_eq!(count("poesie").await, 1);
    assert_eq!(svc.categories().await.unwrap().len(), 5, "{}", db.label);
    let langs = svc.languages(None).await.unwrap();
    assert!(!langs.is_empty() && langs.iter().all(|l| l.len() <= 3 && l.chars().all(|c| c.is_ascii_lowercase())), "{langs:?}");
    db
});
