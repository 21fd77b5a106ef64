//! Bookmarks, highlights and notes: what a reader marks in a book, anchored by locators so
//! they stay on the same text whatever the layout.

use super::Locator;
use crate::error::{FieldError, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The five highlight colours the reader offers (any `#rrggbb` is accepted from clients).
pub use reader::layout::HIGHLIGHT_COLOURS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationKind {
    Highlight,
    Note,
    Bookmark,
}

impl AnnotationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationKind::Highlight => "highlight",
            AnnotationKind::Note => "note",
            AnnotationKind::Bookmark => "bookmark",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "highlight" => Some(Self::Highlight),
            "note" => Some(Self::Note),
            "bookmark" => Some(Self::Bookmark),
            _ => None,
        }
    }
}

/// An annotation as stored and as the API shows it (the seed's field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub id: String,
    pub book_id: String,
    pub annotation_type: AnnotationKind,
    /// A locator, or `start..end` for a passage.
    pub position: String,
    pub selected_text: String,
    pub content: String,
    pub color: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Annotation {
    /// Where the annotation starts (for ordering and jumping to it).
    pub fn start(&self) -> Option<Locator> {
        Locator::parse(self.position.split("..").next().unwrap_or("")).ok()
    }
}

/// An annotation as a client sends it (create or edit).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnnotationInput {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub book_id: String,
    #[serde(default)]
    pub annotation_type: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub selected_text: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub color: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

fn is_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn valid_position(p: &str) -> bool {
    match p.split_once("..") {
        Some((a, b)) => match (Locator::parse(a), Locator::parse(b)) {
            (Ok(a), Ok(b)) => a.partial_cmp(&b).is_some_and(|o| o != std::cmp::Ordering::Greater),
            _ => false,
        },
        None => Locator::parse(p).is_ok(),
    }
}

impl AnnotationInput {
    /// Checks every field, names those that are wrong, and builds the annotation.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<Annotation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = self.id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&id).is_err() {
            errors.push(FieldError::new("id", if id.is_empty() { Reason::Required } else { Reason::InvalidFormat }));
        }
        let kind = AnnotationKind::parse(self.annotation_type.trim());
        if kind.is_none() {
            errors
                .push(FieldError::new("annotation_type", if self.annotation_type.is_empty() { Reason::Required } else { Reason::Unknown }));
        }
        if self.book_id.trim().is_empty() {
            errors.push(FieldError::new("book_id", Reason::Required));
        }
        let position = self.position.trim();
        if !valid_position(position) {
            errors.push(FieldError::new("position", if position.is_empty() { Reason::Required } else { Reason::InvalidFormat }));
        }
        if self.selected_text.chars().count() > 5000 {
            errors.push(FieldError::new("selected_text", Reason::TooLong));
        }
        if self.content.chars().count() > 10_000 {
            errors.push(FieldError::new("content", Reason::TooLong));
        }
        let color = self.color.trim().to_ascii_lowercase();
        if !color.is_empty() && !is_colour(&color) {
            errors.push(FieldError::new("color", Reason::InvalidFormat));
        }
        if kind == Some(AnnotationKind::Highlight) && self.selected_text.trim().is_empty() {
            errors.push(FieldError::new("selected_text", Reason::Required));
        }
        if kind == Some(AnnotationKind::Note) && self.content.trim().is_empty() {
            errors.push(FieldError::new("content", Reason::Required));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let latest = now + chrono::Duration::minutes(5);
        let clamp = |t: Option<DateTime<Utc>>| t.map_or(now, |t| if t > latest { now } else { t });
        let created_at = clamp(self.created_at);
        let kind = kind.unwrap_or(AnnotationKind::Bookmark);
        let color = match (color.is_empty(), kind) {
            (true, AnnotationKind::Highlight) => HIGHLIGHT_COLOURS[0].to_owned(),
            _ => color,
        };
        Ok(Annotation {
            id,
            book_id: self.book_id.trim().to_owned(),
            annotation_type: kind,
            position: position.to_owned(),
            selected_text: self.selected_text.trim().to_owned(),
            content: self.content.trim().to_owned(),
            color,
            created_at,
            updated_at: clamp(self.updated_at.or(self.created_at)),
        })
    }
}

/// A book's annotations as Markdown: title, authors, then each passage with its chapter,
/// quote, note and date.
pub fn to_markdown(title: &str, authors: &str, items: &[(String, Annotation)]) -> String {
    let mut md = format!("# {title}\n\n");
    if !authors.is_empty() {
        md += &format!("*{authors}*\n\n");
    }
    let mut chapter = None;
    for (ch, a) in items {
        if chapter.as_deref() != Some(ch.as_str()) {
            md += &format!("## {ch}\n\n");
            chapter = Some(ch.clone());
        }
        if !a.selected_text.is_empty() {
            for line in a.selected_text.lines() {
                md += &format!("> {line}\n");
            }
            md += "\n";
        }
        if !a.content.is_empty() {
            md += &format!("{}\n\n", a.content);
        }
        md += &format!("— {} · {}\n\n", a.annotation_type.as_str(), a.created_at.format("%Y-%m-%d"));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input() -> AnnotationInput {
        AnnotationInput {
            id: "0192d3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d".into(),
            book_id: "b1".into(),
            annotation_type: "highlight".into(),
            position: "e:6:0.1.4:10..e:6:0.1.4:42".into(),
            selected_text: "Call me Ishmael.".into(),
            content: "Le début le plus célèbre.".into(),
            color: "#86EFAC".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates_and_normalises() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let a = input().validate(now).unwrap();
        assert_eq!(a.color, "#86efac");
        assert_eq!(a.start().unwrap().to_string(), "e:6:0.1.4:10");
        let bad = AnnotationInput {
            id: "x".into(),
            annotation_type: "scribble".into(),
            position: "e:6::9..e:5::0".into(),
            color: "red".into(),
            ..input()
        };
        let fields: Vec<String> = bad.validate(now).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id", "annotation_type", "position", "color"]);
        let note = AnnotationInput { annotation_type: "note".into(), content: " ".into(), ..input() };
        assert_eq!(note.validate(now).unwrap_err()[0].field, "content");
        let bookmark = AnnotationInput {
            annotation_type: "bookmark".into(),
            position: "p:3".into(),
            selected_text: String::new(),
            color: String::new(),
            ..input()
        };
        assert!(bookmark.validate(now).is_ok());
    }

    #[test]
    fn markdown_export_groups_by_chapter() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let a = input().validate(now).unwrap();
        let md = to_markdown("Moby-Dick", "Herman Melville", &[("Chapter 1. Loomings.".into(), a)]);
        assert!(md.starts_with("# Moby-Dick\n\n*Herman Melville*"));
        assert!(md.contains("## Chapter 1. Loomings.\n\n> Call me Ishmael.\n\nLe début le plus célèbre.\n\n— highlight · 2026-11-25"));
    }
}
