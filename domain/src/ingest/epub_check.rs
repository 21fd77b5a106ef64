//! Everything the reader will parse later, parsed once at ingest under the reader's own rules
//! (`reader::xml`): a book that declares XML entities anywhere, or whose package, contents or
//! chapters are built to exhaust a parser, is refused here instead of failing on every open.
//! Chapters that are merely malformed stay accepted: browsers render them as they can.

use super::IngestError;
use reader::archive::{Archive, MAX_ENTRY_BYTES};
use reader::EngineError;
use std::io::{Cursor, Read};
use std::sync::Arc;

/// Entries parsed as XML by someone: the engine, the browser, or the `epub` crate.
fn is_xml(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".opf", ".ncx", ".xhtml", ".xht", ".html", ".htm", ".xml", ".svg", ".smil"].iter().any(|e| lower.ends_with(e))
}

pub fn check(bytes: &[u8]) -> Result<(), IngestError> {
    refuse_entity_declarations(bytes)?;
    let archive = Archive::open(Arc::from(bytes)).map_err(|_| IngestError::NotAZip)?;
    let publication = archive.publication().map_err(|e| match e {
        EngineError::Hostile { file, why } => IngestError::HostileXml { file, why },
        EngineError::Xml { file, .. } => IngestError::MalformedXml(file),
        EngineError::EmptySpine => IngestError::EmptySpine,
        other => IngestError::MissingPackage(other.to_string()),
    })?;
    for item in publication.spine.iter().filter(|i| i.media_type.contains("xml")) {
        let Some(raw) = archive.read(&item.href) else { continue };
        let text = String::from_utf8_lossy(&raw);
        if let Err(EngineError::Hostile { file, why }) = reader::xml::parse(&item.href, &text) {
            return Err(IngestError::HostileXml { file, why });
        }
    }
    Ok(())
}

/// Before any parser runs: no XML entry may declare entities (`<!ENTITY`).
fn refuse_entity_declarations(bytes: &[u8]) -> Result<(), IngestError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| IngestError::NotAZip)?;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| IngestError::NotAZip)?;
        let name = entry.name().map_err(|_| IngestError::NotAZip)?.into_owned();
        if entry.is_dir() || !is_xml(&name) {
            continue;
        }
        let mut text = Vec::new();
        entry.take(MAX_ENTRY_BYTES).read_to_end(&mut text).map_err(|_| IngestError::NotAZip)?;
        if reader::xml::declares_entities(&String::from_utf8_lossy(&text)) {
            return Err(IngestError::HostileXml { file: name, why: reader::xml::ENTITIES });
        }
    }
    Ok(())
}
