//! A book's annotations as a PDF (the writer is `crate::pdf`).

use crate::pdf::{render, wrap, Line};

/// A book's annotations as a PDF: the same content as the Markdown export.
pub fn annotations_pdf(title: &str, authors: &str, items: &[(String, super::Annotation)]) -> Vec<u8> {
    let mut lines = vec![Line { bold: true, size: 18.0, text: title.to_owned() }];
    if !authors.is_empty() {
        lines.push(Line { bold: false, size: 12.0, text: authors.to_owned() });
    }
    let mut chapter: Option<&str> = None;
    for (ch, a) in items {
        if chapter != Some(ch.as_str()) {
            lines.push(Line { bold: false, size: 8.0, text: String::new() });
            lines.push(Line { bold: true, size: 13.0, text: ch.clone() });
            chapter = Some(ch);
        }
        for l in wrap(&format!("« {} »", a.selected_text), 90).into_iter().filter(|_| !a.selected_text.is_empty()) {
            lines.push(Line { bold: false, size: 11.0, text: l });
        }
        for l in wrap(&a.content, 90).into_iter().filter(|_| !a.content.is_empty()) {
            lines.push(Line { bold: true, size: 11.0, text: l });
        }
        lines.push(Line { bold: false, size: 9.0, text: format!("{} · {}", a.annotation_type.as_str(), a.created_at.format("%Y-%m-%d")) });
        lines.push(Line { bold: false, size: 6.0, text: String::new() });
    }
    render(title, &lines)
}
