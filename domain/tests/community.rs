//! Reviews and ratings on SQLite and PostgreSQL: one review per reader and book, the book's
//! rating kept with it, "verified reader" from real reading, helpful votes, three orders paged by
//! keyset, held reviews (new accounts, bursts) and what moderators decide, the posting limit,
//! the catalogue sorted by rating, and who may do what.

#[macro_use]
mod support;

use domain::account::{Role, User};
use domain::catalog::{Book, BookFilter, CatalogService, ImportOutcome, Sort};
use domain::community::{
    CommunityError, CommunityService, Decision, ReviewInput, ReviewNotices, ReviewSort, ReviewStatus, HELD_BURST, HELD_NEW_ACCOUNT,
};
use domain::error::Reason;
use domain::events::Event;
use domain::notification::{Kind, NotificationService, Shelf};
use std::path::PathBuf;
use std::sync::Arc;

const IP: &str = "127.0.0.1";

async fn imported(svc: &CatalogService, f: &str) -> Book {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/epub").join(f);
    let bytes = std::fs::read(&p).unwrap();
    match svc.import(&bytes, f, true).await.unwrap() {
        ImportOutcome::Created(b) => *b,
        other => panic!("{other:?}"),
    }
}

/// A reader whose account is a month old (new accounts' reviews wait for a moderator).
async fn veteran(db: &support::TestDb, name: &str, role: Role) -> User {
    let mut u = support::reader(db, name, "SN").await;
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let sql = format!("UPDATE users SET created_at = {}, role = '{}' WHERE id = '{}'", month_ago.timestamp_millis(), role.as_str(), u.id);
    db.store.execute_raw(&sql).await.unwrap();
    u.created_at = month_ago;
    u.role = role;
    u
}

/// The reader reached `bp` hundredths of a percent of the book.
async fn read_to(db: &support::TestDb, user: &User, book: &Book, bp: i64) {
    let sql = format!(
        "INSERT INTO reading_progress (user_id, book_id, locator, percentage_bp, device, furthest_locator, furthest_bp, updated_at) \
         VALUES ('{}', '{}', '{{}}', {bp}, 'test', '{{}}', {bp}, 0)",
        user.id, book.id
    );
    db.store.execute_raw(&sql).await.unwrap();
}

fn said(rating: u8, body: &str) -> ReviewInput {
    ReviewInput { rating, title: String::new(), body: body.into(), spoiler: false }
}

/// Moves a review an hour and a half back (and `minutes` more): out of the burst window.
async fn age(db: &support::TestDb, review_id: &str, minutes: i64) {
    let back = (90 + minutes) * 60_000;
    let sql = format!("UPDATE reviews SET created_at = created_at - {back}, updated_at = updated_at - {back} WHERE id = '{review_id}'");
    db.store.execute_raw(&sql).await.unwrap();
}

fn service(db: &support::TestDb) -> CommunityService {
    CommunityService::new(Arc::new(db.store.clone()), Arc::new(db.store.clone()))
}

