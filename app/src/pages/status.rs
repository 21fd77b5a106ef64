//! The 404 and error pages. They set the response status during server rendering.

use crate::components::form::error_text;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use domain::error::ErrorCode;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let t = texts(page_ctx().lang);
    view! {
        <div class="mx-auto max-w-lg py-10 text-center">
            <p class="text-6xl font-extrabold text-amber-500" aria-hidden="true">"404"</p>
            <h1 class=styles::H1>{t.not_found_title}</h1>
            <p class="mb-6 text-slate-800 dark:text-slate-200">{t.not_found_text}</p>
            <a href="/" class=styles::BUTTON>{t.back_home}</a>
        </div>
    }
}

/// What went wrong, as a heading: said plainly where it is known.
fn error_heading(t: &'static crate::i18n::Texts, code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::NotEntitled => t.heading_paid_book,
        ErrorCode::Forbidden => t.heading_forbidden,
        ErrorCode::RateLimited => t.heading_rate_limited,
        ErrorCode::SearchUnavailable => t.heading_search_unavailable,
        _ => t.error_title,
    }
}

#[component]
pub fn ErrorPage(code: ErrorCode) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    // A paid book opened before it was bought: the way to buy it.
    let book = ctx.path.strip_prefix("/lire/").map(|rest| rest.split(['/', '?']).next().unwrap_or("").to_owned());
    let buy =
        book.filter(|id| code == ErrorCode::NotEntitled && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    view! {
        <div class="mx-auto max-w-lg py-10 text-center">
            <h1 class=styles::H1>{error_heading(t, code)}</h1>
            <p class="mb-6 text-slate-800 dark:text-slate-200">{error_text(t, code, None)}</p>
            {if let Some(id) = buy {
                view! { <a href=format!("/livres/{id}") class=styles::BUTTON data-testid="locked-buy">{t.locked_see_book}</a> }.into_any()
            } else if matches!(code, ErrorCode::SearchUnavailable | ErrorCode::NotEntitled) {
                view! { <a href="/catalogue" class=styles::BUTTON>{t.home_cta_catalog}</a> }.into_any()
            } else {
                view! { <a href="/" class=styles::BUTTON>{t.back_home}</a> }.into_any()
            }}
        </div>
    }
}
