//! What editors do to the catalogue's authors, publishers and categories: list them all (with
//! their books counted, drafts too), rename them, write an author's biography and photo, move a
//! category in the tree, add and delete. Every change is audited, and the books that show the
//! changed name are written to the search index again.

use super::service::{CatalogError, CatalogService};
use super::{slug, Listed, Listing};
use crate::audit::{Actor, AuditAction, AuditEntry};
use crate::error::{FieldError, Reason};
use crate::events::Event;
use crate::store::{StoreError, Tx};

/// The longest name, biography and slug accepted.
const MAX_NAME: usize = 200;
const MAX_BIOGRAPHY: usize = 5000;
const MAX_SLUG: usize = 80;
/// An author's photo: at most this many bytes, and a raster image.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// An author, publisher or category as an editor submits it. `biography` is for authors;
/// `slug` (made from the name when empty) and `parent` (an id, empty at the top) for categories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryForm {
    pub name: String,
    pub biography: String,
    pub slug: String,
    pub parent: String,
}

impl EntryForm {
    pub fn of(e: &Listed, kind: Listing) -> Self {
        match kind {
            Listing::Authors => EntryForm { name: e.name.clone(), biography: e.detail.clone(), ..Default::default() },
            Listing::Publishers => EntryForm { name: e.name.clone(), ..Default::default() },
            Listing::Categories => EntryForm {
                name: e.name.clone(),
                slug: e.detail.clone(),
                parent: e.parent_id.clone().unwrap_or_default(),
                ..Default::default()
            },
        }
    }
}

fn changed_action(kind: Listing) -> AuditAction {
    match kind {
        Listing::Authors => AuditAction::AuthorChanged,
        Listing::Publishers => AuditAction::PublisherChanged,
        Listing::Categories => AuditAction::CategoryChanged,
    }
}

fn deleted_action(kind: Listing) -> AuditAction {
    match kind {
        Listing::Authors => AuditAction::AuthorDeleted,
        Listing::Publishers => AuditAction::PublisherDeleted,
        Listing::Categories => AuditAction::CategoryDeleted,
    }
}

/// Whether category `id` is `root` or lies below it, in the tree `all`.
pub fn in_branch(all: &[Listed], id: &str, root: &str) -> bool {
    let mut at = Some(id);
    for _ in 0..=64 {
        match at {
            Some(here) if here == root => return true,
            Some(here) => at = all.iter().find(|c| c.id == here).and_then(|c| c.parent_id.as_deref()),
            None => return false,
        }
    }
    true // a loop: treat as inside, never offered
}

fn merged_action(kind: Listing) -> AuditAction {
    match kind {
        Listing::Authors => AuditAction::AuthorMerged,
        Listing::Publishers => AuditAction::PublisherMerged,
        Listing::Categories => AuditAction::CategoryMerged,
    }
}

fn as_json(kind: Listing, e: &Listed) -> serde_json::Value {
    match kind {
        Listing::Authors => serde_json::json!({ "name": e.name, "biography": e.detail, "photo": e.photo }),
        Listing::Publishers => serde_json::json!({ "name": e.name }),
        Listing::Categories => serde_json::json!({ "name": e.name, "slug": e.detail, "parent": e.parent_id }),
    }
}

/// Checks the form; the entry as it would be stored (id, books and photo from `current`).
fn parse(kind: Listing, form: &EntryForm, current: &Listed) -> Result<Listed, CatalogError> {
    let mut errors = Vec::new();
    let name = crate::validation::strip_bidi_controls(&form.name).split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(FieldError::new("name", Reason::Required));
    } else if name.chars().count() > MAX_NAME {
        errors.push(FieldError::new("name", Reason::TooLong));
    }
    let mut entry = Listed { name, ..current.clone() };
    match kind {
        Listing::Authors => {
            let biography = form.biography.trim().replace("\r\n", "\n");
            if biography.chars().count() > MAX_BIOGRAPHY {
                errors.push(FieldError::new("biography", Reason::TooLong));
            }
            entry.detail = biography;
        }
        Listing::Publishers => entry.detail = String::new(),
        Listing::Categories => {
            let raw = form.slug.trim();
            let made = slug(if raw.is_empty() { &entry.name } else { raw });
            if raw.chars().count() > MAX_SLUG {
                errors.push(FieldError::new("slug", Reason::TooLong));
            } else if !raw.is_empty() && made != raw {
                // Only what a URL shows as is: a-z, 0-9 and dashes.
                errors.push(FieldError::new("slug", Reason::InvalidFormat));
            } else if made.is_empty() && !entry.name.is_empty() {
                errors.push(FieldError::new("slug", Reason::Required));
            }
            entry.detail = made;
            let parent = form.parent.trim();
            entry.parent_id = (!parent.is_empty()).then(|| parent.chars().take(64).collect());
        }
    }
    if errors.is_empty() {
        Ok(entry)
    } else {
        Err(CatalogError::Invalid(errors))
    }
}

