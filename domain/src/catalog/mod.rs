//! The catalogue: books, authors, categories, publishers, prices.

use crate::validation::Language;
use serde::{Deserialize, Serialize};

mod money;
pub use money::{check_price, grouped, parse_price, Money, MAX_PRICE};

#[cfg(feature = "ssr")]
mod entries;
#[cfg(feature = "ssr")]
pub use entries::{in_branch, EntryForm, MAX_PHOTO_BYTES};
#[cfg(feature = "ssr")]
pub mod indexing;
#[cfg(feature = "ssr")]
mod memo;
#[cfg(feature = "ssr")]
mod port;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub(crate) mod sql;
#[cfg(feature = "ssr")]
pub use port::{BookMetadata, CatalogStore, NewBook, Start};
#[cfg(feature = "ssr")]
pub use sql::{parse_cursor, sort_key};
#[cfg(feature = "ssr")]
mod assets;
#[cfg(feature = "ssr")]
mod forms;
#[cfg(feature = "ssr")]
mod import;
#[cfg(feature = "ssr")]
pub use forms::{parse_categories, BulkAction, MetadataForm, MAX_BULK};
#[cfg(feature = "ssr")]
pub use import::{ImportOutcome, INGEST_DEADLINE, INGEST_SLOTS};
#[cfg(feature = "ssr")]
pub use indexing::search_doc;
#[cfg(feature = "ssr")]
pub use service::{CatalogError, CatalogService};

/// What kind of file a book is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Epub,
    Pdf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "epub" => Some(Format::Epub),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Epub => "application/epub+zip",
            Format::Pdf => "application/pdf",
        }
    }
}

/// Drafts are visible to editors only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookStatus {
    Draft,
    Published,
}

impl BookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookStatus::Draft => "draft",
            BookStatus::Published => "published",
        }
    }
    /// As stored: anything but `published` is a draft (never shown by mistake).
    pub fn from_stored(s: &str) -> Self {
        if s == "published" {
            BookStatus::Published
        } else {
            BookStatus::Draft
        }
    }
}

/// A contributor and what they did (MARC relator code: `aut`, `ill`, `trl`, `edt`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contributor {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// What the catalogue lists besides books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listing {
    /// Authors with at least one published book.
    Authors,
    /// Publishers with at least one published book.
    Publishers,
    /// Every category (the tree), empty ones included.
    Categories,
}

/// An author, publisher or category as listed, with its number of published books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub id: String,
    pub name: String,
    /// An author's biography, a category's slug; empty for publishers.
    pub detail: String,
    /// A category's parent.
    pub parent_id: Option<String>,
    /// An author's photo (content hash, served like covers).
    #[serde(default)]
    pub photo: Option<String>,
    pub books: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherRef {
    pub id: String,
    pub name: String,
}

/// A book as the catalogue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub language: String,
    pub isbn: Option<String>,
    pub publisher: Option<PublisherRef>,
    pub published_date: String,
    pub authors: Vec<Contributor>,
    pub categories: Vec<CategoryRef>,
    pub format: Format,
    pub file_hash: String,
    pub file_size: u64,
    pub cover_hash: Option<String>,
    pub page_count: Option<u32>,
    pub spine_length: Option<u32>,
    pub price: Money,
    pub featured: bool,
    /// Opened by Premium (whatever its price: a premium book at 0 is for subscribers only).
    #[serde(default)]
    pub premium: bool,
    pub status: BookStatus,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// How many readers opened it (the "most read" order).
    #[serde(default)]
    pub popularity: i64,
    /// The subjects the file names (EPUB `dc:subject`): searched, and suggested as categories.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Its published reviews' ratings: how many, and their sum (see [`Book::rating`]).
    #[serde(default)]
    pub rating_count: u32,
    #[serde(default)]
    pub rating_sum: u64,
}

/// How a book is offered: its price, whether the home page features it, whether Premium
/// opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub price: Money,
    pub featured: bool,
    pub premium: bool,
}

impl Book {
    /// Open to every signed-in reader: no price and not kept for Premium.
    pub fn is_free(&self) -> bool {
        self.price.amount == 0 && !self.premium
    }

