//! `/ma-bibliotheque`: what the reader is reading (with how far), what they finished, and the
//! paid books they own.

use crate::components::book_card::Cover;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use domain::catalog::Book;
use domain::reading::{Library, Progress};
use leptos::prelude::*;

fn shelf_item(t: &'static Texts, book: Book, progress: Option<Progress>, action: &'static str) -> impl IntoView {
    let text_dir = if book.is_rtl() { "rtl" } else { "auto" };
    let pct = progress.as_ref().map(|p| p.percentage);
    let authors = book.author_names();
    view! {
        <li class="flex gap-3 rounded-xl border border-slate-200 bg-white p-3 dark:border-slate-700 dark:bg-slate-900" data-testid="shelf-item">
            <a href=format!("/livres/{}", book.id) class="w-16 shrink-0 sm:w-20" tabindex="-1" aria-hidden="true">
                <Cover t=t book=book.clone() sizes="80px"/>
            </a>
            <div class="flex min-w-0 flex-1 flex-col">
                <h3 class="line-clamp-2 font-semibold leading-snug" dir=text_dir>
                    <a href=format!("/livres/{}", book.id) class="hover:underline">{book.title.clone()}</a>
                </h3>
                <p class="line-clamp-1 text-sm text-slate-700 dark:text-slate-300" dir="auto">{authors}</p>
                {pct.map(|p| {
                    let label = fill(t.library_percent, &[("percent", &format!("{p:.0}"))]);
                    view! {
                        <progress max="100" value=format!("{p:.0}") class="mt-2 h-1.5 w-full overflow-hidden rounded accent-teal-700" aria-label=label.clone()></progress>
                        <p class="mt-1 text-xs text-slate-700 dark:text-slate-300">{label}</p>
                    }
                })}
                <div class="mt-auto pt-2">
                    <a href=format!("/lire/{}", book.id) class=format!("{} px-3 py-1.5 text-sm", styles::BUTTON)>{action}</a>
                </div>
            </div>
        </li>
    }
}

fn shelf(title: &'static str, id: &'static str, items: Vec<AnyView>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="mb-8" aria-labelledby=id>
                <h2 id=id class="mb-3 text-xl font-bold">{title}</h2>
                <ul class="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">{items}</ul>
            </section>
        }
    })
}

#[component]
pub fn LibraryPage(library: Library) -> impl IntoView {
    let t = texts(page_ctx().lang);
    let empty = library.reading.is_empty() && library.finished.is_empty() && library.owned.is_empty();
    let reading = library.reading.into_iter().map(|(b, p)| shelf_item(t, b, Some(p), t.library_resume).into_any()).collect();
    let finished = library.finished.into_iter().map(|(b, p)| shelf_item(t, b, Some(p), t.library_read_again).into_any()).collect();
    let owned = library.owned.into_iter().map(|b| shelf_item(t, b, None, t.library_read).into_any()).collect();
    view! {
        <div class="mb-6 flex flex-wrap items-baseline justify-between gap-3">
            <h1 class=format!("{} mb-0", styles::H1)>{t.nav_library}</h1>
            <a href="/statistiques" class=styles::LINK>{t.library_stats_link}</a>
        </div>
        // Filled on the device by pwa.js: what this phone keeps to read without a network.
        <section data-downloads-section hidden=true class="mb-8" aria-labelledby="shelf-device">
            <h2 id="shelf-device" class="mb-1 text-xl font-bold">{t.library_on_device}</h2>
            <ul data-downloads-list data-testid="library-downloads" class="divide-y divide-slate-200 dark:divide-slate-700"></ul>
            <a href="/telechargements" class=format!("{} text-sm", styles::LINK)>{t.downloads_title}</a>
        </section>
        {empty.then(|| view! { <div class=styles::CARD><p class="text-slate-800 dark:text-slate-200">{t.library_soon}</p></div> })}
        {shelf(t.library_reading, "shelf-reading", reading)}
        {shelf(t.library_finished, "shelf-finished", finished)}
        {shelf(t.library_owned, "shelf-owned", owned)}
        <p class="mt-6 text-slate-800 dark:text-slate-200">
            {t.library_free_hint}" "
            <a href="/catalogue" class=styles::LINK>{t.home_cta_catalog}</a>
        </p>
    }
}
