//! Coko's reading engine.
//!
//! - [`package`]: what a publication is made of (spine, table of contents, layout, direction),
//!   parsed from the container, the OPF package, the EPUB 3 navigation document or the NCX.
//! - [`locator`]: stable positions inside a book that survive font-size and layout changes.
//! - [`href`]: resolving and normalising the relative paths that EPUBs use between files.
//! - [`archive`] (feature `archive`): opening an `.epub` zip and reading its entries safely.
//! - [`pdf`] (feature `pdf`): PDF pages drawn to pixels, the outline, each page's text.
//!
//! Nothing here touches the DOM: the browser glue lives in `reader-web`.

pub mod href;
pub mod layout;
pub mod locator;
pub mod package;
pub mod search;
pub mod wire;
pub mod xml;

#[cfg(feature = "archive")]
pub mod archive;
#[cfg(feature = "pdf")]
pub mod pdf;

pub use locator::Locator;
pub use package::{Direction, Layout, Publication, Resource, SpineItem, TocEntry};

/// Why a publication cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("not a readable archive: {0}")]
    Archive(String),
    #[error("missing {0}")]
    Missing(String),
    #[error("malformed XML in {file}: {detail}")]
    Xml { file: String, detail: String },
    #[error("the spine is empty")]
    EmptySpine,
    #[error("the file is encrypted")]
    Encrypted,
    /// XML built to exhaust a reader: entity declarations, or more nodes than any book has.
    #[error("hostile XML in {file}: {why}")]
    Hostile { file: String, why: &'static str },
}
