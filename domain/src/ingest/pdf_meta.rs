//! PDF: the checks that need no renderer. Encrypted files are refused; the title and author
//! are read from an uncompressed Info dictionary when there is one, and the page count from
//! uncompressed page objects. Files that keep these in compressed object streams get their
//! metadata from the editor until the PDF engine lands (see the reader issue).

use super::{Creator, Extracted, IngestError};

pub fn extract(bytes: &[u8]) -> Result<Extracted, IngestError> {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    if contains(tail, b"/Encrypt") {
        return Err(IngestError::Encrypted);
    }
    let title = info_string(bytes, b"/Title").unwrap_or_default();
    let author = info_string(bytes, b"/Author").unwrap_or_default();
    let pages = count_pages(bytes);
    Ok(Extracted {
        title,
        creators: if author.is_empty() { vec![] } else { vec![Creator { name: author, role: "aut".into() }] },
        page_count: (pages > 0).then_some(pages),
        ..Default::default()
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `/Type /Page` objects (not `/Pages`).
fn count_pages(bytes: &[u8]) -> u32 {
    let mut n = 0;
    let mut i = 0;
    while let Some(pos) = find(&bytes[i..], b"/Type") {
        let mut j = i + pos + 5;
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\n' || bytes[j] == b'\r') {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && !bytes[j..].starts_with(b"/Pages") {
            n += 1;
        }
        i = j;
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A literal string `(…)` after `key` in an uncompressed Info dictionary.
fn info_string(bytes: &[u8], key: &[u8]) -> Option<String> {
    let pos = find(bytes, key)? + key.len();
    let rest = &bytes[pos..bytes.len().min(pos + 1024)];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    if rest[start] != b'(' {
        return None;
    }
    let mut depth = 0;
    let mut out = Vec::new();
    let mut escaped = false;
    for &b in &rest[start..] {
        if escaped {
            out.push(b);
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b'(' => {
                depth += 1;
                if depth > 1 {
                    out.push(b)
                }
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                out.push(b)
            }
            _ => out.push(b),
        }
    }
    let text = if out.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = out[2..].chunks(2).filter(|c| c.len() == 2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        out.iter().map(|&b| b as char).collect()
    };
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}
