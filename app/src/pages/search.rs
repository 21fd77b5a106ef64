//! `/recherche`: ranked results with facets (counts per language, format, price). Works
//! without WASM: the box is a GET form, the facets are links.

use crate::components::book_card::BookGrid;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, language_name, texts, Texts};
use domain::catalog::FoundBooks;
use domain::search::SearchFilter;
use domain::validation::Language;
use leptos::prelude::*;

pub const PER_PAGE: u32 = 20;

/// A query-string value, percent-encoded.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The URL of a search with its filters.
pub fn search_href(q: &str, f: &SearchFilter, page: u32) -> String {
    let mut s = format!("/recherche?q={}", encode(q));
    if let Some(l) = &f.language {
        s.push_str(&format!("&langue={}", encode(l)));
    }
    if let Some(x) = &f.format {
        s.push_str(&format!("&format={}", encode(x)));
    }
    match f.free {
        Some(true) => s.push_str("&prix=gratuit"),
        Some(false) => s.push_str("&prix=payant"),
        None => {}
    }
    if page > 1 {
        s.push_str(&format!("&page={page}"));
    }
    s
}

fn facet_label(t: &'static Texts, facet: &str, value: &str) -> String {
    match (facet, value) {
        ("language", v) => Language::from_tag(v).map(|l| language_name(l).to_owned()).unwrap_or_else(|| v.to_uppercase()),
        ("format", v) => v.to_uppercase(),
        ("free", "free") => t.filter_free.into(),
        ("free", _) => t.filter_paid.into(),
        (_, v) => v.into(),
    }
}

#[component]
fn FacetGroup(
    t: &'static Texts,
    title: &'static str,
    facet: &'static str,
    values: Vec<(String, u64)>,
    query: String,
    filter: SearchFilter,
) -> impl IntoView {
    let links = values
        .into_iter()
        .map(|(value, n)| {
            let mut f = filter.clone();
            let active = match facet {
                "language" => f.language.replace(value.clone()).is_some_and(|v| v == value),
                "format" => f.format.replace(value.clone()).is_some_and(|v| v == value),
                _ => f.free.replace(value == "free").is_some_and(|v| v == (value == "free")),
            };
            let label = format!("{} ({n})", facet_label(t, facet, &value));
            view! {
                <li>
                    <a href=search_href(&query, &f, 1) aria-current=active.then_some("true")
                        class="inline-block rounded-full border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 aria-[current=true]:border-teal-700 aria-[current=true]:bg-teal-50 aria-[current=true]:font-semibold dark:border-slate-600 dark:hover:bg-slate-800 dark:aria-[current=true]:bg-teal-950">
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div>
            <h3 class="mb-1 text-sm font-semibold text-slate-700 dark:text-slate-300">{title}</h3>
            <ul class="flex flex-wrap gap-2">{links}</ul>
        </div>
    }
}

#[component]
pub fn SearchPage(query: String, filter: SearchFilter, found: Option<FoundBooks>, page: u32) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let Some(found) = found else {
        return view! {
            <h1 class=styles::H1>{t.search_title}</h1>
            <p class=styles::CARD>{t.search_too_short}</p>
        }
        .into_any();
    };
    let heading = t.count(&t.search_results, found.total, &[("q", &query)]);
    let filtered = filter != SearchFilter::default();
    let pages = (found.total as u32).div_ceil(PER_PAGE).max(1);
    let prev = (page > 1).then(|| search_href(&query, &filter, page - 1));
    let next = (page < pages).then(|| search_href(&query, &filter, page + 1));
    let facets = found.facets.clone();
    view! {
        <h1 class=styles::H1 data-testid="search-heading">{heading}</h1>
        {if found.books.is_empty() {
            view! { <p class=styles::CARD>{fill(t.search_none, &[("q", &query)])}</p> }.into_any()
        } else {
            view! {
                <section aria-label=t.refine class="mb-6 space-y-3 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
                    <FacetGroup t=t title=t.filter_language facet="language" values=facets.language query=query.clone() filter=filter.clone()/>
                    <FacetGroup t=t title=t.filter_format facet="format" values=facets.format query=query.clone() filter=filter.clone()/>
                    <FacetGroup t=t title=t.filter_price facet="free" values=facets.free query=query.clone() filter=filter.clone()/>
                    {filtered.then(|| view! { <a class=styles::LINK href=search_href(&query, &SearchFilter::default(), 1)>{t.clear_filters}</a> })}
                </section>
                <BookGrid t=t books=found.books lang=ctx.lang/>
                <nav aria-label="pagination" class="mt-8 flex items-center justify-between gap-3">
                    {prev.map(|h| view! { <a class=styles::BUTTON_SECONDARY rel="prev" href=h>{t.prev_page}</a> })}
                    <span class="text-sm">{fill(t.page_x_of_y, &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
                    {next.map(|h| view! { <a class=styles::BUTTON rel="next" href=h>{t.next_page}</a> })}
                </nav>
            }.into_any()
        }}
    }
    .into_any()
}
