//! The PDF reader in the browser (feature `pdf`, a build of its own loaded for PDFs only): the
//! file fetched once (the service worker keeps it for offline reading), pages laid out at their
//! real proportions and drawn into canvases only when near the screen, at the device's pixel
//! density; zoom, fit width, fit page; the outline as contents; go to page; search in the text;
//! bookmarks; the page reached saved like an EPUB position (`p:N`). Each drawn page gets its
//! text laid over it, invisible but selectable, so passages can be highlighted and noted like
//! an EPUB's (`p:N:offset..p:M:offset`, character offsets into the pages' text).

use crate::notes::{self, Note, NotePlace};
use crate::pdf_text::{span_range, text_boundary};
use crate::sync::{self, SharedSaver};
use crate::{data, fill, listen};
use reader::pdf::{PageDrawer, PageText, PdfBook};
use reader::Locator;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{
    CanvasRenderingContext2d, Document, Element, Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, ImageData, KeyboardEvent, Range,
    Window,
};

/// Pages kept drawn on each side of the ones on screen; further ones give their memory back.
const KEEP_AROUND: u32 = 3;
/// Sharpest pixel density drawn (beyond it phones pay memory for nothing visible).
const MAX_DPR: f64 = 3.0;
const ZOOM_STEP: f64 = 1.25;

#[derive(Clone, Copy, PartialEq)]
enum Zoom {
    FitWidth,
    FitPage,
    /// CSS pixels per PDF point.
    Scale(f64),
}

struct Texts {
    position: String,
    page: String,
    searching: String,
    search_none: String,
    search_count: String,
    no_text: String,
    note_failed: String,
}

struct PdfReader {
    win: Window,
    doc: Document,
    stage: HtmlElement,
    book: &'static PdfBook,
    drawer: PageDrawer<'static>,
    count: u32,
    sizes: Vec<(f64, f64)>,
    slots: Vec<HtmlElement>,
    /// The device scale each page is drawn at (0: not drawn).
    drawn: Vec<f64>,
    zoom: Zoom,
    /// CSS pixels per point now.
    scale: f64,
    /// The page reached, from 1.
    current: u32,
    texts: Texts,
    saver: SharedSaver,
    sessions: Rc<RefCell<sync::Sessions>>,
    book_id: String,
    annotations_url: String,
    notes: Vec<Note>,
    panel: notes::PanelTexts,
    /// Text of each page and where it is drawn, once extracted (search, the text layer).
    text: Vec<Option<Rc<PageText>>>,
    /// The passage selected, as (position, text), while the highlight toolbar shows.
    selection: Option<(String, String)>,
    /// Measures text for the text layer (a canvas never shown).
    measure: Option<CanvasRenderingContext2d>,
    /// The search hit opened last, marked on its page: (page, from, to) in characters.
    found: Option<(u32, u32, u32)>,
    draw_scheduled: bool,
    ready: bool,
}

type Shared = Rc<RefCell<PdfReader>>;

fn el<T: JsCast>(doc: &Document, id: &str) -> Option<T> {
    doc.get_element_by_id(id).and_then(|e| e.dyn_into::<T>().ok())
}

fn set_text(doc: &Document, id: &str, text: &str) {
    if let Some(e) = doc.get_element_by_id(id) {
        e.set_text_content(Some(text));
    }
}

impl PdfReader {
    fn dpr(&self) -> f64 {
        self.win.device_pixel_ratio().clamp(1.0, MAX_DPR)
    }

    /// CSS pixels per point for the zoom chosen and the room the stage has.
    fn scale_for(&self, zoom: Zoom) -> f64 {
        let width = f64::from(self.stage.client_width()) - 16.0;
        let height = f64::from(self.stage.client_height()) - 24.0;
        let widest = self.sizes.iter().map(|s| s.0).fold(1.0, f64::max);
        let tallest = self.sizes.iter().map(|s| s.1).fold(1.0, f64::max);
        match zoom {
            Zoom::FitWidth => (width / widest).max(0.1),
            Zoom::FitPage => (width / widest).min(height / tallest).max(0.1),
            Zoom::Scale(s) => s,
        }
    }

    /// Sizes every page's box for the current zoom, keeping the page reached in view.
    fn layout(&mut self) {
        let keep = self.current;
        self.scale = self.scale_for(self.zoom);
        for (i, slot) in self.slots.iter().enumerate() {
            let (w, h) = self.sizes[i];
            let style = slot.style();
            let _ = style.set_property("width", &format!("{:.0}px", w * self.scale));
            let _ = style.set_property("height", &format!("{:.0}px", h * self.scale));
        }
        if let Some(pages) = el::<HtmlElement>(&self.doc, "pdf-pages") {
            let _ = pages.style().set_property("--pdf-scale", &format!("{:.5}", self.scale));
        }
        let pct = (self.scale * 72.0 / 96.0 * 100.0).round();
        set_text(&self.doc, "pdf-zoom-level", &format!("{pct} %"));
        for (id, on) in [("pdf-fit-width", self.zoom == Zoom::FitWidth), ("pdf-fit-page", self.zoom == Zoom::FitPage)] {
            if let Some(b) = self.doc.get_element_by_id(id) {
                let _ = b.set_attribute("aria-pressed", if on { "true" } else { "false" });
            }
        }
        self.show(keep);
    }

