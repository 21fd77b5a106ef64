//! Coko's reader in the browser. The server renders the page (toolbar, contents, settings and
//! the chapter in a sandboxed iframe); this turns it into a paginated reader: pages cut with CSS
//! columns, taps, swipes and keys, the reader's settings, and a position saved as it changes.
//!
//! Book documents stay in an iframe with `sandbox="allow-same-origin"` and no `allow-scripts`:
//! their scripts never run. This code (the parent page's) reads and styles them from outside.

mod dom;
mod notes;
use notes::NotePlace;
#[cfg(feature = "pdf")]
mod pdf_text;
#[cfg(feature = "pdf")]
mod pdf_view;
mod sync;

use reader::layout::{self, Flow, Font, Margins, Settings, Step, Theme, Writing, Zone};
use reader::{Layout, Locator, Publication};
use std::cell::RefCell;
use std::rc::Rc;
use sync::SharedSaver;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, HtmlIFrameElement, HtmlInputElement, KeyboardEvent, MouseEvent, TouchEvent, Window};

const SETTINGS_KEY: &str = "coko.reader.settings";
const STYLE_ID: &str = "coko-reader-style";

/// What to show once a chapter has loaded.
#[derive(Debug, Clone)]
enum Target {
    Start,
    End,
    At(Locator),
    Fragment(String),
}

struct Texts {
    position: String,
    pages_left: String,
    last_page: String,
    missing: String,
}

struct Reader {
    win: Window,
    root: HtmlElement,
    frame: HtmlIFrameElement,
    /// The second page of a fixed-layout spread on wide screens.
    frame2: Option<HtmlIFrameElement>,
    /// For each spine item, the one shown beside it in a spread.
    partners: Vec<Option<u32>>,
    /// A tap on the spread's second page: the next spread.
    forward_tap: Option<js_sys::Function>,
    stage: HtmlElement,
    publication: Publication,
    content_base: String,
    /// Spine indices in reading order.
    order: Vec<u32>,
    spine: u32,
    page: u32,
    pages: u32,
    loaded: bool,
    target: Target,
    settings: Settings,
    /// Page progression of the book (which way is forward).
    rtl: bool,
    /// Whether the loaded document lays its columns out right to left (its root's direction).
    doc_rtl: bool,
    /// Which way the loaded chapter's text runs: vertical chapters turn pages down their
    /// stacked columns and scroll sideways.
    writing: Writing,
    turns: u32,
    /// The position the reader reached. A change of settings keeps it rather than whatever text
    /// starts the new page, so repeated changes do not drift backwards.
    anchor: Option<Locator>,
    /// The next page shown is for `anchor`: report it as it is.
    pinned: bool,
    texts: Texts,
    saver: SharedSaver,
    book_id: String,
    annotations_url: String,
    notes: Vec<notes::Note>,
    /// The passage selected in the book, as (position, text), while the toolbar shows.
    selection: Option<(String, String)>,
    panel: notes::PanelTexts,
    note_failed: String,
    sessions: Rc<RefCell<sync::Sessions>>,
    /// Where the reader's own fonts are served.
    fonts: String,
    /// Listeners attached to each chapter document as it loads.
    content_listeners: Vec<(&'static str, js_sys::Function)>,
    touch: Option<(f64, f64)>,
}

type Shared = Rc<RefCell<Reader>>;

/// A counted text, from the forms the page gives as JSON (`{"one": …, "other": …}`): the form
/// the browser's `Intl.PluralRules` picks for `n` in the page's language, `{n}` filled with the
/// number as that language groups it.
#[allow(dead_code)]
fn count(forms_json: &str, n: u32) -> String {
    let forms: std::collections::HashMap<String, String> = serde_json::from_str(forms_json).unwrap_or_default();
    let lang = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()).and_then(|e| e.get_attribute("lang"));
    let locales = js_sys::Array::of1(&lang.unwrap_or_else(|| "fr".into()).into());
    let form = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new()).select(f64::from(n)).as_string().unwrap_or_default();
    let number = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format().call1(&wasm_bindgen::JsValue::NULL, &n.into());
    let number = number.ok().and_then(|v| v.as_string()).unwrap_or_else(|| n.to_string());
    let text = forms.get(&form).or_else(|| forms.get("other")).cloned().unwrap_or_default();
    fill(&text, &[("n", number)])
}

fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    pairs.iter().fold(template.to_owned(), |acc, (k, v)| acc.replace(&format!("{{{k}}}"), v))
}

fn data(el: &HtmlElement, key: &str) -> String {
    el.dataset().get(key).unwrap_or_default()
}

impl Reader {
    fn content_doc(&self) -> Option<Document> {
        self.frame.content_document()
    }

    fn item_layout(&self) -> Layout {
        self.publication.spine.get(self.spine as usize).map_or(Layout::Reflowable, |s| s.layout)
    }

    fn size(&self) -> (f64, f64) {
        (self.stage.client_width() as f64, self.stage.client_height() as f64)
    }

    /// The page shown beside `spine` now (a fixed-layout spread on a wide screen), if any.
    fn partner_of(&self, spine: u32) -> Option<u32> {
        let (w, h) = self.size();
        let item = self.publication.spine.get(spine as usize)?;
        (self.frame2.is_some() && item.layout == Layout::PrePaginated && layout::shows_spreads(w, h))
            .then(|| self.partners.get(spine as usize).copied().flatten())
            .flatten()
    }

    /// The later page of the spread on screen (the main frame holds the earlier one).
    fn partner(&self) -> Option<u32> {
        self.partner_of(self.spine).filter(|p| *p > self.spine)
    }

    /// The spread's second page (frame and spine item) while it is on screen and loaded.
    fn second_page(&self) -> Option<(&HtmlIFrameElement, u32)> {
        let f2 = self.frame2.as_ref().filter(|f| !f.hidden() && f.dataset().get("loaded").as_deref() == Some("true"))?;
        let p = self.partner()?;
        (f2.dataset().get("spine").as_deref() == Some(p.to_string().as_str())).then_some((f2, p))
    }

    /// Paints the highlights on the page(s) on screen.
    fn paint_notes(&self) {
        notes::paint(&self.frame, &self.notes, self.spine);
        if let Some((f2, p)) = self.second_page() {
            notes::paint(f2, &self.notes, p);
        }
    }

    /// The passage selected on either page of the screen, as (position, text).
    fn selected(&self) -> Option<(String, String)> {
        let first = self.content_doc().and_then(|d| notes::selection(&d, self.spine));
        first.or_else(|| {
            let (f2, p) = self.second_page()?;
            notes::selection(&f2.content_document()?, p)
        })
    }

