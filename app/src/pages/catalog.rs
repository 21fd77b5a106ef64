//! `/catalogue`: browse with filters that live in the URL, one page at a time (keyset).

use crate::components::book_card::BookGrid;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{language_name, texts};
use domain::catalog::{BookFilter, BookPage, Format, Sort};
use domain::validation::Language;
use leptos::prelude::*;

/// The query string for a filter (and an optional cursor).
pub fn catalog_href(filter: &BookFilter, cursor: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(l) = &filter.language {
        parts.push(format!("langue={l}"));
    }
    if let Some(f) = filter.format {
        parts.push(format!("format={}", f.as_str()));
    }
    match filter.free {
        Some(true) => parts.push("prix=gratuit".into()),
        Some(false) => parts.push("prix=payant".into()),
        None => {}
    }
    if let Some(c) = &filter.category {
        parts.push(format!("categorie={c}"));
    }
    if filter.sort != Sort::Newest {
        parts.push(format!("tri={}", sort_word(filter.sort)));
    }
    if let Some(c) = cursor {
        parts.push(format!("apres={c}"));
    }
    if parts.is_empty() {
        "/catalogue".into()
    } else {
        format!("/catalogue?{}", parts.join("&"))
    }
}

#[component]
fn FilterSelect(id: &'static str, label: &'static str, options: Vec<(String, String)>, selected: String) -> impl IntoView {
    view! {
        <div>
            <label for=id class="mb-1 block text-sm font-medium text-slate-900 dark:text-slate-100">{label}</label>
            <select id=id name=id class=format!("{} !py-2", styles::INPUT)>
                {options.into_iter().map(|(v, text)| {
                    let sel = v == selected;
                    view! { <option value=v selected=sel>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn CatalogPage(
    page: BookPage,
    filter: BookFilter,
    cursor: Option<String>,
    categories: Vec<(String, String)>,
    languages: Vec<String>,
    follow: Option<crate::context::FollowBox>,
) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let all = || ("".to_owned(), t.filter_all.to_owned());
    // The books' languages, each by its own name (`日本語`), the interface's by theirs.
    let name = |code: &str| match Language::from_tag(code) {
        Some(l) => language_name(l).to_owned(),
        None => crate::i18n::book_language_name(code).unwrap_or(code).to_owned(),
    };
    let languages = std::iter::once(all()).chain(languages.iter().map(|c| (c.clone(), name(c)))).collect::<Vec<_>>();
    let formats = vec![all(), ("epub".into(), "EPUB".into()), ("pdf".into(), "PDF".into())];
    let prices = vec![all(), ("gratuit".into(), t.filter_free.into()), ("payant".into(), t.filter_paid.into())];
    let categories = std::iter::once(all()).chain(categories).collect::<Vec<_>>();
    let sorts =
        [(Sort::Newest, t.sort_newest), (Sort::Title, t.sort_title), (Sort::Popular, t.sort_popular), (Sort::Rating, t.sort_rating)]
            .into_iter()
            .map(|(s, label)| (sort_word(s).to_owned(), label.to_owned()))
            .collect::<Vec<_>>();
    let price_sel = match filter.free {
        Some(true) => "gratuit",
        Some(false) => "payant",
        None => "",
    };
    let count = crate::i18n::book_count(t, page.total);
    let next = page.next_cursor.as_deref().map(|c| catalog_href(&filter, Some(c)));
    let restart = cursor.is_some().then(|| catalog_href(&filter, None));
    let empty = page.books.is_empty();
    view! {
        <h1 class=styles::H1>{t.catalog_title}</h1>
        <form method="get" action="/catalogue" class="mb-6 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900" aria-label=t.filters_title>
            <div class="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:items-end lg:grid-cols-6">
                <FilterSelect id="categorie" label=t.filter_category options=categories selected=filter.category.clone().unwrap_or_default()/>
                <FilterSelect id="langue" label=t.filter_language options=languages selected=filter.language.clone().unwrap_or_default()/>
                <FilterSelect id="format" label=t.filter_format options=formats selected=filter.format.map(|f| f.as_str().to_owned()).unwrap_or_default()/>
                <FilterSelect id="prix" label=t.filter_price options=prices selected=price_sel.to_owned()/>
                <FilterSelect id="tri" label=t.sort_label options=sorts selected=sort_word(filter.sort).to_owned()/>
                <button type="submit" class=format!("{} self-end", styles::BUTTON)>{t.filter_apply}</button>
            </div>
        </form>
        {follow.map(|follow| view! { <crate::components::follow::FollowButton follow lang=ctx.lang/> })}
        <p class="mb-4 text-sm text-slate-700 dark:text-slate-300" data-testid="catalog-count">{count}</p>
        {if empty {
            view! { <p class=styles::CARD>{t.catalog_empty}</p> }.into_any()
        } else {
            view! { <BookGrid t=t books=page.books lang=ctx.lang/> }.into_any()
        }}
        <nav aria-label="pagination" class="mt-8 flex flex-wrap justify-between gap-3">
            {restart.map(|href| view! { <a class=styles::BUTTON_SECONDARY href=href>{t.first_books}</a> })}
            {next.map(|href| view! { <a class=format!("{} ms-auto", styles::BUTTON) rel="next" href=href>{t.next_books}</a> })}
        </nav>
    }
}

/// Reads the filters from the query string (`langue`, `format`, `prix`; `categorie` and `tri` for
/// browsing).
pub fn filter_from_query(langue: Option<&str>, format: Option<&str>, prix: Option<&str>) -> BookFilter {
    browse_filter(langue, format, prix, None, None)
}

/// A sort's word in the catalogue's URL (`tri=`): the page's French, parsed here, at the edge.
pub fn sort_word(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => "recent",
        Sort::Title => "titre",
        Sort::Popular => "populaire",
        Sort::Rating => "mieux-notes",
    }
}

/// The sort a `tri=` word names.
pub fn sort_from_word(word: &str) -> Option<Sort> {
    [Sort::Newest, Sort::Title, Sort::Popular, Sort::Rating].into_iter().find(|s| sort_word(*s) == word)
}

pub fn browse_filter(
    langue: Option<&str>,
    format: Option<&str>,
    prix: Option<&str>,
    categorie: Option<&str>,
    tri: Option<&str>,
) -> BookFilter {
    BookFilter {
        category: categorie
            .map(str::trim)
            .filter(|c| !c.is_empty() && c.len() <= 100 && c.chars().all(|ch| ch.is_alphanumeric() || ch == '-'))
            .map(str::to_owned),
        sort: tri.and_then(sort_from_word).unwrap_or_default(),
        language: langue.and_then(domain::catalog::language_code),
        format: format.and_then(Format::parse),
        free: match prix {
            Some("gratuit") => Some(true),
            Some("payant") => Some(false),
            _ => None,
        },
        ..Default::default()
    }
}
