//! Follows on SQLite and PostgreSQL: a reader follows an author or a category (audited, with its
//! event); a book published by that author, or in that category or one under it, is told to its
//! followers once each — not while it is a draft, not twice when it is edited again, not to a
//! reader who stopped following, not for a book published long ago — and a large following is
//! told a page per job.

#[macro_use]
mod support;

use domain::account::Role;
use domain::audit::Actor;
use domain::catalog::{BookStatus, CatalogService, EntryForm, ImportOutcome, MetadataForm};
use domain::error::Reason;
use domain::events::Event;
use domain::jobs::Runner;
use domain::notification::follows::{FAN_OUT_PAGE, MAX_FOLLOWS};
use domain::notification::{FollowKind, Kind, NewBookNotices, NotificationError, NotificationService, Shelf};
use std::path::PathBuf;
use std::sync::Arc;

async fn imported(svc: &CatalogService, f: &str) -> domain::catalog::Book {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(f);
    let bytes = std::fs::read(&p).unwrap();
    match svc.import(&bytes, &p.file_name().unwrap().to_string_lossy(), false).await.unwrap() {
        ImportOutcome::Created(b) => *b,
        other => panic!("{other:?}"),
    }
}

fn runner(db: &support::TestDb, catalog: &CatalogService, service: &NotificationService) -> Runner {
    support::runner(db, catalog).with(Arc::new(NewBookNotices {
        notifications: service.clone(),
        catalog: Arc::new(db.store.clone()),
        jobs: Arc::new(db.store.clone()),
    }))
}

async fn new_books(service: &NotificationService, user: &domain::account::User) -> Vec<String> {
    let page = service.page(user, Shelf::Inbox, None).await.unwrap();
    page.items.iter().filter(|n| n.kind == Kind::NewBook).map(|n| n.title.clone()).collect()
}

backend_test!(followers_hear_of_a_new_book_once, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone());
    let jobs = runner(&db, &catalog, &service);
    let editor = Actor::system(Role::Editor);

    let moby = imported(&catalog, "epub/moby-dick.epub").await;
    let author = moby.authors[0].clone();
    let fiction = catalog.add_category(&editor, &EntryForm { name: "Fiction".into(), ..Default::default() }).await.unwrap();
    let novels = catalog
        .add_category(&editor, &EntryForm { name: "Romans".into(), parent: fiction.id.clone(), ..Default::default() })
        .await
        .unwrap();
    let poetry = catalog.add_category(&editor, &EntryForm { name: "Poésie".into(), ..Default::default() }).await.unwrap();
    support::settle(&jobs).await;

    let by_author = support::reader(&db, "Awa Ndiaye", "SN").await;
    let by_parent = support::reader(&db, "Moussa Diop", "SN").await;
    let by_both = support::reader(&db, "Fatou Sow", "CI").await;
    let other = support::reader(&db, "Binta Ba", "ML").await;
    let quitter = support::reader(&db, "Ali Kane", "SN").await;
    service.set_follow(&by_author, "author", &author.id, true, "127.0.0.1").await.unwrap();
    service.set_follow(&by_parent, "category", &fiction.id, true, "127.0.0.1").await.unwrap();
    service.set_follow(&by_both, "category", &novels.id, true, "127.0.0.1").await.unwrap();
    service.set_follow(&by_both, "author", &author.id, true, "127.0.0.1").await.unwrap();
    service.set_follow(&other, "category", &poetry.id, true, "127.0.0.1").await.unwrap();
    service.set_follow(&quitter, "author", &author.id, true, "127.0.0.1").await.unwrap();
    assert!(!service.set_follow(&by_author, "author", &author.id, true, "127.0.0.1").await.unwrap(), "twice is once");
    assert!(service.set_follow(&quitter, "author", &author.id, false, "127.0.0.1").await.unwrap());
    assert!(service.is_following(&by_author, FollowKind::Author, &author.id).await.unwrap());
    assert!(!service.is_following(&quitter, FollowKind::Author, &author.id).await.unwrap());
    let listed = service.follows(&by_both).await.unwrap();
    assert_eq!(listed.len(), 2, "{}", db.label);
    assert_eq!((listed[0].kind, listed[0].name.as_str()), (FollowKind::Author, author.name.as_str()), "newest first");
    // Each change is audited and has its event.
    let events = support::pending_events(&db).await;
    assert!(events.iter().any(|e| matches!(e, Event::FollowChanged { user_id, following: false, .. } if *user_id == quitter.id)));
    // Refused: an unknown kind, something that does not exist.
    assert!(matches!(
        service.set_follow(&other, "planet", "x", true, "127.0.0.1").await,
        Err(NotificationError::Invalid(f)) if f[0].field == "kind" && f[0].reason == Reason::Unknown
    ));
    assert!(matches!(service.set_follow(&other, "author", "no-such-author", true, "127.0.0.1").await, Err(NotificationError::NotFound)));

    // Filed under Romans (under Fiction) while a draft: nobody hears of it yet.
    let form = MetadataForm { categories: Some("Fiction > Romans".into()), ..MetadataForm::of(&moby) };
    catalog.correct(&editor, &moby.id, &form).await.unwrap();
    support::settle(&jobs).await;
    assert!(new_books(&service, &by_author).await.is_empty(), "{}: a draft is no news", db.label);

    // Published: each follower hears once, by what brought the book to them.
    catalog.edit(&editor, &moby.id, BookStatus::Published, moby.offer()).await.unwrap();
    support::settle(&jobs).await;
    let title = &moby.title;
    assert_eq!(new_books(&service, &by_author).await, [format!("Nouveau livre de {} : {title}", author.name)], "{}", db.label);
    assert_eq!(new_books(&service, &by_parent).await, [format!("Nouveau dans Fiction : {title}")], "a category above counts");
    assert_eq!(new_books(&service, &by_both).await, [format!("Nouveau livre de {} : {title}", author.name)], "once, by the author");
    assert!(new_books(&service, &other).await.is_empty());
    assert!(new_books(&service, &quitter).await.is_empty(), "stopped following");
    let page = service.page(&by_author, Shelf::Inbox, None).await.unwrap();
    assert_eq!(page.items[0].link.as_deref(), Some(format!("/livres/{}", moby.id).as_str()));

    // Edited again: no second notice.
    catalog.edit(&editor, &moby.id, BookStatus::Published, domain::catalog::Offer { featured: true, ..moby.offer() }).await.unwrap();
    support::settle(&jobs).await;
    assert_eq!(new_books(&service, &by_author).await.len(), 1, "{}", db.label);

    // A book published long ago is no news to a reader who follows its author since.
    let late = support::reader(&db, "Omar Fall", "SN").await;
    service.set_follow(&late, "author", &author.id, true, "127.0.0.1").await.unwrap();
    db.store.execute_raw(&format!("UPDATE books SET published_at = published_at - 3000000000 WHERE id = '{}'", moby.id)).await.unwrap();
    catalog.edit(&editor, &moby.id, BookStatus::Published, moby.offer()).await.unwrap();
    support::settle(&jobs).await;
    assert!(new_books(&service, &late).await.is_empty(), "{}", db.label);
    db
});

