//! Editors edit authors (name, biography, photo), publishers and the category tree, on SQLite
//! and PostgreSQL, with real corpus books: every change audited, the index kept in step.

#[macro_use]
mod support;

use domain::account::Role;
use domain::audit::{Actor, AuditAction, AuditFilter};
use domain::catalog::{BookFilter, CatalogError, CatalogService, EntryForm, ImportOutcome, Listing, MetadataForm};
use domain::error::Reason;
use domain::search::SearchFilter;
use std::path::PathBuf;

fn corpus(path: &str) -> (Vec<u8>, String) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(path);
    (std::fs::read(&p).unwrap(), p.file_name().unwrap().to_string_lossy().into_owned())
}

fn refused(r: Result<impl std::fmt::Debug, CatalogError>) -> (String, Reason) {
    match r {
        Err(CatalogError::Invalid(f)) => (f[0].field.clone(), f[0].reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn imported(svc: &CatalogService, f: &str, publish: bool) -> domain::catalog::Book {
    let (bytes, name) = corpus(f);
    match svc.import(&bytes, &name, publish).await.unwrap() {
        ImportOutcome::Created(b) => *b,
        other => panic!("{other:?}"),
    }
}

backend_test!(editors_edit_authors_and_publishers, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let jobs = support::runner(&db, &svc);
    let editor = Actor::system(Role::Editor);
    let moby = imported(&svc, "epub/moby-dick.epub", true).await;
    let waste = imported(&svc, "epub/wasteland.epub", false).await;
    let melville = moby.authors[0].clone();
    let eliot = waste.authors[0].clone();

    // Editors see every author, a draft's too, with all books counted; found by name.
    let (all, total) = svc.entries(&editor, Listing::Authors, None, 1, 50).await.unwrap();
    assert_eq!(total as usize, all.len());
    assert!(all.iter().any(|a| a.id == eliot.id && a.books == 1), "{}: {all:?}", db.label);
    let (found, n) = svc.entries(&editor, Listing::Authors, Some("MELV"), 1, 50).await.unwrap();
    assert_eq!((n, found[0].id.as_str()), (1, melville.id.as_str()), "{}", db.label);
    assert!(matches!(svc.entries(&Actor::system(Role::Reader), Listing::Authors, None, 1, 50).await, Err(CatalogError::Forbidden)));

    // Name and biography; the book shows the new name and the index finds it.
    let form =
        EntryForm { name: "  Zorglub   Quenobi ".into(), biography: "Né à New York en 1819.\r\nMarin.".into(), ..Default::default() };
    let saved = svc.update_entry(&editor, Listing::Authors, &melville.id, &form).await.unwrap();
    assert_eq!((saved.name.as_str(), saved.detail.as_str()), ("Zorglub Quenobi", "Né à New York en 1819.\nMarin."));
    assert_eq!(svc.book(&moby.id, None).await.unwrap().author_names(), "Zorglub Quenobi", "{}", db.label);
    support::settle(&jobs).await;
    assert_eq!(svc.search("zorglub", &SearchFilter::default(), 0, 10).await.unwrap().total, 1, "{}: re-indexed", db.label);
    let (page_entry, _) = svc.listed_with_books(Listing::Authors, &melville.id, None, None).await.unwrap();
    assert_eq!(page_entry.detail, "Né à New York en 1819.\nMarin.");
    // Refusals name the field: empty, too long, another author's name.
    assert_eq!(
        refused(svc.update_entry(&editor, Listing::Authors, &melville.id, &EntryForm::default()).await),
        ("name".into(), Reason::Required)
    );
    let long = EntryForm { name: "x".into(), biography: "é".repeat(5001), ..Default::default() };
    assert_eq!(refused(svc.update_entry(&editor, Listing::Authors, &melville.id, &long).await), ("biography".into(), Reason::TooLong));
    let clash = EntryForm { name: eliot.name.clone(), ..Default::default() };
    assert_eq!(
        refused(svc.update_entry(&editor, Listing::Authors, &melville.id, &clash).await),
        ("name".into(), Reason::Taken),
        "{}",
        db.label
    );

    // A photo: a real image (moby's cover, made distinct), served like covers; garbage refused.
    let cover = svc.file(moby.cover_hash.as_ref().unwrap()).await.unwrap();
    let mut photo = cover.clone();
    photo.extend_from_slice(b"author photo");
    let with = svc.set_author_photo(&editor, &melville.id, &photo).await.unwrap();
    let hash = with.photo.clone().unwrap();
    assert!(svc.cover_at(&hash, 160, domain::covers::CoverFormat::Webp).await.unwrap().0.len() > 500, "{}", db.label);
    assert_eq!(svc.listed_with_books(Listing::Authors, &melville.id, None, None).await.unwrap().0.photo.as_deref(), Some(hash.as_str()));
    assert_eq!(
        refused(svc.set_author_photo(&editor, &melville.id, b"<svg onload=alert(1)>").await),
        ("photo".into(), Reason::InvalidFormat)
    );
    assert_eq!(refused(svc.set_author_photo(&editor, &melville.id, &[0xff, 0xd8, 0, 0]).await), ("photo".into(), Reason::InvalidFormat));
    assert!(svc.remove_author_photo(&editor, &melville.id).await.unwrap().photo.is_none());
    assert!(matches!(svc.cover(&hash).await, Err(CatalogError::NotFound)), "{}: the photo is no longer served", db.label);

    // An author still on a book is kept; once no book names them, they can go.
    assert!(matches!(svc.delete_entry(&editor, Listing::Authors, &eliot.id).await, Err(CatalogError::InUse)));
    let moved = MetadataForm { authors: "Quelqu'un d'autre".into(), ..MetadataForm::of(&waste) };
    svc.correct(&editor, &waste.id, &moved).await.unwrap();
    svc.delete_entry(&editor, Listing::Authors, &eliot.id).await.unwrap();
    assert!(matches!(svc.entry(&editor, Listing::Authors, &eliot.id).await, Err(CatalogError::NotFound)));

    // Publishers: renamed (the book shows it), kept while on a book.
    let publisher = moby.publisher.clone().expect("moby-dick names its publisher");
    svc.update_entry(&editor, Listing::Publishers, &publisher.id, &EntryForm { name: "Éditions du Large".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(svc.book(&moby.id, None).await.unwrap().publisher.unwrap().name, "Éditions du Large");
    assert!(matches!(svc.delete_entry(&editor, Listing::Publishers, &publisher.id).await, Err(CatalogError::InUse)));

    // Every change is in the log, with before and after.
    let log =
        svc.audit_log(Role::Admin, &AuditFilter { action: Some(AuditAction::AuthorChanged), ..Default::default() }, None).await.unwrap();
    assert_eq!(log.entries.len(), 3, "{}: name, photo added, photo removed", db.label);
    assert!(log
        .entries
        .iter()
        .any(|e| e.before.as_deref().unwrap_or("").contains("Herman Melville") && e.after.as_deref().unwrap_or("").contains("Zorglub")));
    let gone =
        svc.audit_log(Role::Admin, &AuditFilter { action: Some(AuditAction::AuthorDeleted), ..Default::default() }, None).await.unwrap();
    assert_eq!(gone.entries[0].target_label, eliot.name);
    db
});

backend_test!(editors_merge_duplicate_authors_publishers_and_categories, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let jobs = support::runner(&db, &svc);
    let editor = Actor::system(Role::Editor);
    let moby = imported(&svc, "epub/moby-dick.epub", true).await;
    let waste = imported(&svc, "epub/wasteland.epub", true).await;
    let trees = imported(&svc, "epub/trees.epub", true).await;
    let melville = moby.authors[0].clone();
    // The same writer entered twice: "H. Melville" alone on one book, beside the real entry
    // on another (that book must end with one Melville, not two).
    let waste = svc.correct(&editor, &waste.id, &MetadataForm { authors: "H. Melville".into(), ..MetadataForm::of(&waste) }).await.unwrap();
    let trees = svc
        .correct(&editor, &trees.id, &MetadataForm { authors: "H. Melville; Herman Melville".into(), ..MetadataForm::of(&trees) })
        .await
        .unwrap();
    let duplicate = waste.authors[0].clone();
    assert_eq!(trees.authors.len(), 2);
    svc.update_entry(
        &editor,
        Listing::Authors,
        &duplicate.id,
        &EntryForm { name: "H. Melville".into(), biography: "Marin, puis écrivain.".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let cover = svc.file(moby.cover_hash.as_ref().unwrap()).await.unwrap();
    let mut photo = cover.clone();
    photo.extend_from_slice(b"duplicate's photo");
    let photo = svc.set_author_photo(&editor, &duplicate.id, &photo).await.unwrap().photo.unwrap();

    // Refused: into itself, into nobody, categories, readers.
    assert_eq!(
        refused(svc.merge_entry(&editor, Listing::Authors, &duplicate.id, &duplicate.id).await),
        ("into".into(), Reason::OutOfRange)
    );
    assert_eq!(refused(svc.merge_entry(&editor, Listing::Authors, &duplicate.id, "nobody").await), ("into".into(), Reason::Unknown));
    assert!(matches!(
        svc.merge_entry(&Actor::system(Role::Reader), Listing::Authors, &duplicate.id, &melville.id).await,
        Err(CatalogError::Forbidden)
    ));
    assert!(matches!(svc.merge_entry(&editor, Listing::Authors, "nobody", &melville.id).await, Err(CatalogError::NotFound)));

    let kept = svc.merge_entry(&editor, Listing::Authors, &duplicate.id, &melville.id).await.unwrap();
    assert_eq!((kept.id.as_str(), kept.name.as_str(), kept.books), (melville.id.as_str(), "Herman Melville", 3), "{}", db.label);
    assert_eq!(kept.detail, "Marin, puis écrivain.", "{}: the biography it lacked", db.label);
    assert_eq!(kept.photo.as_deref(), Some(photo.as_str()), "{}: the photo it lacked", db.label);
    assert!(svc.cover(&photo).await.is_ok(), "the photo taken over is still served");
    assert!(matches!(svc.entry(&editor, Listing::Authors, &duplicate.id).await, Err(CatalogError::NotFound)));
    assert_eq!(svc.book(&waste.id, None).await.unwrap().author_names(), "Herman Melville");
    assert_eq!(
        svc.book(&trees.id, None).await.unwrap().authors.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [melville.id.as_str()],
        "{}: one Melville",
        db.label
    );
    support::settle(&jobs).await;
    let found = svc.search("herman", &SearchFilter::default(), 0, 10).await.unwrap();
    assert_eq!(found.total, 3, "{}: the index knows the books' new author", db.label);
    let log =
        svc.audit_log(Role::Admin, &AuditFilter { action: Some(AuditAction::AuthorMerged), ..Default::default() }, None).await.unwrap();
    assert_eq!(log.entries.len(), 1);
    assert!(
        log.entries[0].before.as_deref().unwrap().contains("H. Melville")
            && log.entries[0].after.as_deref().unwrap().contains("Herman Melville")
    );
    assert_eq!(AuditAction::AuthorMerged.target_href(&log.entries[0].target_id), Some(format!("/admin/auteurs/{}", melville.id)));

    // Publishers: the books of the duplicate name the one kept.
    let publisher = moby.publisher.clone().expect("moby-dick names its publisher");
    let other = svc
        .correct(
            &editor,
            &waste.id,
            &MetadataForm { publisher: "Le Large (doublon)".into(), ..MetadataForm::of(&svc.book(&waste.id, None).await.unwrap()) },
        )
        .await
        .unwrap();
    let dup_publisher = other.publisher.clone().unwrap();
    let kept = svc.merge_entry(&editor, Listing::Publishers, &dup_publisher.id, &publisher.id).await.unwrap();
    assert_eq!(kept.books, 2, "{}", db.label);
    assert_eq!(svc.book(&waste.id, None).await.unwrap().publisher.unwrap().id, publisher.id);
    assert!(matches!(svc.entry(&editor, Listing::Publishers, &dup_publisher.id).await, Err(CatalogError::NotFound)));

    // Categories: "Romanesque" (a duplicate of "Romans", with a subcategory of its own) is
    // merged into "Romans": its books and its subcategory go to "Romans".
    let fiction = svc.add_category(&editor, &EntryForm { name: "Fiction".into(), ..Default::default() }).await.unwrap();
    let novels =
        svc.add_category(&editor, &EntryForm { name: "Romans".into(), parent: fiction.id.clone(), ..Default::default() }).await.unwrap();
    let dup = svc.add_category(&editor, &EntryForm { name: "Romanesque".into(), ..Default::default() }).await.unwrap();
    let sea = svc
        .add_category(&editor, &EntryForm { name: "Romans de la mer".into(), parent: dup.id.clone(), ..Default::default() })
        .await
        .unwrap();
    let file = |id: &str, path: &str| {
        let (svc, editor, id, path) = (&svc, &editor, id.to_owned(), path.to_owned());
        async move {
            let b = svc.book(&id, None).await.unwrap();
            svc.correct(editor, &id, &MetadataForm { categories: Some(path), ..MetadataForm::of(&b) }).await.unwrap()
        }
    };
    file(&moby.id, "Romanesque").await;
    file(&trees.id, "Romanesque; Fiction > Romans").await;
    file(&waste.id, "Fiction > Romans").await;
    // Refused: into itself, into one of its own subcategories, into nothing.
    assert_eq!(refused(svc.merge_entry(&editor, Listing::Categories, &dup.id, &dup.id).await), ("into".into(), Reason::OutOfRange));
    assert_eq!(refused(svc.merge_entry(&editor, Listing::Categories, &dup.id, &sea.id).await), ("into".into(), Reason::OutOfRange));
    assert_eq!(refused(svc.merge_entry(&editor, Listing::Categories, &fiction.id, &novels.id).await), ("into".into(), Reason::OutOfRange));
    assert_eq!(refused(svc.merge_entry(&editor, Listing::Categories, &dup.id, "nope").await), ("into".into(), Reason::Unknown));
    let tree = svc.all_categories(&editor).await.unwrap();
    assert!(domain::catalog::in_branch(&tree, &sea.id, &dup.id) && domain::catalog::in_branch(&tree, &dup.id, &dup.id));
    assert!(!domain::catalog::in_branch(&tree, &novels.id, &dup.id) && !domain::catalog::in_branch(&tree, &dup.id, &novels.id));
    let kept = svc.merge_entry(&editor, Listing::Categories, &dup.id, &novels.id).await.unwrap();
    assert_eq!((kept.id.as_str(), kept.books), (novels.id.as_str(), 3), "{}: every book once", db.label);
    assert_eq!(kept.parent_id.as_deref(), Some(fiction.id.as_str()), "the kept one stays where it was");
    assert!(matches!(svc.entry(&editor, Listing::Categories, &dup.id).await, Err(CatalogError::NotFound)));
    assert_eq!(
        svc.entry(&editor, Listing::Categories, &sea.id).await.unwrap().parent_id.as_deref(),
        Some(novels.id.as_str()),
        "{}: the subcategory moved",
        db.label
    );
    assert_eq!(
        svc.book(&trees.id, None).await.unwrap().categories.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        [novels.id.as_str()],
        "{}: one link, not two",
        db.label
    );
    support::settle(&jobs).await;
    let facets = svc.search("moby", &SearchFilter::default(), 0, 10).await.unwrap().facets;
    assert_eq!(facets.category, [(novels.detail.clone(), 1)], "{}: the index files Moby-Dick under the kept one", db.label);
    let log =
        svc.audit_log(Role::Admin, &AuditFilter { action: Some(AuditAction::CategoryMerged), ..Default::default() }, None).await.unwrap();
    assert!(
        log.entries[0].before.as_deref().unwrap().contains("Romanesque") && log.entries[0].after.as_deref().unwrap().contains("Romans")
    );
    assert_eq!(AuditAction::CategoryMerged.target_href(&novels.id), Some(format!("/admin/categories/{}", novels.id)));
    db
});

backend_test!(editors_shape_the_category_tree, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let jobs = support::runner(&db, &svc);
    let editor = Actor::system(Role::Editor);
    let moby = imported(&svc, "epub/moby-dick.epub", true).await;

    let fiction = svc.add_category(&editor, &EntryForm { name: "Fiction".into(), ..Default::default() }).await.unwrap();
    assert_eq!(fiction.detail, "fiction", "slug made from the name");
    let novels =
        svc.add_category(&editor, &EntryForm { name: "Romans".into(), parent: fiction.id.clone(), ..Default::default() }).await.unwrap();
    assert_eq!(novels.parent_id.as_deref(), Some(fiction.id.as_str()));
    // Refusals: a slug taken, a slug with capitals, an unknown parent, a loop.
    let dup = EntryForm { name: "Autre fiction".into(), slug: "fiction".into(), ..Default::default() };
    assert_eq!(refused(svc.add_category(&editor, &dup).await), ("slug".into(), Reason::Taken), "{}", db.label);
    let caps = EntryForm { name: "X".into(), slug: "Mauvais Slug".into(), ..Default::default() };
    assert_eq!(refused(svc.add_category(&editor, &caps).await), ("slug".into(), Reason::InvalidFormat));
    let orphan = EntryForm { name: "Y".into(), parent: "nope".into(), ..Default::default() };
    assert_eq!(refused(svc.add_category(&editor, &orphan).await), ("parent".into(), Reason::Unknown));
    let cycle = EntryForm { parent: novels.id.clone(), ..EntryForm::of(&fiction, Listing::Categories) };
    assert_eq!(refused(svc.update_entry(&editor, Listing::Categories, &fiction.id, &cycle).await), ("parent".into(), Reason::OutOfRange));

    // Filing a book by path finds the categories made here (no duplicates).
    let book = svc
        .correct(&editor, &moby.id, &MetadataForm { categories: Some("Fiction > Romans".into()), ..MetadataForm::of(&moby) })
        .await
        .unwrap();
    assert_eq!(book.categories.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [novels.id.as_str()]);
    // Renamed (slug kept): the book shows the new name, and saving the book again keeps it.
    let renamed = EntryForm { name: "Romans d'aventure".into(), ..EntryForm::of(&novels, Listing::Categories) };
    svc.update_entry(&editor, Listing::Categories, &novels.id, &renamed).await.unwrap();
    let book = svc.book(&moby.id, None).await.unwrap();
    assert_eq!(book.categories[0].name, "Romans d'aventure");
    let again = svc.correct(&editor, &moby.id, &MetadataForm::of(&book)).await.unwrap();
    assert_eq!(again.categories[0].id, novels.id, "{}: found by its new name", db.label);
    assert_eq!(svc.all_categories(&editor).await.unwrap().len(), 2);
    // A new slug reaches the index (categories are facets by slug).
    let moved = EntryForm { slug: "romans-aventure".into(), ..renamed };
    svc.update_entry(&editor, Listing::Categories, &novels.id, &moved).await.unwrap();
    support::settle(&jobs).await;
    let facets = svc.search("moby", &SearchFilter::default(), 0, 10).await.unwrap().facets;
    assert_eq!(facets.category, [("romans-aventure".to_owned(), 1)], "{}", db.label);

    // Deleting Fiction: its child moves to the top, the book keeps it.
    svc.delete_entry(&editor, Listing::Categories, &fiction.id).await.unwrap();
    let left = svc.all_categories(&editor).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].parent_id, None, "{}", db.label);
    assert_eq!(
        svc.browse(&BookFilter { category: Some("romans-aventure".into()), ..Default::default() }, None, 10, None).await.unwrap().total,
        1
    );
    // Deleting the last one: the book has no category.
    svc.delete_entry(&editor, Listing::Categories, &novels.id).await.unwrap();
    assert!(svc.book(&moby.id, None).await.unwrap().categories.is_empty());
    assert_eq!(
        svc.browse(&BookFilter { category: Some("romans-aventure".into()), ..Default::default() }, None, 10, None).await.unwrap().total,
        0,
        "{}: counts forgotten",
        db.label
    );
    let log = svc.audit_log(Role::Admin, &AuditFilter::default(), None).await.unwrap();
    let actions: Vec<AuditAction> = log.entries.iter().map(|e| e.action).collect();
    for a in [AuditAction::CategoryAdded, AuditAction::CategoryChanged, AuditAction::CategoryDeleted] {
        assert!(actions.contains(&a), "{}: {a:?} in {actions:?}", db.label);
    }
    db
});

backend_test!(a_files_subjects_are_kept_searched_and_suggested_as_categories, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let jobs = support::runner(&db, &svc);
    let book = imported(&svc, "epub/childrens-literature.epub", true).await;
    let stored = svc.book(&book.id, None).await.unwrap();
    assert!(stored.subjects.iter().any(|s| s == "Children -- Books and reading"), "{}: {:?}", db.label, stored.subjects);
    support::settle(&jobs).await;
    let found = svc.search("study and teaching", &SearchFilter::default(), 0, 10).await.unwrap();
    assert_eq!(found.books.first().map(|b| b.id.as_str()), Some(book.id.as_str()), "{}: subjects are searched", db.label);
    let suggested = domain::catalog::suggested_categories(&stored);
    assert!(suggested.contains(&"Children > Books and reading".to_owned()), "{suggested:?}");
    // Filed in one: it is no longer suggested.
    let form = MetadataForm { categories: Some("Children > Books and reading".into()), ..MetadataForm::of(&stored) };
    let filed = svc.correct(&Actor::system(Role::Editor), &book.id, &form).await.unwrap();
    assert!(!domain::catalog::suggested_categories(&filed).contains(&"Children > Books and reading".to_owned()));
    db
});

backend_test!(names_are_found_whatever_their_accents_case_and_underscores, |db: support::TestDb| async move {
    let files = tempfile::tempdir().unwrap();
    let svc = support::catalog(&db, files.path());
    let editor = Actor::system(Role::Editor);
    for name in ["Économie", "Jean_Paul", "Jeanne Paule", "100% Sahel"] {
        svc.add_category(&editor, &EntryForm { name: name.into(), ..Default::default() }).await.unwrap();
    }
    let names = |q: &'static str| {
        let (svc, editor) = (svc.clone(), editor.clone());
        async move {
            let (list, _) = svc.entries(&editor, Listing::Categories, Some(q), 1, 50).await.unwrap();
            list.into_iter().map(|e| e.name).collect::<Vec<_>>()
        }
    };
    assert_eq!(names("écon").await, ["Économie"], "{}: an accented capital, found lower case", db.label);
    assert_eq!(names("ECONOMIE").await, ["Économie"], "{}: and without its accent", db.label);
    assert_eq!(names("jean_p").await, ["Jean_Paul"], "{}: `_` is a letter, not a wildcard", db.label);
    assert_eq!(names("100%").await, ["100% Sahel"], "{}: `%` too", db.label);
    assert!(names("%").await == ["100% Sahel"], "{}", db.label);
    db
});
