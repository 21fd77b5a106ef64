//! Locators and the DOM: which element and character a point on the page shows, and where a
//! saved locator is in a freshly laid-out chapter.

use reader::Locator;
use wasm_bindgen::JsCast;
use web_sys::{CharacterData, Document, Element, Node};

const SHOW_TEXT: u32 = 4;

/// The index of `el` among its parent's element children.
fn index_in_parent(el: &Element) -> Option<u32> {
    el.parent_element()?;
    let mut i = 0;
    let mut prev = el.previous_element_sibling();
    while let Some(p) = prev {
        i += 1;
        prev = p.previous_element_sibling();
    }
    Some(i)
}

/// Whether two handles name the same DOM node (JS identity).
fn same(a: &Node, b: &Node) -> bool {
    let a: &wasm_bindgen::JsValue = a.as_ref();
    let b: &wasm_bindgen::JsValue = b.as_ref();
    a == b
}

/// Element indices from `<body>` down to `el`.
fn path_of(body: &Element, el: &Element) -> Vec<u32> {
    let mut path = Vec::new();
    let mut cur = el.clone();
    while !same(&cur, body) {
        let Some(i) = index_in_parent(&cur) else { break };
        path.push(i);
        match cur.parent_element() {
            Some(p) => cur = p,
            None => break,
        }
        if path.len() > reader::locator::MAX_DEPTH {
            break;
        }
    }
    path.reverse();
    path
}

/// A text node's length. Book nodes live in the iframe's realm, where `instanceof` against this
/// window's classes fails: types are checked by `nodeType`, then cast unchecked.
fn text_len(node: &Node) -> u32 {
    match node.node_type() {
        Node::TEXT_NODE | Node::CDATA_SECTION_NODE => node.unchecked_ref::<CharacterData>().length(),
        _ => 0,
    }
}

/// An event target from any realm as an element, when it is one.
pub fn element_of(target: wasm_bindgen::JsValue) -> Option<Element> {
    let kind = js_sys::Reflect::get(&target, &"nodeType".into()).ok()?.as_f64()?;
    (kind as u16 == Node::ELEMENT_NODE).then(|| target.unchecked_into())
}

/// Characters (UTF-16 units, as the DOM counts) of `el`'s text before `node`.
fn chars_before(doc: &Document, el: &Element, node: &Node) -> u32 {
    let Ok(walker) = doc.create_tree_walker_with_what_to_show(el, SHOW_TEXT) else { return 0 };
    let mut total = 0;
    while let Ok(Some(n)) = walker.next_node() {
        if same(&n, node) {
            break;
        }
        total += text_len(&n);
    }
    total
}

/// The locator of the text at viewport point (x, y) of `doc`, if there is text there.
pub fn locator_at_point(doc: &Document, spine: u32, x: f32, y: f32) -> Option<Locator> {
    let body = doc.body()?;
    let caret = doc.caret_position_from_point(x, y)?;
    let node = caret.offset_node()?;
    if node.node_type() != Node::TEXT_NODE {
        return None;
    }
    let el = node.parent_element()?;
    if !body.contains(Some(&el)) {
        return None;
    }
    // Points in a margin snap to the nearest text, which may be on another page: keep only
    // a caret that is really on screen.
    let at = caret.offset();
    let range = doc.create_range().ok()?;
    let len = text_len(&node);
    range.set_start(&node, at.min(len)).ok()?;
    range.set_end(&node, (at + 1).min(len)).ok()?;
    let rect = range.get_bounding_client_rect();
    let width = doc.document_element().map_or(0, |r| r.client_width()) as f64;
    let height = doc.document_element().map_or(0, |r| r.client_height()) as f64;
    if rect.right() <= 0.0 || rect.left() >= width || rect.bottom() <= 0.0 || rect.top() >= height {
        return None;
    }
    let offset = chars_before(doc, &el, &node) + at;
    Some(Locator::Text { spine, path: path_of(&body, &el), offset })
}

/// The first locator found scanning down from the top of the visible page.
pub fn first_visible(doc: &Document, spine: u32, x: f64, top: f64, bottom: f64, rtl: bool) -> Locator {
    let mut y = top;
    while y < bottom {
        for dx in [0.0, 24.0, 64.0] {
            let x = if rtl { x - dx } else { x + dx };
            if let Some(l) = locator_at_point(doc, spine, x as f32, y as f32) {
                return l;
            }
        }
        y += 12.0;
    }
    Locator::start_of(spine)
}