    fn set_zoom(&mut self, zoom: Zoom) {
        self.zoom = match zoom {
            Zoom::Scale(s) => Zoom::Scale(s.clamp(0.25, 6.0)),
            z => z,
        };
        self.layout();
    }

    /// Scrolls to a page (from 1).
    fn show(&mut self, page: u32) {
        let page = page.clamp(1, self.count.max(1));
        if let Some(slot) = self.slots.get(page as usize - 1) {
            self.stage.set_scroll_top(slot.offset_top() - 8);
        }
        self.current = 0; // reported again, even when unchanged
        self.on_scroll();
    }

    /// Scrolls to a passage: the line holding character `offset` of page `page`'s text comes a
    /// little above the third of the screen (where the page reached is read from).
    fn show_passage(&mut self, page: u32, offset: u32) {
        let page = page.clamp(1, self.count.max(1));
        let layer = self.layer(page - 1);
        let run = layer.runs.iter().take_while(|r| r.offset <= offset).last().or(layer.runs.first());
        match (run, self.slots.get(page as usize - 1)) {
            (Some(run), Some(slot)) => {
                let line = f64::from(slot.offset_top()) + f64::from(run.y) * self.scale;
                let third = f64::from(self.stage.client_height()) / 3.0;
                self.stage.set_scroll_top((line - third + 4.0).max(f64::from(slot.offset_top()) - 8.0).round() as i32);
                self.current = 0;
                self.on_scroll();
            }
            _ => self.show(page),
        }
    }

    /// The page holding the line a third of the way down the screen.
    fn page_on_screen(&self) -> u32 {
        let line = self.stage.scroll_top() + self.stage.client_height() / 3;
        let mut page = 1;
        for (i, slot) in self.slots.iter().enumerate() {
            if slot.offset_top() <= line {
                page = i as u32 + 1;
            } else {
                break;
            }
        }
        page
    }

    fn on_scroll(&mut self) {
        if !self.ready {
            return;
        }
        let page = self.page_on_screen();
        if page != self.current {
            self.current = page;
            self.report();
        }
        self.schedule_draw();
    }

    /// Footer, progress bar, bookmark button, saved position, reading time.
    fn report(&mut self) {
        let pct = f64::from(self.current) * 100.0 / f64::from(self.count.max(1));
        let text = fill(
            &self.texts.position,
            &[("page", self.current.to_string()), ("total", self.count.to_string()), ("percent", format!("{pct:.0}"))],
        );
        set_text(&self.doc, "reader-position", &text);
        if let Some(p) = self.doc.get_element_by_id("reader-progress") {
            let _ = p.set_attribute("value", &format!("{pct:.0}"));
        }
        if let Some(input) = el::<HtmlInputElement>(&self.doc, "pdf-goto-page") {
            input.set_placeholder(&self.current.to_string());
        }
        self.refresh_bookmark();
        let _ = self.doc.document_element().map(|d| d.set_attribute("data-pdf-page", &self.current.to_string()));
        sync::save_at(
            &self.saver,
            Locator::Page { page: self.current }.to_string(),
            (pct * 100.0).round() / 100.0,
            Some((self.current, self.count)),
        );
        self.sessions.borrow_mut().activity(&self.win, pct);
    }

    fn visible_range(&self) -> (u32, u32) {
        let top = self.stage.scroll_top();
        let bottom = top + self.stage.client_height();
        let mut first = None;
        let mut last = 0;
        for (i, slot) in self.slots.iter().enumerate() {
            let (y, h) = (slot.offset_top(), slot.offset_height());
            if y + h >= top && y <= bottom {
                first.get_or_insert(i as u32);
                last = i as u32;
            } else if y > bottom {
                break;
            }
        }
        let first = first.unwrap_or(self.current.saturating_sub(1));
        (first, last.max(first))
    }

