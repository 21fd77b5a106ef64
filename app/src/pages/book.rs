//! `/livres/{id}`: one book.

use crate::components::book_card::{price_text, BookGrid, Cover};
use crate::components::offline::DownloadBox;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use domain::catalog::{Book, BookStatus};
use domain::validation::Language;
use leptos::prelude::*;

/// `1,6 Mo` in French, `1.6 MB` in English.
/// A size in the reader's units (`1,2 Mo`, `1.2 MB`).
pub fn human_size(bytes: u64, lang: Language) -> String {
    let (mb, kb) = if lang == Language::En { ("MB", "KB") } else { ("Mo", "Ko") };
    if bytes >= 1024 * 1024 {
        let s = format!("{:.1}", bytes as f64 / (1024.0 * 1024.0));
        let s = if lang == Language::En { s } else { s.replace('.', ",") };
        format!("{s}\u{a0}{mb}")
    } else {
        format!("{}\u{a0}{kb}", bytes.div_ceil(1024))
    }
}

/// "de A, B": each name links to the author's page.
fn author_links(t: &'static crate::i18n::Texts, book: &Book) -> impl IntoView {
    let main: Vec<_> = book.authors.iter().filter(|c| c.role == "aut").collect();
    let shown: Vec<_> = if main.is_empty() { book.authors.iter().collect() } else { main };
    let (before, after) = t.by_authors.split_once("{authors}").unwrap_or(("", ""));
    let links = shown
        .iter()
        .enumerate()
        .map(|(i, c)| view! { {(i > 0).then_some(", ")}<a href=format!("/auteurs/{}", c.id) class=styles::LINK>{c.name.clone()}</a> })
        .collect_view();
    view! { {before.to_owned()}{links}{after.to_owned()} }
}