    /// Loads (or hides) the spread's second page to match the main one.
    fn sync_partner(&self) {
        let Some(f2) = &self.frame2 else { return };
        match self.partner() {
            Some(p) => {
                f2.set_hidden(false);
                if f2.dataset().get("spine").as_deref() != Some(&p.to_string()) {
                    let _ = f2.dataset().set("spine", &p.to_string());
                    let _ = f2.dataset().set("loaded", "false");
                    f2.set_src(&format!("{}{}", self.content_base, self.publication.spine[p as usize].href));
                }
            }
            None => f2.set_hidden(true),
        }
    }

    /// Whether forward is to the left: a right-to-left book, or lines set right to left.
    fn forward_is_left(&self) -> bool {
        self.rtl || self.writing == Writing::VerticalRl
    }

    /// Puts the page buttons and chapter links on the side pages turn to. The server placed
    /// them by the book's direction; vertical writing (forward to the left too) is only known
    /// once a chapter is loaded.
    fn orient_controls(&self) {
        let Some(doc) = self.win.document() else { return };
        let ui_rtl = doc.document_element().is_some_and(|e| e.get_attribute("dir").as_deref() == Some("rtl"));
        let c = layout::Controls { forward_left: self.forward_is_left(), ui_rtl };
        let (sides, glyphs, arrows) = (c.sides(), c.page_glyphs(), c.chapter_arrows());
        for (id, side, glyph) in [("reader-prev", sides.0, glyphs.0), ("reader-next", sides.1, glyphs.1)] {
            if let Some(b) = doc.get_element_by_id(id) {
                let classes = b.class_list();
                let _ = classes.remove_2("left-0", "right-0");
                let _ = classes.add_1(side);
                b.set_text_content(Some(glyph));
            }
        }
        let reversed = c.footer_reversed();
        for id in ["reader-chapters", "reader-prev-part", "reader-next-part"] {
            if let Some(el) = doc.get_element_by_id(id) {
                let _ = el.class_list().toggle_with_force("flex-row-reverse", reversed);
            }
        }
        for (which, arrow) in [("prev", arrows.0), ("next", arrows.1)] {
            if let Ok(Some(a)) = doc.query_selector(&format!("#reader-chapters [data-arrow={which}]")) {
                a.set_text_content(Some(arrow));
            }
        }
    }

    /// A reflowable chapter shown scrolled.
    fn scrolled(&self) -> bool {
        self.settings.flow == Flow::Scrolled && self.item_layout() == Layout::Reflowable
    }

    /// How far a scrolled chapter is scrolled along its reading direction, the most it can
    /// be, and the screen's length that way (down, or sideways for vertical text).
    fn scroll_along(&self, se: &Element) -> (f64, f64, f64) {
        let (w, h) = self.size();
        match self.writing {
            Writing::Horizontal => (se.scroll_top() as f64, (se.scroll_height() - se.client_height()).max(0) as f64, h),
            Writing::VerticalRl => (-(se.scroll_left() as f64), (se.scroll_width() - se.client_width()).max(0) as f64, w),
            Writing::VerticalLr => (se.scroll_left() as f64, (se.scroll_width() - se.client_width()).max(0) as f64, w),
        }
    }

    fn scroll_to_along(&self, se: &Element, pos: f64) {
        let pos = pos.max(0.0) as i32;
        match self.writing {
            Writing::Horizontal => se.set_scroll_top(pos),
            Writing::VerticalRl => se.set_scroll_left(-pos),
            Writing::VerticalLr => se.set_scroll_left(pos),
        }
    }

    /// Scrolls a scrolled chapter by `screens` of its screen length; false at either end.
    fn scroll_by_screens(&self, screens: f64) -> bool {
        let Some(se) = self.content_doc().and_then(|d| d.scrolling_element()) else { return false };
        let (pos, max, len) = self.scroll_along(&se);
        let can = if screens > 0.0 { pos < max - 2.0 } else { pos > 0.0 };
        if can {
            self.scroll_to_along(&se, (pos + screens * len).min(max));
        }
        can
    }

    fn position_in_order(&self) -> u32 {
        self.order.iter().position(|s| *s >= self.spine).unwrap_or(0) as u32
    }

    /// The chapter to load, and where in it.
    fn open(&mut self, spine: u32, target: Target) {
        let spine = spine.min(self.publication.spine.len().saturating_sub(1) as u32);
        // The later page of a spread opens the spread from its first page.
        let spine = self.partner_of(spine).filter(|p| *p < spine).unwrap_or(spine);
        if spine == self.spine && self.loaded {
            self.target = target;
            self.settle();
            return;
        }
        self.spine = spine;
        self.target = target;
        self.loaded = false;
        let href = &self.publication.spine[spine as usize].href;
        self.frame.set_src(&format!("{}{}", self.content_base, href));
        let _ = self.frame.dataset().set("spine", &spine.to_string());
    }

    fn neighbour(&self, forward: bool) -> Option<u32> {
        if forward {
            let last = self.partner().unwrap_or(self.spine);
            self.order.iter().copied().find(|s| *s > last)
        } else {
            self.order.iter().copied().rfind(|s| *s < self.spine)
        }
    }

    fn next(&mut self) {
        if !self.loaded {
            return;
        }
        if self.scrolled() {
            if self.scroll_by_screens(0.9) {
                self.after_turn();
                return;
            }
            if let Some(n) = self.neighbour(true) {
                self.open(n, Target::Start);
            }
            return;
        }
        match layout::forward(self.page, self.pages) {
            Step::Page(p) => self.show_page(p),
            _ => {
                if let Some(n) = self.neighbour(true) {
                    self.open(n, Target::Start);
                }
            }
        }
    }

    fn previous(&mut self) {
        if !self.loaded {
            return;
        }
        if self.scrolled() {
            if self.scroll_by_screens(-0.9) {
                self.after_turn();
                return;
            }
            if let Some(p) = self.neighbour(false) {
                self.open(p, Target::End);
            }
            return;
        }
        match layout::backward(self.page) {
            Step::Page(p) => self.show_page(p),
            _ => {
                if let Some(p) = self.neighbour(false) {
                    self.open(p, Target::End);
                }
            }
        }
    }