    fn schedule_draw(&mut self) {
        if self.draw_scheduled {
            return;
        }
        self.draw_scheduled = true;
        let me = SELF.with(|s| s.borrow().clone());
        let cb = Closure::once_into_js(move || {
            if let Some(me) = me {
                if let Ok(mut r) = me.try_borrow_mut() {
                    r.draw_scheduled = false;
                    r.draw_next();
                }
            }
        });
        let _ = self.win.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 16);
    }

    /// Draws one page that needs it (the ones on screen first, then their neighbours), then
    /// asks to be called again: the page stays responsive between pages.
    fn draw_next(&mut self) {
        let (first, last) = self.visible_range();
        let want = self.scale * self.dpr();
        let around = first.saturating_sub(1)..=(last + 1).min(self.count - 1);
        let todo = (first..=last).chain(around.clone()).find(|&i| (self.drawn[i as usize] - want).abs() > 0.01);
        if let Some(i) = todo {
            self.draw(i, want);
            self.schedule_draw();
        }
        // Give far pages' memory back.
        let keep = first.saturating_sub(KEEP_AROUND)..=(last + KEEP_AROUND);
        for i in 0..self.count {
            if !keep.contains(&i) && self.drawn[i as usize] > 0.0 {
                self.slots[i as usize].set_inner_html("");
                self.drawn[i as usize] = 0.0;
            }
        }
    }

    fn draw(&mut self, index: u32, scale: f64) {
        let Some(page) = self.drawer.draw(index, scale as f32) else { return };
        let slot = &self.slots[index as usize];
        let canvas: HtmlCanvasElement = match slot.query_selector("canvas").ok().flatten().and_then(|c| c.dyn_into().ok()) {
            Some(c) => c,
            None => {
                let Some(c) = self.doc.create_element("canvas").ok().and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok()) else { return };
                c.set_class_name("block h-full w-full");
                let _ = c.set_attribute("aria-hidden", "true");
                let _ = slot.append_child(&c);
                c
            }
        };
        canvas.set_width(page.width);
        canvas.set_height(page.height);
        let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok()) else { return };
        if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&page.rgba), page.width, page.height) {
            let _ = ctx.put_image_data(&image, 0.0, 0.0);
            let _ = slot.set_attribute("data-drawn", "true");
        }
        self.drawn[index as usize] = scale;
        self.build_text(index);
    }

    /// The text of page `index` (from 0) and its runs, extracted once.
    fn layer(&mut self, index: u32) -> Rc<PageText> {
        if let Some(t) = &self.text[index as usize] {
            return t.clone();
        }
        let t = Rc::new(self.book.text_layer(index));
        self.text[index as usize] = Some(t.clone());
        t
    }

    /// Lays page `index`'s text over its drawing, once: a transparent span per run, placed in
    /// percentages of the page and sized by `--pdf-scale` (so zooming needs no rebuild), each
    /// stretched to the width the PDF gives it. Then the highlights are painted again.
    fn build_text(&mut self, index: u32) {
        let slot = self.slots[index as usize].clone();
        if slot.query_selector(".pdf-text").ok().flatten().is_some() {
            return;
        }
        let layer = self.layer(index);
        if layer.runs.is_empty() {
            return;
        }
        let (w, h) = self.sizes[index as usize];
        let Ok(div) = self.doc.create_element("div") else { return };
        div.set_class_name("pdf-text");
        for run in &layer.runs {
            let Some(span) = self.doc.create_element("span").ok().and_then(|e| e.dyn_into::<HtmlElement>().ok()) else { continue };
            span.set_text_content(Some(&run.text));
            let _ = span.set_attribute("data-o", &run.offset.to_string());
            // Widths measured at 100 px: the stretch is the same at every zoom.
            let natural = self.measure.as_ref().and_then(|c| c.measure_text(&run.text).ok()).map_or(0.0, |m| m.width());
            let wanted = f64::from(run.width) / f64::from(run.size.max(0.1)) * 100.0;
            let stretch = if natural > 0.5 { (wanted / natural).clamp(0.05, 20.0) } else { 1.0 };
            // Through the style object: the site's policy refuses style attributes.
            let style = span.style();
            let _ = style.set_property("left", &format!("{:.3}%", f64::from(run.x) / w * 100.0));
            let _ = style.set_property("top", &format!("{:.3}%", f64::from(run.y) / h * 100.0));
            let _ = style.set_property("font-size", &format!("calc(var(--pdf-scale) * {:.2}px)", run.size));
            let _ = style.set_property("transform", &format!("scaleX({stretch:.4})"));
            let _ = div.append_child(&span);
        }
        let _ = slot.append_child(&div);
        self.paint_notes();
    }

    /// The passage selected in the pages' text, as (position, text).
    fn selected(&mut self) -> Option<(String, String)> {
        let sel = self.doc.get_selection().ok()??;
        if sel.is_collapsed() || sel.range_count() == 0 {
            return None;
        }
        let range = sel.get_range_at(0).ok()?;
        let (p1, o1) = text_boundary(&range.start_container().ok()?, range.start_offset().ok()?)?;
        let (p2, o2) = text_boundary(&range.end_container().ok()?, range.end_offset().ok()?)?;
        if (p2, o2) <= (p1, o1) || p2 > p1 + MAX_SELECTED_PAGES || p2 > self.count {
            return None;
        }
        let mut text = String::new();
        for p in p1..=p2 {
            let layer = self.layer(p - 1);
            let from = if p == p1 { o1 as usize } else { 0 };
            let to = if p == p2 { o2 as usize } else { usize::MAX };
            text.extend(layer.text.chars().skip(from).take(to.saturating_sub(from)));
            text.push('\n');
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return None;
        }
        Some((format!("p:{p1}:{o1}..p:{p2}:{o2}"), text.chars().take(5000).collect()))
    }

    /// Paints the highlights and notes on the pages whose text is laid out, and the search hit
    /// opened last.
    fn paint_notes(&self) {
        let win: JsValue = self.win.clone().into();
        let notes: Vec<&Note> = self.notes.iter().filter(|n| matches!(n.start(), Some(Locator::PageText { .. }))).collect();
        notes::paint_with(&win, &notes, |n| self.ranges_of(n));
        let found = self.found.and_then(|(page, from, to)| {
            let layer = self.slots.get(page as usize - 1)?.query_selector(".pdf-text").ok()??;
            span_range(&self.doc, &layer, from, to)
        });
        notes::set_highlight(&win, "coko-found", found.into_iter().collect());
    }

    /// A note's passage as ranges over the text layers there are (one per page).
    fn ranges_of(&self, note: &Note) -> Vec<Range> {
        let mut ends = note.position.split("..").map(Locator::parse);
        let (Some(Ok(Locator::PageText { page: p1, offset: o1 })), Some(Ok(Locator::PageText { page: p2, offset: o2 }))) =
            (ends.next(), ends.next())
        else {
            return Vec::new();
        };
        (p1..=p2.min(p1 + MAX_SELECTED_PAGES))
            .filter_map(|p| {
                let layer = self.slots.get(p as usize - 1)?.query_selector(".pdf-text").ok()??;
                span_range(&self.doc, &layer, if p == p1 { o1 } else { 0 }, if p == p2 { o2 } else { u32::MAX })
            })
            .collect()
    }

    fn refresh_bookmark(&self) {
        let here = Locator::Page { page: self.current }.to_string();
        if let Some(b) = self.doc.get_element_by_id("reader-bookmark") {
            let marked = self.notes.iter().any(|n| n.annotation_type == "bookmark" && n.position == here);
            let _ = b.set_attribute("aria-pressed", if marked { "true" } else { "false" });
        }
    }

    /// A new annotation on this book, with a fresh id.
    fn note(&self, kind: &str, position: String, selected_text: String, content: String, color: &str) -> Note {
        Note {
            id: notes::new_id(&self.win),
            book_id: self.book_id.clone(),
            annotation_type: kind.into(),
            position,
            selected_text,
            content,
            color: color.into(),
            created_at: notes::now_iso(),
            ..Default::default()
        }
    }

    fn refresh_notes(&self) {
        notes::render_panel(&self.doc, &self.notes, &self.panel);
        self.refresh_bookmark();
        self.paint_notes();
    }
}