backend_test!(one_review_per_reader_and_book_and_the_book_keeps_its_rating, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let book = imported(&catalog, "moby-dick.epub").await;
    let awa = veteran(&db, "Awa Ndiaye", Role::Reader).await;
    let moussa = veteran(&db, "Moussa Diop", Role::Reader).await;
    let _ = support::pending_events(&db).await;

    let first = community.post_review(&awa, &book.id, &said(5, "Un **grand** livre <script>alert(1)</script>"), IP).await.unwrap();
    assert_eq!((first.status, first.rating, first.author_name.as_str()), (ReviewStatus::Published, 5, "Awa Ndiaye"), "{}", db.label);
    assert!(first.body_html.contains("<strong>grand</strong>") && !first.body_html.contains("<script"), "{}", first.body_html);
    assert!(!first.verified, "she has not read it here");
    match community.post_review(&awa, &book.id, &said(1, "encore"), IP).await {
        Err(CommunityError::AlreadyReviewed) => {}
        other => panic!("a second review: {other:?}"),
    }
    match community.post_review(&awa, &book.id, &said(0, "sans note"), IP).await {
        Err(CommunityError::Invalid(f)) => assert_eq!((f[0].field.as_str(), f[0].reason), ("rating", Reason::Required)),
        other => panic!("{other:?}"),
    }
    community.post_review(&moussa, &book.id, &said(2, ""), IP).await.unwrap();
    let stored = catalog.book(&book.id, None).await.unwrap();
    assert_eq!((stored.rating_count, stored.rating(), stored.rating_sum), (2, Some(3.5), 7), "{}", db.label);

    // Edited: the rating follows; deleted: it goes.
    let edited = community
        .edit_review(&awa, &first.id, &ReviewInput { rating: 4, title: "Revu".into(), body: "Long.".into(), spoiler: true }, IP)
        .await
        .unwrap();
    assert_eq!((edited.rating, edited.title.as_str(), edited.spoiler), (4, "Revu", true));
    let page = community.reviews(Some(&moussa), &book.id, ReviewSort::Newest, None).await.unwrap();
    assert_eq!((page.summary.count, page.summary.average, page.summary.histogram), (2, Some(3.0), [0, 1, 0, 1, 0]));
    assert_eq!(page.reviews.len(), 1, "his own is apart");
    assert_eq!(page.mine.as_ref().map(|r| r.rating), Some(2));
    community.delete_review(&awa, &first.id, IP).await.unwrap();
    let stored = catalog.book(&book.id, None).await.unwrap();
    assert_eq!((stored.rating_count, stored.rating()), (1, Some(2.0)));
    // She may write another one now.
    community.post_review(&awa, &book.id, &said(3, ""), IP).await.unwrap();

    // Each command audited, with its event.
    let events = support::pending_events(&db).await;
    let changes: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::ReviewChanged { change, status, .. } => Some(format!("{change}:{status}")),
            _ => None,
        })
        .collect();
    assert_eq!(changes, ["posted:published", "posted:published", "edited:published", "deleted:deleted", "posted:published"]);
    use domain::catalog::CatalogStore;
    let filter = domain::audit::AuditFilter { target: Some(book.id.clone()), ..Default::default() };
    let audit = db.store.audit_log(&filter, None, 50).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|e| e.action).filter(|a| a.as_str().starts_with("review")).collect();
    assert_eq!(actions.len(), 5, "{actions:?}");
    db
});

backend_test!(verified_readers_helpful_votes_and_three_orders_paged, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let book = imported(&catalog, "moby-dick.epub").await;
    let mut posted = Vec::new();
    for i in 0..25u8 {
        let reader = veteran(&db, &format!("Lecteur {i:02}"), Role::Reader).await;
        if i == 3 {
            read_to(&db, &reader, &book, 3400).await;
        }
        if i == 4 {
            read_to(&db, &reader, &book, 3300).await;
        }
        let r = community.post_review(&reader, &book.id, &said(i % 5 + 1, &format!("avis {i}")), IP).await.unwrap();
        assert_eq!(r.status, ReviewStatus::Published, "aged reviews make no burst ({i})");
        age(&db, &r.id, 25 - i as i64).await;
        posted.push((reader, r));
    }
    let (voter, _) = &posted[0];
    let (author, target) = &posted[3];
    assert!(community.review(None, &target.id).await.unwrap().verified, "read a third");
    assert!(!community.review(None, &posted[4].1.id).await.unwrap().verified, "33 % is not a third");
    match community.vote(author, &target.id, true).await {
        Err(CommunityError::Forbidden) => {}
        other => panic!("one's own review: {other:?}"),
    }
    assert_eq!(community.vote(voter, &target.id, true).await.unwrap(), 1);
    assert_eq!(community.vote(voter, &target.id, true).await.unwrap(), 1, "twice is once");
    assert_eq!(community.vote(&posted[1].0, &target.id, true).await.unwrap(), 2);
    assert_eq!(community.vote(&posted[1].0, &target.id, false).await.unwrap(), 1, "taken back");
    assert_eq!(community.vote(&posted[5].0, &target.id, true).await.unwrap(), 2);
    assert_eq!(community.vote(&posted[2].0, &posted[7].1.id, true).await.unwrap(), 1);
    assert!(community.review(Some(voter), &target.id).await.unwrap().voted);
    assert!(!community.review(Some(author), &target.id).await.unwrap().voted);

    // Every order pages through all 25 (a signed-out visitor: nobody's own set apart).
    for sort in ReviewSort::ALL {
        let first = community.reviews(None, &book.id, sort, None).await.unwrap();
        assert_eq!(first.reviews.len(), 20, "{sort:?}");
        let cursor = first.next_cursor.clone().expect("a second page");
        let second = community.reviews(None, &book.id, sort, Some(&cursor)).await.unwrap();
        assert_eq!((second.reviews.len(), second.next_cursor.is_none()), (5, true), "{sort:?} {}", db.label);
        let all: Vec<_> = first.reviews.iter().chain(&second.reviews).collect();
        let mut ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 25, "{sort:?}: none twice, none lost");
        match sort {
            ReviewSort::Helpful => {
                assert_eq!(all[0].id, target.id);
                assert_eq!(all[1].id, posted[7].1.id, "then by id, newest first");
            }
            ReviewSort::Newest => assert!(all.windows(2).all(|w| w[0].created_at >= w[1].created_at)),
            ReviewSort::Rating => assert!(all.windows(2).all(|w| w[0].rating >= w[1].rating)),
        }
    }
    match community.reviews(None, &book.id, ReviewSort::Newest, Some("nonsense")).await {
        Err(CommunityError::Invalid(f)) => assert_eq!(f[0].field, "cursor"),
        other => panic!("{other:?}"),
    }
    db
});

