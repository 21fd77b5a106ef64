//! Domain events: what a command changed, written in the command's own transaction (see
//! [`crate::store::Tx::event`]) and handed by the dispatcher to the areas that react to it, as
//! jobs of the durable queue ([`crate::jobs`]). A service never calls another area inline.

use serde::{Deserialize, Serialize};

/// One thing that happened. Stored as JSON with its `kind`; new variants may be added freely,
/// an old row whose kind a newer build no longer knows is dispatched to nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A book entered the catalogue (upload, `coko import`, demo data).
    BookAdded { book_id: String },
    /// What readers see of a book changed: status, offer, metadata, its authors, publisher or
    /// categories.
    BookChanged { book_id: String },
    /// A book left the catalogue.
    BookDeleted { book_id: String },
    /// Someone asked for the search index to be rebuilt from the database (`coko reindex`).
    SearchRebuildAsked,
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::BookAdded { .. } => "book_added",
            Event::BookChanged { .. } => "book_changed",
            Event::BookDeleted { .. } => "book_deleted",
            Event::SearchRebuildAsked => "search_rebuild_asked",
        }
    }

    /// The book an event is about, if it is about one.
    pub fn book_id(&self) -> Option<&str> {
        match self {
            Event::BookAdded { book_id } | Event::BookChanged { book_id } | Event::BookDeleted { book_id } => Some(book_id),
            Event::SearchRebuildAsked => None,
        }
    }
}

/// An event as stored: its place in the log and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub at_ms: i64,
    /// `None` when this build does not know the kind.
    pub event: Option<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_stored_with_their_kind() {
        let e = Event::BookChanged { book_id: "b1".into() };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"book_changed","book_id":"b1"}"#, "the migration of the search outbox writes this shape");
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
        assert_eq!(e.kind(), "book_changed");
        assert!(serde_json::from_str::<Event>(r#"{"kind":"from_the_future"}"#).is_err());
    }
}