/// Most pages one selection may cross.
const MAX_SELECTED_PAGES: u32 = 20;

thread_local! {
    /// The reader, for timers that only hold a weak link to nothing else.
    static SELF: RefCell<Option<Shared>> = const { RefCell::new(None) };
}

/// Starts the PDF reader on `#reader[data-format=pdf]`.
pub fn start(win: Window, doc: Document, root: HtmlElement) {
    let file = data(&root, "file");
    wasm_bindgen_futures::spawn_local(async move {
        let failed = data(&root, "tFailed");
        let bytes = match fetch_bytes(&win, &file).await {
            Ok(b) => b,
            Err(_) => {
                set_text(&doc, "pdf-loading-text", &failed);
                return;
            }
        };
        let book = match PdfBook::open(bytes) {
            Ok(b) => b,
            Err(_) => {
                set_text(&doc, "pdf-loading-text", &failed);
                return;
            }
        };
        // One book per page load: it lives as long as the page, so the drawer may borrow it.
        let book: &'static PdfBook = Box::leak(Box::new(book));
        open(win, doc, root, book);
    });
}

async fn fetch_bytes(win: &Window, url: &str) -> Result<Vec<u8>, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let res: web_sys::Response = wasm_bindgen_futures::JsFuture::from(win.fetch_with_str_and_init(url, &init)).await?.dyn_into()?;
    if !res.ok() {
        return Err(JsValue::from_f64(f64::from(res.status())));
    }
    let buf = wasm_bindgen_futures::JsFuture::from(res.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// A 2D context on a canvas that is never shown, set to measure text at 100 px.
fn measuring_context(doc: &Document) -> Option<CanvasRenderingContext2d> {
    let canvas: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_font("100px sans-serif");
    Some(ctx)
}

fn open(win: Window, doc: Document, root: HtmlElement, book: &'static PdfBook) {
    let Some(stage) = el::<HtmlElement>(&doc, "reader-stage") else { return };
    let Some(pages) = el::<HtmlElement>(&doc, "pdf-pages") else { return };
    let count = book.page_count();
    let sizes: Vec<(f64, f64)> =
        (0..count).map(|i| book.page_size(i).map_or((612.0, 792.0), |(w, h)| (f64::from(w), f64::from(h)))).collect();
    let page_label = data(&root, "tPage");
    let mut slots = Vec::with_capacity(count as usize);
    for i in 0..count {
        let Some(slot) = doc.create_element("div").ok().and_then(|d| d.dyn_into::<HtmlElement>().ok()) else { return };
        slot.set_class_name("pdf-page relative shrink-0 bg-white shadow-md ring-1 ring-slate-300 dark:ring-slate-700");
        let _ = slot.set_attribute("data-page", &(i + 1).to_string());
        // A group named "Page N": its drawing is hidden from screen readers, its text is not.
        let _ = slot.set_attribute("role", "group");
        let _ = slot.set_attribute("aria-label", &fill(&page_label, &[("page", (i + 1).to_string())]));
        let _ = pages.append_child(&slot);
        slots.push(slot);
    }
    if let Some(loading) = el::<HtmlElement>(&doc, "pdf-loading") {
        loading.set_hidden(true);
    }
    sync::set_account(&data(&root, "user"));
    let status_doc = doc.clone();
    let failed_text = data(&root, "tSavingFailed");
    let book_id = data(&root, "book");
    let saver = sync::Saver::new(
        win.clone(),
        data(&root, "progress"),
        &book_id,
        Box::new(move |failed| set_text(&status_doc, "reader-sync", if failed { &failed_text } else { "" })),
    );
    // A page kept on this device and not yet sent beats the server's, unless one was asked for.
    let explicit = data(&root, "explicit") == "true";
    let local = saver.borrow().local().filter(|l| l.pending && !explicit).and_then(|l| match Locator::parse(&l.locator) {
        Ok(Locator::Page { page }) => Some(page),
        _ => None,
    });
    let start_page = local.unwrap_or_else(|| data(&root, "page").parse().unwrap_or(1)).clamp(1, count);
    sync::flush(&saver, false);
    let texts = Texts {
        position: data(&root, "tPosition"),
        page: page_label.clone(),
        searching: data(&root, "tSearching"),
        search_none: data(&root, "tSearchNone"),
        search_count: data(&root, "tSearchCount"),
        no_text: data(&root, "tNoText"),
        note_failed: data(&root, "tNoteFailed"),
    };
    let get = |k: &str| doc.get_element_by_id("reader-notes-list").and_then(|e| e.get_attribute(k)).unwrap_or_default();
    let panel = notes::PanelTexts {
        bookmark: get("data-t-bookmark"),
        go: get("data-t-go"),
        delete: get("data-t-delete"),
        part: String::new(),
        page: page_label,
    };
    let sessions = Rc::new(RefCell::new(sync::Sessions::new(data(&root, "sessions"), book_id.clone())));
    let narrow = win.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1024.0) < 768.0;
    let reader: Shared = Rc::new(RefCell::new(PdfReader {
        win: win.clone(),
        doc: doc.clone(),
        stage: stage.clone(),
        book,
        drawer: PageDrawer::new(book),
        count,
        sizes,
        slots,
        drawn: vec![0.0; count as usize],
        zoom: if narrow { Zoom::FitWidth } else { Zoom::FitPage },
        scale: 1.0,
        current: start_page,
        texts,
        saver: saver.clone(),
        sessions: sessions.clone(),
        book_id,
        annotations_url: data(&root, "annotations"),
        notes: Vec::new(),
        panel,
        text: vec![None; count as usize],
        selection: None,
        measure: measuring_context(&doc),
        found: None,
        draw_scheduled: false,
        ready: false,
    }));
    SELF.with(|s| *s.borrow_mut() = Some(reader.clone()));
    {
        let mut r = reader.borrow_mut();
        r.ready = true;
        r.current = start_page;
        r.layout();
    }
    wire(&reader, &win, &doc, &stage);
    load_notes(&reader);
    outline(&reader, &doc);
    let _ = root.set_attribute("data-ready", "true");
}

