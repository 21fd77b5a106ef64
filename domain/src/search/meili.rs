//! The Meilisearch adapter (when `MEILISEARCH_URL` is set), written to Meilisearch's documented
//! API through `meilisearch-sdk`. The index is configured from code at start-up: what is
//! searched (title and authors before the description), what filters and facets exist, the
//! ranking rules, and typo tolerance from 3 letters so `mobi dik` finds Moby-Dick. Accents are
//! folded by Meilisearch's own tokenizer.

use super::{ranked, Facets, SearchDoc, SearchError, SearchFilter, SearchIndex, SearchResults};
use async_trait::async_trait;
use meilisearch_sdk::client::Client;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::settings::{MinWordSizeForTypos, Settings, TypoToleranceSettings};
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Searched in this order: the attribute ranking rule puts title and author matches first.
const SEARCHABLE: [&str; 6] = ["title", "subtitle", "authors", "subjects", "categories", "description"];
const FACETS: [&str; 4] = ["language", "format", "free", "categories"];

/// A book as Meilisearch holds it: the language reduced to its primary subtag (`fr-SN` → `fr`),
/// which is what readers filter on.
#[derive(Debug, Serialize, Deserialize)]
struct MeiliDoc {
    id: String,
    title: String,
    subtitle: String,
    authors: Vec<String>,
    subjects: Vec<String>,
    description: String,
    language: String,
    format: String,
    free: bool,
    categories: Vec<String>,
    popularity: i64,
}

impl From<SearchDoc> for MeiliDoc {
    fn from(d: SearchDoc) -> Self {
        MeiliDoc {
            language: d.language.split('-').next().unwrap_or("").to_ascii_lowercase(),
            id: d.id,
            title: d.title,
            subtitle: d.subtitle,
            authors: d.authors,
            subjects: d.subjects,
            description: d.description,
            format: d.format,
            free: d.free,
            categories: d.categories,
            popularity: d.popularity,
        }
    }
}

#[derive(Deserialize)]
struct Hit {
    id: String,
}

pub struct MeiliIndex {
    client: Client,
    index: Index,
    /// The last write sent, so [`SearchIndex::settle`] can wait for it.
    last_task: Mutex<Option<TaskInfo>>,
}

fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError(format!("meilisearch: {e}"))
}

