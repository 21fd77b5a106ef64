//! A position in a book that does not depend on how the book is laid out.
//!
//! Reflowable EPUB: the spine item, the path of element indices from `<body>` down to the
//! element that holds the position, and a character offset into that element's text. A font
//! size, margin or theme change moves pages around but not this. PDF: a page number, and for a
//! passage of its text a character offset into the page's text as [`crate::pdf`] extracts it.
//!
//! Written as text for storage and the API: `e:3:1.4.2:120` (spine 3, body's child 1, its
//! child 4, its child 2, 120 characters in), `p:12` (page 12, from 1) and `p:12:340` (340
//! characters into page 12's text).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// Deepest element path accepted (real books nest far less).
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Locator {
    Text {
        spine: u32,
        path: Vec<u32>,
        offset: u32,
    },
    Page {
        page: u32,
    },
    /// A place in a PDF page's text: `offset` characters into it.
    PageText {
        page: u32,
        offset: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a locator")]
pub struct BadLocator;

impl Locator {
    /// The start of a spine item.
    pub fn start_of(spine: u32) -> Self {
        Locator::Text { spine, path: Vec::new(), offset: 0 }
    }

    pub fn parse(raw: &str) -> Result<Self, BadLocator> {
        let raw = raw.trim();
        if raw.len() > 600 {
            return Err(BadLocator);
        }
        let num = |s: &str| -> Result<u32, BadLocator> {
            if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadLocator);
            }
            s.parse().map_err(|_| BadLocator)
        };
        let mut parts = raw.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("p"), Some(page), None, None, None) => {
                let page = num(page)?;
                if page == 0 {
                    return Err(BadLocator);
                }
                Ok(Locator::Page { page })
            }
            (Some("p"), Some(page), Some(offset), None, None) => {
                let page = num(page)?;
                if page == 0 {
                    return Err(BadLocator);
                }
                Ok(Locator::PageText { page, offset: num(offset)? })
            }
            (Some("e"), Some(spine), Some(path), Some(offset), None) => {
                let path: Vec<u32> = if path.is_empty() { Vec::new() } else { path.split('.').map(num).collect::<Result<_, _>>()? };
                if path.len() > MAX_DEPTH {
                    return Err(BadLocator);
                }
                Ok(Locator::Text { spine: num(spine)?, path, offset: num(offset)? })
            }
            _ => Err(BadLocator),
        }
    }

    pub fn spine(&self) -> Option<u32> {
        match self {
            Locator::Text { spine, .. } => Some(*spine),
            Locator::Page { .. } | Locator::PageText { .. } => None,
        }
    }

    /// The PDF page (from 1) a page or page-text locator is on.
    pub fn page(&self) -> Option<u32> {
        match self {
            Locator::Page { page } | Locator::PageText { page, .. } => Some(*page),
            Locator::Text { .. } => None,
        }
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locator::Page { page } => write!(f, "p:{page}"),
            Locator::PageText { page, offset } => write!(f, "p:{page}:{offset}"),
            Locator::Text { spine, path, offset } => {
                let path: Vec<String> = path.iter().map(u32::to_string).collect();
                write!(f, "e:{spine}:{}:{offset}", path.join("."))
            }
        }
    }
}

impl From<Locator> for String {
    fn from(l: Locator) -> String {
        l.to_string()
    }
}

impl TryFrom<String> for Locator {
    type Error = BadLocator;
    fn try_from(s: String) -> Result<Self, BadLocator> {
        Locator::parse(&s)
    }
}

/// Reading order: earlier in the book is less. Text and page locators do not compare.
impl PartialOrd for Locator {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            // The top of a page comes before any of its text.
            (Locator::Page { .. } | Locator::PageText { .. }, Locator::Page { .. } | Locator::PageText { .. }) => {
                let key = |l: &Locator| match *l {
                    Locator::Page { page } => (page, None),
                    Locator::PageText { page, offset } => (page, Some(offset)),
                    Locator::Text { .. } => (0, None),
                };
                Some(key(self).cmp(&key(other)))
            }
            (Locator::Text { spine: s1, path: p1, offset: o1 }, Locator::Text { spine: s2, path: p2, offset: o2 }) => {
                Some(s1.cmp(s2).then_with(|| match (p1.starts_with(p2) || p2.starts_with(p1), p1.cmp(p2)) {
                    // One element holds the other: the offset is into the outer one's text, so
                    // only the element order is known; the deeper one comes at or after.
                    (true, Ordering::Equal) => o1.cmp(o2),
                    (_, ord) => ord,
                }))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for raw in ["e:3:1.4.2:120", "e:0::0", "p:12", "p:12:340", "p:1:0"] {
            assert_eq!(Locator::parse(raw).unwrap().to_string(), raw);
        }
        let json = serde_json::to_string(&Locator::start_of(2)).unwrap();
        assert_eq!(json, "\"e:2::0\"");
        assert_eq!(serde_json::from_str::<Locator>(&json).unwrap(), Locator::start_of(2));
    }

    #[test]
    fn refuses_garbage() {
        for raw in
            ["", "e:1", "e:x::0", "p:0", "p:-1", "e:1:1..2:0", "q:1", "e:1:1:2:3", "p:99999999999", "p:0:4", "p:3:", "p:3:x", "p:3:1:2"]
        {
            assert!(Locator::parse(raw).is_err(), "{raw}");
        }
        let deep = format!("e:0:{}:0", vec!["1"; MAX_DEPTH + 1].join("."));
        assert!(Locator::parse(&deep).is_err());
    }

    #[test]
    fn orders_in_reading_order() {
        let l = |s: &str| Locator::parse(s).unwrap();
        assert!(l("e:1:5:0") < l("e:2::0"));
        assert!(l("e:2:1.3:9") < l("e:2:1.4:0"));
        assert!(l("e:2:1.4:3") < l("e:2:1.4:30"));
        assert!(l("p:2") < l("p:10"));
        assert!(l("p:2") < l("p:2:0"));
        assert!(l("p:2:40") < l("p:2:400"));
        assert!(l("p:2:400") < l("p:3"));
        assert_eq!(l("p:7:3").page(), Some(7));
        assert_eq!(l("p:2:5").partial_cmp(&l("e:0::0")), None);
        assert_eq!(l("p:2").partial_cmp(&l("e:0::0")), None);
    }
}
