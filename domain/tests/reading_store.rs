//! Reading on SQLite and PostgreSQL: who may open which book, and progress where the newest
//! write wins while the furthest position is kept.

#[macro_use]
mod support;

use chrono::{Duration, TimeZone, Utc};
use domain::account::AccountStore;
use domain::account::{Preferences, Role, User};
use domain::audit::Actor;
use domain::catalog::CatalogStore;
use domain::catalog::{CatalogService, ImportOutcome, Money};
use domain::files::LocalFiles;
use domain::ingest::Limits;
use domain::reading::ReadingStore;
use domain::reading::{AnnotationInput, ProgressUpdate, ReadingError, ReadingService};
use domain::search::EmbeddedIndex;
use domain::validation::Language;
use std::path::PathBuf;
use std::sync::Arc;

fn person(email: &str, role: Role) -> User {
    User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.to_owned(),
        name: "Fatou Sow".into(),
        country: "SN".into(),
        language: Language::Fr,
        avatar_url: None,
        role,
        email_verified: true,
        preferences: Preferences::default(),
        created_at: Utc::now(),
    }
}

/// The catalogue and reading services over this backend, with files in a temporary folder
/// (kept as long as the first value lives).
fn services(db: &support::TestDb) -> (tempfile::TempDir, Arc<domain::store::SqlStore>, CatalogService, ReadingService) {
    let files = tempfile::tempdir().unwrap();
    let store = Arc::new(db.store.clone());
    let catalog =
        CatalogService::new(store.clone(), Arc::new(LocalFiles::new(files.path())), Arc::new(EmbeddedIndex::new()), Limits::default());
    let reading = ReadingService::new(store.clone() as Arc<dyn ReadingStore>, store.clone() as Arc<dyn CatalogStore>);
    (files, store, catalog, reading)
}

fn update(locator: &str, pct: f64, at: chrono::DateTime<Utc>, device: &str) -> ProgressUpdate {
    ProgressUpdate { locator: locator.into(), percentage: pct, device: device.into(), updated_at: Some(at), ..Default::default() }
}

