//! The pagination model: how a chapter is cut into pages, where a page starts, which way a tap
//! or a key turns, and the reader's display settings as the CSS that enforces them. Pure
//! arithmetic and strings, so it is tested here rather than in a browser.

use serde::{Deserialize, Serialize};

/// Widths from which two columns make a page (a tablet in landscape, a desktop).
pub const TWO_COLUMNS_FROM: f64 = 900.0;

/// Where to go after a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Another page of the same chapter.
    Page(u32),
    /// The next chapter, at its start.
    NextChapter,
    /// The previous chapter, at its end.
    PreviousChapter,
}

pub fn forward(page: u32, pages: u32) -> Step {
    if page + 1 < pages.max(1) {
        Step::Page(page + 1)
    } else {
        Step::NextChapter
    }
}

pub fn backward(page: u32) -> Step {
    if page > 0 {
        Step::Page(page - 1)
    } else {
        Step::PreviousChapter
    }
}

/// The part of the screen a tap landed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Back,
    Middle,
    Forward,
}

/// Taps on the outer thirds turn pages; in a right-to-left book the left side goes forward.
pub fn zone(x: f64, width: f64, rtl: bool) -> Zone {
    let third = width / 3.0;
    let (left, right) = if rtl { (Zone::Forward, Zone::Back) } else { (Zone::Back, Zone::Forward) };
    if x < third {
        left
    } else if x > width - third {
        right
    } else {
        Zone::Middle
    }
}

/// A horizontal swipe of at least 40 px: `Some(true)` forward, `Some(false)` back.
pub fn swipe(dx: f64, dy: f64, rtl: bool) -> Option<bool> {
    if dx.abs() < 40.0 || dx.abs() < dy.abs() * 1.5 {
        return None;
    }
    // Finger moving left reveals the next page of a left-to-right book.
    Some((dx < 0.0) != rtl)
}

/// Where the reader's page and chapter controls stand. They follow the way the book's pages
/// turn (an Arabic book or vertical Japanese goes forward to the left), not the interface's
/// language: an Arabic book read in French turns its pages leftwards, and so do its buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Controls {
    /// Pages go forward to the left.
    pub forward_left: bool,
    /// The interface is written right to left (its flex rows start on the right).
    pub ui_rtl: bool,
}

impl Controls {
    /// The utility class placing the "next page" button on the forward edge, and the "previous
    /// page" one on the other.
    pub fn sides(self) -> (&'static str, &'static str) {
        if self.forward_left {
            ("right-0", "left-0")
        } else {
            ("left-0", "right-0")
        }
    }

    /// The glyphs of the previous and next page buttons: each points to its own edge.
    pub fn page_glyphs(self) -> (&'static str, &'static str) {
        if self.forward_left {
            ("›", "‹")
        } else {
            ("‹", "›")
        }
    }

    /// The arrows of the previous and next chapter links.
    pub fn chapter_arrows(self) -> (&'static str, &'static str) {
        if self.forward_left {
            ("→", "←")
        } else {
            ("←", "→")
        }
    }

    /// Whether the chapter links (written previous first) must swap places so that "next"
    /// stands on the forward side: a row starts on the interface's start side.
    pub fn footer_reversed(self) -> bool {
        self.forward_left != self.ui_rtl
    }
}

/// How many pages a chapter of `scroll_width` makes in a frame `width` wide.
pub fn page_count(scroll_width: f64, width: f64) -> u32 {
    if width <= 0.0 {
        return 1;
    }
    // A pixel of rounding must not make an empty last page.
    ((scroll_width - 1.0) / width).ceil().max(1.0) as u32
}

/// The page holding document x-coordinate `doc_x` (right-to-left documents scroll to negative x).
pub fn page_of(doc_x: f64, width: f64, rtl: bool) -> u32 {
    if width <= 0.0 {
        return 0;
    }
    // Right to left, page k shows x in [-kW, -kW + W).
    let p = if rtl { (-doc_x / width).ceil() } else { (doc_x / width).floor() };
    p.max(0.0) as u32
}

/// The horizontal scroll that shows `page`.
pub fn scroll_for(page: u32, width: f64, rtl: bool) -> f64 {
    let x = page as f64 * width;
    if rtl {
        -x
    } else {
        x
    }
}

/// Which way a chapter's text runs, from its root's computed `writing-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Writing {
    #[default]
    Horizontal,
    /// Lines top to bottom, following each other right to left (Japanese, Chinese).
    VerticalRl,
    /// Lines top to bottom, left to right (Mongolian).
    VerticalLr,
}

