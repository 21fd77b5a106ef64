//! Search inside a book: every passage of the reading order that contains the query, ignoring
//! case and accents, each with a locator the reader can open and a short excerpt.

use crate::{Locator, Publication};
use roxmltree::Node;
use serde::{Deserialize, Serialize};

/// Elements whose text is one passage.
const BLOCKS: [&str; 17] =
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "figcaption", "td", "th", "pre", "caption", "div"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub spine: u32,
    pub locator: Locator,
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// Lower case without accents, one output char per input char where possible; returns the
/// folded chars with, for each, the UTF-16 offset of the original char it came from.
fn fold(text: &str) -> (Vec<char>, Vec<u32>) {
    let mut out = Vec::with_capacity(text.len());
    let mut at = Vec::with_capacity(text.len());
    let mut offset = 0u32;
    for c in text.chars() {
        let base: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
            'ç' | 'Ç' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
            'ñ' | 'Ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
            'ý' | 'ÿ' | 'Ý' => "y",
            'œ' | 'Œ' => "oe",
            'æ' | 'Æ' => "ae",
            '’' | '‘' => "'",
            'ﬁ' => "fi",
            'ﬂ' => "fl",
            'ﬀ' => "ff",
            'ﬃ' => "ffi",
            'ﬄ' => "ffl",
            c if c.is_whitespace() => " ",
            _ => "",
        };
        if base.is_empty() {
            for l in c.to_lowercase() {
                out.push(l);
                at.push(offset);
            }
        } else {
            for b in base.chars() {
                out.push(b);
                at.push(offset);
            }
        }
        offset += c.len_utf16() as u32;
    }
    (out, at)
}

fn is_block(n: &Node) -> bool {
    n.is_element() && BLOCKS.contains(&n.tag_name().name())
}

/// Element indices from `<body>` down to `n`.
fn path_of(body: Node, n: Node) -> Vec<u32> {
    let mut path = Vec::new();
    let mut cur = n;
    while cur != body {
        let Some(parent) = cur.parent() else { break };
        let i = parent.children().filter(|c| c.is_element()).position(|c| c == cur).unwrap_or(0);
        path.push(i as u32);
        cur = parent;
    }
    path.reverse();
    path
}

/// The text before a match, starting at a whole word when it was cut.
fn excerpt_before(text: &str, cut: bool) -> String {
    match (cut, text.split_once(' ')) {
        (true, Some((_, rest))) => format!("…{rest}"),
        _ => text.to_owned(),
    }
}

/// The text after a match, ending at a whole word when it was cut.
fn excerpt_after(text: &str, cut: bool) -> String {
    match (cut, text.rsplit_once(' ')) {
        (true, Some((head, _))) => format!("{head}…"),
        _ => text.to_owned(),
    }
}

/// One passage of a book: an innermost block's text and where it is.
#[derive(Debug, Clone)]
struct Passage {
    spine: u32,
    path: Vec<u32>,
    text: String,
}

/// A book's passages, read and parsed once: searching it again reads and parses nothing (the
/// server keeps one per open book).
#[derive(Debug, Clone, Default)]
pub struct BookText {
    passages: Vec<Passage>,
}

impl BookText {
    /// The passages of the reading order, then of the rest of the spine, read through `read`.
    pub fn extract(publication: &Publication, mut read: impl FnMut(&str) -> Option<Vec<u8>>) -> Self {
        let mut passages = Vec::new();
        let order = publication
            .reading_order()
            .map(|(i, _)| i)
            .chain(publication.spine.iter().enumerate().filter(|(_, s)| !s.linear).map(|(i, _)| i as u32));
        for i in order {
            let item = &publication.spine[i as usize];
            if !item.media_type.contains("html") {
                continue;
            }
            let Some(bytes) = read(&item.href) else { continue };
            passages_of(i, &String::from_utf8_lossy(&bytes), &mut passages);
        }
        Self { passages }
    }

    /// Every passage holding `query` (ignoring case and accents), up to `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let mut hits = Vec::new();
        let (needle, _) = fold(query.trim());
        if query.trim().chars().count() < 2 || needle.is_empty() {
            return hits;
        }
        for p in &self.passages {
            for m in matches_in(&p.text, &needle, limit - hits.len()) {
                hits.push(Hit {
                    spine: p.spine,
                    locator: Locator::Text { spine: p.spine, path: p.path.clone(), offset: m.offset },
                    before: m.before,
                    matched: m.matched,
                    after: m.after,
                });
            }
            if hits.len() >= limit {
                break;
            }
        }
        hits
    }
}

/// The innermost blocks of one content document (a list item holding paragraphs is read
/// through them).
fn passages_of(spine: u32, xhtml: &str, out: &mut Vec<Passage>) {
    let Ok(doc) = crate::xml::parse("", xhtml) else { return };
    let Some(body) = doc.descendants().find(|n| n.tag_name().name() == "body") else { return };
    for el in body.descendants().filter(is_block) {
        if el.descendants().skip(1).any(|d| is_block(&d)) {
            continue;
        }
        let text: String = el.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect();
        if !text.trim().is_empty() {
            out.push(Passage { spine, path: path_of(body, el), text });
        }
    }
}

