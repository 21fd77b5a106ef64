//! PDF books (feature `pdf`): pages counted and measured, drawn to pixels with the pure-Rust
//! `hayro` rasteriser, the outline read as a table of contents, and each page's text pulled out
//! for search inside the book. The same code runs natively (tests over the corpus) and in the
//! browser's PDF reader.

use crate::EngineError;
use hayro::hayro_interpret::font::{Glyph, GlyphRun};
use hayro::hayro_interpret::hayro_cmap::BfString;
use hayro::hayro_interpret::hayro_syntax::object::{Array, Dict, Name, Object, ObjectIdentifier, String as PdfString};
use hayro::hayro_interpret::hayro_syntax::{LoadPdfError, Pdf};
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageDrawProps, InterpreterCache,
    InterpreterSettings, SoftMask,
};
use hayro::kurbo::{BezPath, Point, Rect};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use std::collections::{HashMap, HashSet};

/// Largest side of a drawn page, in pixels (the rasteriser counts in `u16`).
pub const MAX_SIDE: f32 = 8000.0;
/// Most pixels drawn for one page (≈ 64 MB of RGBA): phones do not have more to spare.
pub const MAX_PIXELS: f32 = 16_000_000.0;
/// Most outline entries kept, and how deep they nest.
const MAX_OUTLINE: usize = 5000;
const MAX_DEPTH: usize = 12;

/// One entry of a PDF's outline (its bookmarks), pointing at a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutlineEntry {
    pub title: String,
    /// Page number, from 1; `None` when the entry points nowhere we can resolve.
    pub page: Option<u32>,
    pub depth: u32,
}

/// What a PDF says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    pub title: Option<String>,
    pub author: Option<String>,
    pub subject: Option<String>,
}

/// A page drawn to pixels: straight RGBA on white, row by row.
pub struct Drawn {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// An opened PDF.
pub struct PdfBook {
    pdf: Pdf,
}

impl PdfBook {
    /// Opens a PDF; encrypted and unreadable files are refused.
    pub fn open(bytes: Vec<u8>) -> Result<Self, EngineError> {
        let pdf = Pdf::new(bytes).map_err(|e| match e {
            LoadPdfError::Decryption(_) => EngineError::Encrypted,
            LoadPdfError::Invalid => EngineError::Archive("not a readable PDF".into()),
        })?;
        if pdf.pages().is_empty() {
            return Err(EngineError::EmptySpine);
        }
        Ok(PdfBook { pdf })
    }

    /// The document's own title, author and subject (its Info dictionary), when set.
    pub fn info(&self) -> Info {
        let m = self.pdf.metadata();
        let text = |v: &Option<Box<[u8]>>| {
            v.as_deref().map(text_string).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty())
        };
        Info { title: text(&m.title), author: text(&m.author), subject: text(&m.subject) }
    }

    pub fn page_count(&self) -> u32 {
        self.pdf.pages().len() as u32
    }

    /// Width and height of a page (index from 0) in PDF points, after its rotation.
    pub fn page_size(&self, index: u32) -> Option<(f32, f32)> {
        self.pdf.pages().get(index as usize).map(|p| p.render_dimensions())
    }

    /// The text of a page (index from 0), in drawing order, with spaces and line breaks guessed
    /// from the glyphs' positions. Empty for scanned pages.
    pub fn page_text(&self, index: u32) -> String {
        self.text_layer(index).text
    }

    /// A page's text (as [`Self::page_text`]) and the runs of it that sit together on a line,
    /// with their place on the page: what the reader lays over the drawn page so that its text
    /// can be selected and highlighted. Locators into it count characters of `text`.
    pub fn text_layer(&self, index: u32) -> PageText {
        let Some(page) = self.pdf.pages().get(index as usize) else { return PageText::default() };
        let cache = InterpreterCache::new();
        let (w, h) = page.render_dimensions();
        let transform = page.initial_transform(true).to_kurbo();
        let mut context =
            Context::new(transform, Rect::new(0.0, 0.0, w as f64, h as f64), &cache, page.xref(), InterpreterSettings::default());
        let mut text = TextCollector::default();
        interpret_page(page, &mut context, &mut text);
        text.finish()
    }