/// A unique name or slug taken by another: the field that says so.
fn taken(e: CatalogError, field: &'static str) -> CatalogError {
    match e {
        CatalogError::Store(StoreError::Conflict(_)) => CatalogError::Invalid(vec![FieldError::new(field, Reason::Taken)]),
        other => other,
    }
}

impl CatalogService {
    fn editor_only(by: &Actor) -> Result<(), CatalogError> {
        if by.role.can_edit_catalog() {
            Ok(())
        } else {
            Err(CatalogError::Forbidden)
        }
    }

    /// Audits a change of `e`, in the command's unit of work.
    async fn record(
        tx: &mut Tx,
        by: &Actor,
        action: AuditAction,
        e: &Listed,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), CatalogError> {
        Ok(tx.audit(&AuditEntry::new(by, action, &e.id, &e.name, before, after)).await?)
    }

    /// The books showing this entry changed for readers and the index (a name is searched; a
    /// category is a facet): an event each, in the command's unit of work.
    async fn books_changed(tx: &mut Tx, books: &[String]) -> Result<(), CatalogError> {
        for id in books {
            tx.event(&Event::BookChanged { book_id: id.clone() }).await?;
        }
        Ok(())
    }

    /// Editors only: authors, publishers or categories whose name contains `name`, all of
    /// them (no book, drafts only), every book counted; page `page` (from 1) and the total.
    pub async fn entries(
        &self,
        by: &Actor,
        kind: Listing,
        name: Option<&str>,
        page: u32,
        limit: u32,
    ) -> Result<(Vec<Listed>, u64), CatalogError> {
        Self::editor_only(by)?;
        let offset = u64::from(page.max(1) - 1) * u64::from(limit);
        Ok(self.store.listing(kind, true, name, offset, limit).await?)
    }

    /// Editors only: every category (the whole tree, for pickers).
    pub async fn all_categories(&self, by: &Actor) -> Result<Vec<Listed>, CatalogError> {
        Self::editor_only(by)?;
        let mut all = Vec::new();
        loop {
            let (page, total) = self.store.listing(Listing::Categories, true, None, all.len() as u64, 500).await?;
            let done = page.is_empty();
            all.extend(page);
            if done || all.len() as u64 >= total {
                return Ok(all);
            }
        }
    }

    /// Editors only: one entry with all its books counted.
    pub async fn entry(&self, by: &Actor, kind: Listing, id: &str) -> Result<Listed, CatalogError> {
        Ok(self.entry_and_books(by, kind, id).await?.0)
    }

    /// The entry and the ids of the books it is on (read once for both).
    async fn entry_and_books(&self, by: &Actor, kind: Listing, id: &str) -> Result<(Listed, Vec<String>), CatalogError> {
        Self::editor_only(by)?;
        let mut e = self.store.listed(kind, id).await?.ok_or(CatalogError::NotFound)?;
        let books = self.store.entry_book_ids(kind, id).await?;
        e.books = books.len() as u64;
        Ok((e, books))
    }