backend_test!(access_follows_price_entitlements_and_roles, |db: support::TestDb| async move {
    let (_files, store, catalog, reading) = services(&db);
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub");
    let mut ids = Vec::new();
    for (name, publish) in [("moby-dick.epub", true), ("trees.epub", true), ("wasteland.epub", false)] {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        match catalog.import(&bytes, name, publish).await.unwrap() {
            ImportOutcome::Created(b) => ids.push(b.id),
            other => panic!("{other:?}"),
        }
    }
    let (free, paid, draft) = (&ids[0], &ids[1], &ids[2]);
    catalog
        .edit(
            &Actor::system(Role::Editor),
            paid,
            domain::catalog::BookStatus::Published,
            domain::catalog::Offer { price: Money::xof(1500), featured: false, premium: false },
        )
        .await
        .unwrap();
    let reader = person("lectrice@example.sn", Role::Reader);
    let editor = person("editrice@example.sn", Role::Editor);
    in_tx!(store, insert_user(&reader, "h")).unwrap();
    in_tx!(store, insert_user(&editor, "h")).unwrap();

    assert!(matches!(reading.readable_book(None, free).await, Err(ReadingError::SignInRequired)), "{}", db.label);
    assert!(reading.readable_book(Some(&reader), free).await.is_ok());
    assert!(matches!(reading.readable_book(Some(&reader), paid).await, Err(ReadingError::NotEntitled)));
    assert!(matches!(reading.readable_book(Some(&reader), draft).await, Err(ReadingError::NotFound)));
    assert!(matches!(reading.readable_book(Some(&reader), "no-such-book").await, Err(ReadingError::NotFound)));
    assert!(reading.readable_book(Some(&editor), draft).await.is_ok());
    assert!(reading.readable_book(Some(&editor), paid).await.is_ok());
    // A book's file (its parts, its ranges) follows the same rule, in one statement, with the
    // viewer named by id only: the same answer for every viewer and book.
    let same_rule = |label: &'static str| {
        let (reading, reader, editor, ids) = (&reading, &reader, &editor, &ids);
        async move {
            for book in ids.iter().map(String::as_str).chain(["no-such-book"]) {
                for viewer in [None, Some(reader), Some(editor)] {
                    let whole = reading.readable_book(viewer, book).await.map(|b| (b.id, b.file_hash)).map_err(|e| e.to_string());
                    let file = reading.readable_file(viewer.map(|u| u.id.as_str()), book).await;
                    let file = file.map(|f| (f.book_id, f.file_hash)).map_err(|e| e.to_string());
                    assert_eq!(whole, file, "{label}: book {book}, viewer {:?}", viewer.map(|u| u.role));
                }
            }
            // An account that is gone reads like someone signed out.
            assert!(matches!(reading.readable_file(Some("gone-account"), &ids[0]).await, Err(ReadingError::SignInRequired)));
        }
    };
    same_rule(db.label).await;

    // Readers cannot grant; editors can, twice without harm; unknown users are refused.
    assert!(matches!(reading.grant(&Actor::user(&reader, ""), &reader.id, paid).await, Err(ReadingError::Forbidden)));
    reading.grant(&Actor::user(&editor, "192.0.2.1"), &reader.id, paid).await.unwrap();
    reading.grant(&Actor::user(&editor, "192.0.2.1"), &reader.id, paid).await.unwrap();
    let granted = store.audit_log(&Default::default(), None, 100).await.unwrap();
    let granted = granted.iter().filter(|e| e.action == domain::audit::AuditAction::AccessGranted).count();
    assert_eq!(granted, 1, "{}: granted twice, audited once", db.label);
    assert!(reading.readable_book(Some(&reader), paid).await.is_ok(), "{}", db.label);
    same_rule(db.label).await;
    assert!(!reading.readable_file(Some(&reader.id), paid).await.unwrap().free, "a paid book's file is not cached as free");
    let shelf = reading.library(&reader).await.unwrap();
    assert_eq!(shelf.owned.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), [paid.as_str()], "{}", db.label);
    assert!(matches!(reading.grant(&Actor::user(&editor, "192.0.2.1"), "nobody", paid).await, Err(ReadingError::NotFound)), "{}", db.label);
    assert!(matches!(reading.grant(&Actor::user(&editor, "192.0.2.1"), &reader.id, "no-book").await, Err(ReadingError::NotFound)));
    db
});

