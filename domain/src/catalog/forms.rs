//! What editors submit about books, checked: corrections and bulk actions.

use super::{Book, BookMetadata, CatalogError};
use crate::error::{FieldError, Reason};

/// An editor's corrections, as submitted.
#[derive(Debug, Clone, Default)]
pub struct MetadataForm {
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub language: String,
    pub isbn: String,
    pub published_date: String,
    /// One name per line (or separated by `;`).
    pub authors: String,
    pub publisher: String,
    /// One category per line (or `;`), `Parent > Child` to place it in the tree; `None` keeps
    /// the book's categories as they are.
    pub categories: Option<String>,
}

impl MetadataForm {
    /// The form as the book stands (categories left as they are).
    pub fn of(b: &Book) -> Self {
        MetadataForm {
            title: b.title.clone(),
            subtitle: b.subtitle.clone(),
            description: b.description.clone(),
            language: b.language.clone(),
            isbn: b.isbn.clone().unwrap_or_default(),
            published_date: b.published_date.clone(),
            authors: b.authors.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join("\n"),
            publisher: b.publisher.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            categories: None,
        }
    }
}

/// What an editor does to several books at once from the admin list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Publish,
    Unpublish,
    Feature,
    Unfeature,
    /// Adds a category (`Parent > Child`), keeping the ones each book has.
    File(Vec<String>),
}

impl BulkAction {
    /// Filing under one category path (`Parent > Child`), as typed; errors name `category`.
    pub fn file(category: &str) -> Result<Self, CatalogError> {
        let refuse = |reason| Err(CatalogError::Invalid(vec![FieldError::new("category", reason)]));
        match parse_categories(category) {
            Ok(mut paths) if paths.len() == 1 => Ok(BulkAction::File(paths.remove(0))),
            Ok(paths) if paths.is_empty() => refuse(Reason::Required),
            Ok(_) => refuse(Reason::TooLong),
            Err(reason) => refuse(reason),
        }
    }
}

/// Most books one bulk action changes.
pub const MAX_BULK: usize = 100;

/// Most categories on one book, and how deep a path goes.
const MAX_CATEGORIES: usize = 20;

const MAX_CATEGORY_DEPTH: usize = 4;

/// Category paths from an editor's text: `Fiction > Romans; Jeunesse` → [[Fiction, Romans],
/// [Jeunesse]]. Each name 1–80 characters; duplicates dropped.
pub fn parse_categories(raw: &str) -> Result<Vec<Vec<String>>, Reason> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in raw.split(['\n', ';']) {
        let line = crate::validation::strip_bidi_controls(line);
        let path: Vec<String> = line.split('>').map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        if path.iter().all(String::is_empty) {
            continue;
        }
        if path.iter().any(|p| p.is_empty() || p.chars().count() > 80 || crate::catalog::slug(p).is_empty()) {
            return Err(Reason::InvalidFormat);
        }
        if path.len() > MAX_CATEGORY_DEPTH {
            return Err(Reason::TooLong);
        }
        if !out.contains(&path) {
            out.push(path);
        }
    }
    if out.len() > MAX_CATEGORIES {
        return Err(Reason::TooLong);
    }
    Ok(out)
}

/// Checks an editor's corrections; every bad field is reported.
pub(super) fn parse_metadata(form: &MetadataForm, current: &Book) -> Result<BookMetadata, CatalogError> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: &str, max: usize, required: bool| -> String {
        let v = crate::validation::strip_bidi_controls(value);
        let v = v.trim();
        if required && v.is_empty() {
            errors.push(FieldError::new(field, Reason::Required));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, Reason::TooLong));
        }
        v.to_owned()
    };
    let title = text("title", &form.title, 500, true);
    let subtitle = text("subtitle", &form.subtitle, 500, false);
    let description = text("description", &form.description, 20_000, false);
    let published_date = text("published_date", &form.published_date, 40, false);
    let publisher = text("publisher", &form.publisher, 200, false);
    let language = form.language.trim().to_owned();
    let lang_ok = language.is_empty()
        || (language.len() <= 35
            && language.split('-').all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())));
    if !lang_ok {
        errors.push(FieldError::new("language", Reason::InvalidFormat));
    }
    let isbn = match form.isbn.trim() {
        "" => None,
        raw => match crate::ingest::isbn_of(&format!("isbn {raw}")) {
            Some(i) => Some(i),
            None => {
                errors.push(FieldError::new("isbn", Reason::InvalidFormat));
                None
            }
        },
    };
    let categories = match form.categories.as_deref().map(parse_categories) {
        None => None,
        Some(Ok(paths)) => Some(paths),
        Some(Err(reason)) => {
            errors.push(FieldError::new("categories", reason));
            None
        }
    };
    let authors = crate::validation::strip_bidi_controls(&form.authors);
    let names: Vec<String> = authors.split(['\n', ';']).map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    if names.iter().any(|n| n.chars().count() > 200) || names.len() > 50 {
        errors.push(FieldError::new("authors", Reason::TooLong));
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    // Contributors keep their role (illustrator, translator…) when their name is kept.
    let contributors = names
        .into_iter()
        .map(|n| {
            let role = current.authors.iter().find(|a| a.name == n).map(|a| a.role.clone()).unwrap_or_else(|| "aut".into());
            (n, role)
        })
        .collect();
    Ok(BookMetadata {
        title,
        subtitle,
        description,
        language,
        isbn,
        published_date,
        contributors,
        publisher: Some(publisher).filter(|p| !p.is_empty()),
        categories,
    })
}