    /// Styles the loaded chapter for the current settings and counts its pages.
    fn lay_out(&mut self) {
        let Some(doc) = self.content_doc() else { return };
        let (w, h) = self.size();
        let frame_style = self.frame.style();
        if self.item_layout() == Layout::PrePaginated {
            // A fixed page: shown whole, scaled to fit, centred; on a wide screen beside its
            // partner as in a printed spread.
            self.sync_partner();
            let (cw, ch) = fixed_size(&doc).unwrap_or((w, h));
            let second = self.partner().and(self.frame2.as_ref()).filter(|f| f.dataset().get("loaded").as_deref() == Some("true"));
            let size2 = second.and_then(|f| f.content_document()).and_then(|d| fixed_size(&d));
            let (total_w, max_h) = match size2 {
                Some((cw2, ch2)) => (cw + cw2, ch.max(ch2)),
                None => (cw, ch),
            };
            let scale = (w / total_w).min(h / max_h);
            let x0 = ((w - total_w * scale) / 2.0).max(0.0);
            let place = |style: &web_sys::CssStyleDeclaration, x: f64, pw: f64, ph: f64| {
                let _ = style.set_property("width", &format!("{pw}px"));
                let _ = style.set_property("height", &format!("{ph}px"));
                let _ = style.set_property("transform-origin", "0 0");
                let _ =
                    style.set_property("transform", &format!("translate({x}px, {}px) scale({scale})", ((h - ph * scale) / 2.0).max(0.0)));
                let _ = style.set_property("position", "absolute");
                let _ = style.set_property("left", "0");
                let _ = style.set_property("top", "0");
            };
            // In a right-to-left book the first page of the spread is on the right.
            let rtl_spread = self.rtl && size2.is_some();
            let first_x = if rtl_spread { x0 + size2.map_or(0.0, |(cw2, _)| cw2 * scale) } else { x0 };
            place(&frame_style, first_x, cw, ch);
            // A fixed page keeps its own layout; only the highlight colours are added.
            highlight_style(&doc);
            if let Some(d2) = second.and_then(|f| f.content_document()) {
                highlight_style(&d2);
            }
            if let (Some(f2), Some((cw2, ch2))) = (second, size2) {
                let second_x = if rtl_spread { x0 } else { x0 + cw * scale };
                place(&f2.style(), second_x, cw2, ch2);
            }
            self.pages = 1;
            return;
        }
        if let Some(f2) = &self.frame2 {
            f2.set_hidden(true);
        }
        for p in ["width", "height", "transform", "transform-origin", "position", "left", "top"] {
            let _ = frame_style.remove_property(p);
        }
        // The root's writing mode, else the body's (some books set it there); the reader's own
        // style repeats it on the root, so reading it again after a change gives the same.
        let mode_of = |el: Option<Element>| {
            el.and_then(|e| self.win.get_computed_style(&e).ok().flatten())
                .and_then(|cs| cs.get_property_value("writing-mode").ok())
                .map(|v| Writing::from_css(&v))
                .unwrap_or_default()
        };
        self.writing = match mode_of(doc.document_element()) {
            Writing::Horizontal => mode_of(doc.body().map(Element::from)),
            vertical => vertical,
        };
        self.orient_controls();
        let css = self.settings.css(w, h, &self.fonts, self.writing);
        let Some(style) = reader_style(&doc) else { return };
        style.set_text_content(Some(&(css + &layout::highlight_css())));
        self.doc_rtl = doc
            .document_element()
            .and_then(|root| self.win.get_computed_style(&root).ok().flatten())
            .and_then(|cs| cs.get_property_value("direction").ok())
            .is_some_and(|d| d == "rtl");
        let (bg, _, _) = self.settings.colours();
        let _ = self.stage.style().set_property("background", bg);
        let _ = frame_style.set_property("background", bg);
        self.pages = match (self.settings.flow, doc.document_element()) {
            (Flow::Paginated, Some(root)) if self.writing.is_vertical() => layout::page_count(root.scroll_height() as f64, h),
            (Flow::Paginated, Some(root)) => layout::page_count(root.scroll_width() as f64, w),
            _ => 1,
        };
    }

    /// Goes to the pending target in the loaded chapter.
    fn settle(&mut self) {
        let Some(doc) = self.content_doc() else { return };
        let (w, h) = self.size();
        let scrolled = self.scrolled();
        let target = std::mem::replace(&mut self.target, Target::Start);
        let point = match &target {
            Target::Start => None,
            Target::End => {
                if scrolled {
                    if let Some(se) = doc.scrolling_element() {
                        let (_, max, _) = self.scroll_along(&se);
                        self.scroll_to_along(&se, max);
                    }
                    self.after_turn();
                    return;
                }
                self.show_page(self.pages.saturating_sub(1));
                return;
            }
            Target::At(l) => {
                self.anchor = Some(l.clone());
                self.pinned = true;
                dom::position_of(&doc, l)
            }
            Target::Fragment(id) => dom::position_of_id(&doc, id),
        };
        let se = doc.scrolling_element();
        if scrolled {
            if let Some(se) = &se {
                let (pos, _, _) = self.scroll_along(se);
                // How far along the reading direction the point is from the screen's start.
                let ahead = point.map(|(left, top)| match self.writing {
                    Writing::Horizontal => top,
                    Writing::VerticalRl => w - left - 24.0,
                    Writing::VerticalLr => left,
                });
                self.scroll_to_along(se, ahead.map_or(0.0, |a| pos + a - 8.0));
            }
            self.after_turn();
            return;
        }
        let page = match point {
            // Vertical text: pages are the columns stacked downwards.
            Some((_, top)) if self.writing.is_vertical() => {
                let current = se.as_ref().map_or(0.0, |s| s.scroll_top() as f64);
                layout::page_of(top + current + 1.0, h, false)
            }
            Some((left, _)) => {
                let current = se.as_ref().map_or(0.0, |s| s.scroll_left() as f64);
                layout::page_of(left + current + 1.0, w, self.doc_rtl)
            }
            None => 0,
        };
        self.show_page(page.min(self.pages.saturating_sub(1)));
    }

    fn show_page(&mut self, page: u32) {
        self.page = page;
        if self.item_layout() == Layout::Reflowable && self.settings.flow == Flow::Paginated {
            let (w, h) = self.size();
            if let Some(se) = self.content_doc().and_then(|d| d.scrolling_element()) {
                if self.writing.is_vertical() {
                    se.set_scroll_top(layout::scroll_for(page, h, false) as i32);
                } else {
                    se.set_scroll_left(layout::scroll_for(page, w, self.doc_rtl) as i32);
                }
            }
        }
        self.after_turn();
    }

    /// The locator of what is on screen now.
    fn current_locator(&self) -> Locator {
        let Some(doc) = self.content_doc() else { return Locator::start_of(self.spine) };
        if self.item_layout() == Layout::PrePaginated {
            return Locator::start_of(self.spine);
        }
        let (w, h) = self.size();
        let m = self.settings.margin_px(w);
        // Text starts at the top right of a page of right-to-left or vertical right-to-left text.
        let from_right = self.doc_rtl || self.writing == Writing::VerticalRl;
        let x = if from_right { w - m - 4.0 } else { m + 4.0 };
        let top = if self.settings.flow == Flow::Paginated || self.writing.is_vertical() { self.settings.top_px(w) + 2.0 } else { 4.0 };
        dom::first_visible(&doc, self.spine, x.max(1.0), top, h - 4.0, from_right)
    }

