//! Ingest: reading an uploaded file, refusing what is broken or hostile, and extracting the
//! metadata an editor starts from. Nothing here writes anywhere.

mod epub_check;
mod epub_meta;
mod pdf_meta;
mod zip_guard;

use crate::catalog::Format;

/// How much an upload may weigh and unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_entries: usize,
    pub max_unpacked_bytes: u64,
    /// Uncompressed/compressed ratio above which a large entry is a zip bomb.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_file_bytes: 200 * 1024 * 1024, max_entries: 10_000, max_unpacked_bytes: 1024 * 1024 * 1024, max_ratio: 100 }
    }
}

/// Why a file was refused. Each variant has a stable code the UI translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("file is larger than the limit")]
    TooLarge,
    #[error("neither an EPUB nor a PDF")]
    UnknownFormat,
    #[error("content is {found}, the name says {expected}")]
    WrongType { expected: &'static str, found: &'static str },
    #[error("not a readable zip archive")]
    NotAZip,
    #[error("archive unpacks to too much (zip bomb)")]
    ZipBomb,
    #[error("archive entry escapes its folder: {0}")]
    PathTraversal(String),
    #[error("META-INF/container.xml is missing")]
    MissingContainer,
    #[error("the package document (OPF) is missing or unreadable: {0}")]
    MissingPackage(String),
    /// The package or navigation document cannot be parsed (the file named).
    #[error("malformed XML in {0}")]
    MalformedXml(String),
    /// XML built to exhaust parsers (entity declarations, absurd node counts).
    #[error("hostile XML in {file}: {why}")]
    HostileXml { file: String, why: &'static str },
    #[error("the spine lists no chapter")]
    EmptySpine,
    /// The package document is too big to be metadata (a title or description of megabytes).
    #[error("the package document is {0} bytes: its metadata is far too long")]
    MetadataTooLong(u64),
    /// Reading the file took longer than ingest allows.
    #[error("reading the file took too long")]
    TooSlow,
    #[error("encrypted files cannot be published")]
    Encrypted,
    #[error("the PDF cannot be read")]
    UnreadablePdf,
}

impl IngestError {
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::TooLarge => "too_large",
            IngestError::UnknownFormat => "unknown_format",
            IngestError::WrongType { .. } => "wrong_type",
            IngestError::NotAZip => "not_a_zip",
            IngestError::ZipBomb => "zip_bomb",
            IngestError::PathTraversal(_) => "path_traversal",
            IngestError::MissingContainer => "missing_container",
            IngestError::MissingPackage(_) => "missing_package",
            IngestError::MalformedXml(_) => "malformed_xml",
            IngestError::HostileXml { .. } => "hostile_xml",
            IngestError::EmptySpine => "empty_spine",
            IngestError::MetadataTooLong(_) => "metadata_too_long",
            IngestError::TooSlow => "too_slow",
            IngestError::Encrypted => "encrypted",
            IngestError::UnreadablePdf => "unreadable_pdf",
        }
    }
}

/// A contributor as the file names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    pub name: String,
    /// MARC relator code, `aut` when the file says nothing.
    pub role: String,
}

/// What a file says about itself.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub format: Option<Format>,
    pub title: String,
    pub subtitle: String,
    pub creators: Vec<Creator>,
    pub language: String,
    pub publisher: String,
    pub description: String,
    pub identifiers: Vec<String>,
    pub isbn: Option<String>,
    pub subjects: Vec<String>,
    pub date: String,
    pub cover: Option<(Vec<u8>, String)>,
    pub spine_length: Option<u32>,
    pub page_count: Option<u32>,
}

/// Recognises a file by its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        Some(Format::Epub)
    } else if bytes.len() >= 5 && bytes[..1024.min(bytes.len())].windows(5).any(|w| w == b"%PDF-") {
        Some(Format::Pdf)
    } else {
        None
    }
}

