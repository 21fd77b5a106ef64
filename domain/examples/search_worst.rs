//! The embedded index's worst public query, before and after the hardening: a pasted
//! paragraph of 50 words. Before, every word was scanned against the whole vocabulary with an
//! edit distance, on the async worker that served the request; now the words are
//! deduplicated and capped at `MAX_QUERY_WORDS` and the scan runs on a blocking thread.
//! "Before" is measured by giving the index the 50 words as terms (what the old code did).
//!
//! `cargo run --release -p domain --features ssr --example search_worst -- [--books N]`

use domain::search::embedded::{query_terms, EmbeddedIndex, MAX_QUERY_WORDS};
use domain::search::{words, SearchDoc, SearchFilter, SearchIndex};
use std::time::{Duration, Instant};

/// A deterministic pseudo-word of 4 to 11 letters.
fn word(mut n: u64) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnoprstuvy";
    let len = 4 + (n % 8) as usize;
    let mut w = String::with_capacity(len);
    for _ in 0..len {
        n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        w.push(LETTERS[(n >> 33) as usize % LETTERS.len()] as char);
    }
    w
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::args().skip_while(|a| a != "--books").nth(1).and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let vocabulary = 60_000u64;
    let index = EmbeddedIndex::new();
    let docs: Vec<SearchDoc> = (0..n)
        .map(|i| SearchDoc {
            id: format!("b{i}"),
            title: (0..4).map(|k| word((i * 7 + k * 13) % vocabulary)).collect::<Vec<_>>().join(" "),
            authors: vec![format!("{} {}", word((i * 3) % vocabulary), word((i * 11 + 5) % vocabulary))],
            description: (0..12).map(|k| word((i * 31 + k * 17) % vocabulary)).collect::<Vec<_>>().join(" "),
            language: "fr".into(),
            format: "epub".into(),
            free: i % 2 == 0,
            ..Default::default()
        })
        .collect();
    let docs_words: Vec<String> = {
        let d = &docs[0];
        let mut w = words(&format!("{} {} {}", d.title, d.authors.join(" "), d.description));
        w.dedup();
        w.into_iter().filter(|x| x.len() >= 8).collect()
    };
    index.upsert(docs).await.unwrap();
    // The adversary's paragraph: fifty distinct words that all match one book (its own words
    // and one-letter variants of them, which typo tolerance accepts), so no word ends the scan
    // early by leaving no candidate.
    let first = docs_words;
    let mut chosen: Vec<String> = first.clone();
    'fill: for round in 0..8u8 {
        for w in &first {
            if chosen.len() >= 50 {
                break 'fill;
            }
            let mut v: Vec<char> = w.chars().collect();
            let i = v.len() - 1 - (round as usize % 2);
            v[i] = if v[i] == 'z' { 'y' } else { (b'z' - round) as char };
            let v: String = v.into_iter().collect();
            if !chosen.contains(&v) {
                chosen.push(v);
            }
        }
    }
    let paragraph = chosen.join(" ");
    let filter = SearchFilter::default();
    let all_terms = words(&paragraph);
    let capped = query_terms(&paragraph);

    let before = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let _ = index.search_terms(&all_terms, &filter, 0, 20);
                t.elapsed()
            })
            .collect(),
    );
    let mut after = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let _ = index.search(&paragraph, &filter, 0, 20).await.unwrap();
        after.push(t.elapsed());
    }
    let after = median(after);
    let one = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                let _ = index.search_terms(&all_terms[..1], &filter, 0, 20);
                t.elapsed()
            })
            .collect(),
    );
    let hits = index.search_terms(&all_terms, &filter, 0, 20).total;
    println!("embedded index: {n} books, vocabulary {} words; the worst query matches {hits} book(s)", index.vocabulary());
    println!(
        "worst query ({} distinct words), before: {} words scanned, {:.1} ms of CPU on the async worker",
        all_terms.len(),
        all_terms.len(),
        before.as_secs_f64() * 1e3
    );
    println!(
        "worst query, after: {} words scanned (cap {MAX_QUERY_WORDS}), {:.1} ms on a blocking thread",
        capped.len(),
        after.as_secs_f64() * 1e3
    );
    println!("one word: {:.1} ms", one.as_secs_f64() * 1e3);
}