    /// Updates the position line and bar, and saves the position.
    fn after_turn(&mut self) {
        let locator = match (self.pinned, &self.anchor) {
            (true, Some(anchor)) => anchor.clone(),
            _ => {
                let l = self.current_locator();
                self.anchor = Some(l.clone());
                l
            }
        };
        self.pinned = false;
        let total = self.order.len() as u32;
        let pct = if self.settings.flow == Flow::Scrolled {
            let frac = self
                .content_doc()
                .and_then(|d| d.scrolling_element())
                .map(|se| {
                    let (pos, max, _) = self.scroll_along(&se);
                    (pos / max.max(1.0)).clamp(0.0, 1.0)
                })
                .unwrap_or(0.0);
            layout::percentage(self.position_in_order(), total, (frac * 99.0) as u32, 100)
        } else {
            layout::percentage(self.position_in_order(), total, self.page, self.pages)
        };
        let doc = self.win.document().unwrap();
        if let Some(bar) = doc.get_element_by_id("reader-progress") {
            let _ = bar.set_attribute("value", &format!("{pct:.0}"));
        }
        if let Some(line) = doc.get_element_by_id("reader-position") {
            let mut text = fill(
                &self.texts.position,
                &[
                    ("chapter", (self.spine + 1).to_string()),
                    ("total", self.publication.spine.len().to_string()),
                    ("percent", format!("{pct:.0}")),
                ],
            );
            if self.settings.flow == Flow::Paginated && self.item_layout() == Layout::Reflowable {
                let left = self.pages.saturating_sub(self.page + 1);
                let extra =
                    if left > 0 { fill(&self.texts.pages_left, &[("pages", left.to_string())]) } else { self.texts.last_page.clone() };
                text = format!("{text} · {extra}");
            }
            line.set_text_content(Some(&text));
        }
        let _ = self.root.dataset().set("page", &self.page.to_string());
        let _ = self.root.dataset().set("pages", &self.pages.to_string());
        let _ = self.root.dataset().set("locator", &locator.to_string());
        self.turns += 1;
        let _ = self.root.dataset().set("turns", &self.turns.to_string());
        mark_toc(&doc, self.spine);
        // The chapter links name the chapters around this one (the page was served for another).
        for (id, forward) in [("reader-prev-part", false), ("reader-next-part", true)] {
            if let Some(a) = doc.get_element_by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                let n = self.neighbour(forward);
                a.set_hidden(n.is_none());
                if let Some(n) = n {
                    let _ = a.set_attribute("href", &format!("{}{n}", data(&self.root, "parts")));
                }
            }
        }
        if let Some(b) = doc.get_element_by_id("reader-bookmark") {
            let marked = self.notes.iter().any(|n| n.annotation_type == "bookmark" && n.position == locator.to_string());
            let _ = b.set_attribute("aria-pressed", if marked { "true" } else { "false" });
        }
        sync::save(&self.saver, locator.to_string(), pct);
        if let Ok(mut s) = self.sessions.try_borrow_mut() {
            s.activity(&self.win, pct);
        }
    }

    /// Settings changed or the window resized: lay out again at the same text.
    fn relayout(&mut self) {
        if !self.loaded {
            return;
        }
        let here = self.anchor.clone().unwrap_or_else(|| self.current_locator());
        self.lay_out();
        self.target = Target::At(here);
        self.settle();
    }
}

/// The reader's style element in a chapter document (made on first use).
fn reader_style(doc: &Document) -> Option<Element> {
    if let Some(s) = doc.get_element_by_id(STYLE_ID) {
        return Some(s);
    }
    let s = doc.create_element_ns(Some("http://www.w3.org/1999/xhtml"), "style").ok()?;
    s.set_id(STYLE_ID);
    let parent: Option<Element> = doc.query_selector("head").ok().flatten().or_else(|| doc.document_element());
    parent?.append_child(&s).ok()?;
    Some(s)
}

/// Only the highlight colours (a fixed-layout page).
fn highlight_style(doc: &Document) {
    if let Some(s) = reader_style(doc) {
        s.set_text_content(Some(&layout::highlight_css()));
    }
}

/// A fixed-layout page's size: its viewport meta, else its root element's.
fn fixed_size(doc: &Document) -> Option<(f64, f64)> {
    if let Some(meta) = doc.query_selector("meta[name=viewport]").ok().flatten() {
        let content = meta.get_attribute("content").unwrap_or_default();
        let mut w = None;
        let mut h = None;
        for part in content.split([',', ';']) {
            let mut kv = part.splitn(2, '=');
            match (kv.next().map(str::trim), kv.next().and_then(|v| v.trim().trim_end_matches("px").parse::<f64>().ok())) {
                (Some("width"), Some(v)) => w = Some(v),
                (Some("height"), Some(v)) => h = Some(v),
                _ => {}
            }
        }
        if let (Some(w), Some(h)) = (w, h) {
            return Some((w, h));
        }
    }
    // SVG pages carry their size on the root element.
    let root = doc.document_element()?;
    let attr = |n: &str| root.get_attribute(n).and_then(|v| v.trim_end_matches("px").parse::<f64>().ok());
    if let (Some(w), Some(h)) = (attr("width"), attr("height")) {
        return Some((w, h));
    }
    if let Some(vb) = root.get_attribute("viewBox") {
        let nums: Vec<f64> = vb.split([' ', ',']).filter_map(|n| n.parse().ok()).collect();
        if nums.len() == 4 {
            return Some((nums[2], nums[3]));
        }
    }
    let (w, h) = (root.scroll_width() as f64, root.scroll_height() as f64);
    (w > 0.0 && h > 0.0).then_some((w, h))
}

fn mark_toc(doc: &Document, spine: u32) {
    let Ok(links) = doc.query_selector_all("#reader-toc a[data-spine]") else { return };
    for i in 0..links.length() {
        if let Some(a) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            if a.get_attribute("data-spine").as_deref() == Some(&spine.to_string()) {
                let _ = a.set_attribute("aria-current", "page");
            } else {
                let _ = a.remove_attribute("aria-current");
            }
        }
    }
}

fn load_settings(win: &Window) -> Settings {
    win.local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(SETTINGS_KEY).ok().flatten())
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_default()
}

fn store_settings(win: &Window, settings: &Settings) {
    if let (Some(s), Ok(json)) = (win.local_storage().ok().flatten(), serde_json::to_string(settings)) {
        let _ = s.set_item(SETTINGS_KEY, &json);
    }
}