    /// The outline as a flat list in reading order, each entry with its depth.
    pub fn outline(&self) -> Vec<OutlineEntry> {
        let xref = self.pdf.xref();
        let Some(root) = xref.get::<Dict<'_>>(xref.root_id()) else { return Vec::new() };
        let Some(outlines) = root.get::<Dict<'_>>(b"Outlines".as_slice()) else { return Vec::new() };
        let pages: HashMap<ObjectIdentifier, u32> =
            self.pdf.pages().iter().enumerate().filter_map(|(i, p)| p.raw().obj_id().map(|id| (id, i as u32 + 1))).collect();
        let names = NamedDests { root: &root };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        walk_outline(&outlines, 0, &pages, &names, &mut seen, &mut out);
        out
    }
}

/// Draws pages of one book, keeping fonts and decoded images between pages.
pub struct PageDrawer<'a> {
    book: &'a PdfBook,
    cache: RenderCache<'a>,
    settings: InterpreterSettings,
}

impl<'a> PageDrawer<'a> {
    pub fn new(book: &'a PdfBook) -> Self {
        PageDrawer { book, cache: RenderCache::new(), settings: InterpreterSettings::default() }
    }

    /// Scale that keeps a page within [`MAX_SIDE`] and [`MAX_PIXELS`].
    pub fn safe_scale(&self, index: u32, wanted: f32) -> f32 {
        let Some((w, h)) = self.book.page_size(index) else { return wanted };
        let (w, h) = (w.max(1.0), h.max(1.0));
        let mut scale = wanted.clamp(0.05, 16.0);
        scale = scale.min(MAX_SIDE / w).min(MAX_SIDE / h);
        scale.min((MAX_PIXELS / (w * h)).sqrt())
    }

    /// Draws a page (index from 0) at `scale` pixels per point (clamped, see [`Self::safe_scale`]).
    pub fn draw(&self, index: u32, scale: f32) -> Option<Drawn> {
        let page = self.book.pdf.pages().get(index as usize)?;
        let scale = self.safe_scale(index, scale);
        let pixmap = hayro::render(
            page,
            &self.cache,
            &self.settings,
            &RenderSettings::default(),
            &PixmapSettings { x_scale: scale, y_scale: scale, bg_color: WHITE },
        );
        let (width, height) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        // Laid on white (pages with transparency leave some pixels see-through): premultiplied
        // colour plus the white showing through, fully opaque, which is also straight RGBA.
        let mut rgba = pixmap.data_as_u8_slice().to_vec();
        for px in rgba.chunks_exact_mut(4) {
            let clear = 255 - px[3];
            if clear > 0 {
                px[0] = px[0].saturating_add(clear);
                px[1] = px[1].saturating_add(clear);
                px[2] = px[2].saturating_add(clear);
                px[3] = 255;
            }
        }
        Some(Drawn { width, height, rgba })
    }
}

/// A page's text and where it is drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageText {
    pub text: String,
    pub runs: Vec<TextRun>,
}

/// Characters drawn one after the other on a line, without a gap: one piece of the text layer.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    /// Index in the page's text (in characters) of the run's first character.
    pub offset: u32,
    pub text: String,
    /// Left and top edges, width and font size, in points from the page's top-left corner.
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub size: f32,
}

/// How far above the baseline a line's box starts, in font sizes (a typical Latin ascent).
const ASCENT: f64 = 0.85;
/// A gap between glyphs on a line wider than this (in font sizes) starts a new run.
const WIDE_GAP: f64 = 1.5;

/// Collects the Unicode of every glyph drawn, visible or not (scanned books often carry an
/// invisible text layer), guessing word and line breaks from where glyphs land, and the runs
/// of text that sit together.
#[derive(Default)]
struct TextCollector {
    out: String,
    /// Characters in `out`.
    chars: u32,
    /// Where the previous glyph's pen position ended (page space) and its size.
    last: Option<(Point, f64)>,
    /// The run being extended: it and its left and right edges.
    run: Option<(TextRun, f64, f64)>,
    runs: Vec<TextRun>,
}

impl TextCollector {
    fn push_out(&mut self, text: &str) {
        self.out.push_str(text);
        self.chars += text.chars().count() as u32;
    }

    /// Ends the run being extended: a gap or a new line comes next.
    fn end_run(&mut self) {
        if let Some((mut run, left, right)) = self.run.take() {
            run.x = left as f32;
            run.width = (right - left).max(0.0) as f32;
            if !run.text.trim().is_empty() {
                self.runs.push(run);
            }
        }
    }

