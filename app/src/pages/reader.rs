//! `/lire/{id}`: the reader. The server renders the frame (toolbar, contents, settings, the
//! chapter in a sandboxed iframe, links between chapters) so a book can be read without any
//! script; the reader's own WASM (loaded on this route only) adds pages, gestures, settings and
//! synchronised progress.

use crate::components::offline::{DownloadBox, PwaBar};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{texts, Texts};
use domain::catalog::Book;
use domain::reading::{Controls, Direction, Layout, Publication, SearchHit, TocEntry};
use leptos::prelude::*;

/// What the reader page is given.
#[derive(Debug, Clone)]
pub struct ReaderView {
    pub book: Book,
    pub publication: Publication,
    /// The spine item shown first (from `?partie=`, the saved position, or the first one).
    pub chapter: u32,
    /// The saved position to resume at, when there is one.
    pub start: Option<String>,
    /// The furthest position ever reached, when it is ahead of `start`.
    pub furthest: Option<(String, f64)>,
    /// The reader asked for this part (`?partie=`): it wins over any saved position.
    pub explicit: bool,
    /// The reader's saved display settings (JSON), empty when never saved.
    pub settings: String,
    /// A search inside the book: the query and the passages found.
    pub search: Option<(String, Vec<SearchHit>)>,
    /// The folder of the reader's WASM build under `/reader/`, when it was built.
    pub assets: Option<String>,
}

pub(crate) const ICON_BUTTON: &str = "inline-flex h-10 min-w-10 items-center justify-center rounded-lg px-2 text-slate-900 hover:bg-slate-100 focus-visible:outline focus-visible:outline-3 focus-visible:outline-amber-500 dark:text-slate-100 dark:hover:bg-slate-800";
pub(crate) const PANEL: &str = "absolute end-2 top-12 z-20 max-h-[70vh] w-[min(22rem,calc(100vw-1rem))] overflow-y-auto rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900";

/// The start of both readers' headers: back to the book page, then the book's title.
pub(super) fn back_and_title(t: &'static Texts, book: &Book, back_arrow: &'static str) -> impl IntoView {
    view! {
        <a href=format!("/livres/{}", book.id) class=ICON_BUTTON aria-label=t.reader_back title=t.reader_back>
            <span aria-hidden="true">{back_arrow}</span>
        </a>
        <h1 class="min-w-0 flex-1 truncate text-sm font-semibold" dir="auto" lang=book.language.clone()>{book.title.clone()}</h1>
    }
}

/// The address of a book's parts, the part's number to append (also given to reader-web,
/// which points the chapter links at the parts around the one shown).
fn parts_base(book_id: &str) -> String {
    format!("/lire/{book_id}?partie=")
}

fn part_href(book_id: &str, spine: u32) -> String {
    format!("{}{spine}", parts_base(book_id))
}

fn toc_list(book_id: &str, entries: &[TocEntry], current: u32) -> AnyView {
    let items = entries
        .iter()
        .map(|e| {
            let here = e.spine == Some(current);
            let label = e.label.clone();
            let head = match e.spine {
                Some(spine) => view! {
                    <a href=part_href(book_id, spine) data-spine=spine data-target=e.href.clone()
                        aria-current=here.then_some("page")
                        class="block rounded px-2 py-1.5 hover:bg-slate-100 aria-[current=page]:font-bold aria-[current=page]:text-teal-800 dark:hover:bg-slate-800 dark:aria-[current=page]:text-teal-300">{label}</a>
                }
                .into_any(),
                None => view! { <span class="block px-2 py-1.5 text-slate-700 dark:text-slate-300">{label}</span> }.into_any(),
            };
            let children = (!e.children.is_empty()).then(|| view! { <div class="ps-3">{toc_list(book_id, &e.children, current)}</div> });
            view! { <li>{head}{children}</li> }
        })
        .collect_view();
    view! { <ol class="space-y-0.5">{items}</ol> }.into_any()
}