backend_test!(new_accounts_and_bursts_wait_for_a_moderator_who_tells_the_author, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let store = Arc::new(db.store.clone());
    let notifications = NotificationService::new(store.clone(), store.clone(), store.clone());
    let jobs = support::runner(&db, &catalog).with(Arc::new(ReviewNotices {
        community: community.clone(),
        books: store.clone(),
        notifications: notifications.clone(),
    }));
    let book = imported(&catalog, "moby-dick.epub").await;
    let newcomer = support::reader(&db, "Nouvelle Venue", "SN").await;
    let moderator = veteran(&db, "Modératrice", Role::Moderator).await;
    let reader = veteran(&db, "Lectrice", Role::Reader).await;

    let held = community.post_review(&newcomer, &book.id, &said(1, "Nul."), IP).await.unwrap();
    assert_eq!((held.status, held.status_reason.as_str()), (ReviewStatus::Pending, HELD_NEW_ACCOUNT), "{}", db.label);
    let seen = community.reviews(Some(&reader), &book.id, ReviewSort::Newest, None).await.unwrap();
    assert_eq!((seen.reviews.len(), seen.summary.count), (0, 0), "held: nobody sees it, nothing counts");
    let own = community.reviews(Some(&newcomer), &book.id, ReviewSort::Newest, None).await.unwrap();
    assert_eq!(own.mine.map(|r| r.status), Some(ReviewStatus::Pending), "its author does");
    assert!(matches!(community.review(Some(&reader), &held.id).await, Err(CommunityError::NotFound)));
    assert!(matches!(community.held_reviews(&reader).await, Err(CommunityError::Forbidden)));
    assert!(matches!(community.moderate(&reader, &held.id, &Decision::Publish, IP).await, Err(CommunityError::Forbidden)));
    let queue = community.held_reviews(&moderator).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].review.id.as_str(), queue[0].book_title.as_str()), (held.id.as_str(), book.title.as_str()));

    let published = community.moderate(&moderator, &held.id, &Decision::Publish, IP).await.unwrap();
    assert_eq!(published.status, ReviewStatus::Published);
    assert_eq!(catalog.book(&book.id, None).await.unwrap().rating_count, 1);
    support::settle(&jobs).await;
    match community.moderate(&moderator, &held.id, &Decision::Hide { reason: "  ".into() }, IP).await {
        Err(CommunityError::Invalid(f)) => assert_eq!((f[0].field.as_str(), f[0].reason), ("reason", Reason::Required)),
        other => panic!("{other:?}"),
    }
    let hidden = community.moderate(&moderator, &held.id, &Decision::Hide { reason: "Propos injurieux".into() }, IP).await.unwrap();
    assert_eq!((hidden.status, hidden.status_reason.as_str()), (ReviewStatus::Hidden, "Propos injurieux"));
    assert_eq!(catalog.book(&book.id, None).await.unwrap().rating_count, 0, "a hidden review counts for nothing");
    support::settle(&jobs).await;
    let inbox = notifications.page(&newcomer, Shelf::Inbox, None).await.unwrap();
    let kinds: Vec<Kind> = inbox.items.iter().map(|n| n.kind).collect();
    assert!(kinds.contains(&Kind::ReviewPublished) && kinds.contains(&Kind::ReviewHidden), "{kinds:?} {}", db.label);
    let told = inbox.items.iter().find(|n| n.kind == Kind::ReviewHidden).unwrap();
    assert!(told.body.contains("Propos injurieux"), "{}", told.body);
    // Edited after being hidden: a moderator reads it again.
    let again = community.edit_review(&newcomer, &held.id, &said(2, "Bof."), IP).await.unwrap();
    assert_eq!((again.status, again.status_reason.as_str()), (ReviewStatus::Pending, "edited"));

    // A burst: after ten reviews of one book within the hour, the next ones wait.
    let other = imported(&catalog, "trees.epub").await;
    for i in 0..10 {
        let r = veteran(&db, &format!("Vague {i}"), Role::Reader).await;
        assert_eq!(community.post_review(&r, &other.id, &said(1, ""), IP).await.unwrap().status, ReviewStatus::Published);
    }
    let late = veteran(&db, "Vague 10", Role::Reader).await;
    let r = community.post_review(&late, &other.id, &said(1, ""), IP).await.unwrap();
    assert_eq!((r.status, r.status_reason.as_str()), (ReviewStatus::Pending, HELD_BURST), "{}", db.label);
    db
});

