//! The embedded index: in memory, rebuilt from the database at start-up. Typo-tolerant
//! (one typo from 3 letters, two from 8, transpositions counting as one), accent-insensitive,
//! prefix matching on the last word, title and author matches above description matches;
//! words joined or split differently from the book's (`e book` for `ebook`, `audiobook` for
//! `Audio Book`), as Meilisearch does, within a fixed budget of vocabulary scans per query.

use super::{words, Facets, SearchDoc, SearchError, SearchFilter, SearchIndex, SearchResults};
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// Where a word was found, and how much that counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Title,
    Author,
    Subject,
    Description,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Field::Title => 10.0,
            Field::Author => 8.0,
            Field::Subject => 3.0,
            Field::Description => 1.0,
        }
    }
}

#[derive(Default)]
struct Inner {
    docs: Vec<Option<SearchDoc>>,
    slots: HashMap<String, usize>,
    /// word → (doc slot, best field it appears in).
    postings: BTreeMap<String, HashMap<usize, Field>>,
}

#[derive(Default)]
pub struct EmbeddedIndex {
    inner: Arc<RwLock<Inner>>,
}

/// Query words kept: each one is scanned against the whole vocabulary with an edit distance,
/// so a pasted paragraph must not cost a hundred scans.
pub const MAX_QUERY_WORDS: usize = 8;
/// Letters kept of a query word (the distance is quadratic in them; no title word is longer).
pub const MAX_QUERY_WORD_CHARS: usize = 40;

/// The words a query is searched by: folded, deduplicated (the last one stays last: it is the
/// one being typed), at most [`MAX_QUERY_WORDS`] of at most [`MAX_QUERY_WORD_CHARS`] letters.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut all: Vec<String> = words(query).into_iter().map(|w| w.chars().take(MAX_QUERY_WORD_CHARS).collect()).collect();
    let last = all.pop();
    let mut out: Vec<String> = Vec::new();
    for w in all.into_iter().chain(last.clone()) {
        if !out.contains(&w) {
            out.push(w);
        } else if Some(&w) == last.as_ref() {
            out.retain(|x| x != &w);
            out.push(w);
        }
    }
    if out.len() > MAX_QUERY_WORDS {
        let tail = out.split_off(out.len() - 1);
        out.truncate(MAX_QUERY_WORDS - 1);
        out.extend(tail);
    }
    out
}

impl EmbeddedIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.slots.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many distinct words the index holds (what each query word is scanned against).
    pub fn vocabulary(&self) -> usize {
        self.inner.read().map(|i| i.postings.len()).unwrap_or(0)
    }

    /// Searches by words already split (and not capped), on the calling thread: what the
    /// benchmark measures, and the core [`SearchIndex::search`] runs off the async workers.
    pub fn search_terms(&self, terms: &[String], filter: &SearchFilter, offset: usize, limit: usize) -> SearchResults {
        match self.inner.read() {
            Ok(inner) => inner.search(terms, filter, offset, limit),
            Err(_) => SearchResults::default(),
        }
    }
}

impl Inner {
    fn remove(&mut self, id: &str) {
        let Some(slot) = self.slots.remove(id) else { return };
        if let Some(doc) = self.docs[slot].take() {
            for (word, _) in doc_words(&doc) {
                if let Some(p) = self.postings.get_mut(&word) {
                    p.remove(&slot);
                    if p.is_empty() {
                        self.postings.remove(&word);
                    }
                }
            }
        }
    }

    fn insert(&mut self, doc: SearchDoc) {
        self.remove(&doc.id);
        let slot = self.docs.len();
        for (word, field) in doc_words(&doc) {
            let entry = self.postings.entry(word).or_default().entry(slot).or_insert(field);
            *entry = (*entry).min(field);
        }
        self.slots.insert(doc.id.clone(), slot);
        self.docs.push(Some(doc));
    }
}

fn doc_words(doc: &SearchDoc) -> Vec<(String, Field)> {
    let mut out = Vec::new();
    for w in words(&doc.title).into_iter().chain(words(&doc.subtitle)) {
        out.push((w, Field::Title));
    }
    for a in &doc.authors {
        out.extend(words(a).into_iter().map(|w| (w, Field::Author)));
    }
    for s in &doc.subjects {
        out.extend(words(s).into_iter().map(|w| (w, Field::Subject)));
    }
    out.extend(words(&doc.description).into_iter().map(|w| (w, Field::Description)));
    out
}

/// Optimal-string-alignment distance, giving up past `max`.
fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

/// How well a dictionary word answers a query word (0 = not at all). The last word may be
/// unfinished (a prefix): from two letters alone, from one after other words (`mobi d`).
fn quality(query: &str, word: &str, last: bool, alone: bool) -> f32 {
    if query == word {
        return 1.0;
    }
    let n = query.chars().count();
    if last && n >= if alone { 2 } else { 1 } && word.starts_with(query) {
        return 0.9;
    }
    let typos = if n >= 8 {
        2
    } else if n >= 3 {
        1
    } else {
        0
    };
    if typos == 0 {
        return 0.0;
    }
    match distance(query, word, typos) {
        Some(1) => 0.7,
        Some(2) => 0.5,
        _ => {
            // A typo in the word being typed: `frankenst` with one wrong letter.
            if last && n >= 4 {
                let head: String = word.chars().take(n).collect();
                if distance(query, &head, 1).is_some() {
                    return 0.6;
                }
            }
            0.0
        }
    }
}