/// The element a path leads to (as deep as it still exists).
fn element_at(body: &Element, path: &[u32]) -> (Element, bool) {
    let mut cur = body.clone();
    for i in path {
        match cur.children().item(*i) {
            Some(next) => cur = next,
            None => return (cur, false),
        }
    }
    (cur, true)
}

/// Where a locator is now, in viewport coordinates of `doc`: (left, top).
pub fn position_of(doc: &Document, locator: &Locator) -> Option<(f64, f64)> {
    let Locator::Text { path, offset, .. } = locator else { return None };
    let body = doc.body()?;
    let (el, exact) = element_at(&body, path);
    if exact {
        if let Ok(walker) = doc.create_tree_walker_with_what_to_show(&el, SHOW_TEXT) {
            let mut left = *offset;
            while let Ok(Some(n)) = walker.next_node() {
                let len = text_len(&n);
                if left < len || (left == len && len > 0) {
                    let range = doc.create_range().ok()?;
                    let at = left.min(len.saturating_sub(1));
                    range.set_start(&n, at).ok()?;
                    range.set_end(&n, (at + 1).min(len)).ok()?;
                    let rect = range.get_bounding_client_rect();
                    if rect.width() > 0.0 || rect.height() > 0.0 {
                        return Some((rect.left(), rect.top()));
                    }
                    break;
                }
                left -= len;
            }
        }
    }
    let rect = el.get_bounding_client_rect();
    Some((rect.left(), rect.top()))
}

/// Where the element with this id is, in viewport coordinates.
pub fn position_of_id(doc: &Document, id: &str) -> Option<(f64, f64)> {
    let el = doc.get_element_by_id(id)?;
    let rect = el.get_bounding_client_rect();
    Some((rect.left(), rect.top()))
}

/// The locator of a DOM boundary point (a selection's start or end).
pub fn locator_of_boundary(doc: &Document, spine: u32, node: &Node, offset: u32) -> Option<Locator> {
    let body = doc.body()?;
    match node.node_type() {
        Node::TEXT_NODE | Node::CDATA_SECTION_NODE => {
            let el = node.parent_element()?;
            Some(Locator::Text { spine, path: path_of(&body, &el), offset: chars_before(doc, &el, node) + offset.min(text_len(node)) })
        }
        Node::ELEMENT_NODE => {
            let el: &Element = node.unchecked_ref();
            let kids = node.child_nodes();
            match kids.item(offset) {
                Some(child) if child.node_type() == Node::ELEMENT_NODE => {
                    Some(Locator::Text { spine, path: path_of(&body, child.unchecked_ref::<Element>()), offset: 0 })
                }
                Some(child) => Some(Locator::Text { spine, path: path_of(&body, el), offset: chars_before(doc, el, &child) }),
                // After the last child: the end of this element's text.
                None => {
                    let total = el.text_content().map_or(0, |t| t.encode_utf16().count() as u32);
                    Some(Locator::Text { spine, path: path_of(&body, el), offset: total })
                }
            }
        }
        _ => None,
    }
}

/// The DOM boundary point of a locator: a text node and an offset in it.
fn boundary_of(doc: &Document, locator: &Locator) -> Option<(Node, u32)> {
    let Locator::Text { path, offset, .. } = locator else { return None };
    let body = doc.body()?;
    let (el, _) = element_at(&body, path);
    let walker = doc.create_tree_walker_with_what_to_show(&el, SHOW_TEXT).ok()?;
    let mut left = *offset;
    let mut last = None;
    while let Ok(Some(n)) = walker.next_node() {
        let len = text_len(&n);
        if left <= len {
            return Some((n, left));
        }
        left -= len;
        last = Some((n, len));
    }
    last.or_else(|| Some((el.into(), 0)))
}

/// The DOM range of an annotation position (`a..b`, or a single locator: an empty range).
pub fn range_of(doc: &Document, position: &str) -> Option<web_sys::Range> {
    let (a, b) = position.split_once("..").unwrap_or((position, position));
    let (start, end) = (Locator::parse(a).ok()?, Locator::parse(b).ok()?);
    let (sn, so) = boundary_of(doc, &start)?;
    let (en, eo) = boundary_of(doc, &end)?;
    let range = doc.create_range().ok()?;
    range.set_start(&sn, so).ok()?;
    range.set_end(&en, eo).ok()?;
    Some(range)
}
