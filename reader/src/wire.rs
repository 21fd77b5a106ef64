//! The JSON that crosses between Coko's server and its own code in the browser, defined once:
//! the REST handlers write it (through the domain's conversions), the reader (`reader-web`)
//! and the islands (`app`) read and send it. It lives here because this crate is the one every
//! side already builds, natively and to WASM, with nothing but serde.
//!
//! Times are RFC 3339 strings on the wire; the domain parses and checks them (a bad one is a
//! field error, never a crash).

use serde::{Deserialize, Serialize};

/// A bookmark, highlight or note (the seed's field names). What a client sends and what the
/// API answers: fields a client leaves out are empty (an edit keeps their stored value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub book_id: String,
    /// `bookmark`, `highlight` or `note`.
    #[serde(default)]
    pub annotation_type: String,
    /// A locator, or `start..end` for a passage.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub selected_text: String,
    #[serde(default)]
    pub content: String,
    /// `#rrggbb`, or empty.
    #[serde(default)]
    pub color: String,
    /// When it was made on the client (RFC 3339); empty: now.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_at: String,
    /// When it was last changed (RFC 3339); the newest edit wins.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated_at: String,
}

/// `GET /api/v1/reading/annotations/?book=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    pub annotations: Vec<Note>,
}

/// One book suggested as the reader types in the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    /// The authors' names, joined for display.
    pub authors: String,
    /// The book's page.
    pub href: String,
}

/// `GET /api/v1/catalog/suggest/?q=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_without_times_leaves_them_out_and_reads_back() {
        let note = Note { id: "n1".into(), annotation_type: "bookmark".into(), position: "e:2::0".into(), ..Default::default() };
        let json = serde_json::to_string(&note).unwrap();
        assert!(!json.contains("created_at"), "{json}");
        assert_eq!(serde_json::from_str::<Note>(&json).unwrap(), note);
        // A client may send only what it changes.
        let partial: Note = serde_json::from_str(r##"{"color":"#fde047"}"##).unwrap();
        assert_eq!(partial.color, "#fde047");
        assert!(partial.content.is_empty());
    }
}