    /// Editors only: saves an author's name and biography, a publisher's name, or a category's
    /// name, slug and place in the tree (never under itself or its own descendants).
    pub async fn update_entry(&self, by: &Actor, kind: Listing, id: &str, form: &EntryForm) -> Result<Listed, CatalogError> {
        let current = self.entry(by, kind, id).await?;
        let entry = parse(kind, form, &current)?;
        if kind == Listing::Categories {
            self.check_parent(by, Some(id), entry.parent_id.as_deref()).await?;
        }
        let field = if kind == Listing::Categories && entry.name == current.name { "slug" } else { "name" };
        let mut tx = self.store.begin().await?;
        if !self.store.update_entry(&mut tx, kind, &entry).await.map_err(|e| taken(e.into(), field))? {
            return Err(CatalogError::NotFound);
        }
        let (before, after) = (as_json(kind, &current), as_json(kind, &entry));
        if before != after {
            Self::record(&mut tx, by, changed_action(kind), &entry, Some(before), Some(after)).await?;
            Self::books_changed(&mut tx, &self.store.entry_book_ids(kind, id).await?).await?;
        }
        self.commit(tx).await?;
        Ok(entry)
    }

    /// The parent must exist, and (when moving `id`) not be `id` or below it.
    async fn check_parent(&self, by: &Actor, id: Option<&str>, parent: Option<&str>) -> Result<(), CatalogError> {
        let Some(parent) = parent else { return Ok(()) };
        let all = self.all_categories(by).await?;
        let bad = || CatalogError::Invalid(vec![FieldError::new("parent", Reason::Unknown)]);
        let mut at = Some(parent);
        let mut steps = 0;
        while let Some(here) = at {
            if Some(here) == id || steps > 64 {
                return Err(CatalogError::Invalid(vec![FieldError::new("parent", Reason::OutOfRange)]));
            }
            at = all.iter().find(|c| c.id == here).ok_or_else(bad)?.parent_id.as_deref();
            steps += 1;
        }
        Ok(())
    }

    /// Editors only: a new category (its slug made from the name unless given).
    pub async fn add_category(&self, by: &Actor, form: &EntryForm) -> Result<Listed, CatalogError> {
        Self::editor_only(by)?;
        let blank = Listed {
            id: uuid::Uuid::now_v7().to_string(),
            name: String::new(),
            detail: String::new(),
            parent_id: None,
            photo: None,
            books: 0,
        };
        let entry = parse(Listing::Categories, form, &blank)?;
        self.check_parent(by, None, entry.parent_id.as_deref()).await?;
        let mut tx = self.store.begin().await?;
        self.store
            .add_category(&mut tx, &entry.id, &entry.name, &entry.detail, entry.parent_id.as_deref(), crate::clock::now_ms())
            .await
            .map_err(|e| taken(e.into(), "slug"))?;
        Self::record(&mut tx, by, AuditAction::CategoryAdded, &entry, None, Some(as_json(Listing::Categories, &entry))).await?;
        self.commit(tx).await?;
        Ok(entry)
    }

    /// Editors only: removes an author or publisher that is on no book (books keep their
    /// names: change them first), or a category (its books lose it, its children move up).
    pub async fn delete_entry(&self, by: &Actor, kind: Listing, id: &str) -> Result<Listed, CatalogError> {
        let (current, books) = self.entry_and_books(by, kind, id).await?;
        if current.books > 0 && kind != Listing::Categories {
            return Err(CatalogError::InUse);
        }
        let mut tx = self.store.begin().await?;
        if !self.store.delete_entry(&mut tx, kind, id).await? {
            return Err(CatalogError::NotFound);
        }
        Self::record(&mut tx, by, deleted_action(kind), &current, Some(as_json(kind, &current)), None).await?;
        Self::books_changed(&mut tx, &books).await?;
        self.commit(tx).await?;
        if let Some(photo) = &current.photo {
            self.drop_photo_file(photo).await;
        }
        Ok(current)
    }