    /// The average rating to one decimal, `None` before the first.
    pub fn rating(&self) -> Option<f64> {
        crate::community::average(self.rating_count as u64, self.rating_sum)
    }

    /// Can be bought on its own.
    pub fn is_for_sale(&self) -> bool {
        self.price.amount > 0
    }

    pub fn offer(&self) -> Offer {
        Offer { price: self.price.clone(), featured: self.featured, premium: self.premium }
    }
    /// The authors proper (not illustrators or translators), or everyone if none is marked so.
    pub fn author_names(&self) -> String {
        let authors: Vec<&str> = self.authors.iter().filter(|c| c.role == "aut").map(|c| c.name.as_str()).collect();
        if authors.is_empty() {
            self.authors.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
        } else {
            authors.join(", ")
        }
    }
    /// Where the book's file is served, named by its content so it can be cached forever.
    pub fn file_url(&self) -> String {
        format!("/files/books/{}/{}.{}", self.id, self.file_hash, self.format.as_str())
    }

    /// Whether the book's language is written right to left.
    pub fn is_rtl(&self) -> bool {
        let primary = self.language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        matches!(primary.as_str(), "ar" | "he" | "fa" | "ur" | "ps" | "yi" | "dv" | "ug" | "ckb" | "syr")
    }

    /// The book's language as an interface language, when it is one.
    pub fn interface_language(&self) -> Option<Language> {
        Language::from_tag(&self.language)
    }
}

/// Browse filters, as they appear in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BookFilter {
    pub language: Option<String>,
    pub format: Option<Format>,
    pub free: Option<bool>,
    pub category: Option<String>,
    /// An author's id: the books they contributed to.
    pub author: Option<String>,
    /// A publisher's id.
    pub publisher: Option<String>,
    pub sort: Sort,
}

/// The same narrowing for a search (an author, a publisher and the order are the browse's own).
impl From<&BookFilter> for crate::search::SearchFilter {
    fn from(f: &BookFilter) -> Self {
        crate::search::SearchFilter {
            language: f.language.clone(),
            format: f.format.map(|x| x.as_str().to_owned()),
            free: f.free,
            category: f.category.clone(),
        }
    }
}

/// How a list of books is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sort {
    /// Newest first (by when they entered the catalogue).
    #[default]
    Newest,
    /// A to Z, ignoring case and accents.
    Title,
    /// Most read first.
    Popular,
    /// Best rated first (a Bayesian average: a single 5 does not beat two hundred 4.8s).
    Rating,
}

impl Sort {
    /// Its name in the REST API (`sort=`); the pages' French words are the pages' own.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Title => "title",
            Sort::Popular => "popular",
            Sort::Rating => "rating",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" => Some(Sort::Newest),
            "title" => Some(Sort::Title),
            "popular" => Some(Sort::Popular),
            "rating" => Some(Sort::Rating),
            _ => None,
        }
    }
}

/// A page of books and the cursor of the next one (keyset pagination).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookPage {
    pub books: Vec<Book>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// Search results with their books, in ranking order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FoundBooks {
    pub books: Vec<Book>,
    pub total: u64,
    pub facets: crate::search::Facets,
}

