//! The one way the engine parses a book's XML (package, navigation, chapters), on the server
//! and in the browser alike: DTDs are read (XHTML documents carry a DOCTYPE), but a document
//! that declares its own entities is refused outright — books never need them, and entity
//! expansion is how a few kilobytes become gigabytes ("billion laughs") — and the number of
//! nodes is capped, so a crafted chapter cannot exhaust memory on every open.

use crate::EngineError;
use roxmltree::{Document, ParsingOptions};

/// The most nodes a document may have (the largest corpus chapter has about 60 000).
pub const MAX_NODES: u32 = 2_000_000;

/// Why a document was refused as hostile.
pub const ENTITIES: &str = "declares XML entities";
pub const TOO_MANY_NODES: &str = "has more elements than any book";

/// Whether the text declares an entity (`<!ENTITY …>` in an internal DTD subset).
pub fn declares_entities(text: &str) -> bool {
    text.contains("<!ENTITY")
}

/// Parses `text` (named `file` in errors) under the rules above.
pub fn parse<'a>(file: &str, text: &'a str) -> Result<Document<'a>, EngineError> {
    if declares_entities(text) {
        return Err(EngineError::Hostile { file: file.to_owned(), why: ENTITIES });
    }
    let opts = ParsingOptions { allow_dtd: true, nodes_limit: MAX_NODES };
    Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached | roxmltree::Error::EntityReferenceLoop(_) => {
            EngineError::Hostile { file: file.to_owned(), why: TOO_MANY_NODES }
        }
        e => EngineError::Xml { file: file.to_owned(), detail: e.to_string() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_declarations_are_refused_and_doctypes_kept() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><html><body>&b;</body></html>"#;
        assert!(matches!(parse("c.xhtml", laughs), Err(EngineError::Hostile { why: ENTITIES, .. })));
        let plain = r#"<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><body><p>a</p></body></html>"#;
        assert!(parse("c.xhtml", plain).is_ok());
        let public =
            r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd"><html><body/></html>"#;
        assert!(parse("c.xhtml", public).is_ok(), "an external DTD is only named, never fetched");
    }

    #[test]
    fn huge_documents_are_refused() {
        let many = format!("<html><body>{}</body></html>", "<p/>".repeat(MAX_NODES as usize + 10));
        assert!(matches!(parse("big.xhtml", &many), Err(EngineError::Hostile { why: TOO_MANY_NODES, .. })));
    }
}