/// Shows the settings in the form.
fn reflect_settings(doc: &Document, s: &Settings) {
    let font = match s.font {
        Font::Book => "book",
        Font::Serif => "serif",
        Font::Sans => "sans",
        Font::Dyslexic => "dyslexic",
    };
    let spacing = match s.line_height {
        None => "book".to_owned(),
        Some(v) => format!("{v}"),
    };
    let margins = match s.margins {
        Margins::Narrow => "narrow",
        Margins::Normal => "normal",
        Margins::Wide => "wide",
    };
    let theme = match s.theme {
        Theme::Light => "light",
        Theme::Sepia => "sepia",
        Theme::Dark => "dark",
    };
    let flow = match s.flow {
        Flow::Paginated => "paginated",
        Flow::Scrolled => "scrolled",
    };
    for (name, value) in [("font", font), ("spacing", spacing.as_str()), ("margins", margins), ("theme", theme), ("flow", flow)] {
        if let Ok(Some(input)) = doc.query_selector(&format!("#reader-settings-form input[name={name}][value=\"{value}\"]")) {
            if let Ok(input) = input.dyn_into::<HtmlInputElement>() {
                input.set_checked(true);
            }
        }
    }
    if let Some(out) = doc.get_element_by_id("reader-font-size") {
        out.set_text_content(Some(&format!("{} %", s.font_size)));
    }
}

/// Reads the form into settings.
fn read_settings(doc: &Document, mut s: Settings) -> Settings {
    let checked = |name: &str| -> Option<String> {
        doc.query_selector(&format!("#reader-settings-form input[name={name}]:checked"))
            .ok()
            .flatten()
            .and_then(|e| e.get_attribute("value"))
    };
    s.font = match checked("font").as_deref() {
        Some("serif") => Font::Serif,
        Some("sans") => Font::Sans,
        Some("dyslexic") => Font::Dyslexic,
        _ => Font::Book,
    };
    s.line_height = checked("spacing").and_then(|v| v.parse().ok());
    s.margins = match checked("margins").as_deref() {
        Some("narrow") => Margins::Narrow,
        Some("wide") => Margins::Wide,
        _ => Margins::Normal,
    };
    s.theme = match checked("theme").as_deref() {
        Some("sepia") => Theme::Sepia,
        Some("dark") => Theme::Dark,
        _ => Theme::Light,
    };
    s.flow = match checked("flow").as_deref() {
        Some("scrolled") => Flow::Scrolled,
        _ => Flow::Paginated,
    };
    s
}

fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(target: &web_sys::EventTarget, kind: &str, f: impl FnMut(E) + 'static) {
    let cb = Closure::<dyn FnMut(E)>::new(f);
    let _ = target.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref());
    cb.forget();
}

fn function<E: wasm_bindgen::convert::FromWasmAbi + 'static>(f: impl FnMut(E) + 'static) -> js_sys::Function {
    let cb = Closure::<dyn FnMut(E)>::new(f);
    let func: js_sys::Function = cb.as_ref().unchecked_ref::<js_sys::Function>().clone();
    cb.forget();
    func
}

/// A key that turns pages, unless the reader is typing or choosing in a form.
fn on_key(reader: &Shared, e: &KeyboardEvent) {
    // Arrows belong to form fields; Space and Enter to whatever button or link has focus.
    let tag = e.target().and_then(|t| dom::element_of(t.into())).map(|el| el.tag_name().to_ascii_uppercase()).unwrap_or_default();
    let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    let activating = e.key() == " " && matches!(tag.as_str(), "A" | "BUTTON" | "SUMMARY");
    if typing || activating || e.alt_key() || e.ctrl_key() || e.meta_key() {
        return;
    }
    let Ok(mut r) = reader.try_borrow_mut() else { return };
    let rtl = r.forward_is_left();
    let forward = match e.key().as_str() {
        "ArrowRight" => !rtl,
        "ArrowLeft" => rtl,
        "PageDown" | " " => true,
        "PageUp" => false,
        _ => return,
    };
    e.prevent_default();
    if forward {
        r.next();
    } else {
        r.previous();
    }
}

/// A click in the book: links are followed inside the reader (or opened apart when they leave
/// the book); elsewhere the outer thirds turn pages.
fn on_content_click(reader: &Shared, e: &MouseEvent) {
    let Ok(mut r) = reader.try_borrow_mut() else { return };
    // Ending a selection is not a tap.
    if r.content_doc().and_then(|d| d.get_selection().ok().flatten()).is_some_and(|s| !s.is_collapsed()) {
        return;
    }
    let link = e.target().and_then(|t| dom::element_of(t.into())).and_then(|el| el.closest("a[href]").ok().flatten());
    if let Some(a) = link {
        e.prevent_default();
        let raw = a.get_attribute("href").unwrap_or_default();
        if reader::href::is_external(&raw) {
            if raw.starts_with("http://") || raw.starts_with("https://") {
                let _ = r.win.open_with_url_and_target_and_features(&raw, "_blank", "noopener,noreferrer");
            }
            return;
        }
        let base = r.publication.spine[r.spine as usize].href.clone();
        let Some(path) = reader::href::resolve(&base, &raw) else { return };
        let frag = reader::href::split_fragment(&raw).1.filter(|f| !f.is_empty()).map(str::to_owned);
        if let Some(spine) = r.publication.spine_index_of(&path) {
            r.open(spine, frag.map_or(Target::Start, Target::Fragment));
        }
        return;
    }
    if r.scrolled() {
        return;
    }
    // Client coordinates are the frame's own (unscaled for fixed pages), so is its width.
    let w = r.content_doc().and_then(|d| d.document_element()).map_or(0.0, |el| el.client_width() as f64);
    match layout::zone(e.client_x() as f64, w, r.forward_is_left()) {
        Zone::Back => r.previous(),
        Zone::Forward => r.next(),
        Zone::Middle => {}
    }
}

/// Web fonts (the book's, or OpenDyslexic) arrive after the first layout and move the text:
/// once they are in, lay out again at the same anchor.
fn after_fonts(reader: &Shared) {
    let Some(doc) = reader.try_borrow().ok().and_then(|r| r.content_doc()) else { return };
    let Ok(ready) = doc.fonts().ready() else { return };
    let reader = reader.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(ready).await;
        if let Ok(mut r) = reader.try_borrow_mut() {
            let same_doc = r.content_doc().is_some_and(|d| {
                let a: &JsValue = d.as_ref();
                let b: &JsValue = doc.as_ref();
                a == b
            });
            if same_doc {
                r.relayout();
            }
        }
    });
}

