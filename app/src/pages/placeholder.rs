//! Catalogue and library: their issues come next; until then they say so plainly.

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use leptos::prelude::*;

#[component]
pub fn ComingSoonPage(title: &'static str, text: &'static str) -> impl IntoView {
    let t = texts(page_ctx().lang);
    view! {
        <h1 class=styles::H1>{title}</h1>
        <div class=styles::CARD>
            <p class="mb-2 inline-block rounded-full bg-amber-100 px-3 py-1 text-sm font-semibold text-amber-950 dark:bg-amber-900 dark:text-amber-50">{t.coming_soon}</p>
            <p class="text-slate-800 dark:text-slate-200">{text}</p>
        </div>
    }
}