fn with(reader: &Shared, f: impl FnOnce(&mut PdfReader)) {
    if let Ok(mut r) = reader.try_borrow_mut() {
        f(&mut r);
    }
}

fn close_panel(doc: &Document, id: &str) {
    if let Some(d) = doc.get_element_by_id(id) {
        let _ = d.remove_attribute("open");
    }
}

fn wire(reader: &Shared, win: &Window, doc: &Document, stage: &HtmlElement) {
    let r = reader.clone();
    listen(stage, "scroll", move |_: Event| with(&r, |r| r.on_scroll()));
    let r = reader.clone();
    listen(win, "resize", move |_: Event| with(&r, |r| r.layout()));
    let r = reader.clone();
    listen(win, "keydown", move |e: KeyboardEvent| {
        let typing = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|t| matches!(t.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let rtl = r.borrow().doc.document_element().and_then(|d| d.get_attribute("dir")).as_deref() == Some("rtl");
        let (back, forward) = if rtl { ("ArrowRight", "ArrowLeft") } else { ("ArrowLeft", "ArrowRight") };
        let key = e.key();
        with(&r, |r| match key.as_str() {
            k if k == forward || k == "PageDown" => {
                e.prevent_default();
                let n = r.current + 1;
                r.show(n);
            }
            k if k == back || k == "PageUp" => {
                e.prevent_default();
                let n = r.current.saturating_sub(1);
                r.show(n);
            }
            "+" | "=" => r.set_zoom(Zoom::Scale(r.scale * ZOOM_STEP)),
            "-" => r.set_zoom(Zoom::Scale(r.scale / ZOOM_STEP)),
            _ => {}
        });
    });
    for (id, step) in [("pdf-prev", -1i32), ("pdf-next", 1)] {
        if let Some(b) = doc.get_element_by_id(id) {
            let r = reader.clone();
            listen(&b, "click", move |_: Event| with(&r, |r| r.show(r.current.saturating_add_signed(step))));
        }
    }
    for (id, zoom) in
        [("pdf-fit-width", Some(Zoom::FitWidth)), ("pdf-fit-page", Some(Zoom::FitPage)), ("pdf-zoom-in", None), ("pdf-zoom-out", None)]
    {
        if let Some(b) = doc.get_element_by_id(id) {
            let r = reader.clone();
            listen(&b, "click", move |_: Event| {
                with(&r, |r| {
                    let z = zoom.unwrap_or(if id == "pdf-zoom-in" {
                        Zoom::Scale(r.scale * ZOOM_STEP)
                    } else {
                        Zoom::Scale(r.scale / ZOOM_STEP)
                    });
                    r.set_zoom(z);
                })
            });
        }
    }
    if let Some(form) = doc.get_element_by_id("pdf-goto") {
        let (r, d) = (reader.clone(), doc.clone());
        listen(&form, "submit", move |e: Event| {
            e.prevent_default();
            let page = el::<HtmlInputElement>(&d, "pdf-goto-page").and_then(|i| i.value().trim().parse::<u32>().ok());
            if let Some(page) = page {
                close_panel(&d, "reader-toc");
                with(&r, |r| r.show(page));
            }
        });
    }
    if let Some(form) = doc.get_element_by_id("pdf-search") {
        let (r, d) = (reader.clone(), doc.clone());
        listen(&form, "submit", move |e: Event| {
            e.prevent_default();
            let query = el::<HtmlInputElement>(&d, "reader-search-q").map(|i| i.value()).unwrap_or_default();
            search(&r, query);
        });
    }
    // Links to pages in the panels (outline, search results, bookmarks).
    let (r, d) = (reader.clone(), doc.clone());
    listen(doc, "click", move |e: Event| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if let Some(link) = target.closest("[data-goto-page]").ok().flatten() {
            e.prevent_default();
            let page = link.get_attribute("data-goto-page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let passage = link.get_attribute("data-goto-passage").and_then(|p| {
                let (from, to) = p.split_once(':')?;
                Some((from.parse::<u32>().ok()?, to.parse::<u32>().ok()?))
            });
            close_panel(&d, "reader-toc");
            close_panel(&d, "reader-notes");
            with(&r, |r| match passage {
                // A search hit: its words are shown and marked.
                Some((from, to)) => {
                    r.found = Some((page, from, to));
                    r.show_passage(page, from);
                    r.paint_notes();
                }
                None => r.show(page),
            });
            if link.id() == "reader-furthest" {
                link.remove();
            }
        } else if let Some(go) = target.closest("#reader-notes-list [data-go]").ok().flatten() {
            let id = go.get_attribute("data-go").unwrap_or_default();
            let start = r.borrow().notes.iter().find(|n| n.id == id).and_then(|n| n.start());
            if let Some(start) = start {
                close_panel(&d, "reader-notes");
                with(&r, |r| match start {
                    Locator::PageText { page, offset } => r.show_passage(page, offset),
                    l => r.show(l.page().unwrap_or(1)),
                });
            }
        } else if let Some(del) = target.closest("#reader-notes-list [data-delete]").ok().flatten() {
            delete_note(&r, del.get_attribute("data-delete").unwrap_or_default());
        }
    });
    if let Some(furthest) = doc.get_element_by_id("reader-furthest") {
        let _ = furthest.set_attribute("data-goto-page", &furthest.get_attribute("data-page").unwrap_or_default());
    }
    if let Some(b) = el::<HtmlElement>(doc, "reader-bookmark") {
        b.set_hidden(false);
        let r = reader.clone();
        listen(&b, "click", move |_: Event| toggle_bookmark(&r));
    }
    // Selecting text on a page shows the highlight toolbar.
    let r = reader.clone();
    listen(doc, "selectionchange", move |_: Event| {
        with(&r, |r| {
            // The note dialog is being written: the passage stays the one chosen.
            if r.doc.query_selector("#reader-note-dialog[open]").ok().flatten().is_some() {
                return;
            }
            r.selection = r.selected();
            if let Some(bar) = r.doc.get_element_by_id("reader-selection") {
                let _ = if r.selection.is_some() { bar.remove_attribute("hidden") } else { bar.set_attribute("hidden", "") };
            }
        })
    });
    let (r1, r2, r3) = (reader.clone(), reader.clone(), reader.clone());
    notes::wire_tools(
        doc,
        notes::SelectionTools {
            peek: Box::new(move || r1.try_borrow().ok().and_then(|x| x.selection.clone())),
            take: Box::new(move || {
                let mut x = r2.try_borrow_mut().ok()?;
                notes::clear_selection(&x.doc);
                if let Some(bar) = x.doc.get_element_by_id("reader-selection") {
                    let _ = bar.set_attribute("hidden", "");
                }
                x.selection.take()
            }),
            create: Box::new(move |kind, position, text, content, colour| {
                let Some(note) = r3.try_borrow().ok().map(|x| x.note(kind, position, text, content, colour)) else { return };
                save_note(&r3, note);
            }),
        },
    );
    let (s, sess, w) = (reader.borrow().saver.clone(), reader.borrow().sessions.clone(), win.clone());
    listen(win, "pagehide", move |_: Event| {
        sync::flush(&s, true);
        sess.borrow_mut().flush(&w, true);
    });
    let (s, sess, w, d) = (reader.borrow().saver.clone(), reader.borrow().sessions.clone(), win.clone(), doc.clone());
    listen(doc, "visibilitychange", move |_: Event| {
        if d.hidden() {
            sync::flush(&s, true);
            sess.borrow_mut().flush(&w, true);
        }
    });
    let _ = stage.focus();
}