backend_test!(a_reader_posts_five_reviews_an_hour_at_most, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let reader = veteran(&db, "Pressée", Role::Reader).await;
    let names = ["moby-dick.epub", "trees.epub", "wasteland.epub", "page-blanche.epub", "sous-le-vent.epub", "georgia-cfi.epub"];
    let mut books = Vec::new();
    for n in names {
        books.push(imported(&catalog, n).await);
    }
    for b in &books[..5] {
        community.post_review(&reader, &b.id, &said(4, ""), IP).await.unwrap();
    }
    match community.post_review(&reader, &books[5].id, &said(4, ""), IP).await {
        Err(CommunityError::TooMany(secs)) => assert_eq!(secs, 3600),
        other => panic!("a sixth within the hour: {other:?}"),
    }
    db
});

backend_test!(the_catalogue_sorts_by_rating_page_by_page, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let once_five = imported(&catalog, "moby-dick.epub").await;
    let many_fours = imported(&catalog, "trees.epub").await;
    let unrated = imported(&catalog, "wasteland.epub").await;
    let low = imported(&catalog, "sous-le-vent.epub").await;
    let first = veteran(&db, "A", Role::Reader).await;
    community.post_review(&first, &once_five.id, &said(5, ""), IP).await.unwrap();
    for i in 0..6 {
        let r = veteran(&db, &format!("R{i}"), Role::Reader).await;
        community.post_review(&r, &many_fours.id, &said(if i == 0 { 5 } else { 4 }, ""), IP).await.unwrap();
    }
    community.post_review(&first, &low.id, &said(1, ""), IP).await.unwrap();
    let filter = BookFilter { sort: Sort::Rating, ..Default::default() };
    let mut order = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = catalog.browse(&filter, cursor.as_deref(), 1, None).await.unwrap();
        order.extend(page.books.iter().map(|b| b.id.clone()));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(order, [many_fours.id.clone(), once_five.id.clone(), low.id.clone(), unrated.id.clone()], "{}", db.label);
    db
});

// Who may do what, for every role: post and edit one's own, edit another's (nobody), delete
// another's (moderators and admins), see and decide held reviews (moderators and admins).
backend_test!(the_permission_matrix, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let book = imported(&catalog, "moby-dick.epub").await;
    for role in Role::ALL {
        let actor = veteran(&db, &format!("Acteur {}", role.as_str()), role).await;
        let victim = veteran(&db, &format!("Autre {}", role.as_str()), Role::Reader).await;
        let theirs = community.post_review(&victim, &book.id, &said(3, "le mien"), IP).await.unwrap();
        let mine = community.post_review(&actor, &book.id, &said(4, "à moi"), IP).await.unwrap();
        assert_eq!(mine.status, ReviewStatus::Published, "{role:?}");
        community.edit_review(&actor, &mine.id, &said(5, "à moi, encore"), IP).await.unwrap();
        assert!(matches!(community.edit_review(&actor, &theirs.id, &said(1, "x"), IP).await, Err(CommunityError::Forbidden)), "{role:?}");
        let may_moderate = matches!(role, Role::Moderator | Role::Admin);
        assert_eq!(community.held_reviews(&actor).await.is_ok(), may_moderate, "{role:?}");
        let decided = community.moderate(&actor, &theirs.id, &Decision::Hide { reason: "test".into() }, IP).await;
        assert_eq!(decided.is_ok(), may_moderate, "{role:?}");
        let deleted = community.delete_review(&actor, &theirs.id, IP).await;
        assert_eq!(deleted.is_ok(), may_moderate, "{role:?}: {deleted:?}");
        community.delete_review(&actor, &mine.id, IP).await.unwrap();
        if !may_moderate {
            community.delete_review(&victim, &theirs.id, IP).await.unwrap();
        }
    }
    db
});