fn matches_filter(doc: &SearchDoc, f: &SearchFilter) -> bool {
    let lang_ok = f.language.as_ref().is_none_or(|l| doc.language == *l || doc.language.starts_with(&format!("{l}-")));
    lang_ok
        && f.format.as_ref().is_none_or(|x| doc.format == *x)
        && f.free.is_none_or(|x| doc.free == x)
        && f.category.as_ref().is_none_or(|c| doc.categories.contains(c))
}

fn count(values: impl Iterator<Item = String>) -> Vec<(String, u64)> {
    let mut m: HashMap<String, u64> = HashMap::new();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    super::ranked(m)
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        let mut inner = self.inner.write().map_err(|_| SearchError("index lock poisoned".into()))?;
        for d in docs {
            inner.insert(d);
        }
        Ok(())
    }

    async fn delete(&self, id: &str) -> Result<(), SearchError> {
        self.inner.write().map_err(|_| SearchError("index lock poisoned".into()))?.remove(id);
        Ok(())
    }

    async fn clear(&self) -> Result<(), SearchError> {
        *self.inner.write().map_err(|_| SearchError("index lock poisoned".into()))? = Inner::default();
        Ok(())
    }

    async fn search(&self, query: &str, filter: &SearchFilter, offset: usize, limit: usize) -> Result<SearchResults, SearchError> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(SearchResults::default());
        }
        // The vocabulary scan is CPU work: on a blocking thread, never on the async workers.
        let (inner, filter) = (self.inner.clone(), filter.clone());
        tokio::task::spawn_blocking(move || {
            let inner = inner.read().map_err(|_| SearchError("index lock poisoned".into()))?;
            Ok(inner.search(&terms, &filter, offset, limit))
        })
        .await
        .map_err(|e| SearchError(format!("search task: {e}")))?
    }

    async fn ping(&self) -> Result<(), SearchError> {
        self.inner.read().map(|_| ()).map_err(|_| SearchError("index lock poisoned".into()))
    }
}

/// A query word's score when it is matched as the concatenation of adjacent query words
/// (`e book` → `ebook`), relative to matching the words themselves.
const JOINED: f32 = 0.9;
/// A query word's score when it is matched as two words of the document (`audiobook` →
/// `audio` + `book`), relative to matching it whole.
const SPLIT: f32 = 0.8;
/// Adjacent query words tried as one (Meilisearch concatenates up to three).
const MAX_JOINED: usize = 3;
/// Vocabulary scans one query may cost: one per word, and what is left of this for joined and
/// split words (see `Inner::search`).
const SCAN_BUDGET: usize = MAX_QUERY_WORDS + 2;

impl Inner {
    /// Every document holding a word that answers `q`, with its best score (quality × field).
    fn matches(&self, q: &str, last: bool, alone: bool) -> HashMap<usize, f32> {
        let mut best: HashMap<usize, f32> = HashMap::new();
        for (word, postings) in &self.postings {
            let qual = quality(q, word, last, alone);
            if qual == 0.0 {
                continue;
            }
            for (slot, field) in postings {
                let e = best.entry(*slot).or_insert(0.0);
                *e = e.max(qual * field.weight());
            }
        }
        best
    }

    /// Documents holding exactly `q`, by field weight: a lookup, not a scan.
    fn exact(&self, q: &str) -> HashMap<usize, f32> {
        self.postings.get(q).map(|p| p.iter().map(|(slot, field)| (*slot, field.weight())).collect()).unwrap_or_default()
    }

    /// Documents for `q` with typos or unfinished when a vocabulary scan is left in `scans`,
    /// else exactly.
    fn matches_within(&self, q: &str, last: bool, scans: &mut usize) -> HashMap<usize, f32> {
        if *scans == 0 {
            return self.exact(q);
        }
        *scans -= 1;
        self.matches(q, last, false)
    }

    /// Documents holding `q` split in two words (`audiobook` → `audio` + `book`, `ebook` → `e` +
    /// `book`): the left part an exact word of the index, the right part exact, or with a typo
    /// or unfinished for the longest such left part while scans are left.
    fn split_matches(&self, q: &str, last: bool, scans: &mut usize) -> HashMap<usize, f32> {
        let chars: Vec<char> = q.chars().collect();
        let mut out: HashMap<usize, f32> = HashMap::new();
        if chars.len() < 4 {
            return out; // `the` is not `t` + `he`
        }
        let mut fuzzy_tried = false;
        for k in (1..chars.len() - 1).rev() {
            let left: String = chars[..k].iter().collect();
            let Some(left_postings) = self.postings.get(&left) else { continue };
            let right: String = chars[k..].iter().collect();
            let right_matches = if self.postings.contains_key(&right) || right.chars().count() < 3 || fuzzy_tried {
                self.exact(&right)
            } else {
                fuzzy_tried = true;
                self.matches_within(&right, last, scans)
            };
            for (slot, field) in left_postings {
                if let Some(r) = right_matches.get(slot) {
                    let e = out.entry(*slot).or_insert(0.0);
                    *e = e.max(SPLIT * (field.weight() + r) / 2.0);
                }
            }
        }
        out
    }