/// A filter value in double quotes (Meilisearch's filter syntax).
fn quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The filter expression for a search, or `None` when nothing narrows it.
pub fn filter_expression(f: &SearchFilter) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(l) = &f.language {
        parts.push(format!("language = {}", quoted(&l.split('-').next().unwrap_or("").to_ascii_lowercase())));
    }
    if let Some(x) = &f.format {
        parts.push(format!("format = {}", quoted(x)));
    }
    if let Some(free) = f.free {
        parts.push(format!("free = {free}"));
    }
    if let Some(c) = &f.category {
        parts.push(format!("categories = {}", quoted(c)));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

impl MeiliIndex {
    /// Connects, creates the index if needed and applies its settings (waiting until they hold).
    pub async fn connect(url: &str, key: Option<&str>, uid: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(err)?;
        client.health().await.map_err(err)?;
        if client.get_index(uid).await.is_err() {
            let task = client.create_index(uid, Some("id")).await.map_err(err)?;
            let done = task.wait_for_completion(&client, None, Some(Duration::from_secs(60))).await.map_err(err)?;
            // Created meanwhile by another instance: fine.
            if done.is_failure() && client.get_index(uid).await.is_err() {
                return Err(err(format!("creating index {uid} failed")));
            }
        }
        let index = client.index(uid);
        let settings = Settings::new()
            .with_searchable_attributes(SEARCHABLE)
            .with_filterable_attributes(FACETS)
            .with_sortable_attributes(["popularity"])
            .with_ranking_rules(["words", "typo", "proximity", "attribute", "sort", "exactness", "popularity:desc"])
            .with_typo_tolerance(TypoToleranceSettings {
                enabled: Some(true),
                disable_on_attributes: None,
                disable_on_words: None,
                // Meilisearch's default gives no typo to words under 5 letters; `dik` needs one.
                min_word_size_for_typos: Some(MinWordSizeForTypos { one_typo: Some(3), two_typos: Some(7) }),
                disable_on_numbers: None,
            });
        let task = index.set_settings(&settings).await.map_err(err)?;
        let done = task.wait_for_completion(&client, None, Some(Duration::from_secs(120))).await.map_err(err)?;
        if done.is_failure() {
            return Err(err("the index settings were refused"));
        }
        Ok(MeiliIndex { client, index, last_task: Mutex::new(None) })
    }

    fn sent(&self, task: TaskInfo) {
        if let Ok(mut last) = self.last_task.lock() {
            *last = Some(task);
        }
    }
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        let docs: Vec<MeiliDoc> = docs.into_iter().map(MeiliDoc::from).collect();
        let task = self.index.add_or_replace(&docs, Some("id")).await.map_err(err)?;
        self.sent(task);
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<(), SearchError> {
        let task = self.index.delete_document(id).await.map_err(err)?;
        self.sent(task);
        Ok(())
    }

    async fn clear(&self) -> Result<(), SearchError> {
        let task = self.index.delete_all_documents().await.map_err(err)?;
        self.sent(task);
        Ok(())
    }

    async fn search(&self, query: &str, filter: &SearchFilter, offset: usize, limit: usize) -> Result<SearchResults, SearchError> {
        if query.trim().is_empty() {
            return Ok(SearchResults::default());
        }
        let filter = filter_expression(filter);
        let mut q = self.index.search();
        q.with_query(query)
            .with_offset(offset)
            .with_limit(limit)
            .with_attributes_to_retrieve(Selectors::Some(&["id"]))
            .with_facets(Selectors::Some(&FACETS));
        if let Some(f) = &filter {
            q.with_filter(f);
        }
        let found = q.execute::<Hit>().await.map_err(err)?;
        let dist = found.facet_distribution.unwrap_or_default();
        let facet = |name: &str, rename: &dyn Fn(&str) -> String| -> Vec<(String, u64)> {
            let values: HashMap<String, u64> =
                dist.get(name).map(|m| m.iter().map(|(k, v)| (rename(k), *v as u64)).collect()).unwrap_or_default();
            ranked(values)
        };
        let same = |v: &str| v.to_owned();
        let facets = Facets {
            language: facet("language", &same),
            format: facet("format", &same),
            free: facet("free", &|v| if v == "true" { "free".into() } else { "paid".into() }),
            category: facet("categories", &same),
        };
        Ok(SearchResults {
            total: found.estimated_total_hits.or(found.total_hits).unwrap_or(found.hits.len()) as u64,
            ids: found.hits.into_iter().map(|h| h.result.id).collect(),
            facets,
        })
    }

    async fn ping(&self) -> Result<(), SearchError> {
        self.client.health().await.map(|_| ()).map_err(err)
    }

    async fn settle(&self) -> Result<(), SearchError> {
        let last = self.last_task.lock().ok().and_then(|mut l| l.take());
        if let Some(task) = last {
            let done = task.wait_for_completion(&self.client, None, Some(Duration::from_secs(120))).await.map_err(err)?;
            if done.is_failure() {
                return Err(err("a write to the index failed"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted_and_joined() {
        let f = SearchFilter {
            language: Some("fr-SN".into()),
            format: Some("epub".into()),
            free: Some(true),
            category: Some("Romans \"noirs\"".into()),
        };
        assert_eq!(
            filter_expression(&f).unwrap(),
            r#"language = "fr" AND format = "epub" AND free = true AND categories = "Romans \"noirs\"""#
        );
        assert_eq!(filter_expression(&SearchFilter::default()), None);
    }
}