/// The outline as the contents panel: links to pages, indented by depth.
fn outline(reader: &Shared, doc: &Document) {
    let entries = reader.borrow().book.outline();
    let Some(list) = doc.get_element_by_id("pdf-outline") else { return };
    if entries.is_empty() {
        if let Some(p) = el::<HtmlElement>(doc, "pdf-outline-empty") {
            p.set_hidden(false);
        }
        return;
    }
    for e in entries {
        let Ok(li) = doc.create_element("li") else { continue };
        let item = match e.page {
            Some(page) => {
                let Ok(a) = doc.create_element("a") else { continue };
                let _ = a.set_attribute("href", &format!("?page={page}"));
                let _ = a.set_attribute("data-goto-page", &page.to_string());
                a.set_class_name("flex justify-between gap-2 rounded px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800");
                let (Ok(title), Ok(num)) = (doc.create_element("span"), doc.create_element("span")) else { continue };
                title.set_text_content(Some(&e.title));
                num.set_text_content(Some(&page.to_string()));
                num.set_class_name("shrink-0 text-slate-600 dark:text-slate-400");
                let _ = a.append_child(&title);
                let _ = a.append_child(&num);
                a
            }
            None => {
                let Ok(span) = doc.create_element("span") else { continue };
                span.set_class_name("block px-2 py-1.5 text-slate-700 dark:text-slate-300");
                span.set_text_content(Some(&e.title));
                span
            }
        };
        let _ = item
            .unchecked_ref::<HtmlElement>()
            .style()
            .set_property("padding-inline-start", &format!("{}rem", 0.5 + f64::from(e.depth) * 0.9));
        let _ = li.append_child(&item);
        let _ = list.append_child(&li);
    }
}