backend_test!(a_large_following_is_told_a_page_per_job_and_follows_are_bounded, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let store = Arc::new(db.store.clone());
    let service = NotificationService::new(store.clone(), store.clone(), store.clone());
    let jobs = runner(&db, &catalog, &service);
    let editor = Actor::system(Role::Editor);
    let book = imported(&catalog, "epub/wasteland.epub").await;
    let author = book.authors[0].clone();
    support::settle(&jobs).await;

    // More followers than one job tells: written straight into the table (a reader each).
    let n = FAN_OUT_PAGE as usize + 7;
    let mut readers = Vec::new();
    for i in 0..n {
        let r = support::reader(&db, &format!("Lecteur {i}"), "SN").await;
        readers.push(r);
    }
    let values = readers.iter().map(|r| format!("('{}', 'author', '{}', 1)", r.id, author.id)).collect::<Vec<_>>().join(", ");
    db.store.execute_raw(&format!("INSERT INTO follows (user_id, target_kind, target_id, created_at) VALUES {values}")).await.unwrap();

    catalog.edit(&editor, &book.id, BookStatus::Published, book.offer()).await.unwrap();
    support::settle(&jobs).await;
    for r in &readers {
        assert_eq!(new_books(&service, r).await.len(), 1, "{}: {}", db.label, r.name);
    }

    // A reader may follow so much and no more.
    let keen = &readers[0];
    let values = (0..MAX_FOLLOWS).map(|i| format!("('{}', 'category', 'c{i}', 1)", keen.id)).collect::<Vec<_>>().join(", ");
    db.store.execute_raw(&format!("INSERT INTO follows (user_id, target_kind, target_id, created_at) VALUES {values}")).await.unwrap();
    let fiction = catalog.add_category(&editor, &EntryForm { name: "Fiction".into(), ..Default::default() }).await.unwrap();
    assert!(matches!(
        service.set_follow(keen, "category", &fiction.id, true, "127.0.0.1").await,
        Err(NotificationError::Invalid(f)) if f[0].field == "follows"
    ));
    db
});
