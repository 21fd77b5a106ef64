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

/// An annotation as a client sends it (create or edit): the wire's note, checked by
/// [`ValidateAnnotation::validate`].
pub type AnnotationInput = reader::wire::Note;

impl Annotation {
    /// As the API shows it.
    pub fn to_wire(&self) -> reader::wire::Note {
        let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        reader::wire::Note {
            id: self.id.clone(),
            book_id: self.book_id.clone(),
            annotation_type: self.annotation_type.as_str().to_owned(),
            position: self.position.clone(),
            selected_text: self.selected_text.clone(),
            content: self.content.clone(),
            color: self.color.clone(),
            created_at: time(&self.created_at),
            updated_at: time(&self.updated_at),
        }
    }
}

/// A time sent by a client: empty is "not said", anything else must be RFC 3339.
fn client_time(raw: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match DateTime::parse_from_rfc3339(raw) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.push(FieldError::new(field, Reason::InvalidFormat));
            None
        }
    }
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

/// Checking what a client sent.
pub trait ValidateAnnotation {
    /// Checks every field, names those that are wrong, and builds the annotation.
    fn validate(&self, now: DateTime<Utc>) -> Result<Annotation, Vec<FieldError>>;
}

impl ValidateAnnotation for AnnotationInput {
    fn validate(&self, now: DateTime<Utc>) -> Result<Annotation, Vec<FieldError>> {
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
        let created = client_time(&self.created_at, "created_at", &mut errors);
        let updated = client_time(&self.updated_at, "updated_at", &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let latest = now + chrono::Duration::minutes(5);
        let clamp = |t: Option<DateTime<Utc>>| t.map_or(now, |t| if t > latest { now } else { t });
        let created_at = clamp(created);
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
            updated_at: clamp(updated.or(created)),
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
        // Times from the client: RFC 3339 or nothing; a wrong one is named, not a crash.
        let offline = AnnotationInput { created_at: "2026-11-20T08:30:00+01:00".into(), ..input() };
        assert_eq!(offline.validate(now).unwrap().created_at, Utc.with_ymd_and_hms(2026, 11, 20, 7, 30, 0).unwrap());
        let garbled = AnnotationInput { created_at: "hier".into(), updated_at: "20/11/2026".into(), ..input() };
        let fields: Vec<String> = garbled.validate(now).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["created_at", "updated_at"]);
    }

    #[test]
    fn the_wire_shows_what_was_stored() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let a = input().validate(now).unwrap();
        let wire = a.to_wire();
        assert_eq!((wire.annotation_type.as_str(), wire.created_at.as_str()), ("highlight", "2026-11-25T12:00:00Z"));
        assert_eq!(wire.validate(now).unwrap(), a, "what the API shows reads back as the same annotation");
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
