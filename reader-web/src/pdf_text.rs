//! The PDF reader's text layer in the DOM: each page's runs of text as transparent spans over
//! the drawing (`.pdf-text > span[data-o]`, `data-o` the run's first character in the page's
//! text). From a selection boundary to a place in the pages' text, and from a passage back to
//! a range over the spans.

use reader::search::{chars_at, units_at};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node, Range};

/// Where a selection boundary falls in the pages' text: (page from 1, character offset).
pub fn text_boundary(node: &Node, offset: u32) -> Option<(u32, u32)> {
    let (span, within) = if node.node_type() == Node::TEXT_NODE {
        (node.parent_element()?, chars_at(&node.text_content().unwrap_or_default(), offset))
    } else {
        let el: Element = node.clone().dyn_into().ok()?;
        let len = |e: &Element| e.text_content().unwrap_or_default().chars().count() as u32;
        if el.class_name() == "pdf-text" {
            // Between runs: the start of the run after, or the end of the last.
            let kids = el.children();
            match kids.item(offset) {
                Some(next) => (next, 0),
                None => {
                    let last = kids.item(kids.length().checked_sub(1)?)?;
                    let n = len(&last);
                    (last, n)
                }
            }
        } else if el.has_attribute("data-o") {
            let n = if offset > 0 { len(&el) } else { 0 };
            (el, n)
        } else {
            return None;
        }
    };
    let base: u32 = span.get_attribute("data-o")?.parse().ok()?;
    let page: u32 = span.closest(".pdf-page").ok()??.get_attribute("data-page")?.parse().ok()?;
    Some((page, base + within))
}

/// A range over the runs of one page's text layer from character `from` to `to`.
pub fn span_range(doc: &Document, layer: &Element, from: u32, to: u32) -> Option<Range> {
    let kids = layer.children();
    let mut start: Option<(Node, u32)> = None;
    let mut end: Option<(Node, u32)> = None;
    for i in 0..kids.length() {
        let span = kids.item(i)?;
        let o: u32 = span.get_attribute("data-o").and_then(|v| v.parse().ok())?;
        let text = span.text_content().unwrap_or_default();
        let len = text.chars().count() as u32;
        let Some(node) = span.first_child() else { continue };
        if o >= to {
            break;
        }
        if start.is_none() && o + len > from {
            start = Some((node.clone(), units_at(&text, from.saturating_sub(o))));
        }
        end = Some((node, units_at(&text, (to - o).min(len))));
    }
    let ((sn, so), (en, eo)) = (start?, end?);
    let range = doc.create_range().ok()?;
    range.set_start(&sn, so).ok()?;
    range.set_end(&en, eo).ok()?;
    (!range.collapsed()).then_some(range)
}