backend_test!(newest_progress_wins_and_the_furthest_is_kept, |db: support::TestDb| async move {
    let (_files, store, catalog, reading) = services(&db);
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/wasteland.epub")).unwrap();
    let ImportOutcome::Created(book) = catalog.import(&bytes, "wasteland.epub", true).await.unwrap() else { panic!() };
    let reader = person("awa@example.sn", Role::Reader);
    in_tx!(store, insert_user(&reader, "h")).unwrap();

    assert_eq!(reading.progress(&reader, &book.id).await.unwrap(), None);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    let phone = reading.save_progress(&reader, &book.id, &update("e:3:1.2:40", 42.5, t0, "phone")).await.unwrap();
    assert_eq!(phone.locator, "e:3:1.2:40");
    assert_eq!(phone.percentage, 42.5);
    assert_eq!(phone.updated_at, t0);

    // An older write (a laptop that was offline) loses and is told what is stored.
    let stale = reading.save_progress(&reader, &book.id, &update("e:1::0", 5.0, t0 - Duration::hours(1), "laptop")).await.unwrap();
    assert_eq!(stale.locator, "e:3:1.2:40", "{}", db.label);
    assert_eq!(stale.device, "phone");

    // A newer write going backwards wins, and the furthest position stays.
    let back = reading.save_progress(&reader, &book.id, &update("e:2:4:0", 20.0, t0 + Duration::hours(1), "laptop")).await.unwrap();
    assert_eq!(back.locator, "e:2:4:0");
    assert_eq!(back.device, "laptop");
    assert_eq!(back.furthest.locator, "e:3:1.2:40", "{}", db.label);
    assert_eq!(back.furthest.percentage, 42.5);

    let stored = reading.progress(&reader, &book.id).await.unwrap().unwrap();
    assert_eq!(stored, back);

    // Bad input names its fields and changes nothing.
    let bad = update("chapter three", 101.0, t0 + Duration::hours(2), "phone");
    match reading.save_progress(&reader, &book.id, &bad).await {
        Err(ReadingError::Invalid(fields)) => assert_eq!(fields.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(reading.progress(&reader, &book.id).await.unwrap().unwrap(), back);

    // The shelf: in progress, then finished.
    let shelf = reading.library(&reader).await.unwrap();
    assert_eq!(shelf.reading.len(), 1, "{}", db.label);
    assert_eq!(shelf.reading[0].1.locator, "e:2:4:0");
    assert!(shelf.finished.is_empty());
    reading.save_progress(&reader, &book.id, &update("e:9::0", 100.0, t0 + Duration::hours(3), "phone")).await.unwrap();
    let shelf = reading.library(&reader).await.unwrap();
    assert!(shelf.reading.is_empty());
    assert_eq!(shelf.finished[0].0.id, book.id);
    // One reader, however many saves, counts once among the book's readers; a second counts.
    assert_eq!(catalog.book(&book.id, None).await.unwrap().popularity, 1, "{}", db.label);
    let fatou = person("fatou@example.sn", Role::Reader);
    in_tx!(store, insert_user(&fatou, "h")).unwrap();
    reading.save_progress(&fatou, &book.id, &update("e:1::0", 1.0, t0, "phone")).await.unwrap();
    assert_eq!(catalog.book(&book.id, None).await.unwrap().popularity, 2);

    // Each tenth of the book passed is one event, once: Awa went to 42.5 % (10–40), came back
    // to 20 % (nothing new), then reached 100 % (50–90); Fatou's 1 % passed none.
    let milestones: Vec<(String, u8)> = support::pending_events(&db)
        .await
        .into_iter()
        .filter_map(|e| match e {
            domain::events::Event::ReadingMilestone { user_id, percent, .. } => Some((user_id, percent)),
            _ => None,
        })
        .collect();
    let awa: Vec<(String, u8)> = (1..=9).map(|t| (reader.id.clone(), t * 10)).collect();
    assert_eq!(milestones, awa, "{}", db.label);
    db
});

backend_test!(a_reading_session_is_one_event_however_often_it_is_replayed, |db: support::TestDb| async move {
    let (_files, store, catalog, reading) = services(&db);
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/wasteland.epub")).unwrap();
    let ImportOutcome::Created(book) = catalog.import(&bytes, "wasteland.epub", true).await.unwrap() else { panic!() };
    let reader = person("awa@example.sn", Role::Reader);
    in_tx!(store, insert_user(&reader, "h")).unwrap();
    let before = support::pending_events(&db).await.len();
    let end = Utc::now() - Duration::minutes(1);
    let session = domain::reading::SessionInput {
        id: uuid::Uuid::now_v7().to_string(),
        book_id: book.id.clone(),
        started_at: Some(end - Duration::minutes(12)),
        ended_at: Some(end),
        start_percentage: 10.0,
        end_percentage: 18.0,
        device: "phone".into(),
        ..Default::default()
    };
    let (_, stored) = reading.record_session(&reader, &session).await.unwrap();
    assert!(stored);
    // The offline outbox sends it again after a reconnection: stored once, one event.
    let (_, stored) = reading.record_session(&reader, &session).await.unwrap();
    assert!(!stored, "{}", db.label);
    let events = support::pending_events(&db).await;
    assert_eq!(events.len() - before, 1, "{}", db.label);
    assert_eq!(
        events.last(),
        Some(&domain::events::Event::ReadingSessionRecorded {
            user_id: reader.id.clone(),
            book_id: book.id.clone(),
            session_id: session.id.clone()
        })
    );
    db
});

backend_test!(annotations_are_idempotent_private_and_newest_wins, |db: support::TestDb| async move {
    let (_files, store, catalog, reading) = services(&db);
    let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/moby-dick.epub")).unwrap();
    let ImportOutcome::Created(book) = catalog.import(&bytes, "moby-dick.epub", true).await.unwrap() else { panic!() };
    let awa = person("awa@example.sn", Role::Reader);
    let ali = person("ali@example.sn", Role::Reader);
    in_tx!(store, insert_user(&awa, "h")).unwrap();
    in_tx!(store, insert_user(&ali, "h")).unwrap();

    let id = uuid::Uuid::now_v7().to_string();
    let input = AnnotationInput {
        id: id.clone(),
        book_id: book.id.clone(),
        annotation_type: "highlight".into(),
        position: "e:6:0.1.0:5..e:6:0.1.0:20".into(),
        selected_text: "Call me Ishmael.".into(),
        content: "Première phrase.".into(),
        color: "#93c5fd".into(),
        ..Default::default()
    };
    let (first, created) = reading.annotate(&awa, &input).await.unwrap();
    assert!(created, "{}", db.label);
    // A replay (same id) creates nothing and answers the stored annotation.
    let (again, created) = reading.annotate(&awa, &AnnotationInput { content: "autre".into(), ..input.clone() }).await.unwrap();
    assert!(!created);
    assert_eq!(again, first);
    // Someone else cannot take over that id, nor see, edit or delete it.
    assert!(matches!(reading.annotate(&ali, &input).await, Err(ReadingError::Forbidden)), "{}", db.label);
    assert!(reading.annotations(&ali, &book.id).await.unwrap().1.is_empty());
    assert!(matches!(reading.delete_annotation(&ali, &id).await, Err(ReadingError::NotFound)));

    let bookmark = AnnotationInput {
        id: uuid::Uuid::now_v7().to_string(),
        annotation_type: "bookmark".into(),
        position: "e:2::0".into(),
        selected_text: String::new(),
        content: String::new(),
        color: String::new(),
        ..input.clone()
    };
    reading.annotate(&awa, &bookmark).await.unwrap();
    let (_, list) = reading.annotations(&awa, &book.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].annotation_type.as_str(), "bookmark", "reading order: the bookmark (part 2) first");

    // Edits: the newest wins; an older replay changes nothing.
    let later = chrono::Utc::now() + Duration::seconds(5);
    let edited = reading
        .edit_annotation(
            &awa,
            &id,
            &AnnotationInput {
                content: "Note revue.".into(),
                color: "#fde047".into(),
                updated_at: later.to_rfc3339(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (edited.content.as_str(), edited.color.as_str(), edited.selected_text.as_str()),
        ("Note revue.", "#fde047", "Call me Ishmael.")
    );
    let stale = reading
        .edit_annotation(
            &awa,
            &id,
            &AnnotationInput { content: "ancienne".into(), updated_at: (later - Duration::seconds(60)).to_rfc3339(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(stale.content, "Note revue.", "{}", db.label);
    assert!(matches!(
        reading.edit_annotation(&awa, &id, &AnnotationInput { color: "jaune".into(), ..Default::default() }).await,
        Err(ReadingError::Invalid(_))
    ));

    reading.delete_annotation(&awa, &id).await.unwrap();
    assert!(matches!(reading.delete_annotation(&awa, &id).await, Err(ReadingError::NotFound)));
    assert_eq!(reading.annotations(&awa, &book.id).await.unwrap().1.len(), 1);
    db
});

backend_test!(deleting_a_book_takes_its_file_and_readers_data_but_never_a_held_book, |db: support::TestDb| async move {
    let (_files, store, catalog, reading) = services(&db);
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub");
    let mut books = Vec::new();
    for name in ["moby-dick.epub", "trees.epub"] {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        match catalog.import(&bytes, name, true).await.unwrap() {
            ImportOutcome::Created(b) => books.push(*b),
            other => panic!("{other:?}"),
        }
    }
    let (moby, trees) = (&books[0], &books[1]);
    catalog
        .edit(
            &Actor::system(Role::Editor),
            &trees.id,
            domain::catalog::BookStatus::Published,
            domain::catalog::Offer { price: Money::xof(1500), featured: false, premium: false },
        )
        .await
        .unwrap();
    let reader = person("lectrice@example.sn", Role::Reader);
    let editor = person("editrice@example.sn", Role::Editor);
    in_tx!(store, insert_user(&reader, "h")).unwrap();
    in_tx!(store, insert_user(&editor, "h")).unwrap();
    reading.save_progress(&reader, &moby.id, &update("e:6:0:0", 4.0, Utc::now(), "web-mobile")).await.unwrap();
    reading.grant(&Actor::user(&editor, "192.0.2.1"), &reader.id, &trees.id).await.unwrap();

    assert!(matches!(catalog.delete(&Actor::system(Role::Reader), &moby.id).await, Err(domain::catalog::CatalogError::Forbidden)));
    assert!(
        matches!(catalog.delete(&Actor::user(&editor, "192.0.2.1"), &trees.id).await, Err(domain::catalog::CatalogError::InUse)),
        "{}: a held book stays",
        db.label
    );
    assert!(catalog.book(&trees.id, None).await.is_ok());

    let gone = catalog.delete(&Actor::user(&editor, "192.0.2.1"), &moby.id).await.unwrap();
    assert_eq!(gone.id, moby.id);
    assert!(catalog.book(&moby.id, Some(Role::Admin)).await.is_err(), "{}", db.label);
    assert!(catalog.file(&moby.file_hash).await.is_err(), "the file left the store");
    assert!(catalog.file(moby.cover_hash.as_ref().unwrap()).await.is_err(), "and its cover");
    assert!(store.progress(&reader.id, &moby.id).await.unwrap().is_none(), "{}: readers' data went with it", db.label);
    support::settle(&support::runner(&db, &catalog)).await;
    assert_eq!(catalog.search("moby dick", &Default::default(), 0, 10).await.unwrap().total, 0, "out of the index");
    assert!(matches!(catalog.delete(&Actor::user(&editor, "192.0.2.1"), &moby.id).await, Err(domain::catalog::CatalogError::NotFound)));
    // The same file can come back.
    let bytes = std::fs::read(corpus.join("moby-dick.epub")).unwrap();
    assert!(matches!(catalog.import(&bytes, "moby-dick.epub", true).await.unwrap(), ImportOutcome::Created(_)));
    db
});

backend_test!(every_editor_action_lands_in_the_audit_log, |db: support::TestDb| async move {
    use domain::audit::{AuditAction, AuditFilter};
    use domain::catalog::{BookStatus, MetadataForm};
    let (_files, store, catalog, reading) = services(&db);
    let editor = person("editrice@example.sn", Role::Editor);
    let reader = person("lecteur@example.sn", Role::Reader);
    in_tx!(store, insert_user(&editor, "h")).unwrap();
    in_tx!(store, insert_user(&reader, "h")).unwrap();
    let by = Actor::user(&editor, "198.51.100.7");
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub");
    let bytes = std::fs::read(corpus.join("trees.epub")).unwrap();
    let ImportOutcome::Created(book) = catalog.upload(&by, &bytes, "trees.epub").await.unwrap() else { panic!() };
    catalog
        .edit(&by, &book.id, BookStatus::Published, domain::catalog::Offer { price: Money::xof(900), featured: true, premium: false })
        .await
        .unwrap();
    catalog
        .edit(&by, &book.id, BookStatus::Published, domain::catalog::Offer { price: Money::xof(900), featured: true, premium: false })
        .await
        .unwrap(); // no change: no line
    let form = MetadataForm { title: "Arbres".into(), authors: book.author_names(), language: "fr".into(), ..Default::default() };
    catalog.correct(&by, &book.id, &form).await.unwrap();
    reading.grant(&by, &reader.id, &book.id).await.unwrap();
    let other = std::fs::read(corpus.join("wasteland.epub")).unwrap();
    let ImportOutcome::Created(gone) = catalog.upload(&by, &other, "wasteland.epub").await.unwrap() else { panic!() };
    catalog.delete(&by, &gone.id).await.unwrap();

    assert!(
        matches!(catalog.audit_log(Role::Editor, &AuditFilter::default(), None).await, Err(domain::catalog::CatalogError::Forbidden)),
        "admins only"
    );
    let log = catalog.audit_log(Role::Admin, &AuditFilter::default(), None).await.unwrap();
    let actions: Vec<AuditAction> = log.entries.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::BookDeleted,
            AuditAction::BookAdded,
            AuditAction::AccessGranted,
            AuditAction::BookCorrected,
            AuditAction::BookChanged,
            AuditAction::BookAdded
        ],
        "{}: newest first, one line per real change",
        db.label
    );
    let changed = &log.entries[4];
    assert_eq!(changed.actor_email, "editrice@example.sn");
    assert_eq!(changed.actor_id.as_deref(), Some(editor.id.as_str()));
    assert_eq!(changed.ip, "198.51.100.7");
    assert!(changed.before.as_deref().unwrap().contains("\"draft\"") && changed.after.as_deref().unwrap().contains("900"), "{changed:?}");
    let corrected = &log.entries[3];
    assert!(corrected.after.as_deref().unwrap().contains("Arbres") && corrected.target_label == "Arbres");
    assert!(log.entries[0].before.as_deref().unwrap().contains("file_hash"), "a deletion keeps what was deleted");

    let only =
        catalog.audit_log(Role::Admin, &AuditFilter { action: Some(AuditAction::BookAdded), ..Default::default() }, None).await.unwrap();
    assert_eq!(only.entries.len(), 2);
    let nobody =
        catalog.audit_log(Role::Admin, &AuditFilter { actor: Some("someone-else".into()), ..Default::default() }, None).await.unwrap();
    assert!(nobody.entries.is_empty());
    let by_name =
        catalog.audit_log(Role::Admin, &AuditFilter { actor: Some("EDITRICE".into()), ..Default::default() }, None).await.unwrap();
    assert_eq!(by_name.entries.len(), 6, "{}: case-insensitive", db.label);
    // Keyset: two at a time through the store.
    let first = store.audit_log(&AuditFilter::default(), None, 2).await.unwrap();
    let cursor = domain::audit::parse_cursor(&domain::audit::cursor_of(&first[1]));
    let next = store.audit_log(&AuditFilter::default(), cursor, 2).await.unwrap();
    assert_eq!(next.len(), 2);
    assert_eq!(next[0].action, AuditAction::AccessGranted, "{}", db.label);
    db
});

backend_test!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    two_devices_saving_at_once_pass_each_tenth_once,
    |db: support::TestDb| async move {
        let (_files, store, catalog, reading) = services(&db);
        let bytes = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub/wasteland.epub")).unwrap();
        let ImportOutcome::Created(book) = catalog.import(&bytes, "wasteland.epub", true).await.unwrap() else { panic!() };
        for round in 0..5 {
            let reader = person(&format!("awa{round}@example.sn"), Role::Reader);
            in_tx!(store, insert_user(&reader, "h")).unwrap();
            let t0 = Utc::now() - Duration::minutes(1);
            // The phone and the laptop both send 45 % at the same moment (first save of the book).
            let (phone, laptop) = (update("e:3::0", 45.0, t0, "phone"), update("e:3::0", 45.0, t0 + Duration::seconds(1), "laptop"));
            let (a, b) = tokio::join!(reading.save_progress(&reader, &book.id, &phone), reading.save_progress(&reader, &book.id, &laptop));
            a.unwrap();
            b.unwrap();
            let tenths: Vec<u8> = support::pending_events(&db)
                .await
                .into_iter()
                .filter_map(|e| match e {
                    domain::events::Event::ReadingMilestone { user_id, percent, .. } if user_id == reader.id => Some(percent),
                    _ => None,
                })
                .collect();
            assert_eq!(tenths, [10, 20, 30, 40], "{} round {round}: each tenth once", db.label);
        }
        assert_eq!(catalog.book(&book.id, None).await.unwrap().popularity, 5, "{}: each reader counted once", db.label);
        db
    }
);
