//! Bookmarks, highlights and notes in the reader: made from the selection, painted with the
//! CSS Custom Highlight API (the book's DOM is never rewritten, so locators stay valid), listed
//! in the notes panel, saved through the reading API with client-made ids.

use crate::dom;
use reader::layout::{highlight_name, HIGHLIGHT_COLOURS};
use reader::Locator;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Response, Window};

/// A note as the reading API sends and takes it (defined once, in `reader::wire`).
pub use reader::wire::Note;

/// Where a note starts in the book.
pub trait NotePlace {
    fn start(&self) -> Option<Locator>;
    fn spine(&self) -> Option<u32> {
        self.start().and_then(|l| l.spine())
    }
}

impl NotePlace for Note {
    fn start(&self) -> Option<Locator> {
        Locator::parse(self.position.split("..").next().unwrap_or("")).ok()
    }
}

/// A random UUID v4 from the browser's crypto (ids are made here so retries are idempotent).
pub fn new_id(win: &Window) -> String {
    let mut bytes = [0u8; 16];
    if let Ok(crypto) = win.crypto() {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default()
}

/// Saves a new note; the stored one (the same when its id already existed), or `None`.
pub async fn create(win: &Window, url: &str, note: &Note) -> Option<Note> {
    let body = serde_json::to_string(note).ok()?;
    match request(win, "POST", url, Some(body)).await {
        Ok((200..=202, text)) => serde_json::from_str::<Note>(&text).ok(),
        _ => None,
    }
}

/// Deletes a note (gone already counts as done).
/// The book's notes, highlights and bookmarks as the server holds them; `None` when it could
/// not answer (offline: the kept list stays).
pub async fn list(win: &Window, annotations_url: &str, book_id: &str) -> Option<Vec<Note>> {
    match request(win, "GET", &format!("{annotations_url}?book={book_id}"), None).await {
        Ok((200, text)) => serde_json::from_str::<reader::wire::Notes>(&text).ok().map(|l| l.annotations),
        _ => None,
    }
}

pub async fn delete(win: &Window, annotations_url: &str, id: &str) -> bool {
    matches!(request(win, "DELETE", &format!("{annotations_url}{id}/"), None).await, Ok((204 | 404, _)))
}

/// One JSON request with the session cookie: (status, body).
pub async fn request(win: &Window, method: &str, url: &str, body: Option<String>) -> Result<(u16, String), JsValue> {
    let req = crate::sync::json_request(method, url, body.as_deref(), false)?;
    let res: Response = wasm_bindgen_futures::JsFuture::from(win.fetch_with_request(&req)).await?.dyn_into()?;
    let text = wasm_bindgen_futures::JsFuture::from(res.text()?).await?.as_string().unwrap_or_default();
    Ok((res.status(), text))
}

/// The current selection in the book as (position, text), when there is one.
pub fn selection(doc: &Document, spine: u32) -> Option<(String, String)> {
    let sel = doc.get_selection().ok()??;
    if sel.is_collapsed() || sel.range_count() == 0 {
        return None;
    }
    let range = sel.get_range_at(0).ok()?;
    let start = dom::locator_of_boundary(doc, spine, &range.start_container().ok()?, range.start_offset().ok()?)?;
    let end = dom::locator_of_boundary(doc, spine, &range.end_container().ok()?, range.end_offset().ok()?)?;
    let text: String = String::from(sel.to_string()).split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    Some((format!("{start}..{end}"), text.chars().take(5000).collect()))
}

pub fn clear_selection(doc: &Document) {
    if let Ok(Some(sel)) = doc.get_selection() {
        let _ = sel.remove_all_ranges();
    }
}

/// Paints the highlights and notes of spine item `spine` in the frame's document.
pub fn paint(frame: &HtmlIFrameElement, notes: &[Note], spine: u32) {
    let (Some(win), Some(doc)) = (frame.content_window(), frame.content_document()) else { return };
    let notes: Vec<&Note> = notes.iter().filter(|n| n.spine() == Some(spine)).collect();
    paint_with(&win.into(), &notes, |n| dom::range_of(&doc, &n.position).into_iter().collect());
}

/// Sets a document's highlights (CSS Custom Highlight API, one highlight per colour) to the
/// ranges `ranges` finds for each note that is not a bookmark; `win` is that document's window.
pub fn paint_with(win: &JsValue, notes: &[&Note], ranges: impl Fn(&Note) -> Vec<web_sys::Range>) {
    for (i, _) in HIGHLIGHT_COLOURS.iter().enumerate() {
        let name = format!("coko-c{i}");
        let found =
            notes.iter().filter(|n| n.annotation_type != "bookmark" && highlight_name(&n.color) == name).flat_map(|n| ranges(n)).collect();
        set_highlight(win, &name, found);
    }
}

/// Sets (or, with no range, removes) the highlight `name` in the document of window `win`.
pub fn set_highlight(win: &JsValue, name: &str, ranges: Vec<web_sys::Range>) {
    let Some(registry) = js_sys::Reflect::get(win, &"CSS".into())
        .ok()
        .and_then(|css| js_sys::Reflect::get(&css, &"highlights".into()).ok())
        .filter(|r| !r.is_undefined())
    else {
        return;
    };
    let call = |method: &str, args: &[JsValue]| {
        if let Ok(f) = js_sys::Reflect::get(&registry, &method.into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = f.apply(&registry, &args.iter().collect::<js_sys::Array>());
        }
    };
    if ranges.is_empty() {
        call("delete", &[name.into()]);
        return;
    }
    let Ok(ctor) = js_sys::Reflect::get(win, &"Highlight".into()).and_then(|c| c.dyn_into::<js_sys::Function>()) else { return };
    let ranges: js_sys::Array = ranges.into_iter().map(JsValue::from).collect();
    if let Ok(h) = js_sys::Reflect::construct(&ctor, &ranges) {
        call("set", &[name.into(), h]);
    }
}

/// Saves a new annotation: kind, position, quote, note, colour.
pub type CreateNote = Box<dyn Fn(&str, String, String, String, &str)>;

/// What the highlight toolbar and the note dialog act on, given by each reader.
pub struct SelectionTools {
    /// The selected passage as (position, text), left as it is.
    pub peek: Box<dyn Fn() -> Option<(String, String)>>,
    /// The selected passage, handed over once (the selection cleared, the toolbar hidden).
    pub take: Box<dyn Fn() -> Option<(String, String)>>,
    /// Saves a new annotation: kind, position, quote, note, colour.
    pub create: CreateNote,
}

/// Wires the highlight toolbar's colour buttons and the note dialog (`#reader-selection`,
/// `#reader-note-dialog`) to a reader.
pub fn wire_tools(doc: &Document, tools: SelectionTools) {
    let tools = std::rc::Rc::new(tools);
    // Pressing a button of the toolbar must not end the selection it acts on (in a PDF the
    // selection is in this very document).
    if let Some(bar) = doc.get_element_by_id("reader-selection") {
        crate::listen(&bar, "mousedown", |e: web_sys::Event| e.prevent_default());
    }
    // Colour buttons: highlight the selection.
    if let Ok(buttons) = doc.query_selector_all("#reader-selection button[data-color]") {
        for i in 0..buttons.length() {
            let Some(b) = buttons.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            let colour = b.get_attribute("data-color").unwrap_or_default();
            let tools = tools.clone();
            crate::listen(&b, "click", move |_: web_sys::Event| {
                if let Some((position, text)) = (tools.take)() {
                    (tools.create)("highlight", position, text, String::new(), &colour);
                }
            });
        }
    }
    // "Add a note": a dialog with the quote; saving makes a note on the passage.
    let dialog = doc.get_element_by_id("reader-note-dialog").and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok());
    let area = |d: &Document| d.get_element_by_id("reader-note-text").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok());
    if let (Some(button), Some(dialog)) = (doc.get_element_by_id("reader-note-button"), dialog) {
        let (t, d, dlg) = (tools.clone(), doc.clone(), dialog.clone());
        crate::listen(&button, "click", move |_: web_sys::Event| {
            let Some((_, text)) = (t.peek)() else { return };
            if let Some(q) = d.get_element_by_id("reader-note-quote") {
                q.set_text_content(Some(&text));
            }
            if let Some(a) = area(&d) {
                a.set_value("");
            }
            let _ = dlg.show_modal();
        });
        let (t, d, dlg) = (tools, doc.clone(), dialog.clone());
        crate::listen(&dialog, "close", move |_: web_sys::Event| {
            let text = area(&d).map(|a| a.value()).unwrap_or_default();
            let picked = (t.take)();
            if dlg.return_value() == "save" && !text.trim().is_empty() {
                if let Some((position, quote)) = picked {
                    (t.create)("note", position, quote, text.trim().to_owned(), HIGHLIGHT_COLOURS[0]);
                }
            }
        });
    }
}

