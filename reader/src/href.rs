//! Paths inside an EPUB: relative references resolved against the file that holds them,
//! percent-decoded, and refused when they leave the archive.

use percent_encoding::percent_decode_str;

/// The folder part of an archive path (`OEBPS/text/ch1.xhtml` → `OEBPS/text/`).
pub fn dir_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    }
}

/// Splits `file#fragment`.
pub fn split_fragment(href: &str) -> (&str, Option<&str>) {
    match href.split_once('#') {
        Some((f, frag)) => (f, Some(frag)),
        None => (href, None),
    }
}

/// Whether a reference points outside the book (a web link, mail, data…).
pub fn is_external(href: &str) -> bool {
    let scheme_end = href.find(':');
    let first_sep = href.find(['/', '?', '#']);
    match (scheme_end, first_sep) {
        (Some(c), Some(s)) => c < s,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Resolves `reference` (relative to the file at `base`) to a normalised archive path, without
/// the fragment. `None` when it is external or climbs above the archive root.
pub fn resolve(base: &str, reference: &str) -> Option<String> {
    let (file, _) = split_fragment(reference.trim());
    if is_external(file) {
        return None;
    }
    let decoded = percent_decode_str(file).decode_utf8().ok()?;
    let joined = if decoded.is_empty() {
        base.to_owned()
    } else if let Some(abs) = decoded.strip_prefix('/') {
        abs.to_owned()
    } else {
        format!("{}{}", dir_of(base), decoded)
    };
    normalise(&joined)
}

/// Removes `.` and `..` segments; `None` when `..` would leave the root.
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_references() {
        assert_eq!(resolve("OEBPS/content.opf", "text/ch1.xhtml").as_deref(), Some("OEBPS/text/ch1.xhtml"));
        assert_eq!(resolve("OEBPS/text/ch1.xhtml", "../images/a%20b.png").as_deref(), Some("OEBPS/images/a b.png"));
        assert_eq!(resolve("OEBPS/text/ch1.xhtml", "#note").as_deref(), Some("OEBPS/text/ch1.xhtml"));
        assert_eq!(resolve("content.opf", "./ch.xhtml#x").as_deref(), Some("ch.xhtml"));
    }

    #[test]
    fn refuses_escapes_and_external_links() {
        assert_eq!(resolve("OEBPS/content.opf", "../../etc/passwd"), None);
        assert_eq!(resolve("a.xhtml", "https://example.org/x"), None);
        assert_eq!(resolve("a.xhtml", "mailto:someone@example.org"), None);
        assert_eq!(resolve("a.xhtml", "javascript:alert(1)"), None);
        assert!(!is_external("images/x:y.png"));
    }
}