/// Yields to the browser (a timer of 0): long work in steps keeps the page responsive.
async fn pause(win: &Window) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = win.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Searches every page's text (extracted once, kept), listing up to 50 passages.
fn search(reader: &Shared, query: String) {
    let query = query.trim().chars().take(100).collect::<String>();
    if query.chars().count() < 2 {
        return;
    }
    let reader = reader.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let (win, doc, count) = {
            let r = reader.borrow();
            (r.win.clone(), r.doc.clone(), r.count)
        };
        let Some(list) = doc.get_element_by_id("pdf-search-results") else { return };
        list.set_inner_html("");
        let mut found = 0usize;
        let mut any_text = false;
        for i in 0..count {
            if i % 8 == 0 {
                let t = reader.borrow().texts.searching.clone();
                set_text(&doc, "pdf-search-status", &fill(&t, &[("page", (i + 1).to_string()), ("total", count.to_string())]));
                pause(&win).await;
            }
            let layer = reader.borrow_mut().layer(i);
            let text = &layer.text;
            any_text |= !text.trim().is_empty();
            for hit in reader::search::search_text(text, &query, 50 - found) {
                found += 1;
                let Ok(li) = doc.create_element("li") else { continue };
                let Ok(a) = doc.create_element("a") else { continue };
                let _ = a.set_attribute("href", &format!("?page={}", i + 1));
                let _ = a.set_attribute("data-goto-page", &(i + 1).to_string());
                // Where the words are in the page's text (the excerpt counts UTF-16 units).
                let from = reader::search::chars_at(text, hit.offset);
                let _ = a.set_attribute("data-goto-passage", &format!("{from}:{}", from + hit.matched.chars().count() as u32));
                let _ = a.set_attribute("data-testid", "pdf-search-hit");
                a.set_class_name("block rounded px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800");
                let page = fill(&reader.borrow().texts.page, &[("page", (i + 1).to_string())]);
                let (Ok(head), Ok(before), Ok(mark), Ok(after)) =
                    (doc.create_element("span"), doc.create_element("span"), doc.create_element("mark"), doc.create_element("span"))
                else {
                    continue;
                };
                head.set_class_name("block text-xs font-semibold text-slate-600 dark:text-slate-400");
                head.set_text_content(Some(&page));
                before.set_text_content(Some(&format!("{} ", hit.before)));
                mark.set_text_content(Some(&hit.matched));
                after.set_text_content(Some(&format!(" {}", hit.after)));
                for child in [&head, &before, &mark, &after] {
                    let _ = a.append_child(child);
                }
                let _ = li.append_child(&a);
                let _ = list.append_child(&li);
            }
            if found >= 50 {
                break;
            }
        }
        let r = reader.borrow();
        let status = if found > 0 {
            crate::count(&r.texts.search_count, found as u32)
        } else if !any_text {
            r.texts.no_text.clone()
        } else {
            fill(&r.texts.search_none, &[("query", query.clone())])
        };
        set_text(&doc, "pdf-search-status", &status);
    });
}