    fn search(&self, terms: &[String], filter: &SearchFilter, offset: usize, limit: usize) -> SearchResults {
        let inner = self;
        let n = terms.len();
        let keep = |best: &mut HashMap<usize, f32>, found: HashMap<usize, f32>, factor: f32| {
            for (slot, s) in found {
                let e = best.entry(slot).or_insert(0.0);
                *e = e.max(factor * s);
            }
        };
        // Each query word's best match per document: the word itself (one vocabulary scan
        // each), then, while the scan budget lasts, adjacent words joined (`e book` → `ebook`,
        // counting for each of them) and the word split in two; past the budget those two are
        // exact lookups only, so a long pasted query costs no more scans than its words.
        let mut per_term: Vec<HashMap<usize, f32>> = terms.iter().enumerate().map(|(i, q)| self.matches(q, i + 1 == n, n == 1)).collect();
        let mut scans = SCAN_BUDGET.saturating_sub(n);
        let joined = |span: usize, per_term: &mut Vec<HashMap<usize, f32>>, scans: &mut usize| {
            for i in 0..=n - span {
                let word: String = terms[i..i + span].concat();
                if word.chars().count() > MAX_QUERY_WORD_CHARS {
                    continue;
                }
                let found = self.matches_within(&word, i + span == n, scans);
                for best in &mut per_term[i..i + span] {
                    keep(best, found.clone(), JOINED);
                }
            }
        };
        if n >= 2 {
            joined(2, &mut per_term, &mut scans);
        }
        for (i, q) in terms.iter().enumerate() {
            let found = self.split_matches(q, i + 1 == n, &mut scans);
            keep(&mut per_term[i], found, 1.0);
        }
        for span in 3..=MAX_JOINED.min(n) {
            joined(span, &mut per_term, &mut scans);
        }
        // Every query word must match; a document's score adds each word's best match.
        let mut scores: Option<HashMap<usize, f32>> = None;
        for best in per_term {
            scores = Some(match scores {
                None => best,
                Some(prev) => prev.into_iter().filter_map(|(slot, s)| best.get(&slot).map(|b| (slot, s + b))).collect(),
            });
            if scores.as_ref().is_some_and(HashMap::is_empty) {
                break;
            }
        }
        let matched: Vec<(usize, f32)> = scores.unwrap_or_default().into_iter().collect();
        let docs = |slot: usize| inner.docs[slot].as_ref();
        let mut hits: Vec<(&SearchDoc, f32)> =
            matched.iter().filter_map(|(slot, s)| docs(*slot).map(|d| (d, *s))).filter(|(d, _)| matches_filter(d, filter)).collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.popularity.cmp(&a.0.popularity)).then(a.0.title.cmp(&b.0.title)));
        let facets = Facets {
            language: count(hits.iter().map(|(d, _)| d.language.split('-').next().unwrap_or("").to_owned())),
            format: count(hits.iter().map(|(d, _)| d.format.clone())),
            free: count(hits.iter().map(|(d, _)| if d.free { "free".to_owned() } else { "paid".to_owned() })),
            category: count(hits.iter().flat_map(|(d, _)| d.categories.clone())),
        };
        SearchResults { total: hits.len() as u64, ids: hits.iter().skip(offset).take(limit).map(|(d, _)| d.id.clone()).collect(), facets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_are_deduplicated_and_capped() {
        assert_eq!(query_terms("Moby moby DICK"), ["moby", "dick"]);
        assert_eq!(query_terms("dick moby dick"), ["moby", "dick"], "the word being typed stays last");
        let long = (0..50).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let terms = query_terms(&long);
        assert_eq!(terms.len(), MAX_QUERY_WORDS);
        assert_eq!(terms.last().map(String::as_str), Some("w49"));
        assert_eq!(query_terms(&"a".repeat(500))[0].len(), MAX_QUERY_WORD_CHARS);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("frankenstien", "frankenstein", 2), Some(1), "a transposition is one typo");
        assert_eq!(distance("dik", "dick", 1), Some(1));
        assert_eq!(distance("mobi", "moby", 1), Some(1));
        assert_eq!(distance("cat", "dog", 1), None);
        assert_eq!(quality("whal", "whale", true, true), 0.9);
        assert_eq!(quality("of", "or", false, false), 0.0, "no typos on two letters");
        assert_eq!(quality("d", "dick", true, false), 0.9, "one letter after other words: being typed");
        assert_eq!(quality("d", "dick", true, true), 0.0, "one letter alone matches nothing");
    }
}