backend_test!(reports_merge_weigh_hold_and_are_decided, |db: support::TestDb| async move {
    use domain::community::{FlagDecision, FlagState, ReportInput, ReportReason};
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let book = imported(&catalog, "moby-dick.epub").await;
    let author = veteran(&db, "Auteur", Role::Reader).await;
    let moderator = veteran(&db, "Modé", Role::Moderator).await;
    let review = community.post_review(&author, &book.id, &said(1, "Nul, achetez ailleurs : http://spam.example"), IP).await.unwrap();
    let report = |reason: &str, note: &str| ReportInput {
        target_kind: "review".into(),
        target_id: review.id.clone(),
        reason: reason.into(),
        note: note.into(),
    };
    let mut reporters = Vec::new();
    for i in 0..4 {
        let r = veteran(&db, &format!("Rapporteur {i}"), Role::Reader).await;
        assert!(community
            .report(&r, &report(if i < 3 { "spam" } else { "offensive" }, if i == 0 { "un lien de pub" } else { "" }), IP)
            .await
            .unwrap());
        reporters.push(r);
    }
    assert!(!community.report(&reporters[0], &report("spam", ""), IP).await.unwrap(), "twice is once");
    assert!(matches!(community.report(&author, &report("spam", ""), IP).await, Err(CommunityError::Forbidden)), "not one's own");
    assert!(matches!(
        community.report(&reporters[0], &report("boring", ""), IP).await,
        Err(CommunityError::Invalid(f)) if f[0].field == "reason"
    ));
    assert!(matches!(community.flagged(&reporters[0]).await, Err(CommunityError::Forbidden)));
    let queue = community.flagged(&moderator).await.unwrap();
    assert_eq!((queue.len(), queue[0].reports, queue[0].score), (1, 4, 400), "{}", db.label);
    assert_eq!(queue[0].reasons, vec![(ReportReason::Spam, 3), (ReportReason::Offensive, 1)], "merged, most given first");
    assert_eq!(queue[0].notes, ["un lien de pub"]);
    assert_eq!(community.review(None, &review.id).await.unwrap().status, ReviewStatus::Published, "400 holds nothing yet");

    // The fifth reader's report holds it: off the page, out of the rating.
    let fifth = veteran(&db, "Rapporteur 4", Role::Reader).await;
    community.report(&fifth, &report("spam", ""), IP).await.unwrap();
    let held = community.review(Some(&moderator), &review.id).await.unwrap();
    assert_eq!((held.status, held.status_reason.as_str()), (ReviewStatus::Pending, "reported"), "{}", db.label);
    assert_eq!(catalog.book(&book.id, None).await.unwrap().rating_count, 0);

    // Kept: back on the page; the reporters were wrong this time.
    community.decide_flag(&moderator, "review", &review.id, &FlagDecision::Reject, IP).await.unwrap();
    assert_eq!(community.review(None, &review.id).await.unwrap().status, ReviewStatus::Published);
    assert!(community.flagged(&moderator).await.unwrap().is_empty());
    assert!(
        matches!(community.decide_flag(&moderator, "review", &review.id, &FlagDecision::Reject, IP).await, Err(CommunityError::NotFound)),
        "decided once"
    );
    use domain::community::CommunityStore;
    assert_eq!(db.store.reporter_record(&reporters[1].id).await.unwrap(), (0, 1));

    // Reported again: the flag reopens with the new report alone; a moderator's report weighs 5
    // and holds it at once; hidden with a reason, the reporters were right.
    let other_mod = veteran(&db, "Modé 2", Role::Moderator).await;
    community.report(&other_mod, &report("spam", "toujours la pub"), IP).await.unwrap();
    let queue = community.flagged(&moderator).await.unwrap();
    assert_eq!((queue[0].reports, queue[0].score, queue[0].state), (1, 500, FlagState::Pending));
    assert_eq!(community.review(Some(&moderator), &review.id).await.unwrap().status, ReviewStatus::Pending);
    assert!(matches!(
        community.decide_flag(&moderator, "review", &review.id, &FlagDecision::Hide { reason: " ".into() }, IP).await,
        Err(CommunityError::Invalid(_))
    ));
    community.decide_flag(&moderator, "review", &review.id, &FlagDecision::Hide { reason: "Publicité".into() }, IP).await.unwrap();
    let hidden = community.review(Some(&moderator), &review.id).await.unwrap();
    assert_eq!((hidden.status, hidden.status_reason.as_str()), (ReviewStatus::Hidden, "Publicité"));
    assert_eq!(db.store.reporter_record(&other_mod.id).await.unwrap(), (1, 0));
    let events = support::pending_events(&db).await;
    assert!(events.iter().any(|e| matches!(e, Event::ContentReported { target_id, .. } if *target_id == review.id)));
    assert!(events.iter().any(|e| matches!(e, Event::ReviewChanged { change, .. } if change == "hidden")), "the author will be told");

    // The public log: the two decisions, newest first, with the reason — and no names.
    let (log, next) = community.modlog(None).await.unwrap();
    let actions: Vec<_> = log.iter().map(|l| l.action).collect();
    assert_eq!(actions, [domain::community::ModAction::Hidden, domain::community::ModAction::Kept], "{}", db.label);
    assert_eq!((log[0].reason.as_str(), log[0].book_id.as_str(), next), ("Publicité", book.id.as_str(), None));
    let public = serde_json::to_string(&log).unwrap();
    assert!(!public.contains("Modé") && !public.contains("Auteur") && !public.contains(&moderator.id), "{public}");
    db
});

