//! Catalogue search: the port, the shapes of its results, text normalisation, and its two
//! adapters: the embedded index (the default) and Meilisearch (when `MEILISEARCH_URL` is set).
//! Both pass one relevance suite (`domain/tests/search_relevance.rs`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod embedded;
#[cfg(feature = "ssr")]
mod meili;
#[cfg(feature = "ssr")]
pub use embedded::EmbeddedIndex;
#[cfg(feature = "ssr")]
pub use meili::MeiliIndex;

/// What the index knows of a book.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub authors: Vec<String>,
    pub subjects: Vec<String>,
    pub description: String,
    pub language: String,
    pub format: String,
    pub free: bool,
    pub categories: Vec<String>,
    pub popularity: i64,
}

/// Narrowing a search: facet values that must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchFilter {
    pub language: Option<String>,
    pub format: Option<String>,
    pub free: Option<bool>,
    pub category: Option<String>,
}

/// Counts per facet value among the matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub language: Vec<(String, u64)>,
    pub format: Vec<(String, u64)>,
    pub free: Vec<(String, u64)>,
    pub category: Vec<(String, u64)>,
}

/// Ids of matching books, best first, with the total and the facets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub ids: Vec<String>,
    pub total: u64,
    pub facets: Facets,
}

/// Lower-cases and strips accents, so `Misérables` and `miserables`, `élève` and `eleve` meet.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
            'ñ' | 'ń' | 'ň' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
            'ý' | 'ÿ' => 'y',
            'ś' | 'š' | 'ş' => 's',
            'ź' | 'ż' | 'ž' => 'z',
            'ł' => 'l',
            'ď' => 'd',
            'ř' => 'r',
            'ť' | 'ţ' => 't',
            'ğ' => 'g',
            'œ' => {
                out.push_str("oe");
                continue;
            }
            'æ' => {
                out.push_str("ae");
                continue;
            }
            'ß' => {
                out.push_str("ss");
                continue;
            }
            other => other,
        };
        out.push(folded);
    }
    out
}

/// Folded words of a text (letters and digits; everything else separates).
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

#[cfg(feature = "ssr")]
/// A catalogue index: embedded by default, Meilisearch when configured.
#[async_trait::async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError>;
    async fn delete(&self, id: &str) -> Result<(), SearchError>;
    /// Removes every document (before a rebuild from the database).
    async fn clear(&self) -> Result<(), SearchError>;
    async fn search(&self, query: &str, filter: &SearchFilter, offset: usize, limit: usize) -> Result<SearchResults, SearchError>;
    /// Whether the index answers (for `/ready`).
    async fn ping(&self) -> Result<(), SearchError>;
    /// Waits until every write sent so far is searchable (Meilisearch applies writes as tasks).
    async fn settle(&self) -> Result<(), SearchError> {
        Ok(())
    }
}

/// Facet values by count (then name): what the results page lists first.
#[cfg(feature = "ssr")]
pub(crate) fn ranked(values: std::collections::HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<_> = values.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[cfg(feature = "ssr")]
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_meets_both_ways() {
        assert_eq!(fold("Les Misérables"), "les miserables");
        assert_eq!(fold("ÉLÈVE"), "eleve");
        assert_eq!(words("L'élève, cœur-d'or!"), ["l", "eleve", "coeur", "d", "or"]);
    }
}