fn on_frame_load(reader: &Shared) {
    let Ok(mut r) = reader.try_borrow_mut() else { return };
    let Some(doc) = r.content_doc() else { return };
    r.loaded = true;
    // Attach the reader's listeners to this chapter's document.
    for (kind, f) in &r.content_listeners {
        let _ = doc.add_event_listener_with_callback(kind, f);
    }
    // A part missing from the file: say so inside the frame.
    // (An SVG page has no body: its root element is the content.)
    let root_el = doc.body().map(Element::from).or_else(|| doc.document_element());
    let empty = root_el.as_ref().is_none_or(|b| b.child_element_count() == 0 && b.text_content().unwrap_or_default().trim().is_empty());
    if empty {
        if let Some(root) = root_el {
            root.set_text_content(None);
            if let Ok(p) = doc.create_element_ns(Some("http://www.w3.org/1999/xhtml"), "p") {
                p.set_text_content(Some(&r.texts.missing));
                let _ =
                    p.set_attribute("style", "font: 1rem/1.5 system-ui, sans-serif; color: #444; margin: 2rem 1rem; text-align: center");
                let _ = root.append_child(&p);
            }
        }
    }
    r.lay_out();
    r.settle();
    r.paint_notes();
    drop(r);
    after_fonts(reader);
}

fn notes_texts(doc: &Document) -> notes::PanelTexts {
    let get = |k: &str| doc.get_element_by_id("reader-notes-list").and_then(|e| e.get_attribute(k)).unwrap_or_default();
    notes::PanelTexts {
        bookmark: get("data-t-bookmark"),
        go: get("data-t-go"),
        delete: get("data-t-delete"),
        part: get("data-t-part"),
        page: String::new(),
    }
}

/// Shows the highlight toolbar while a passage is selected.
fn on_selection(reader: &Shared) {
    let Ok(mut r) = reader.try_borrow_mut() else { return };
    r.selection = r.selected();
    if let Some(bar) = r.win.document().and_then(|d| d.get_element_by_id("reader-selection")) {
        let _ = if r.selection.is_some() { bar.remove_attribute("hidden") } else { bar.set_attribute("hidden", "") };
    }
}

fn show_status(win: &Window, text: &str) {
    if let Some(el) = win.document().and_then(|d| d.get_element_by_id("reader-sync")) {
        el.set_text_content(Some(text));
    }
}

/// Repaints and relists after the notes changed.
fn refresh_notes(r: &Reader) {
    r.paint_notes();
    if let Some(doc) = r.win.document() {
        notes::render_panel(&doc, &r.notes, &r.panel);
        if let Some(b) = doc.get_element_by_id("reader-bookmark") {
            let here = r.anchor.as_ref().map(|l| l.to_string()).unwrap_or_default();
            let marked = r.notes.iter().any(|n| n.annotation_type == "bookmark" && n.position == here);
            let _ = b.set_attribute("aria-pressed", if marked { "true" } else { "false" });
        }
    }
}

/// The selected passage, handed over once: the selection is cleared and the toolbar hidden.
fn take_selection(reader: &Shared, doc: &Document) -> Option<(String, String)> {
    let picked = reader.try_borrow_mut().ok().and_then(|mut r| {
        if let Some(cd) = r.content_doc() {
            notes::clear_selection(&cd);
        }
        if let Some(d2) = r.second_page().and_then(|(f2, _)| f2.content_document()) {
            notes::clear_selection(&d2);
        }
        r.selection.take()
    });
    if let Some(bar) = doc.get_element_by_id("reader-selection") {
        let _ = bar.set_attribute("hidden", "");
    }
    picked
}

/// Saves a new annotation, then shows it.
fn create_note(reader: &Shared, kind: &str, position: String, text: String, content: String, color: &str) {
    let (win, url, note) = {
        let Ok(r) = reader.try_borrow() else { return };
        let note = notes::Note {
            id: notes::new_id(&r.win),
            book_id: r.book_id.clone(),
            annotation_type: kind.into(),
            position,
            selected_text: text,
            content,
            color: color.into(),
            created_at: notes::now_iso(),
            ..Default::default()
        };
        (r.win.clone(), r.annotations_url.clone(), note)
    };
    let reader = reader.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let saved = notes::create(&win, &url, &note).await;
        let Ok(mut r) = reader.try_borrow_mut() else { return };
        match saved {
            Some(n) => {
                r.notes.retain(|x| x.id != n.id);
                r.notes.push(n);
                show_status(&win, "");
            }
            None => show_status(&win, &r.note_failed),
        }
        refresh_notes(&r);
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
        let Ok(mut r) = reader.try_borrow_mut() else { return };
        if ok {
            r.notes.retain(|n| n.id != id);
            show_status(&win, "");
        } else {
            show_status(&win, &r.note_failed);
        }
        refresh_notes(&r);
    });
}