/// Every category in tree order with its depth: parents before their children, siblings by
/// name (a loop in the data, or a tree deeper than 8, stops there).
pub fn category_outline(all: &[Listed]) -> Vec<(&Listed, usize)> {
    fn walk<'a>(all: &'a [Listed], parent: Option<&str>, depth: usize, out: &mut Vec<(&'a Listed, usize)>) {
        let mut kids: Vec<&Listed> =
            all.iter().filter(|c| c.parent_id.as_deref() == parent && !out.iter().any(|(o, _)| o.id == c.id)).collect();
        kids.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        for c in kids {
            if depth > 8 {
                break;
            }
            out.push((c, depth));
            walk(all, Some(&c.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(all, None, 0, &mut out);
    out
}

/// A category's name indented by its depth (for a select).
pub fn indented(name: &str, depth: usize) -> String {
    format!("{}{}", "\u{a0}\u{a0}".repeat(depth), name)
}

/// Categories as a tree for a select: (slug, name indented by its depth), parents before their
/// children, siblings by name. Only categories with published books, or with such descendants.
/// A language filter's code from a book's tag or a query (`pt-BR` → `pt`): two or three
/// letters, lower case; anything else is no language.
pub fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic())).then(|| primary.to_ascii_lowercase())
}

pub fn category_tree(all: &[Listed]) -> Vec<(String, String)> {
    let outline = category_outline(all);
    (0..outline.len())
        .filter(|&i| {
            let depth = outline[i].1;
            let below = outline[i + 1..].iter().take_while(|(_, d)| *d > depth);
            outline[i].0.books + below.map(|(c, _)| c.books).sum::<u64>() > 0
        })
        .map(|i| (outline[i].0.detail.clone(), indented(&outline[i].0.name, outline[i].1)))
        .collect()
}

/// The file's subjects as category paths an editor may file the book in (`Children -- Books
/// and reading` → `Children > Books and reading`), those the book is already in left out.
pub fn suggested_categories(b: &Book) -> Vec<String> {
    let filed: Vec<String> = b.categories.iter().map(|c| slug(&c.name)).collect();
    let mut out: Vec<String> = Vec::new();
    for subject in &b.subjects {
        let parts: Vec<&str> = subject.split("--").map(str::trim).filter(|p| !p.is_empty()).take(4).collect();
        let Some(last) = parts.last() else { continue };
        let path = parts.iter().map(|p| p.chars().take(60).collect::<String>()).collect::<Vec<_>>().join(" > ");
        if filed.contains(&slug(last)) || out.contains(&path) {
            continue;
        }
        out.push(path);
        if out.len() == 8 {
            break;
        }
    }
    out
}

/// A URL-safe name: lower case, no accents, words joined by `-` (`Contes & légendes` →
/// `contes-legendes`).
pub fn slug(name: &str) -> String {
    crate::search::words(name).join("-").chars().take(80).collect::<String>().trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, name: &str, parent: Option<&str>, books: u64) -> Listed {
        Listed { id: id.into(), name: name.into(), detail: slug(name), parent_id: parent.map(Into::into), photo: None, books }
    }

    #[test]
    fn the_outline_puts_children_under_parents_and_the_tree_hides_empty_branches() {
        let all = vec![
            listed("b", "Romans", Some("a"), 2),
            listed("a", "Fiction", None, 0),
            listed("c", "Vide", None, 0),
            listed("d", "Contes", Some("a"), 0),
        ];
        let outline: Vec<(&str, usize)> = category_outline(&all).iter().map(|(c, d)| (c.name.as_str(), *d)).collect();
        assert_eq!(outline, [("Fiction", 0), ("Contes", 1), ("Romans", 1), ("Vide", 0)]);
        let tree: Vec<String> = category_tree(&all).into_iter().map(|(_, n)| n).collect();
        assert_eq!(tree, ["Fiction", "\u{a0}\u{a0}Romans"]);
        // A loop in the data ends (neither is under a root).
        let looped = vec![listed("x", "X", Some("y"), 1), listed("y", "Y", Some("x"), 1)];
        assert!(category_outline(&looped).is_empty());
    }

    #[test]
    fn subjects_become_category_paths_not_yet_filed() {
        let mut b: Book = serde_json::from_value(serde_json::json!({
            "id": "1", "title": "T", "subtitle": "", "description": "", "language": "en", "isbn": null, "publisher": null,
            "published_date": "", "authors": [], "categories": [{"id": "c", "slug": "whaling", "name": "Whaling"}], "format": "epub",
            "file_hash": "h", "file_size": 1, "cover_hash": null, "page_count": null, "spine_length": null,
            "price": {"amount": 0, "currency": "XOF"}, "featured": false, "status": "published", "created_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        b.subjects =
            vec!["Children -- Books and reading".into(), "Whaling".into(), "Sea stories".into(), "Sea stories".into(), " -- ".into()];
        assert_eq!(suggested_categories(&b), ["Children > Books and reading", "Sea stories"]);
    }
}