    /// Adds a glyph's text; `origin` and `end` are where its pen position starts and ends on the
    /// page, `size` the font size there.
    fn push_glyph(&mut self, origin: Point, end: Point, size: f64, text: &str) {
        if let Some((last_end, last_size)) = self.last {
            let size_ref = last_size.max(size).max(0.5);
            if (origin.y - last_end.y).abs() > size_ref * 0.6 {
                self.end_run();
                if !self.out.ends_with('\n') {
                    self.push_out("\n");
                }
            } else if (origin.x - last_end.x).abs() > size_ref * 0.18 {
                // A word gap stays in the run; a wider one (the next column, a tab stop) ends it.
                if (origin.x - last_end.x).abs() > size_ref * WIDE_GAP {
                    self.end_run();
                } else if let Some((run, _, _)) = &mut self.run {
                    if !run.text.ends_with(' ') {
                        run.text.push(' ');
                    }
                }
                if !self.out.ends_with([' ', '\n']) {
                    self.push_out(" ");
                }
            }
        }
        let (left, right) = (origin.x.min(end.x), origin.x.max(end.x));
        match &mut self.run {
            Some((run, l, r)) => {
                run.text.push_str(text);
                *l = l.min(left);
                *r = r.max(right);
            }
            None => {
                let run = TextRun {
                    offset: self.chars,
                    text: text.to_owned(),
                    x: 0.0,
                    y: (origin.y - size * ASCENT) as f32,
                    width: 0.0,
                    size: size as f32,
                };
                self.run = Some((run, left, right));
            }
        }
        self.push_out(text);
        self.last = Some((end, size));
    }

    /// A space drawn as a glyph: part of the run it follows.
    fn push_space(&mut self, end: Point, size: f64) {
        if !self.out.is_empty() && !self.out.ends_with([' ', '\n']) {
            if let Some((run, _, r)) = &mut self.run {
                run.text.push(' ');
                *r = r.max(end.x);
            }
            self.push_out(" ");
        }
        self.last = Some((end, size));
    }

    fn finish(mut self) -> PageText {
        self.end_run();
        PageText { text: self.out, runs: self.runs }
    }
}

impl<'a> Device<'a> for TextCollector {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, _: &DrawMode) {
        for glyph in run.glyphs() {
            // Glyph space is 1000 units per em (hayro scales by 1/1000 in the glyph transform).
            let placed = props.transform * glyph.transform();
            let origin = placed * Point::ORIGIN;
            let size = (placed * Point::new(0.0, 1000.0) - origin).hypot();
            let advance = match &**glyph {
                Glyph::Outline(g) => g.advance_width(),
                Glyph::Type3(g) => g.advance_width(),
            }
            .unwrap_or(500.0);
            let end = placed * Point::new(f64::from(advance), 0.0);
            let text = match glyph.as_unicode() {
                Some(BfString::Char(c)) => c.to_string(),
                Some(BfString::String(s)) => s,
                None => continue,
            };
            if text.chars().all(char::is_control) {
                continue;
            }
            if text.trim().is_empty() {
                self.push_space(end, size);
                continue;
            }
            self.push_glyph(origin, end, size, &text);
        }
    }
}

/// Destinations named in `/Root /Dests` (PDF 1.1) or the `/Names /Dests` name tree.
struct NamedDests<'r, 'a> {
    root: &'r Dict<'a>,
}

impl<'a> NamedDests<'_, 'a> {
    fn find(&self, name: &[u8]) -> Option<Object<'a>> {
        if let Some(dests) = self.root.get::<Dict<'a>>(b"Dests".as_slice()) {
            if let Some(found) = dests.get::<Object<'a>>(name) {
                return Some(found);
            }
        }
        let tree = self.root.get::<Dict<'a>>(b"Names".as_slice())?.get::<Dict<'a>>(b"Dests".as_slice())?;
        let mut budget = 10_000;
        name_tree_find(&tree, name, 0, &mut budget)
    }
}