/// The notes panel, the highlight toolbar, the note dialog and the bookmark button.
fn wire_notes(reader: &Shared, win: &Window, doc: &Document) {
    // Load this reader's notes for the book.
    {
        let reader = reader.clone();
        let win = win.clone();
        let (url, book) = {
            let r = reader.borrow();
            (r.annotations_url.clone(), r.book_id.clone())
        };
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(list) = notes::list(&win, &url, &book).await {
                if let Ok(mut r) = reader.try_borrow_mut() {
                    r.notes = list;
                    refresh_notes(&r);
                }
            }
        });
    }
    let (r1, r2, r3, d) = (reader.clone(), reader.clone(), reader.clone(), doc.clone());
    notes::wire_tools(
        doc,
        notes::SelectionTools {
            peek: Box::new(move || r1.try_borrow().ok().and_then(|x| x.selection.clone())),
            take: Box::new(move || take_selection(&r2, &d)),
            create: Box::new(move |kind, position, text, content, colour| create_note(&r3, kind, position, text, content, colour)),
        },
    );
    // The panel: go to a passage, or delete it.
    if let Some(list) = doc.get_element_by_id("reader-notes-list") {
        let r = reader.clone();
        let d = doc.clone();
        listen(&list, "click", move |e: Event| {
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            if let Some(del) = target.closest("[data-delete]").ok().flatten() {
                delete_note(&r, del.get_attribute("data-delete").unwrap_or_default());
                return;
            }
            let Some(go) = target.closest("[data-go]").ok().flatten() else { return };
            let id = go.get_attribute("data-go").unwrap_or_default();
            if let Some(details) = d.get_element_by_id("reader-notes") {
                let _ = details.remove_attribute("open");
            }
            if let Ok(mut x) = r.try_borrow_mut() {
                if let Some(start) = x.notes.iter().find(|n| n.id == id).and_then(|n| n.start()) {
                    let spine = start.spine().unwrap_or(0);
                    x.open(spine, Target::At(start));
                }
            }
        });
    }
    // The bookmark button marks (or unmarks) the page being read.
    if let Some(b) = doc.get_element_by_id("reader-bookmark").and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        b.set_hidden(false);
        let r = reader.clone();
        listen(&b, "click", move |_: Event| {
            let (here, existing) = match r.try_borrow() {
                Ok(x) => {
                    let here = x.anchor.as_ref().map(|l| l.to_string()).unwrap_or_default();
                    let existing = x.notes.iter().find(|n| n.annotation_type == "bookmark" && n.position == here).map(|n| n.id.clone());
                    (here, existing)
                }
                Err(_) => return,
            };
            match existing {
                Some(id) => delete_note(&r, id),
                None if !here.is_empty() => create_note(&r, "bookmark", here, String::new(), String::new(), ""),
                None => {}
            }
        });
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    let Some(win) = web_sys::window() else { return };
    let Some(doc) = win.document() else { return };
    let Some(root) = doc.get_element_by_id("reader").and_then(|e| e.dyn_into::<HtmlElement>().ok()) else { return };
    #[cfg(feature = "pdf")]
    if data(&root, "format") == "pdf" {
        pdf_view::start(win, doc, root);
        return;
    }
    let Some(frame) = doc.get_element_by_id("reader-frame").and_then(|e| e.dyn_into::<HtmlIFrameElement>().ok()) else { return };
    let Some(stage) = doc.get_element_by_id("reader-stage").and_then(|e| e.dyn_into::<HtmlElement>().ok()) else { return };
    let Some(publication) = doc
        .get_element_by_id("reader-publication")
        .and_then(|e| e.text_content())
        .and_then(|json| serde_json::from_str::<Publication>(&json).ok())
    else {
        return;
    };
    let book = data(&root, "book");
    sync::set_account(&data(&root, "user"));
    let status_doc = doc.clone();
    let failed_text = data(&root, "tSavingFailed");
    let saver = sync::Saver::new(
        win.clone(),
        data(&root, "progress"),
        &book,
        Box::new(move |failed| {
            if let Some(el) = status_doc.get_element_by_id("reader-sync") {
                el.set_text_content(Some(if failed { &failed_text } else { "" }));
            }
        }),
    );
    // Settings follow the reader: the server's copy (saved from any device) wins over this one's.
    let settings = serde_json::from_str::<Settings>(&data(&root, "settings")).ok().unwrap_or_else(|| load_settings(&win));
    store_settings(&win, &settings);
    let settings_url = data(&root, "settingsUrl");
    reflect_settings(&doc, &settings);
    let chapter: u32 = data(&root, "chapter").parse().unwrap_or(0);
    // A position kept on this device and not yet sent beats the server's copy.
    let local = saver.borrow().local();
    let explicit = data(&root, "explicit") == "true";
    let start = match local.filter(|l| l.pending && !explicit).and_then(|l| Locator::parse(&l.locator).ok()) {
        Some(l) => Some(l),
        None => Locator::parse(&data(&root, "start")).ok(),
    };
    sync::flush(&saver, false);
    let order = publication.reading_order().map(|(i, _)| i).collect();
    let partners = layout::spread_partners(&publication);
    let frame2 = doc.get_element_by_id("reader-frame-2").and_then(|e| e.dyn_into::<HtmlIFrameElement>().ok());
    let rtl = publication.direction == reader::Direction::Rtl;
    let texts = Texts {
        position: data(&root, "tPosition"),
        pages_left: data(&root, "tPagesLeft"),
        last_page: data(&root, "tLastPage"),
        missing: data(&root, "tMissing"),
    };
    let sessions = Rc::new(RefCell::new(sync::Sessions::new(data(&root, "sessions"), book.clone())));
    let reader: Shared = Rc::new(RefCell::new(Reader {
        win: win.clone(),
        root: root.clone(),
        frame: frame.clone(),
        frame2: frame2.clone(),
        partners,
        forward_tap: None,
        stage,
        publication,
        content_base: data(&root, "content"),
        order,
        spine: chapter,
        page: 0,
        pages: 1,
        loaded: false,
        target: Target::Start,
        settings,
        rtl,
        doc_rtl: rtl,
        writing: Writing::Horizontal,
        turns: 0,
        anchor: None,
        pinned: false,
        texts,
        saver: saver.clone(),
        book_id: book.clone(),
        annotations_url: data(&root, "annotations"),
        notes: Vec::new(),
        selection: None,
        panel: notes_texts(&doc),
        note_failed: data(&root, "tNoteFailed"),
        sessions: sessions.clone(),
        fonts: data(&root, "fonts"),
        content_listeners: Vec::new(),
        touch: None,
    }));

    // Listeners for every chapter document.
    let (r1, r2, r3, r4) = (reader.clone(), reader.clone(), reader.clone(), reader.clone());
    let listeners = vec![
        ("keydown", function(move |e: KeyboardEvent| on_key(&r1, &e))),
        ("click", function(move |e: MouseEvent| on_content_click(&r2, &e))),
        (
            "touchstart",
            function(move |e: TouchEvent| {
                if let (Ok(mut r), Some(t)) = (r3.try_borrow_mut(), e.touches().get(0)) {
                    r.touch = Some((t.client_x() as f64, t.client_y() as f64));
                }
            }),
        ),
        (
            "touchend",
            function(move |e: TouchEvent| {
                let Ok(mut r) = r4.try_borrow_mut() else { return };
                let (Some((x0, y0)), Some(t)) = (r.touch.take(), e.changed_touches().get(0)) else { return };
                match layout::swipe(t.client_x() as f64 - x0, t.client_y() as f64 - y0, r.forward_is_left()) {
                    Some(true) => r.next(),
                    Some(false) => r.previous(),
                    None => {}
                }
            }),
        ),
    ];
    let scroll_reader = reader.clone();
    let mut all = listeners;
    all.push((
        "scroll",
        function(move |_: Event| {
            if let Ok(mut r) = scroll_reader.try_borrow_mut() {
                if r.settings.flow == Flow::Scrolled && r.loaded {
                    r.after_turn();
                }
            }
        }),
    ));
    for kind in ["mouseup", "keyup", "touchend"] {
        let r = reader.clone();
        all.push((kind, function(move |_: Event| on_selection(&r))));
    }
    reader.borrow_mut().content_listeners = all;
    let r = reader.clone();
    reader.borrow_mut().forward_tap = Some(function(move |_: MouseEvent| {
        if let Ok(mut r) = r.try_borrow_mut() {
            // Ending a selection on the second page is not a tap.
            let selecting = r
                .second_page()
                .and_then(|(f2, _)| f2.content_document())
                .and_then(|d| d.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if !selecting {
                r.next();
            }
        }
    }));
    wire_notes(&reader, &win, &doc);

    let r = reader.clone();
    listen(&frame, "load", move |_: Event| on_frame_load(&r));
    if let Some(f2) = &frame2 {
        let r = reader.clone();
        let f = f2.clone();
        listen(f2, "load", move |_: Event| {
            let _ = f.dataset().set("loaded", "true");
            let Ok(mut r) = r.try_borrow_mut() else { return };
            // Keys work with the focus in either page; a tap on the second page goes forward
            // (it is the later one, whichever side it stands on).
            if let Some(doc) = f.content_document() {
                // Keys, and selecting a passage to highlight with the mouse or keyboard.
                for (kind, func) in &r.content_listeners {
                    if matches!(*kind, "keydown" | "mouseup" | "keyup") {
                        let _ = doc.add_event_listener_with_callback(kind, func);
                    }
                }
                if let Some(forward) = r.forward_tap.clone() {
                    let _ = doc.add_event_listener_with_callback("click", &forward);
                }
            }
            if r.loaded {
                r.lay_out();
                r.paint_notes();
            }
        });
    }
    let r = reader.clone();
    listen(&win, "keydown", move |e: KeyboardEvent| on_key(&r, &e));
    let r = reader.clone();
    listen(&win, "resize", move |_: Event| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.relayout();
        }
    });
    let (s, sess, w) = (saver.clone(), sessions.clone(), win.clone());
    listen(&win, "pagehide", move |_: Event| {
        sync::flush(&s, true);
        sess.borrow_mut().flush(&w, true);
    });
    let (s, sess, w) = (saver.clone(), sessions.clone(), win.clone());
    let d = doc.clone();
    listen(&doc, "visibilitychange", move |_: Event| {
        if d.hidden() {
            sync::flush(&s, true);
            sess.borrow_mut().flush(&w, true);
        }
    });

    // Page buttons (hidden until now: without this code they could do nothing).
    for (id, forward) in [("reader-prev", false), ("reader-next", true)] {
        if let Some(b) = doc.get_element_by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            b.set_hidden(false);
            let r = reader.clone();
            listen(&b, "click", move |_: Event| {
                if let Ok(mut r) = r.try_borrow_mut() {
                    if forward {
                        r.next();
                    } else {
                        r.previous();
                    }
                }
            });
        }
    }
    // Chapter links in the footer go relative to where the reader is now.
    for (id, forward) in [("reader-prev-part", false), ("reader-next-part", true)] {
        if let Some(a) = doc.get_element_by_id(id) {
            let r = reader.clone();
            listen(&a, "click", move |e: Event| {
                e.prevent_default();
                if let Ok(mut r) = r.try_borrow_mut() {
                    if let Some(n) = r.neighbour(forward) {
                        r.open(n, Target::Start);
                    }
                }
            });
        }
    }
    // The table of contents opens parts (at their anchor) without leaving the page.
    if let Ok(links) = doc.query_selector_all("#reader-toc a[data-spine]") {
        for i in 0..links.length() {
            let Some(a) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            let r = reader.clone();
            let d = doc.clone();
            listen(&a.clone(), "click", move |e: Event| {
                e.prevent_default();
                let spine: u32 = a.get_attribute("data-spine").and_then(|s| s.parse().ok()).unwrap_or(0);
                let target = a.get_attribute("data-target").unwrap_or_default();
                let frag = reader::href::split_fragment(&target).1.filter(|f| !f.is_empty()).map(str::to_owned);
                if let Some(details) = d.get_element_by_id("reader-toc") {
                    let _ = details.remove_attribute("open");
                }
                // A search result carries the passage's locator.
                let at = a.get_attribute("data-locator").and_then(|l| Locator::parse(&l).ok());
                if let Ok(mut r) = r.try_borrow_mut() {
                    let target = match at {
                        Some(l) => Target::At(l),
                        None => frag.map_or(Target::Start, Target::Fragment),
                    };
                    r.open(spine, target);
                }
            });
        }
    }
    // Settings apply at once and are remembered on this device.
    let change = {
        let r = reader.clone();
        let reader_for_fonts = reader.clone();
        let settings_url = settings_url.clone();
        let d = doc.clone();
        let w = win.clone();
        move |bigger: Option<bool>| {
            let Ok(mut r) = r.try_borrow_mut() else { return };
            let mut s = read_settings(&d, r.settings);
            match bigger {
                Some(true) => s.larger(),
                Some(false) => s.smaller(),
                None => {}
            }
            r.settings = s;
            store_settings(&w, &s);
            if let Ok(json) = serde_json::to_string(&s) {
                sync::send(&w, "PUT", &settings_url, json, false);
            }
            reflect_settings(&d, &s);
            r.relayout();
            drop(r);
            after_fonts(&reader_for_fonts);
        }
    };
    let change = Rc::new(change);
    if let Some(form) = doc.get_element_by_id("reader-settings-form") {
        let c = change.clone();
        listen(&form, "change", move |_: Event| c(None));
    }
    for (id, bigger) in [("reader-smaller", false), ("reader-larger", true)] {
        if let Some(b) = doc.get_element_by_id(id) {
            let c = change.clone();
            listen(&b, "click", move |_: Event| c(Some(bigger)));
        }
    }
    if let Some(b) = doc.get_element_by_id("reader-furthest") {
        let r = reader.clone();
        let button = b.clone();
        listen(&b, "click", move |_: Event| {
            let locator = button.get_attribute("data-locator").and_then(|l| Locator::parse(&l).ok());
            button.remove();
            if let (Ok(mut r), Some(l)) = (r.try_borrow_mut(), locator) {
                let spine = l.spine().unwrap_or(0);
                r.open(spine, Target::At(l));
            }
        });
    }

    // Start where the reader left off. The frame may already show the server's chapter.
    let mut r = reader.borrow_mut();
    let target = match start {
        Some(l) => Target::At(l),
        None => Target::Start,
    };
    let wanted = match &target {
        Target::At(l) => l.spine().unwrap_or(chapter),
        _ => chapter,
    };
    let ready = frame.content_document().is_some_and(|d| d.ready_state() == "complete" && d.url().is_ok_and(|u| u.contains("/contenu/")));
    if wanted == chapter && ready {
        r.target = target;
        drop(r);
        on_frame_load(&reader);
    } else {
        r.loaded = false;
        let spine = wanted;
        r.spine = u32::MAX;
        r.open(spine, target);
    }
    let _ = root.dataset().set("ready", "true");
}
