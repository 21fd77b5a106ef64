//! `/auteurs/{id}` and `/editeurs/{id}`: an author or a publisher and their books, one page at a
//! time (keyset, like the catalogue).

use crate::components::book_card::BookGrid;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts};
use domain::catalog::{BookPage, Listed, Listing};
use leptos::prelude::*;

#[component]
pub fn ListedPage(kind: Listing, entry: Listed, page: BookPage, follow: Option<crate::context::FollowBox>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let (kind_label, base) = match kind {
        Listing::Authors => (t.author_label, "/auteurs"),
        Listing::Publishers => (t.publisher_label, "/editeurs"),
        Listing::Categories => (t.category_label, "/categories"),
    };
    let next = page.next_cursor.clone().map(|c| format!("{base}/{}?apres={c}", entry.id));
    let count = t.count(&t.listed_count, entry.books, &[]);
    let biography = (kind == Listing::Authors && !entry.detail.trim().is_empty()).then(|| entry.detail.clone());
    let photo = entry.photo.clone().map(|hash| {
        let alt = fill(t.entry_photo_alt, &[("name", &entry.name)]);
        let url = crate::components::book_card::cover_url(&hash);
        view! {
            <picture class="contents">
                <source type="image/webp" srcset=format!("{url}/160.webp 1x, {url}/320.webp 2x")/>
                <img src=format!("{url}/160") srcset=format!("{url}/160 1x, {url}/320 2x") alt=alt width="96" height="96" data-testid="author-photo"
                    class="h-24 w-24 shrink-0 rounded-full bg-slate-200 object-cover dark:bg-slate-800"/>
            </picture>
        }
    });
    view! {
        <div class="flex items-center gap-4">
            {photo}
            <div class="min-w-0">
                <p class="mb-1 text-sm font-semibold uppercase tracking-wide text-teal-800 dark:text-teal-300">{kind_label}</p>
                <h1 class=format!("{} mb-2", styles::H1) dir="auto">{entry.name.clone()}</h1>
            </div>
        </div>
        {follow.map(|follow| view! { <crate::components::follow::FollowButton follow lang=ctx.lang/> })}
        {biography.map(|b| view! { <p class="mb-4 max-w-prose whitespace-pre-line text-slate-800 dark:text-slate-200" dir="auto">{b}</p> })}
        <p class="mb-6 text-slate-700 dark:text-slate-300">{count}</p>
        <BookGrid t=t books=page.books lang=ctx.lang/>
        {next.map(|href| view! { <p class="mt-8 text-center"><a href=href class=styles::BUTTON rel="next">{t.next_page}</a></p> })}
    }
}