/// A match in a text: where it starts (UTF-16 offset), with the words around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excerpt {
    pub offset: u32,
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// Up to `limit` matches of the folded `needle` in `text`.
fn matches_in(text: &str, needle: &[char], limit: usize) -> Vec<Excerpt> {
    let mut out = Vec::new();
    let (folded, at) = fold(text);
    let chars: Vec<char> = text.chars().collect();
    // Back from UTF-16 offsets to char indices for the excerpt.
    let char_at = |u16: u32| chars_at(text, u16) as usize;
    let squeeze = |v: &[char]| v.iter().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut i = 0;
    while i + needle.len() <= folded.len() && out.len() < limit {
        if folded[i..i + needle.len()] == needle[..] {
            let start16 = at[i];
            let s = char_at(start16);
            let e = if i + needle.len() < at.len() { char_at(at[i + needle.len()]) } else { chars.len() };
            out.push(Excerpt {
                offset: start16,
                before: excerpt_before(&squeeze(&chars[s.saturating_sub(50)..s]), s > 50),
                matched: chars[s..e].iter().collect(),
                after: excerpt_after(&squeeze(&chars[e..(e + 50).min(chars.len())]), e + 50 < chars.len()),
            });
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// How many characters of `text` start before UTF-16 offset `units` (the DOM counts UTF-16
/// units; page-text locators count characters).
pub fn chars_at(text: &str, units: u32) -> u32 {
    let mut seen = 0u32;
    text.chars()
        .take_while(|c| {
            let before = seen < units;
            seen += c.len_utf16() as u32;
            before
        })
        .count() as u32
}

/// The UTF-16 offset of character `chars` of `text`.
pub fn units_at(text: &str, chars: u32) -> u32 {
    text.chars().take(chars as usize).map(char::len_utf16).sum::<usize>() as u32
}

/// Searches plain text (a PDF page's), ignoring case, accents and line breaks.
pub fn search_text(text: &str, query: &str, limit: usize) -> Vec<Excerpt> {
    let (needle, _) = fold(query.trim());
    if needle.len() < 2 {
        return Vec::new();
    }
    matches_in(text, &needle, limit)
}

/// Searches the reading order (then the rest of the spine) through `read`, up to `limit` hits.
pub fn search(publication: &Publication, read: impl FnMut(&str) -> Option<Vec<u8>>, query: &str, limit: usize) -> Vec<Hit> {
    if query.trim().chars().count() < 2 {
        return Vec::new();
    }
    BookText::extract(publication, read).search(query, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_and_characters_convert_both_ways() {
        let t = "a😀é b"; // 😀 is two UTF-16 units
        assert_eq!((chars_at(t, 0), chars_at(t, 1), chars_at(t, 3), chars_at(t, 4), chars_at(t, 99)), (0, 1, 2, 3, 5));
        assert_eq!(chars_at(t, 2), 2, "inside a surrogate pair: the character is counted");
        assert_eq!((units_at(t, 0), units_at(t, 2), units_at(t, 5)), (0, 3, 6));
        for c in 0..=5 {
            assert_eq!(chars_at(t, units_at(t, c)), c);
        }
    }

    const DOC: &str = r#"<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head>
<body><section><h1>Chapitre un</h1><p>Il était une fois un <i>élève</i> curieux.</p><ul><li><p>Une œuvre</p></li></ul></section></body></html>"#;

    /// One content document's passages, as spine item `spine`.
    fn document(spine: u32, xhtml: &str) -> BookText {
        let mut passages = Vec::new();
        passages_of(spine, xhtml, &mut passages);
        BookText { passages }
    }

    #[test]
    fn finds_passages_ignoring_case_and_accents() {
        let hits = document(3, DOC).search("eleve", 10);
        assert_eq!(hits.len(), 1);
        let h = &hits[0];
        assert_eq!(h.locator.to_string(), "e:3:0.1:21");
        assert_eq!((h.before.as_str(), h.matched.as_str(), h.after.as_str()), ("Il était une fois un", "élève", "curieux."));
        let hits = document(3, DOC).search("OEUVRE", 10);
        assert_eq!(hits[0].locator.to_string(), "e:3:0.2.0.0:4", "the innermost passage");
        let hits = document(0, DOC).search("absent", 10);
        assert!(hits.is_empty());
    }

    #[test]
    fn plain_text_across_lines_and_ligatures() {
        let hits = search_text("The ﬁrst paragraph.\nThe second\nparagraph about an élève.", "first", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].matched, "ﬁrst");
        let hits = search_text("The second\nparagraph", "second paragraph", 10);
        assert_eq!(hits.len(), 1, "a line break is a space");
        assert_eq!(search_text("une élève", "ELEVE", 10)[0].before, "une");
        assert!(search_text("anything", "a", 10).is_empty(), "one letter is not a search");
    }
}
