//! `/hors-ligne` (what the service worker shows for a page it does not keep) and
//! `/telechargements` (the books kept on this device, with the data saver). Both lists live in
//! the browser, so `public/pwa.js` fills them; without JavaScript the pages say so.

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use leptos::prelude::*;

#[component]
pub fn OfflinePage() -> impl IntoView {
    let t = texts(page_ctx().lang);
    view! {
        <div class="mx-auto max-w-lg py-6">
            <h1 class=styles::H1>{t.offline_title}</h1>
            <p class="mb-4 text-slate-800 dark:text-slate-200">{t.offline_text}</p>
            <ul data-downloads-list class="mb-6 divide-y divide-slate-200 dark:divide-slate-700"></ul>
            <p data-downloads-empty class="mb-6 text-slate-700 dark:text-slate-300">{t.downloads_empty}</p>
            <p class="flex flex-wrap gap-3">
                <a href="" class=styles::BUTTON>{t.offline_retry}</a>
                <a href="/ma-bibliotheque" class=styles::BUTTON_SECONDARY>{t.nav_library}</a>
            </p>
        </div>
    }
}

#[component]
pub fn DownloadsPage() -> impl IntoView {
    let t = texts(page_ctx().lang);
    view! {
        <h1 class=styles::H1>{t.downloads_title}</h1>
        <p class="mb-2 text-slate-800 dark:text-slate-200">{t.downloads_lead}</p>
        <p data-downloads-used data-t-used=t.downloads_used class="mb-4 text-sm font-medium text-slate-700 dark:text-slate-300"></p>
        <noscript><p class="mb-4 text-slate-700 dark:text-slate-300">{t.downloads_needs_js}</p></noscript>
        <ul data-downloads-list data-removable="" data-t-remove=t.download_remove data-testid="downloads-list"
            class="mb-4 divide-y divide-slate-200 border-y border-slate-200 dark:divide-slate-700 dark:border-slate-700"></ul>
        <p data-downloads-empty class="mb-8 text-slate-700 dark:text-slate-300">{t.downloads_empty}</p>
        <section aria-labelledby="data-saver-title" class=styles::CARD>
            <h2 id="data-saver-title" class="mb-2 text-lg font-bold">{t.data_saver_title}</h2>
            <p class="mb-3 text-slate-800 dark:text-slate-200" id="data-saver-hint">{t.data_saver_hint}</p>
            <label class="inline-flex cursor-pointer items-center gap-2 font-medium">
                <input type="checkbox" id="data-saver" aria-describedby="data-saver-hint" class="h-5 w-5 accent-teal-700"/>
                {t.data_saver_label}
            </label>
        </section>
    }
}
