//! A book in a list: cover, title, authors, price.

use crate::i18n::Texts;
use domain::catalog::Book;
use domain::validation::Language;
use leptos::prelude::*;

/// The URL of a stored cover.
pub fn cover_url(hash: &str) -> String {
    format!("/files/covers/{hash}")
}

/// "Gratuit" or the price in the reader's format.
pub fn price_text(t: &'static Texts, book: &Book, lang: Language) -> String {
    if book.is_free() {
        t.free.to_owned()
    } else if !book.is_for_sale() {
        t.premium_only.to_owned()
    } else {
        book.price.format(lang)
    }
}

/// A cover, or a coloured block with the title when the book has none.
#[component]
pub fn Cover(
    t: &'static Texts,
    book: Book,
    #[prop(default = "w-full")] class: &'static str,
    #[prop(default = false)] eager: bool,
    /// How wide the cover is shown, for the browser to pick a width (`srcset`).
    #[prop(default = "(min-width: 1024px) 180px, (min-width: 768px) 22vw, (min-width: 640px) 30vw, 45vw")]
    sizes: &'static str,
) -> impl IntoView {
    match book.cover_hash.clone() {
        // WebP first (a third lighter), JPEG for the rest.
        Some(hash) => view! {
            <picture class="contents">
            <source type="image/webp" srcset=[160, 320, 640].map(|w| format!("{}/{w}.webp {w}w", cover_url(&hash))).join(", ") sizes=sizes/>
            <img
                src=format!("{}/320", cover_url(&hash))
                srcset=[160, 320, 640].map(|w| format!("{}/{w} {w}w", cover_url(&hash))).join(", ")
                sizes=sizes
                alt=""
                loading=if eager { "eager" } else { "lazy" }
                decoding="async"
                width="320"
                height="480"
                class=format!("{class} aspect-[2/3] rounded-lg bg-slate-200 object-cover shadow-sm dark:bg-slate-800")
            />
            </picture>
        }
        .into_any(),
        None => view! {
            <div
                class=format!("{class} flex aspect-[2/3] items-center justify-center rounded-lg bg-gradient-to-br from-teal-700 to-teal-900 p-3 text-center font-serif font-bold text-white shadow-sm")
                role="img"
                aria-label=t.no_cover
            >
                <span class="line-clamp-5">{book.title.clone()}</span>
            </div>
        }
        .into_any(),
    }
}

#[component]
pub fn BookCard(t: &'static Texts, book: Book, lang: Language, #[prop(default = false)] eager: bool) -> impl IntoView {
    let href = format!("/livres/{}", book.id);
    let authors = book.author_names();
    let price = price_text(t, &book, lang);
    let free = book.is_free();
    let text_dir = if book.is_rtl() { "rtl" } else { "auto" };
    view! {
        <li class="group" data-testid="book-card">
            <a href=href class="block rounded-xl p-1 focus-visible:outline focus-visible:outline-3 focus-visible:outline-amber-500">
                <Cover t=t book=book.clone() eager=eager/>
                <h3 class="mt-2 line-clamp-2 font-semibold leading-snug text-slate-950 group-hover:underline dark:text-white" dir=text_dir>{book.title.clone()}</h3>
                <p class="line-clamp-1 text-sm text-slate-700 dark:text-slate-300" dir="auto">{authors}</p>
                {book.rating().map(|avg| view! {
                    <p class="text-sm text-slate-700 dark:text-slate-300" data-testid="card-rating">
                        <span class="text-amber-600 dark:text-amber-400" aria-hidden="true">"★ "</span>
                        <span class="sr-only">{crate::pages::reviews::rating_line(t, avg, book.rating_count as u64, lang)}</span>
                        <span aria-hidden="true">{format!("{} ({})", crate::pages::reviews::rating_number(avg, lang), book.rating_count)}</span>
                    </p>
                })}
                <p class=if free { "mt-1 text-sm font-bold text-emerald-800 dark:text-emerald-300" } else { "mt-1 text-sm font-bold text-slate-900 dark:text-slate-100" }>{price}</p>
            </a>
        </li>
    }
}

/// A responsive grid of cards.
#[component]
pub fn BookGrid(t: &'static Texts, books: Vec<Book>, lang: Language) -> impl IntoView {
    view! {
        <ul class="grid grid-cols-2 gap-x-3 gap-y-6 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5">
            // The first row is on screen at once; the rest load as the reader scrolls.
            {books.into_iter().enumerate().map(|(i, book)| view! { <BookCard t=t book lang eager=i < 2/> }).collect_view()}
        </ul>
    }
}