backend_test!(watched_words_flag_reviews_for_the_moderators, |db: support::TestDb| async move {
    use domain::community::ReportReason;
    let files = tempfile::tempdir().unwrap();
    let catalog = support::catalog(&db, files.path());
    let community = service(&db);
    let book = imported(&catalog, "moby-dick.epub").await;
    let moderator = veteran(&db, "Modé", Role::Moderator).await;
    let reader = veteran(&db, "Lectrice", Role::Reader).await;
    assert!(matches!(community.watch_word(&reader, "fr", "arnaque", true, IP).await, Err(CommunityError::Forbidden)));
    assert!(matches!(
        community.watch_word(&moderator, "wo", "arnaque", true, IP).await,
        Err(CommunityError::Invalid(f)) if f[0].field == "language"
    ));
    assert!(
        matches!(community.watch_word(&moderator, "fr", " !? ", true, IP).await, Err(CommunityError::Invalid(f)) if f[0].field == "word")
    );
    assert!(community.watch_word(&moderator, "fr", "Arnaque", true, IP).await.unwrap());
    assert!(!community.watch_word(&moderator, "fr", "arnaque", true, IP).await.unwrap(), "twice is once");
    assert!(community.watch_word(&moderator, "en", "scam", true, IP).await.unwrap());
    assert_eq!(community.watched_words(&moderator).await.unwrap(), [("en".to_owned(), "scam".to_owned()), ("fr".into(), "arnaque".into())]);

    // A review that says it is flagged by Coko (it stays published); one that does not, is not.
    let clean = veteran(&db, "Propre", Role::Reader).await;
    community.post_review(&clean, &book.id, &said(4, "Un arnaqueur attachant."), IP).await.unwrap();
    let r = community.post_review(&reader, &book.id, &said(1, "Une ARNAQUE !"), IP).await.unwrap();
    assert_eq!(r.status, ReviewStatus::Published);
    let queue = community.flagged(&moderator).await.unwrap();
    assert_eq!(queue.len(), 1, "{}", db.label);
    assert_eq!(
        (queue[0].review.id.as_str(), queue[0].reasons.clone(), queue[0].notes.clone()),
        (r.id.as_str(), vec![(ReportReason::WatchedWord, 1)], vec!["arnaque".to_owned()])
    );
    // Edited with it again: still one report from Coko.
    community.edit_review(&reader, &r.id, &said(1, "Une arnaque, vraiment."), IP).await.unwrap();
    assert_eq!(community.flagged(&moderator).await.unwrap()[0].reports, 1);
    assert!(community.watch_word(&moderator, "fr", "arnaque", false, IP).await.unwrap());
    assert_eq!(community.watched_words(&moderator).await.unwrap().len(), 1);
    db
});
