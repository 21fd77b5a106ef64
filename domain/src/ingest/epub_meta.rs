//! EPUB 2 and 3 metadata through the `epub` crate: titles (with EPUB 3 title types), creators
//! with roles, language, publisher, description, identifiers, subjects, date, cover, spine.

use super::{Creator, Extracted, IngestError};
use epub::doc::{DocError, EpubDoc, MetadataItem};
use std::io::Cursor;

pub fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let mut doc = EpubDoc::from_reader(Cursor::new(bytes.to_vec())).map_err(|e| match e {
        // The `epub` crate's XML errors are its internals ("Invalid State; this is a bug"):
        // the engine's check before it already named any file the reader cannot parse.
        DocError::XmlError(_) => IngestError::MalformedXml("content.opf".into()),
        DocError::ArchiveError(a) => IngestError::MissingPackage(a.to_string()),
        DocError::IOError(io) => IngestError::MissingPackage(io.to_string()),
        DocError::InvalidEpub => IngestError::MissingPackage("invalid package".into()),
    })?;
    let all = |prop: &str| -> Vec<&MetadataItem> { doc.metadata.iter().filter(|m| m.property == prop).collect() };
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");

    let titles = all("title");
    let main = titles
        .iter()
        .find(|t| t.refinement("title-type").is_some_and(|r| r.value == "main"))
        .or_else(|| titles.first())
        .map(|t| clean(&t.value))
        .unwrap_or_default();
    let subtitle = titles
        .iter()
        .find(|t| t.refinement("title-type").is_some_and(|r| r.value == "subtitle"))
        .map(|t| clean(&t.value))
        .unwrap_or_default();
    let mut creators: Vec<Creator> = Vec::new();
    for prop in ["creator", "contributor"] {
        for c in all(prop) {
            let name = clean(&c.value);
            if name.is_empty() || creators.iter().any(|x| x.name == name) {
                continue;
            }
            let role = c.refinement("role").map(|r| r.value.trim().to_ascii_lowercase()).unwrap_or_else(|| {
                if prop == "creator" {
                    "aut".into()
                } else {
                    "ctb".into()
                }
            });
            creators.push(Creator { name, role });
        }
    }
    let first = |prop: &str| all(prop).first().map(|m| clean(&m.value)).unwrap_or_default();
    let description = strip_tags(&first("description"));
    let identifiers = all("identifier").iter().map(|m| m.value.trim().to_owned()).filter(|v| !v.is_empty()).collect();
    let subjects = all("subject").iter().map(|m| clean(&m.value)).filter(|v| !v.is_empty()).collect();
    let language = first("language");
    let publisher = first("publisher");
    let date = first("date");
    let spine_length = Some(doc.spine.len() as u32);
    let cover = doc.get_cover().filter(|(b, mime)| !b.is_empty() && mime.starts_with("image/"));
    Ok(Extracted {
        format: None,
        title: main,
        subtitle,
        creators,
        language,
        publisher,
        description,
        identifiers,
        isbn: None,
        subjects,
        date,
        cover,
        spine_length,
        page_count: None,
    })
}

/// Descriptions sometimes carry HTML; the catalogue shows plain text.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}