    /// Editors only: merges a duplicate author, publisher or category (`from`, say "V. Hugo")
    /// into the one kept (`into`, "Victor Hugo"): every book of `from` shows `into` instead,
    /// an author kept takes `from`'s biography and photo where it has none, a category kept
    /// takes `from`'s subcategories, and `from` is deleted. Audited on the kept entry; the
    /// books go to the index again. Refused (`into`): itself, one of its own subcategories, or
    /// an entry that does not exist.
    pub async fn merge_entry(&self, by: &Actor, kind: Listing, from: &str, into: &str) -> Result<Listed, CatalogError> {
        let refuse = |reason| CatalogError::Invalid(vec![FieldError::new("into", reason)]);
        let (source, books) = self.entry_and_books(by, kind, from).await?;
        if from == into {
            return Err(refuse(Reason::OutOfRange));
        }
        match self.entry(by, kind, into).await {
            Err(CatalogError::NotFound) => return Err(refuse(Reason::Unknown)),
            other => drop(other?),
        }
        if kind == Listing::Categories {
            // As if `from` became `into`'s parent: refused when `into` is below `from`.
            match self.check_parent(by, Some(from), Some(into)).await {
                Err(CatalogError::Invalid(_)) => return Err(refuse(Reason::OutOfRange)),
                other => other?,
            }
        }
        let mut tx = self.store.begin().await?;
        if !self.store.merge_entry(&mut tx, kind, from, into).await? {
            return Err(CatalogError::NotFound);
        }
        let merged = self.store.listed_in(&mut tx, kind, into).await?.ok_or(CatalogError::NotFound)?;
        // The journal shows what the duplicate was and what it became.
        Self::record(&mut tx, by, merged_action(kind), &merged, Some(as_json(kind, &source)), Some(as_json(kind, &merged))).await?;
        Self::books_changed(&mut tx, &books).await?;
        self.commit(tx).await?;
        if let Some(photo) = source.photo.as_deref().filter(|p| merged.photo.as_deref() != Some(*p)) {
            self.drop_photo_file(photo).await;
        }
        // Counted after the merge: the kept entry's books and the duplicate's.
        self.entry(by, kind, into).await
    }

    /// Editors only: an author's photo (JPEG, PNG, WebP or GIF, decodable, at most 5 MB),
    /// stored by content hash and served like covers.
    pub async fn set_author_photo(&self, by: &Actor, id: &str, bytes: &[u8]) -> Result<Listed, CatalogError> {
        let current = self.entry(by, Listing::Authors, id).await?;
        let refuse = |reason| CatalogError::Invalid(vec![FieldError::new("photo", reason)]);
        if bytes.is_empty() {
            return Err(refuse(Reason::Required));
        }
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(refuse(Reason::TooLong));
        }
        let Some(mime) = crate::covers::sniff(bytes) else { return Err(refuse(Reason::InvalidFormat)) };
        if crate::covers::dimensions(bytes).is_err() {
            return Err(refuse(Reason::InvalidFormat));
        }
        let hash = self.files.put(bytes).await?;
        self.write_photo(by, current, Some((hash, mime))).await
    }

    /// Sets or clears an author's photo with its audit entry, then lets the old file go.
    async fn write_photo(&self, by: &Actor, current: Listed, photo: Option<(String, &str)>) -> Result<Listed, CatalogError> {
        let mut tx = self.store.begin().await?;
        self.store.set_author_photo(&mut tx, &current.id, photo.as_ref().map(|(h, m)| (h.as_str(), *m))).await?;
        let after = Listed { photo: photo.map(|(h, _)| h), ..current.clone() };
        let (before_json, after_json) = (as_json(Listing::Authors, &current), as_json(Listing::Authors, &after));
        Self::record(&mut tx, by, AuditAction::AuthorChanged, &after, Some(before_json), Some(after_json)).await?;
        self.commit(tx).await?;
        if let Some(old) = current.photo.as_deref().filter(|old| Some(*old) != after.photo.as_deref()) {
            self.drop_photo_file(old).await;
        }
        Ok(after)
    }

    /// Editors only: the author has no photo any more.
    pub async fn remove_author_photo(&self, by: &Actor, id: &str) -> Result<Listed, CatalogError> {
        let current = self.entry(by, Listing::Authors, id).await?;
        if current.photo.is_none() {
            return Ok(current);
        }
        self.write_photo(by, current, None).await
    }

    /// Removes a photo's file unless something else (a book's cover, another author) uses it.
    async fn drop_photo_file(&self, hash: &str) {
        match self.store.cover_mime(hash).await {
            Ok(None) => {
                if let Err(e) = self.remove_image(hash).await {
                    tracing::warn!(error = %e, "old photo left in the file store");
                }
            }
            Ok(Some(_)) => {}
            Err(e) => tracing::warn!(error = %e, "old photo left in the file store"),
        }
    }
}
