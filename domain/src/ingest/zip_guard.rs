//! Refuses hostile archives before anything reads them: zip bombs, too many entries, and entry
//! names that would escape their folder.

use super::{IngestError, Limits};
use std::io::Cursor;

/// The largest package document (OPF) accepted: the biggest in the corpus is about 200 KB.
pub const MAX_PACKAGE_BYTES: u64 = 4 * 1024 * 1024;

pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), IngestError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| IngestError::NotAZip)?;
    if archive.len() > limits.max_entries {
        return Err(IngestError::ZipBomb);
    }
    let mut total: u64 = 0;
    let mut has_container = false;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| IngestError::NotAZip)?;
        let name = entry.name().map_err(|_| IngestError::NotAZip)?.into_owned();
        if escapes(&name) {
            return Err(IngestError::PathTraversal(name));
        }
        if name == "META-INF/container.xml" {
            has_container = true;
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        // Metadata is kilobytes; a package of megabytes is a title or description gone wild,
        // which is what the editor must hear (not "zip bomb").
        if name.to_ascii_lowercase().ends_with(".opf") && size > MAX_PACKAGE_BYTES {
            return Err(IngestError::MetadataTooLong(size));
        }
        total = total.saturating_add(size);
        if total > limits.max_unpacked_bytes || (size > 1024 * 1024 && size / packed > limits.max_ratio) {
            return Err(IngestError::ZipBomb);
        }
    }
    if !has_container {
        return Err(IngestError::MissingContainer);
    }
    Ok(())
}

/// `../x`, `/etc/x`, `C:\x`, `a/../../x`: names that leave the archive's root.
fn escapes(name: &str) -> bool {
    let normalized = name.replace('\\', "/");
    normalized.starts_with('/')
        || normalized.split('/').any(|part| part == "..")
        || normalized.chars().nth(1) == Some(':')
        || normalized.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::escapes;

    #[test]
    fn traversal_names() {
        for bad in ["../evil", "a/../../evil", "/etc/passwd", "C:\\x", "a\\..\\..\\b"] {
            assert!(escapes(bad), "{bad}");
        }
        for ok in ["OEBPS/ch1.xhtml", "META-INF/container.xml", "a..b/c"] {
            assert!(!escapes(ok), "{ok}");
        }
    }
}