#[component]
pub fn BookPage(
    book: Book,
    related: Vec<Book>,
    #[prop(default = true)] readable: bool,
    #[prop(default = None)] reviews: Option<domain::community::ReviewPage>,
) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let authors = book.author_names();
    // Each fact, with a link where there is a page for it.
    let mut facts: Vec<(&'static str, String, Option<String>)> = Vec::new();
    if let Some(p) = &book.publisher {
        facts.push((t.book_publisher, p.name.clone(), Some(format!("/editeurs/{}", p.id))));
    }
    if !book.language.is_empty() {
        let lang = book
            .interface_language()
            .map(crate::i18n::language_name)
            .or_else(|| crate::i18n::book_language_name(&book.language))
            .map_or_else(|| book.language.clone(), str::to_owned);
        facts.push((t.book_language, lang, None));
    }
    facts.push((t.book_format, book.format.as_str().to_uppercase(), None));
    if let Some(n) = book.page_count {
        facts.push((t.book_pages, n.to_string(), None));
    } else if let Some(n) = book.spine_length {
        facts.push((t.book_chapters, n.to_string(), None));
    }
    facts.push((t.book_size, human_size(book.file_size, ctx.lang), None));
    if let Some(isbn) = &book.isbn {
        facts.push((t.book_isbn, isbn.clone(), None));
    }
    if !book.published_date.is_empty() {
        facts.push((t.book_date, book.published_date.chars().take(10).collect(), None));
    }
    let price = price_text(t, &book, ctx.lang);
    let draft = book.status == BookStatus::Draft;
    let dir_lang = book.language.clone();
    let text_dir = if book.is_rtl() { "rtl" } else { "auto" };
    let base = ctx.base_url.trim_end_matches('/').to_owned();
    let url = format!("{base}/livres/{}", book.id);
    let image = book.cover_hash.as_ref().map(|h| format!("{base}/files/covers/{h}/640"));
    let share_text = if authors.is_empty() {
        crate::i18n::fill(t.share_book_text, &[("title", &book.title), ("url", &url)])
    } else {
        crate::i18n::fill(t.share_book_text_by, &[("title", &book.title), ("authors", &authors), ("url", &url)])
    };
    view! {
        <crate::components::share::SharePreview title=book.title.clone() description=book.description.clone() url=url image/>
        <article class="grid gap-6 sm:grid-cols-[minmax(0,16rem)_1fr] sm:gap-10">
            <div class="mx-auto w-48 sm:w-full">
                <Cover t=t book=book.clone() eager=true sizes="(min-width: 640px) 16rem, 12rem"/>
            </div>
            <div>
                {draft.then(|| view! { <p class="mb-2 inline-block rounded-full bg-amber-100 px-3 py-1 text-sm font-semibold text-amber-950">{t.draft}</p> })}
                <h1 class="text-2xl font-extrabold tracking-tight text-slate-950 sm:text-4xl dark:text-white" lang=dir_lang.clone() dir=text_dir>{book.title.clone()}</h1>
                {(!book.subtitle.is_empty()).then(|| view! { <p class="mt-1 text-lg text-slate-800 dark:text-slate-200" dir=text_dir>{book.subtitle.clone()}</p> })}
                {(!authors.is_empty()).then(|| view! { <p class="mt-2 text-lg text-slate-800 dark:text-slate-200" dir="auto">{author_links(t, &book)}</p> })}
                {(!book.categories.is_empty()).then(|| view! {
                    <ul class="mt-3 flex flex-wrap gap-2" aria-label=t.meta_categories>
                        {book.categories.iter().map(|c| view! {
                            <li><a href=format!("/catalogue?categorie={}", c.slug) dir="auto"
                                class="inline-block rounded-full bg-teal-50 px-3 py-1 text-sm font-medium text-teal-900 ring-1 ring-teal-200 hover:bg-teal-100 dark:bg-teal-950 dark:text-teal-100 dark:ring-teal-800">{c.name.clone()}</a></li>
                        }).collect_view()}
                    </ul>
                })}
                {book.rating().map(|avg| view! {
                    <p class="mt-3"><a href="#avis" class="inline-flex items-center gap-2 text-slate-800 hover:underline dark:text-slate-200" data-testid="book-rating">
                        <span class="text-amber-600 dark:text-amber-400" aria-hidden="true">"★"</span>
                        {crate::pages::reviews::rating_line(t, avg, book.rating_count as u64, ctx.lang)}
                    </a></p>
                })}
                <p class="mt-4 text-2xl font-bold text-teal-900 dark:text-teal-200" data-testid="book-price">{price}</p>
                {book.premium.then(|| view! {
                    <p class="mt-1"><a href="/premium" data-testid="premium-badge"
                        class="inline-flex items-center gap-1 rounded-full bg-amber-100 px-3 py-1 text-sm font-semibold text-amber-950 ring-1 ring-amber-300 hover:bg-amber-200 dark:bg-amber-950 dark:text-amber-100 dark:ring-amber-700">
                        <span aria-hidden="true">"★"</span>{t.premium_included}</a></p>
                })}
                <div class="mt-4">
                    {
                        let signed_in = ctx.viewer.is_some();
                        let size = human_size(book.file_size, ctx.lang);
                        let locked = !book.is_free() && !readable && !draft;
                        if locked {
                            // On sale, Premium, or both: each way in, the one that buys this
                            // book first.
                            let buy = book.is_for_sale().then(|| {
                                let label = crate::i18n::fill(t.buy_button, &[("price", &price_text(t, &book, ctx.lang))]);
                                view! {
                                    <a href=format!("/livres/{}/acheter", book.id) class=styles::BUTTON data-testid="buy-button">{label}</a>
                                    <p class="mt-2 text-sm text-slate-700 dark:text-slate-300">{t.buy_note}</p>
                                }
                            });
                            let premium = book.premium.then(|| {
                                let class = if book.is_for_sale() { styles::BUTTON_SECONDARY } else { styles::BUTTON };
                                view! {
                                    <p class="mt-3"><a href="/premium" class=class data-testid="premium-link">{t.premium_read_with}</a></p>
                                }
                            });
                            view! { {buy}{premium} }.into_any()
                        } else {
                            view! {
                                <a href=format!("/lire/{}", book.id) class=styles::BUTTON data-testid="read-button">{t.read}</a>
                                {signed_in.then(|| view! { <DownloadBox t=t book_id=book.id.clone() size=size/> })}
                            }.into_any()
                        }
                    }
                </div>
                <p class="mt-4"><crate::components::share::WhatsAppLink t=t text=share_text/></p>
                <dl class="mt-6 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-slate-800 dark:text-slate-200">
                    {facts.into_iter().map(|(k, v, href)| view! {
                        <dt class="font-medium">{k}</dt>
                        <dd dir="auto">{match href {
                            Some(h) => view! { <a href=h class=styles::LINK>{v}</a> }.into_any(),
                            None => v.into_any(),
                        }}</dd>
                    }).collect_view()}
                </dl>
                {(!book.description.is_empty()).then(|| view! {
                    <div class="mt-6 max-w-prose whitespace-pre-line leading-relaxed text-slate-900 dark:text-slate-100" lang=dir_lang dir=text_dir>{book.description.clone()}</div>
                })}
            </div>
        </article>
        {reviews.map(|page| view! { <crate::pages::reviews::ReviewsSection book_id=book.id.clone() page/> })}
        {(!related.is_empty()).then(|| view! {
            <section class="mt-10" aria-labelledby="related-heading">
                <h2 id="related-heading" class="mb-4 text-xl font-bold">{t.related_books}</h2>
                <BookGrid t=t books=related lang=ctx.lang/>
            </section>
        })}
    }
}