fn search_results(t: &'static Texts, book_id: &str, query: &str, hits: Vec<SearchHit>) -> impl IntoView {
    let summary = if hits.is_empty() {
        crate::i18n::fill(t.reader_search_none, &[("query", query)])
    } else {
        t.count(&t.reader_search_count, hits.len() as u64, &[])
    };
    let items = hits
        .into_iter()
        .map(|h| {
            view! {
                <li>
                    <a href=part_href(book_id, h.spine) data-spine=h.spine data-locator=h.locator.to_string() data-testid="search-hit"
                        class="block rounded px-2 py-1.5 hover:bg-slate-100 dark:hover:bg-slate-800" dir="auto">
                        <span class="text-xs font-semibold text-slate-600 dark:text-slate-400">{format!("{} {}", t.export_part, h.spine + 1)}" · "</span>
                        {h.before}" "<mark class="rounded bg-amber-200 px-0.5 text-slate-950">{h.matched}</mark>" "{h.after}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-label=t.reader_search_label class="mb-3 border-b border-slate-200 pb-3 dark:border-slate-700">
            <p role="status" class="mb-1 font-medium">{summary}</p>
            <ol class="max-h-64 space-y-0.5 overflow-y-auto">{items}</ol>
        </section>
    }
}

fn choice(name: &'static str, value: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    view! {
        <label class="inline-flex cursor-pointer items-center gap-1.5 rounded-lg border border-slate-300 px-2.5 py-1.5 has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50 dark:border-slate-600 dark:has-[:checked]:bg-teal-950">
            <input type="radio" name=name value=value checked=checked class="accent-teal-700"/>
            {label}
        </label>
    }
}

fn settings_panel(t: &'static Texts) -> impl IntoView {
    let legend = "mb-1.5 font-semibold text-slate-900 dark:text-slate-100";
    view! {
        <form id="reader-settings-form" class="space-y-4">
            <fieldset>
                <legend class=legend>{t.reader_font_size}</legend>
                <div class="flex items-center gap-2">
                    <button type="button" id="reader-smaller" class=styles::BUTTON_SECONDARY aria-label=t.reader_smaller>"A−"</button>
                    <output id="reader-font-size" class="min-w-12 text-center tabular-nums">"100 %"</output>
                    <button type="button" id="reader-larger" class=styles::BUTTON_SECONDARY aria-label=t.reader_larger>"A+"</button>
                </div>
            </fieldset>
            <fieldset>
                <legend class=legend>{t.reader_font}</legend>
                <div class="flex flex-wrap gap-2">
                    {choice("font", "book", t.reader_font_book, true)}
                    {choice("font", "serif", t.reader_font_serif, false)}
                    {choice("font", "sans", t.reader_font_sans, false)}
                    {choice("font", "dyslexic", t.reader_font_dyslexic, false)}
                </div>
            </fieldset>
            <fieldset>
                <legend class=legend>{t.reader_line_height}</legend>
                <div class="flex flex-wrap gap-2">
                    {choice("spacing", "book", t.reader_font_book, true)}
                    {choice("spacing", "1.5", "1,5", false)}
                    {choice("spacing", "1.8", "1,8", false)}
                </div>
            </fieldset>
            <fieldset>
                <legend class=legend>{t.reader_margins}</legend>
                <div class="flex flex-wrap gap-2">
                    {choice("margins", "narrow", t.reader_narrow, false)}
                    {choice("margins", "normal", t.reader_normal, true)}
                    {choice("margins", "wide", t.reader_wide, false)}
                </div>
            </fieldset>
            <fieldset>
                <legend class=legend>{t.reader_theme}</legend>
                <div class="flex flex-wrap gap-2">
                    {choice("theme", "light", t.reader_theme_light, true)}
                    {choice("theme", "sepia", t.reader_theme_sepia, false)}
                    {choice("theme", "dark", t.reader_theme_dark, false)}
                </div>
            </fieldset>
            <fieldset>
                <legend class=legend>{t.reader_layout}</legend>
                <div class="flex flex-wrap gap-2">
                    {choice("flow", "paginated", t.reader_paginated, true)}
                    {choice("flow", "scrolled", t.reader_scrolled, false)}
                </div>
            </fieldset>
        </form>
    }
}

/// The bookmark button and the notes panel (bookmarks, highlights, notes, exports), shared by
/// the EPUB and PDF readers; their WASM fills the list.
pub(crate) fn bookmark_and_notes(t: &'static Texts, id: &str) -> impl IntoView {
    view! {
        <button type="button" id="reader-bookmark" hidden=true aria-pressed="false" class=format!("{ICON_BUTTON} group aria-pressed:text-amber-600")
            aria-label=t.reader_bookmark title=t.reader_bookmark>
            <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2 group-aria-pressed:fill-current"><path d="M6 3h12v18l-6-4-6 4z"/></svg>
        </button>
        <details id="reader-notes">
            <summary class=format!("{ICON_BUTTON} cursor-pointer list-none font-medium") title=t.reader_notes>
                <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2 sm:hidden"><path d="M5 4h14v12l-4 4H5z M15 20v-4h4 M8 9h8 M8 13h5"/></svg>
                <span class="sr-only sm:not-sr-only">{t.reader_notes}</span>
            </summary>
            <div class=PANEL>
                <p id="reader-notes-empty" class="text-slate-700 dark:text-slate-300">{t.reader_notes_empty}</p>
                <ul id="reader-notes-list" class="divide-y divide-slate-200 dark:divide-slate-700" data-t-bookmark=t.reader_bookmark_label
                    data-t-go=t.reader_go_to_note data-t-delete=t.reader_delete_note data-t-part=t.export_part></ul>
                <p class="mt-3 flex flex-wrap gap-x-4 gap-y-1 border-t border-slate-200 pt-3 dark:border-slate-700">
                    <a class=styles::LINK href=format!("/api/v1/reading/annotations/export/?book={id}&format=md") download="">{t.reader_export_md}</a>
                    <a class=styles::LINK href=format!("/api/v1/reading/annotations/export/?book={id}&format=pdf") download="">{t.reader_export_pdf}</a>
                </p>
            </div>
        </details>
    }
}

/// The toolbar shown while a passage is selected: five highlight colours and "add a note".
/// `place` positions it (`absolute bottom-2` over a page, `fixed bottom-16` over a scroller).
pub(crate) fn selection_toolbar(t: &'static Texts, place: &'static str) -> impl IntoView {
    view! {
        <div id="reader-selection" hidden=true role="toolbar" aria-label=t.reader_highlight
            class=format!("{place} inset-x-2 z-20 mx-auto flex max-w-sm items-center justify-center gap-2 rounded-xl border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900")>
            <span class="sr-only">{t.reader_highlight}</span>
            {[("#fde047", t.colour_yellow, "bg-yellow-300"), ("#86efac", t.colour_green, "bg-green-300"), ("#93c5fd", t.colour_blue, "bg-blue-300"), ("#f9a8d4", t.colour_pink, "bg-pink-300"), ("#fdba74", t.colour_orange, "bg-orange-300")]
                .into_iter()
                .map(|(hex, name, bg)| view! {
                    <button type="button" data-color=hex aria-label=format!("{} : {name}", t.reader_highlight) title=name
                        class=format!("h-9 w-9 rounded-full border-2 border-white shadow ring-1 ring-slate-300 focus-visible:outline focus-visible:outline-3 focus-visible:outline-amber-500 {bg}")></button>
                })
                .collect_view()}
            <button type="button" id="reader-note-button" class=format!("{} px-3 py-1.5 text-sm", styles::BUTTON_SECONDARY)>{t.reader_add_note}</button>
        </div>
    }
}

/// The dialog that writes a note on the selected passage.
pub(crate) fn note_dialog(t: &'static Texts) -> impl IntoView {
    view! {
        <dialog id="reader-note-dialog" class="w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 backdrop:bg-slate-900/50 dark:bg-slate-900 dark:text-slate-100">
            <form method="dialog" class="space-y-3 p-4">
                <p id="reader-note-quote" class="line-clamp-3 border-s-4 border-amber-400 ps-3 text-sm italic text-slate-700 dark:text-slate-300"></p>
                <label for="reader-note-text" class=styles::LABEL>{t.reader_note_label}</label>
                <textarea id="reader-note-text" rows="4" maxlength="10000" class=styles::INPUT></textarea>
                <div class="flex justify-end gap-2">
                    <button value="cancel" class=styles::BUTTON_SECONDARY>{t.reader_cancel}</button>
                    <button value="save" id="reader-note-save" class=styles::BUTTON>{t.reader_save}</button>
                </div>
            </form>
        </dialog>
    }
}

#[component]
pub fn ReaderPage(view_data: ReaderView) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let ReaderView { book, publication, chapter, start, furthest, explicit, settings, search, assets } = view_data;
    let fonts = assets.as_ref().map(|d| format!("/reader/{d}/fonts/")).unwrap_or_default();
    let searching = search.is_some();
    let query_value = search.as_ref().map(|(q, _)| q.clone()).unwrap_or_default();
    let results = search.map(|(q, hits)| search_results(t, &book.id, &q, hits));
    let id = book.id.clone();
    let user_id = ctx.viewer.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let signed_in = ctx.viewer.is_some();
    let size = crate::pages::book::human_size(book.file_size, ctx.lang);
    let total = publication.spine.len() as u32;
    let chapter = chapter.min(total.saturating_sub(1));
    let item = &publication.spine[chapter as usize];
    let src = format!("/lire/{id}/contenu/{}", item.href);
    let rtl = publication.direction == Direction::Rtl;
    let prev = publication.reading_order().map(|(i, _)| i).filter(|i| *i < chapter).last();
    let next = publication.reading_order().map(|(i, _)| i).find(|i| *i > chapter);
    // `</script>` cannot appear inside JSON that sits in a script element.
    let json = serde_json::to_string(&publication).unwrap_or_default().replace('<', "\\u003c");
    let layout = match item.layout {
        Layout::PrePaginated => "pre-paginated",
        Layout::Reflowable => "reflowable",
    };
    // The header's "back to the book" arrow follows the interface; page and chapter controls
    // follow the book (reader-web moves them again for vertical writing, known once loaded).
    let back_arrow = if ctx.lang.is_rtl() { "→" } else { "←" };
    let controls = Controls { forward_left: rtl, ui_rtl: ctx.lang.is_rtl() };
    let (prev_side, next_side) = controls.sides();
    let (prev_glyph, next_glyph) = controls.page_glyphs();
    let (prev_arrow, next_arrow) = controls.chapter_arrows();
    let footer_row = if controls.footer_reversed() {
        "flex flex-row-reverse items-center justify-between gap-2"
    } else {
        "flex items-center justify-between gap-2"
    };
    // Reversed with the row so each arrow stays on its link's outer edge.
    let nav_link = format!(
        "inline-flex h-10 min-w-10 items-center justify-center gap-1 rounded-lg px-2 text-base font-medium text-teal-800 underline-offset-2 hover:underline sm:text-xs dark:text-teal-300{}",
        if controls.footer_reversed() { " flex-row-reverse" } else { "" }
    );
    let furthest_view = furthest.map(|(locator, pct)| {
        let pct = format!("{pct:.0}");
        view! {
            <button type="button" id="reader-furthest" data-locator=locator
                class="absolute inset-x-2 top-2 z-10 mx-auto max-w-md rounded-lg bg-amber-100 px-3 py-2 text-sm font-medium text-amber-950 shadow">
                {crate::i18n::fill(t.reader_furthest, &[("percent", &pct)])}
            </button>
        }
    });
    view! {
        <div id="reader" class="fixed inset-0 flex flex-col bg-white text-slate-900 dark:bg-slate-950 dark:text-slate-100"
            data-book=id.clone() data-content=format!("/lire/{id}/contenu/") data-parts=parts_base(&id) data-progress=format!("/api/v1/reading/progress/{id}/")
            data-chapter=chapter data-start=start.unwrap_or_default() data-explicit=explicit.to_string() data-direction=if rtl { "rtl" } else { "ltr" } data-layout=layout
            data-t-position=t.reader_position data-t-pages-left=t.reader_pages_left data-t-last-page=t.reader_last_page
            data-t-saving-failed=t.reader_saving_failed data-t-missing=t.reader_missing_part data-t-note-failed=t.reader_note_failed
            data-annotations="/api/v1/reading/annotations/" data-sessions="/api/v1/reading/sessions/"
            data-fonts=fonts data-settings=settings data-settings-url="/api/v1/reading/settings/" data-user=user_id>
            <PwaBar t=t/>
            <header class="relative flex h-12 shrink-0 items-center gap-1 border-b border-slate-200 px-1 dark:border-slate-800">
                {back_and_title(t, &book, back_arrow)}
                <details id="reader-toc" class="group" open=searching>
                    <summary class=format!("{ICON_BUTTON} cursor-pointer list-none font-medium") title=t.reader_toc>
                        <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2 sm:hidden"><path d="M4 6h16M4 12h16M4 18h10"/></svg>
                        <span class="sr-only sm:not-sr-only">{t.reader_toc}</span>
                    </summary>
                    <div class=PANEL>
                        {signed_in.then(|| view! { <DownloadBox t=t book_id=id.clone() size=size.clone() extra="!mt-0 mb-3 border-b border-slate-200 pb-3 dark:border-slate-700"/> })}
                        <form method="get" action=format!("/lire/{id}") role="search" class="mb-3 flex gap-2">
                            <label for="reader-search-q" class="sr-only">{t.reader_search_label}</label>
                            <input id="reader-search-q" name="q" type="search" minlength="2" maxlength="100" required=true
                                placeholder=t.reader_search_label value=query_value
                                class=format!("{} py-1.5 text-sm", styles::INPUT)/>
                            <button type="submit" class=format!("{} px-3 py-1.5 text-sm", styles::BUTTON)>{t.reader_search_submit}</button>
                        </form>
                        {results}
                        <nav aria-label=t.reader_toc dir="auto">{toc_list(&id, &publication.toc, chapter)}</nav>
                    </div>
                </details>
                {bookmark_and_notes(t, &id)}
                <details id="reader-settings">
                    <summary class=format!("{ICON_BUTTON} cursor-pointer list-none font-serif text-lg") aria-label=t.reader_settings title=t.reader_settings>"Aa"</summary>
                    <div class=PANEL>{settings_panel(t)}</div>
                </details>
            </header>
            <main class="relative min-h-0 flex-1" id="reader-stage">
                {furthest_view}
                <iframe id="reader-frame" title=t.reader_frame_title src=src sandbox="allow-same-origin"
                    class="h-full w-full border-0 bg-white" data-spine=chapter></iframe>
                // The second page of a fixed-layout spread (wide screens); its WASM fills it.
                <iframe id="reader-frame-2" title=t.reader_frame_title hidden=true sandbox="allow-same-origin"
                    class="border-0 bg-white"></iframe>
                <button type="button" id="reader-prev" hidden=true aria-label=t.reader_prev
                    class=format!("absolute inset-y-0 {prev_side} w-6 text-2xl text-slate-500 opacity-40 hover:bg-slate-500/10 hover:opacity-100 focus-visible:opacity-100 sm:w-8")>{prev_glyph}</button>
                <button type="button" id="reader-next" hidden=true aria-label=t.reader_next
                    class=format!("absolute inset-y-0 {next_side} w-6 text-2xl text-slate-500 opacity-40 hover:bg-slate-500/10 hover:opacity-100 focus-visible:opacity-100 sm:w-8")>{next_glyph}</button>
                {selection_toolbar(t, "absolute bottom-2")}
                <p id="reader-sync" role="status" class="pointer-events-none absolute inset-x-2 bottom-16 z-10 mx-auto max-w-md text-center text-sm empty:hidden"></p>
            </main>
            {note_dialog(t)}
            <footer class="flex shrink-0 flex-col gap-1 border-t border-slate-200 px-3 py-1.5 text-xs dark:border-slate-800">
                <progress id="reader-progress" max="100" value=format!("{:.0}", (chapter as f64) * 100.0 / total.max(1) as f64)
                    class="h-1.5 w-full overflow-hidden rounded accent-teal-700" aria-labelledby="reader-position"></progress>
                <div id="reader-chapters" class=footer_row>
                    <a id="reader-prev-part" href=part_href(&id, prev.unwrap_or(chapter)) hidden=prev.is_none() class=nav_link.clone() title=t.reader_prev_chapter><span aria-hidden="true" data-arrow="prev">{prev_arrow}</span><span class="sr-only sm:not-sr-only">{t.reader_prev_chapter}</span></a>
                    <p id="reader-position" class="flex-1 text-center text-slate-700 dark:text-slate-300" aria-live="polite">
                        {crate::i18n::fill(t.reader_position, &[("chapter", &(chapter + 1).to_string()), ("total", &total.to_string()), ("percent", &format!("{:.0}", (chapter as f64) * 100.0 / total.max(1) as f64))])}
                    </p>
                    <a id="reader-next-part" href=part_href(&id, next.unwrap_or(chapter)) hidden=next.is_none() class=nav_link title=t.reader_next_chapter><span class="sr-only sm:not-sr-only">{t.reader_next_chapter}</span><span aria-hidden="true" data-arrow="next">{next_arrow}</span></a>
                </div>
                <noscript><p class="text-center text-slate-700 dark:text-slate-300">{t.reader_no_wasm}</p></noscript>
            </footer>
            <script type="application/json" id="reader-publication" inner_html=json></script>
            {assets.map(|dir| view! { <script type="module" src=format!("/reader/{dir}/boot.js")></script> })}
        </div>
    }
}