/// Texts for the notes panel, read from the page.
pub struct PanelTexts {
    pub bookmark: String,
    pub go: String,
    pub delete: String,
    pub part: String,
    /// "Page {page}", for bookmarks in PDFs.
    pub page: String,
}

/// Rebuilds the notes panel. Book text goes in as text nodes, never as markup.
pub fn render_panel(doc: &Document, notes: &[Note], t: &PanelTexts) {
    let Some(list) = doc.get_element_by_id("reader-notes-list") else { return };
    list.set_inner_html("");
    let mut sorted: Vec<&Note> = notes.iter().collect();
    sorted.sort_by(|a, b| match (a.start(), b.start()) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => std::cmp::Ordering::Equal,
    });
    let el = |tag: &str, class: &str| -> Option<Element> {
        let e = doc.create_element(tag).ok()?;
        e.set_class_name(class);
        Some(e)
    };
    for n in sorted {
        let (Some(li), Some(go), Some(del)) = (
            el("li", "flex items-start gap-2 py-2"),
            el("button", "min-w-0 flex-1 text-start hover:underline"),
            el("button", "shrink-0 rounded px-2 py-1 text-xs text-red-800 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"),
        ) else {
            continue;
        };
        let _ = li.set_attribute("data-testid", "note-item");
        let _ = go.set_attribute("type", "button");
        let _ = go.set_attribute("data-go", &n.id);
        let _ = go.set_attribute("title", &t.go);
        if let Some(swatch) = el("span", "me-2 inline-block h-3 w-3 rounded-full align-middle ring-1 ring-slate-400") {
            let colour = if n.annotation_type == "bookmark" { "transparent" } else { n.color.as_str() };
            let _ = swatch.unchecked_ref::<web_sys::HtmlElement>().style().set_property("background-color", colour);
            let _ = go.append_child(&swatch);
        }
        let head = if n.annotation_type == "bookmark" {
            match n.start() {
                Some(l @ (Locator::Page { .. } | Locator::PageText { .. })) => {
                    format!("{} · {}", t.bookmark, t.page.replace("{page}", &l.page().unwrap_or(1).to_string()))
                }
                _ => format!("{} · {} {}", t.bookmark, t.part, n.spine().map_or(1, |s| s + 1)),
            }
        } else {
            let quote: String = n.selected_text.chars().take(140).collect();
            format!("« {quote} »")
        };
        if let Some(q) = el("span", "italic") {
            q.set_text_content(Some(&head));
            let _ = go.append_child(&q);
        }
        if !n.content.is_empty() {
            if let Some(c) = el("span", "mt-1 block font-medium not-italic") {
                c.set_text_content(Some(&n.content));
                let _ = go.append_child(&c);
            }
        }
        let _ = del.set_attribute("type", "button");
        let _ = del.set_attribute("data-delete", &n.id);
        del.set_text_content(Some(&t.delete));
        let _ = li.append_child(&go);
        let _ = li.append_child(&del);
        let _ = list.append_child(&li);
    }
    if let Some(empty) = doc.get_element_by_id("reader-notes-empty") {
        let _ = if notes.is_empty() { empty.remove_attribute("hidden") } else { empty.set_attribute("hidden", "") };
    }
}