/// Checks a file and extracts its metadata. `extension` is the uploaded name's, if any.
pub fn inspect(bytes: &[u8], extension: Option<&str>, limits: &Limits) -> Result<Extracted, IngestError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(IngestError::TooLarge);
    }
    let found = sniff(bytes);
    if let Some(expected) = extension.and_then(Format::parse) {
        match found {
            Some(f) if f == expected => {}
            Some(f) => return Err(IngestError::WrongType { expected: expected.as_str(), found: f.as_str() }),
            None if expected == Format::Epub => return Err(IngestError::NotAZip),
            None => return Err(IngestError::WrongType { expected: expected.as_str(), found: "unknown" }),
        }
    }
    let mut out = match found {
        Some(Format::Epub) => {
            zip_guard::check(bytes, limits)?;
            epub_check::check(bytes)?;
            epub_meta::extract(bytes)?
        }
        Some(Format::Pdf) => pdf_meta::extract(bytes)?,
        None => return Err(IngestError::UnknownFormat),
    };
    out.format = found;
    out.isbn = out.identifiers.iter().find_map(|i| isbn_of(i));
    out.strip_bidi_controls();
    Ok(out)
}

impl Extracted {
    /// Metadata never carries direction controls (see [`crate::validation::strip_bidi_controls`]).
    fn strip_bidi_controls(&mut self) {
        use crate::validation::strip_bidi_controls as strip;
        for field in [&mut self.title, &mut self.subtitle, &mut self.language, &mut self.publisher, &mut self.description, &mut self.date] {
            *field = strip(field);
        }
        for c in &mut self.creators {
            c.name = strip(&c.name);
        }
        for s in self.subjects.iter_mut().chain(self.identifiers.iter_mut()) {
            *s = strip(s);
        }
    }
}

/// An ISBN-13 (or ISBN-10, converted) hidden in an identifier such as `urn:isbn:978…`.
pub fn isbn_of(identifier: &str) -> Option<String> {
    let digits: String = identifier.chars().filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x').collect();
    let lower = identifier.to_ascii_lowercase();
    let looks = lower.contains("isbn") || digits.len() == 13 || digits.len() == 10;
    if !looks {
        return None;
    }
    match digits.len() {
        13 if digits.chars().all(|c| c.is_ascii_digit()) && isbn13_ok(&digits) => Some(digits),
        10 if isbn10_ok(&digits) => {
            let base = format!("978{}", &digits[..9]);
            let sum: u32 = base.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 }).sum();
            Some(format!("{base}{}", (10 - sum % 10) % 10))
        }
        _ => None,
    }
}

fn isbn13_ok(d: &str) -> bool {
    let sum: u32 = d.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 }).sum();
    sum.is_multiple_of(10)
}

fn isbn10_ok(d: &str) -> bool {
    let sum: u32 =
        d.chars().enumerate().map(|(i, c)| (10 - i as u32) * if c == 'X' || c == 'x' { 10 } else { c.to_digit(10).unwrap_or(99) }).sum();
    d[..9].chars().all(|c| c.is_ascii_digit()) && sum.is_multiple_of(11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_are_found_and_checked() {
        assert_eq!(isbn_of("urn:isbn:9780316000001").as_deref(), None, "bad check digit");
        assert_eq!(isbn_of("urn:isbn:978-0-306-40615-7").as_deref(), Some("9780306406157"));
        assert_eq!(isbn_of("ISBN 0-306-40615-2").as_deref(), Some("9780306406157"), "ISBN-10 converted");
        assert_eq!(isbn_of("ISBN 0-8044-2957-X").as_deref(), Some("9780804429573"), "X check digit");
        assert_eq!(isbn_of("urn:uuid:1234"), None);
    }

    #[test]
    fn extracted_metadata_loses_direction_controls() {
        let mut e = Extracted {
            title: "\u{202E}gpj.exe".into(),
            creators: vec![Creator { name: "Ali\u{2067}ce".into(), role: "aut".into() }],
            subjects: vec!["\u{202B}Histoire".into()],
            ..Default::default()
        };
        e.strip_bidi_controls();
        assert_eq!((e.title.as_str(), e.creators[0].name.as_str(), e.subjects[0].as_str()), ("gpj.exe", "Alice", "Histoire"));
    }

    #[test]
    fn files_are_recognised_by_content() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Format::Epub));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"<html>"), None);
        let l = Limits::default();
        assert_eq!(inspect(b"%PDF-1.4 x", Some("epub"), &l).unwrap_err(), IngestError::WrongType { expected: "epub", found: "pdf" });
        assert_eq!(inspect(b"hello", Some("epub"), &l).unwrap_err(), IngestError::NotAZip);
        assert_eq!(inspect(b"hello", None, &l).unwrap_err(), IngestError::UnknownFormat);
        let tiny = Limits { max_file_bytes: 3, ..l };
        assert_eq!(inspect(b"hello", None, &tiny).unwrap_err(), IngestError::TooLarge);
    }
}