impl Writing {
    /// From a computed `writing-mode` value (legacy `tb-rl` spellings included).
    pub fn from_css(value: &str) -> Self {
        match value.trim() {
            "vertical-rl" | "tb-rl" | "tb" | "sideways-rl" => Writing::VerticalRl,
            "vertical-lr" | "tb-lr" | "sideways-lr" => Writing::VerticalLr,
            _ => Writing::Horizontal,
        }
    }

    pub fn is_vertical(self) -> bool {
        self != Writing::Horizontal
    }

    fn css_value(self) -> &'static str {
        match self {
            Writing::Horizontal => "horizontal-tb",
            Writing::VerticalRl => "vertical-rl",
            Writing::VerticalLr => "vertical-lr",
        }
    }
}

/// How far through the book, 0–100: whole chapters read plus the share of this one.
pub fn percentage(position: u32, count: u32, page: u32, pages: u32) -> f64 {
    if count == 0 {
        return 0.0;
    }
    let within = (page + 1) as f64 / pages.max(1) as f64;
    let pct = (position as f64 + within) / count as f64 * 100.0;
    (pct.clamp(0.0, 100.0) * 100.0).round() / 100.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Font {
    #[default]
    Book,
    Serif,
    Sans,
    /// OpenDyslexic, shipped with the reader.
    Dyslexic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Sepia,
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Margins {
    Narrow,
    #[default]
    Normal,
    Wide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    #[default]
    Paginated,
    Scrolled,
}

/// What the reader chose; remembered per user.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Percent of the book's own size, 70–250.
    pub font_size: u16,
    pub font: Font,
    /// `None`: the book's own line height.
    pub line_height: Option<f32>,
    pub margins: Margins,
    pub theme: Theme,
    pub flow: Flow,
}

impl Default for Settings {
    fn default() -> Self {
        Self { font_size: 100, font: Font::Book, line_height: None, margins: Margins::Normal, theme: Theme::Light, flow: Flow::Paginated }
    }
}

pub const FONT_STEPS: [u16; 11] = [70, 80, 90, 100, 110, 120, 135, 150, 175, 200, 250];

impl Settings {
    /// The same settings with every value in its allowed range.
    pub fn normalised(mut self) -> Self {
        self.font_size = self.font_size.clamp(70, 250);
        self.line_height = self.line_height.filter(|l| l.is_finite()).map(|l| l.clamp(1.0, 2.5));
        self
    }

    pub fn larger(&mut self) {
        self.font_size = FONT_STEPS.iter().copied().find(|s| *s > self.font_size).unwrap_or(250);
    }

    pub fn smaller(&mut self) {
        self.font_size = FONT_STEPS.iter().rev().copied().find(|s| *s < self.font_size).unwrap_or(70);
    }

    /// Side margin in CSS pixels for a frame `width` wide.
    pub fn margin_px(&self, width: f64) -> f64 {
        let base = match self.margins {
            Margins::Narrow => 12.0,
            Margins::Normal => 24.0,
            Margins::Wide => 48.0,
        };
        if width < 480.0 {
            base * 0.75
        } else if width >= TWO_COLUMNS_FROM {
            base * 1.5
        } else {
            base
        }
    }

    /// Top (and bottom) padding of a page, in CSS pixels.
    pub fn top_px(&self, width: f64) -> f64 {
        (self.margin_px(width) * 0.8).max(16.0)
    }

    /// Background and text colours of the theme.
    pub fn colours(&self) -> (&'static str, &'static str, &'static str) {
        match self.theme {
            Theme::Light => ("#ffffff", "#1a1a1a", "#0f5f5a"),
            Theme::Sepia => ("#f4ecd8", "#4a3b2a", "#7a4a12"),
            Theme::Dark => ("#121212", "#e4e4e4", "#7fd6cf"),
        }
    }

    /// The style sheet injected into a reflowable chapter shown `width` × `height`. The book's
    /// own CSS stays; these rules win where the reader chose something. `fonts` is where the
    /// reader's own fonts are served (a folder URL ending in `/`).
    ///
    /// Vertical text is cut into pages along its lines: the columns of a vertical multi-column
    /// root stack downwards, each as tall as the page, so a page is a `height` step of the
    /// vertical scroll (see [`Writing`]); scrolled, a vertical chapter scrolls sideways.
    pub fn css(&self, width: f64, height: f64, fonts: &str, writing: Writing) -> String {
        let m = self.margin_px(width);
        let v = self.top_px(width);
        let (bg, fg, link) = self.colours();
        let mut css = format!("html {{ font-size: {}% !important; background: {bg} !important; color: {fg}; }}\n", self.font_size);
        if writing.is_vertical() {
            css += &format!("html {{ writing-mode: {w} !important; -webkit-writing-mode: {w} !important; }}\n", w = writing.css_value());
        }
        match (self.flow, writing.is_vertical()) {
            (Flow::Paginated, true) => {
                // Vertical lines stack their columns downwards: a column is a page's height.
                let col = (height - 2.0 * v).floor().max(100.0);
                css += &paginated_css(width, height, (v, m), col, 2.0 * v, ("height", "width", (width - 2.0 * m).max(50.0)));
            }
            (Flow::Scrolled, true) => {
                css += &format!(
                    "html {{ overflow-x: auto !important; overflow-y: hidden !important; }}\n\
                     body {{ margin: auto 0 !important; padding: {v}px {m}px !important; max-height: 42em; }}\n\
                     img, svg, video, table {{ max-height: 100% !important; width: auto; }}\n"
                );
            }
            (Flow::Paginated, false) => {
                let cols = if width >= TWO_COLUMNS_FROM { 2.0 } else { 1.0 };
                let col = ((width - 2.0 * m * cols) / cols).floor().max(100.0);
                css += &paginated_css(width, height, (v, m), col, 2.0 * m, ("width", "height", (height - 2.0 * v).max(50.0)));
            }
            (Flow::Scrolled, false) => {
                css += &format!(
                    "html {{ overflow-y: auto !important; overflow-x: hidden !important; }}\n\
                     body {{ margin: 0 auto !important; padding: {v}px {m}px !important; max-width: 42em; }}\n\
                     img, svg, video, table {{ max-width: 100% !important; height: auto; }}\n"
                );
            }
        }
        match self.font {
            Font::Book => {}
            Font::Serif => css += "body, body * { font-family: Georgia, 'Noto Serif', 'DejaVu Serif', serif !important; }\n",
            Font::Sans => css += "body, body * { font-family: system-ui, 'Noto Sans', 'DejaVu Sans', sans-serif !important; }\n",
            Font::Dyslexic => {
                for (weight, style) in [(400, "normal"), (700, "normal"), (400, "italic"), (700, "italic")] {
                    css += &format!(
                        "@font-face {{ font-family: 'OpenDyslexic'; src: url('{fonts}opendyslexic-latin-{weight}-{style}.woff2') format('woff2'); font-weight: {weight}; font-style: {style}; font-display: swap; }}\n"
                    );
                }
                css += "body, body * { font-family: 'OpenDyslexic', sans-serif !important; }\n";
            }
        }
        if let Some(lh) = self.line_height {
            css += &format!("body, body * {{ line-height: {lh} !important; }}\n");
        }
        if self.theme != Theme::Light {
            css += &format!("body, body * {{ color: {fg} !important; background-color: transparent !important; border-color: {fg}; }}\na, a * {{ color: {link} !important; }}\n");
        }
        css
    }
}

/// The root as a box of columns, one screen in size: pages are its columns. `padding` is (top,
/// side); `sizes` names the dimension along the columns' flow, the other one, and how far
/// pictures may reach across (so a picture never spills out of its page).
fn paginated_css(width: f64, height: f64, padding: (f64, f64), col: f64, gap: f64, sizes: (&str, &str, f64)) -> String {
    let ((v, m), (along, across, cap)) = (padding, sizes);
    format!(
        "html {{ height: {height}px !important; width: {width}px !important; max-{along}: none !important; margin: 0 !important; \
         padding: {v}px {m}px !important; box-sizing: border-box !important; overflow: hidden !important; \
         column-width: {col}px !important; column-gap: {gap}px !important; column-fill: auto !important; }}\n\
         body {{ margin: 0 !important; padding: 0 !important; max-{along}: none !important; }}\n\
         img, svg, video, table, figure {{ max-{along}: 100% !important; max-{across}: {cap}px !important; break-inside: avoid; }}\n\
         img, video {{ object-fit: contain; {across}: auto; }}\n"
    )
}

/// The reader's highlight colours, in the order of their names `coko-c0`…`coko-c4`.
pub const HIGHLIGHT_COLOURS: [&str; 5] = ["#fde047", "#86efac", "#93c5fd", "#f9a8d4", "#fdba74"];

/// The highlight name (CSS Custom Highlight API) for a colour; unknown colours use the first.
pub fn highlight_name(colour: &str) -> String {
    let i = HIGHLIGHT_COLOURS.iter().position(|c| c.eq_ignore_ascii_case(colour)).unwrap_or(0);
    format!("coko-c{i}")
}

/// Styles for highlights: translucent colour, dark text so they read on every theme.
pub fn highlight_css() -> String {
    highlight_rules("b3", "#111")
}

/// The PDF reader's style: the text laid over each drawn page is invisible but selectable, and
/// a highlight tints the drawing under it (the text itself stays see-through); the search hit
/// opened last is marked `coko-found`. The site's
/// policy allows no inline style sheet, so these rules are in `style/tailwind.css` too, line for
/// line (a test checks).
pub fn pdf_text_css() -> String {
    let layer = ".pdf-text { position: absolute; inset: 0; overflow: hidden; line-height: 1; }\n\
        .pdf-text > span { position: absolute; white-space: pre; color: transparent; transform-origin: 0 0; font-family: sans-serif; cursor: text; }\n\
        .pdf-text > span::selection { background: rgb(0 96 200 / 0.3); color: transparent; }\n\
        ::highlight(coko-found) { background-color: #f59e0b99; color: transparent; text-decoration: underline 2px #b45309; }\n";
    format!("{layer}{}", highlight_rules("73", "transparent"))
}

fn highlight_rules(alpha: &str, text: &str) -> String {
    HIGHLIGHT_COLOURS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("::highlight(coko-c{i}) {{ background-color: {c}{alpha}; color: {text}; }}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_text_style_is_in_the_site_stylesheet() {
        let sheet = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/tailwind.css")).unwrap();
        for rule in pdf_text_css().lines() {
            assert!(sheet.contains(rule), "style/tailwind.css lacks: {rule}");
        }
    }

    #[test]
    fn turning_pages_crosses_chapters_at_the_ends() {
        assert_eq!(forward(0, 3), Step::Page(1));
        assert_eq!(forward(2, 3), Step::NextChapter);
        assert_eq!(forward(0, 0), Step::NextChapter);
        assert_eq!(backward(2), Step::Page(1));
        assert_eq!(backward(0), Step::PreviousChapter);
    }

    #[test]
    fn controls_stand_on_the_side_pages_turn_to() {
        let ltr_book_fr = Controls { forward_left: false, ui_rtl: false };
        assert_eq!(ltr_book_fr.sides(), ("left-0", "right-0"));
        assert_eq!(ltr_book_fr.page_glyphs(), ("‹", "›"));
        assert_eq!(ltr_book_fr.chapter_arrows(), ("←", "→"));
        assert!(!ltr_book_fr.footer_reversed());
        // An Arabic book in a French interface: next on the left, the footer reversed.
        let rtl_book_fr = Controls { forward_left: true, ui_rtl: false };
        assert_eq!(rtl_book_fr.sides(), ("right-0", "left-0"));
        assert_eq!(rtl_book_fr.page_glyphs(), ("›", "‹"));
        assert_eq!(rtl_book_fr.chapter_arrows(), ("→", "←"));
        assert!(rtl_book_fr.footer_reversed());
        // In an Arabic interface the row already starts on the right.
        assert!(!Controls { forward_left: true, ui_rtl: true }.footer_reversed());
        assert!(Controls { forward_left: false, ui_rtl: true }.footer_reversed());
    }

    #[test]
    fn taps_and_swipes_follow_the_book_direction() {
        assert_eq!(zone(10.0, 360.0, false), Zone::Back);
        assert_eq!(zone(350.0, 360.0, false), Zone::Forward);
        assert_eq!(zone(180.0, 360.0, false), Zone::Middle);
        assert_eq!(zone(10.0, 360.0, true), Zone::Forward);
        assert_eq!(swipe(-80.0, 5.0, false), Some(true));
        assert_eq!(swipe(-80.0, 5.0, true), Some(false));
        assert_eq!(swipe(20.0, 0.0, false), None);
        assert_eq!(swipe(60.0, 90.0, false), None, "mostly vertical: a scroll, not a swipe");
    }

    #[test]
    fn pages_and_scroll_positions() {
        assert_eq!(page_count(360.0, 360.0), 1);
        assert_eq!(page_count(361.0, 360.0), 1, "a rounding pixel is no page");
        assert_eq!(page_count(1080.0, 360.0), 3);
        assert_eq!(page_of(0.0, 360.0, false), 0);
        assert_eq!(page_of(725.0, 360.0, false), 2);
        assert_eq!(page_of(10.0, 360.0, true), 0);
        assert_eq!(page_of(-10.0, 360.0, true), 1);
        assert_eq!(page_of(-360.0, 360.0, true), 1);
        assert_eq!(page_of(-361.0, 360.0, true), 2);
        assert_eq!(scroll_for(2, 360.0, true), -720.0);
        assert_eq!(scroll_for(2, 360.0, false), 720.0);
    }

    #[test]
    fn writing_modes_from_computed_styles() {
        assert_eq!(Writing::from_css("vertical-rl"), Writing::VerticalRl);
        assert_eq!(Writing::from_css("tb-rl"), Writing::VerticalRl);
        assert_eq!(Writing::from_css("vertical-lr"), Writing::VerticalLr);
        assert_eq!(Writing::from_css("horizontal-tb"), Writing::Horizontal);
        assert_eq!(Writing::from_css(""), Writing::Horizontal);
        assert!(Writing::VerticalLr.is_vertical() && !Writing::Horizontal.is_vertical());
    }

    #[test]
    fn percentage_grows_through_the_book() {
        assert_eq!(percentage(0, 4, 0, 2), 12.5);
        assert_eq!(percentage(3, 4, 1, 2), 100.0);
        assert!(percentage(1, 4, 0, 3) < percentage(1, 4, 1, 3));
    }

    #[test]
    fn highlight_names_and_styles() {
        assert_eq!(highlight_name("#93C5FD"), "coko-c2");
        assert_eq!(highlight_name("#123456"), "coko-c0");
        assert!(highlight_css().contains("::highlight(coko-c4) { background-color: #fdba74b3"));
    }

    #[test]
    fn settings_become_css() {
        let mut s = Settings::default();
        s.larger();
        assert_eq!(s.font_size, 110);
        s.smaller();
        s.smaller();
        assert_eq!(s.font_size, 90);
        let css = s.css(360.0, 640.0, "/f/", Writing::Horizontal);
        assert!(css.contains("font-size: 90%") && css.contains("column-width") && css.contains("height: 640px"));
        assert!(!css.contains("font-family"), "the book's font by default");
        let wide = Settings { theme: Theme::Sepia, font: Font::Serif, line_height: Some(1.8), ..Settings::default() }.css(
            1280.0,
            800.0,
            "/f/",
            Writing::Horizontal,
        );
        assert!(wide.contains("column-width: 568px"), "two columns: {wide}");
        assert!(wide.contains("#f4ecd8") && wide.contains("Georgia") && wide.contains("line-height: 1.8"));
        let scrolled = Settings { flow: Flow::Scrolled, ..Settings::default() }.css(360.0, 640.0, "/f/", Writing::Horizontal);
        let dyslexic =
            Settings { font: Font::Dyslexic, ..Settings::default() }.css(360.0, 640.0, "/reader/abc/fonts/", Writing::Horizontal);
        assert!(
            dyslexic.contains("url('/reader/abc/fonts/opendyslexic-latin-700-italic.woff2')")
                && dyslexic.contains("font-family: 'OpenDyslexic'")
        );
        assert!(!scrolled.contains("column-width") && scrolled.contains("overflow-y: auto"));
        // Vertical text: columns as tall as the page (less its top and bottom padding), one
        // page per screen even on a wide one, and a sideways scroll when scrolled.
        let vertical = Settings::default().css(1280.0, 800.0, "/f/", Writing::VerticalRl);
        assert!(
            vertical.contains("writing-mode: vertical-rl !important")
                && vertical.contains("column-width: 742px")
                && vertical.contains("column-gap: 57.6px"),
            "{vertical}"
        );
        let scrolled_v = Settings { flow: Flow::Scrolled, ..Settings::default() }.css(360.0, 640.0, "/f/", Writing::VerticalRl);
        assert!(scrolled_v.contains("overflow-x: auto") && !scrolled_v.contains("column-width"));
        assert!(!css.contains("writing-mode"), "horizontal books keep their own");
        let json = serde_json::to_string(&Settings::default()).unwrap();
        let back: Settings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Settings::default());
        let partial: Settings = serde_json::from_str(r#"{"font_size":150}"#).unwrap();
        assert_eq!(partial.font_size, 150);
    }
}

/// Which fixed-layout pages share a screen on a wide display: for each spine item, the other
/// item shown beside it (`None`: shown alone). Pages keep the side the book gives them
/// (`page-spread-left/right/center`); unmarked ones alternate, a run of fixed pages starting on
/// the second side (the cover alone, as in print). A spread is the page on the first side in
/// reading order (left in a left-to-right book, right in a right-to-left one) and the next page
/// on the other side.
pub fn spread_partners(publication: &crate::Publication) -> Vec<Option<u32>> {
    use crate::{Direction, Layout};
    let n = publication.spine.len();
    let mut partners = vec![None; n];
    let (first, second) = if publication.direction == Direction::Rtl { ("right", "left") } else { ("left", "right") };
    let order: Vec<u32> = publication.reading_order().map(|(i, _)| i).collect();
    let mut sides: Vec<(u32, &str)> = Vec::new();
    let mut previous: Option<&str> = None;
    for &i in &order {
        let item = &publication.spine[i as usize];
        if item.layout != Layout::PrePaginated {
            previous = None;
            sides.push((i, "none"));
            continue;
        }
        let side = match item.spread.as_deref() {
            Some("left") => "left",
            Some("right") => "right",
            Some("center") => "center",
            _ => match previous {
                Some(p) if p == first => second,
                Some(p) if p == second => first,
                // A run's first page, or after a centred one.
                _ => second,
            },
        };
        previous = Some(side);
        sides.push((i, side));
    }
    for w in sides.windows(2) {
        let ((a, side_a), (b, side_b)) = (w[0], w[1]);
        if side_a == first && side_b == second {
            partners[a as usize] = Some(b);
            partners[b as usize] = Some(a);
        }
    }
    partners
}

/// Whether the screen is wide enough for two fixed pages side by side.
pub fn shows_spreads(width: f64, height: f64) -> bool {
    width >= 800.0 && width > height
}

#[cfg(test)]
mod spread_tests {
    use super::*;
    use crate::{Direction, Layout, Publication, SpineItem};

    fn book(direction: Direction, items: &[(Layout, Option<&str>)]) -> Publication {
        Publication {
            title: String::new(),
            language: String::new(),
            package_path: String::new(),
            layout: Layout::PrePaginated,
            direction,
            spine: items
                .iter()
                .enumerate()
                .map(|(i, (layout, spread))| SpineItem {
                    href: format!("p{i}.xhtml"),
                    media_type: "application/xhtml+xml".into(),
                    linear: true,
                    layout: *layout,
                    spread: spread.map(str::to_owned),
                })
                .collect(),
            toc: vec![],
            resources: vec![],
        }
    }

    #[test]
    fn marked_sides_pair_left_with_the_next_right() {
        let fixed = Layout::PrePaginated;
        // sous-le-vent: right, left, right, left, right…
        let b = book(
            Direction::Ltr,
            &[(fixed, Some("right")), (fixed, Some("left")), (fixed, Some("right")), (fixed, Some("left")), (fixed, Some("right"))],
        );
        assert_eq!(spread_partners(&b), [None, Some(2), Some(1), Some(4), Some(3)], "the cover alone, then pairs");
    }

    #[test]
    fn unmarked_pages_alternate_from_the_second_side() {
        let fixed = Layout::PrePaginated;
        let b = book(Direction::Ltr, &[(fixed, None), (fixed, None), (fixed, None), (fixed, Some("center")), (fixed, None), (fixed, None)]);
        assert_eq!(spread_partners(&b), [None, Some(2), Some(1), None, None, None], "a centred page stands alone and restarts the run");
        // Right to left: the right page comes first.
        let b = book(Direction::Rtl, &[(fixed, None), (fixed, None), (fixed, None)]);
        assert_eq!(spread_partners(&b), [None, Some(2), Some(1)]);
    }

    #[test]
    fn reflowable_pages_never_pair() {
        let b = book(Direction::Ltr, &[(Layout::Reflowable, None), (Layout::PrePaginated, Some("left")), (Layout::Reflowable, None)]);
        assert_eq!(spread_partners(&b), [None, None, None]);
        assert!(shows_spreads(1280.0, 860.0) && !shows_spreads(360.0, 780.0) && !shows_spreads(800.0, 1200.0));
    }
}
