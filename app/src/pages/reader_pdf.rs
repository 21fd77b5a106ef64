//! `/lire/{id}` for a PDF: the frame of the PDF reader. Its WASM (a build of its own, with the
//! PDF engine, loaded for PDFs only) fetches the file, draws the pages lazily into canvases at
//! the screen's pixel density, fills the outline, searches the text and saves the page reached.
//! Without WASM the page offers the file itself.

use super::reader::{back_and_title, bookmark_and_notes, note_dialog, selection_toolbar, ICON_BUTTON, PANEL};
use crate::components::offline::{DownloadBox, PwaBar};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts};
use domain::catalog::Book;
use leptos::prelude::*;

/// What the PDF reader page is given.
#[derive(Debug, Clone)]
pub struct PdfReaderView {
    pub book: Book,
    /// The page shown first, from 1 (`?page=`, the saved position, or 1).
    pub page: u32,
    /// The reader asked for this page (`?page=`): it wins over a position kept on the device.
    pub explicit: bool,
    /// The furthest page ever reached and its percentage, when ahead of `page`.
    pub furthest: Option<(u32, f64)>,
    /// The folder of the reader's build under `/reader/`, when it was built.
    pub assets: Option<String>,
}

#[component]
pub fn PdfReaderPage(view_data: PdfReaderView) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let PdfReaderView { book, page, explicit, furthest, assets } = view_data;
    let id = book.id.clone();
    let user_id = ctx.viewer.as_ref().map(|u| u.id.clone()).unwrap_or_default();
    let signed_in = ctx.viewer.is_some();
    let size = crate::pages::book::human_size(book.file_size, ctx.lang);
    let file_url = book.file_url();
    let total = book.page_count.unwrap_or(0);
    let back_arrow = if ctx.lang.is_rtl() { "→" } else { "←" };
    let position = if total > 0 {
        fill(
            t.pdf_position,
            &[
                ("page", &page.to_string()),
                ("total", &total.to_string()),
                ("percent", &format!("{:.0}", f64::from(page) * 100.0 / f64::from(total))),
            ],
        )
    } else {
        String::new()
    };
    let furthest_view = furthest.map(|(p, pct)| {
        view! {
            <button type="button" id="reader-furthest" data-page=p
                class="absolute inset-x-2 top-2 z-10 mx-auto max-w-md rounded-lg bg-amber-100 px-3 py-2 text-sm font-medium text-amber-950 shadow">
                {fill(t.reader_furthest, &[("percent", &format!("{pct:.0}"))])}
            </button>
        }
    });
    let progress_value = if total > 0 { format!("{:.0}", f64::from(page) * 100.0 / f64::from(total)) } else { "0".into() };
    let goto_max = (total > 0).then(|| total.to_string());
    let small = format!("{} px-3 py-1.5 text-sm", styles::BUTTON_SECONDARY);
    view! {
        <div id="reader" data-format="pdf" class="fixed inset-0 flex flex-col bg-slate-100 text-slate-900 dark:bg-slate-950 dark:text-slate-100"
            data-book=id.clone() data-file=file_url.clone() data-page=page data-explicit=explicit.to_string()
            data-progress=format!("/api/v1/reading/progress/{id}/") data-annotations="/api/v1/reading/annotations/" data-sessions="/api/v1/reading/sessions/"
            data-user=user_id
            data-t-position=t.pdf_position data-t-page=t.pdf_page_label data-t-failed=t.pdf_failed data-t-searching=t.pdf_searching
            data-t-search-none=t.reader_search_none data-t-search-count=t.reader_search_count.to_json() data-t-no-text=t.pdf_no_text
            data-t-saving-failed=t.reader_saving_failed data-t-note-failed=t.reader_note_failed>
            <PwaBar t=t/>
            <header class="relative flex h-12 shrink-0 items-center gap-1 border-b border-slate-200 bg-white px-1 dark:border-slate-800 dark:bg-slate-900">
                {back_and_title(t, &book, back_arrow)}
                <details id="reader-toc">
                    <summary class=format!("{ICON_BUTTON} cursor-pointer list-none font-medium") title=t.reader_toc>
                        <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2 sm:hidden"><path d="M4 6h16M4 12h16M4 18h10"/></svg>
                        <span class="sr-only sm:not-sr-only">{t.reader_toc}</span>
                    </summary>
                    <div class=PANEL>
                        {signed_in.then(|| view! { <DownloadBox t=t book_id=id.clone() size=size.clone() extra="!mt-0 mb-3 border-b border-slate-200 pb-3 dark:border-slate-700"/> })}
                        <form id="pdf-goto" class="mb-3 flex items-end gap-2">
                            <div class="flex-1">
                                <label for="pdf-goto-page" class=styles::LABEL>{t.pdf_go_to_page}</label>
                                <input id="pdf-goto-page" name="page" type="number" min="1" max=goto_max required=true inputmode="numeric"
                                    class=format!("{} py-1.5 text-sm", styles::INPUT)/>
                            </div>
                            <button type="submit" class=format!("{} px-3 py-1.5 text-sm", styles::BUTTON)>{t.pdf_go}</button>
                        </form>
                        <form id="pdf-search" role="search" class="mb-3 flex gap-2">
                            <label for="reader-search-q" class="sr-only">{t.reader_search_label}</label>
                            <input id="reader-search-q" name="q" type="search" minlength="2" maxlength="100" required=true
                                placeholder=t.reader_search_label class=format!("{} py-1.5 text-sm", styles::INPUT)/>
                            <button type="submit" class=format!("{} px-3 py-1.5 text-sm", styles::BUTTON)>{t.reader_search_submit}</button>
                        </form>
                        <p id="pdf-search-status" role="status" class="mb-2 text-slate-700 empty:hidden dark:text-slate-300"></p>
                        <ol id="pdf-search-results" class="mb-3 space-y-1 empty:hidden"></ol>
                        <nav aria-label=t.reader_toc dir="auto">
                            <ul id="pdf-outline" class="space-y-0.5"></ul>
                            <p id="pdf-outline-empty" hidden=true class="text-slate-700 dark:text-slate-300">{t.pdf_outline_empty}</p>
                        </nav>
                    </div>
                </details>
                {bookmark_and_notes(t, &id)}
                <details id="reader-settings">
                    <summary class=format!("{ICON_BUTTON} cursor-pointer list-none") aria-label=t.pdf_view title=t.pdf_view>
                        <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2"><circle cx="10.5" cy="10.5" r="6"/><path d="m15 15 5 5M8 10.5h5M10.5 8v5"/></svg>
                    </summary>
                    <div class=PANEL>
                        <div role="group" aria-label=t.pdf_view class="grid grid-cols-2 gap-2">
                            <button type="button" id="pdf-zoom-out" class=small.clone()>{t.pdf_zoom_out}</button>
                            <button type="button" id="pdf-zoom-in" class=small.clone()>{t.pdf_zoom_in}</button>
                            <button type="button" id="pdf-fit-width" aria-pressed="true" class=format!("{small} aria-pressed:ring-2 aria-pressed:ring-teal-700")>{t.pdf_fit_width}</button>
                            <button type="button" id="pdf-fit-page" aria-pressed="false" class=format!("{small} aria-pressed:ring-2 aria-pressed:ring-teal-700")>{t.pdf_fit_page}</button>
                        </div>
                        <p id="pdf-zoom-level" role="status" class="mt-2 text-center text-slate-700 dark:text-slate-300"></p>
                    </div>
                </details>
            </header>
            <main id="reader-stage" tabindex="0" class="relative min-h-0 flex-1 overflow-auto focus:outline-none" aria-label=book.title.clone()>
                {furthest_view}
                <div id="pdf-pages" class="mx-auto flex w-max min-w-full flex-col items-center gap-3 py-3"></div>
                <div id="pdf-loading" class="mx-auto mt-10 max-w-sm space-y-3 px-4 text-center">
                    <p id="pdf-loading-text" role="status">{t.pdf_loading}</p>
                    <noscript><p>{t.pdf_no_wasm}</p></noscript>
                    <a href=file_url.clone() download="" class=styles::BUTTON_SECONDARY>{t.pdf_download_file}</a>
                </div>
                <p id="reader-sync" role="status" class="pointer-events-none absolute inset-x-2 bottom-4 z-10 mx-auto max-w-md text-center text-sm empty:hidden"></p>
            </main>
            // Selecting text on a page (its WASM lays the page's text over the drawing) offers these.
            {selection_toolbar(t, "fixed bottom-16")}
            {note_dialog(t)}
            <footer class="flex shrink-0 flex-col gap-1 border-t border-slate-200 bg-white px-3 py-1.5 text-xs dark:border-slate-800 dark:bg-slate-900">
                <progress id="reader-progress" max="100" value=progress_value
                    class="h-1.5 w-full overflow-hidden rounded accent-teal-700" aria-labelledby="reader-position"></progress>
                <div class="flex items-center justify-between gap-2">
                    <button type="button" id="pdf-prev" class=ICON_BUTTON aria-label=t.pdf_prev_page title=t.pdf_prev_page><span aria-hidden="true">"‹"</span></button>
                    <p id="reader-position" class="flex-1 text-center text-slate-700 dark:text-slate-300" aria-live="polite">{position}</p>
                    <button type="button" id="pdf-next" class=ICON_BUTTON aria-label=t.pdf_next_page title=t.pdf_next_page><span aria-hidden="true">"›"</span></button>
                </div>
            </footer>
            {assets.map(|dir| view! { <script type="module" src=format!("/reader/{dir}/boot-pdf.js")></script> })}
        </div>
    }
}