fn name_tree_find<'a>(node: &Dict<'a>, name: &[u8], depth: usize, budget: &mut usize) -> Option<Object<'a>> {
    if depth > 32 || *budget == 0 {
        return None;
    }
    *budget -= 1;
    if let Some(names) = node.get::<Array<'a>>(b"Names".as_slice()) {
        let mut items = names.iter::<Object<'a>>();
        while let (Some(key), Some(value)) = (items.next(), items.next()) {
            if let Object::String(k) = key {
                if k.as_bytes() == name {
                    return Some(value);
                }
            }
        }
    }
    let kids = node.get::<Array<'a>>(b"Kids".as_slice())?;
    for kid in kids.iter::<Dict<'a>>() {
        if let Some(limits) = kid.get::<Array<'a>>(b"Limits".as_slice()) {
            let mut l = limits.iter::<PdfString<'a>>();
            if let (Some(lo), Some(hi)) = (l.next(), l.next()) {
                if name < lo.as_bytes() || name > hi.as_bytes() {
                    continue;
                }
            }
        }
        if let Some(found) = name_tree_find(&kid, name, depth + 1, budget) {
            return Some(found);
        }
    }
    None
}

fn walk_outline<'a>(
    parent: &Dict<'a>,
    depth: u32,
    pages: &HashMap<ObjectIdentifier, u32>,
    names: &NamedDests<'_, 'a>,
    seen: &mut HashSet<ObjectIdentifier>,
    out: &mut Vec<OutlineEntry>,
) {
    if depth as usize > MAX_DEPTH {
        return;
    }
    let mut item = parent.get::<Dict<'a>>(b"First".as_slice());
    while let Some(entry) = item {
        if out.len() >= MAX_OUTLINE {
            return;
        }
        if let Some(id) = entry.obj_id() {
            if !seen.insert(id) {
                return; // a loop in the file
            }
        }
        let title = entry.get::<PdfString<'a>>(b"Title".as_slice()).map(|s| text_string(s.as_bytes())).unwrap_or_default();
        let page = destination_page(&entry, pages, names);
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if !title.is_empty() {
            out.push(OutlineEntry { title, page, depth });
        }
        walk_outline(&entry, depth + 1, pages, names, seen, out);
        item = entry.get::<Dict<'a>>(b"Next".as_slice());
    }
}

/// The page an outline entry goes to: its `/Dest`, or a GoTo action's `/D`.
fn destination_page<'a>(entry: &Dict<'a>, pages: &HashMap<ObjectIdentifier, u32>, names: &NamedDests<'_, 'a>) -> Option<u32> {
    let dest = entry.get::<Object<'a>>(b"Dest".as_slice()).or_else(|| {
        let action = entry.get::<Dict<'a>>(b"A".as_slice())?;
        let kind = action.get::<Name<'a>>(b"S".as_slice())?;
        (kind.as_ref() == b"GoTo").then(|| action.get::<Object<'a>>(b"D".as_slice())).flatten()
    })?;
    resolve_dest(dest, pages, names, 0)
}

fn resolve_dest<'a>(dest: Object<'a>, pages: &HashMap<ObjectIdentifier, u32>, names: &NamedDests<'_, 'a>, hops: u8) -> Option<u32> {
    if hops > 3 {
        return None;
    }
    match dest {
        Object::Array(a) => {
            let first = a.raw_iter().next()?;
            if let Some(r) = first.as_obj_ref() {
                return pages.get(&ObjectIdentifier::from(r)).copied();
            }
            // Some writers put a page index (from 0) instead of a reference.
            a.iter::<i32>().next().and_then(|n| u32::try_from(n).ok()).map(|n| n + 1).filter(|n| *n as usize <= pages.len())
        }
        Object::Dict(d) => d.get::<Object<'a>>(b"D".as_slice()).and_then(|o| resolve_dest(o, pages, names, hops + 1)),
        Object::String(s) => names.find(s.as_bytes()).and_then(|o| resolve_dest(o, pages, names, hops + 1)),
        Object::Name(n) => names.find(n.as_ref()).and_then(|o| resolve_dest(o, pages, names, hops + 1)),
        _ => None,
    }
}

/// A PDF text string: UTF-16 (big-endian, with its mark) or PDFDocEncoding (read as Latin-1,
/// which it matches for letters).
fn text_string(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(&bytes[3..]).into_owned();
    }
    bytes.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::text_string;

    #[test]
    fn text_strings_in_both_encodings() {
        assert_eq!(text_string(&[0xFE, 0xFF, 0x00, 0x45, 0x00, 0xE9]), "Eé");
        assert_eq!(text_string(b"Chapitre \xe9t\xe9"), "Chapitre été");
    }
}