fn load_notes(reader: &Shared) {
    let reader = reader.clone();
    let (win, url, book) = {
        let r = reader.borrow();
        (r.win.clone(), r.annotations_url.clone(), r.book_id.clone())
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(list) = notes::list(&win, &url, &book).await {
            with(&reader, |r| {
                r.notes = list;
                r.refresh_notes();
            });
        }
    });
}

fn toggle_bookmark(reader: &Shared) {
    let (existing, note) = {
        let Ok(r) = reader.try_borrow() else { return };
        let here = Locator::Page { page: r.current }.to_string();
        let existing = r.notes.iter().find(|n| n.annotation_type == "bookmark" && n.position == here).map(|n| n.id.clone());
        let label = fill(&r.texts.page, &[("page", r.current.to_string())]);
        (existing, r.note("bookmark", here, label, String::new(), ""))
    };
    if let Some(id) = existing {
        delete_note(reader, id);
        return;
    }
    save_note(reader, note);
}

/// Saves a new bookmark, highlight or note, then lists and paints it.
fn save_note(reader: &Shared, note: Note) {
    let (win, url) = match reader.try_borrow() {
        Ok(r) => (r.win.clone(), r.annotations_url.clone()),
        Err(_) => return,
    };
    let reader = reader.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let saved = notes::create(&win, &url, &note).await;
        with(&reader, |r| {
            match saved {
                Some(n) => {
                    r.notes.retain(|x| x.id != n.id);
                    r.notes.push(n);
                    set_text(&r.doc, "reader-sync", "");
                }
                None => set_text(&r.doc, "reader-sync", &r.texts.note_failed),
            }
            r.refresh_notes();
        });
    });
}

fn delete_note(reader: &Shared, id: String) {
    let (win, url) = match reader.try_borrow() {
        Ok(r) => (r.win.clone(), r.annotations_url.clone()),
        Err(_) => return,
    };
    let reader = reader.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let ok = notes::delete(&win, &url, &id).await;
        with(&reader, |r| {
            if ok {
                r.notes.retain(|n| n.id != id);
                set_text(&r.doc, "reader-sync", "");
            } else {
                set_text(&r.doc, "reader-sync", &r.texts.note_failed);
            }
            r.refresh_notes();
        });
    });
}
