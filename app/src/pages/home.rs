use crate::components::book_card::BookGrid;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts};
use domain::catalog::Book;
use leptos::prelude::*;

#[component]
pub fn HomePage(recent: Vec<Book>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let features = [
        (t.home_feature_offline_title, t.home_feature_offline),
        (t.home_feature_sync_title, t.home_feature_sync),
        (t.home_feature_light_title, t.home_feature_light),
    ]
    .into_iter()
    .map(|(title, text)| {
        view! {
            <li class=styles::CARD>
                <h2 class="mb-1 text-lg font-bold text-teal-900 dark:text-teal-200">{title}</h2>
                <p class="text-slate-800 dark:text-slate-200">{text}</p>
            </li>
        }
    })
    .collect_view();
    view! {
        <section class="mb-10 rounded-3xl bg-gradient-to-br from-teal-800 to-teal-950 px-6 py-10 text-white sm:px-10 sm:py-14">
            {ctx.viewer.as_ref().map(|u| view! { <p class="mb-2 font-semibold text-amber-300">{fill(t.welcome_user, &[("name", &u.name)])}</p> })}
            <h1 class="max-w-2xl text-3xl font-extrabold leading-tight tracking-tight sm:text-5xl">{t.home_title}</h1>
            <p class="mt-4 max-w-2xl text-lg text-teal-50">{t.home_lead}</p>
            <div class="mt-8 flex flex-col gap-3 sm:flex-row">
                {ctx.viewer.is_none().then(|| view! {
                    <a href="/inscription" class="inline-flex justify-center rounded-lg bg-amber-400 px-5 py-3 font-bold text-slate-950 hover:bg-amber-300 focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-white">{t.home_cta_register}</a>
                })}
                <a href="/catalogue" class="inline-flex justify-center rounded-lg border-2 border-white/80 px-5 py-3 font-bold text-white hover:bg-white/10 focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-amber-300">{t.home_cta_catalog}</a>
            </div>
        </section>
        {(!recent.is_empty()).then(|| view! {
            <section class="mb-10" aria-labelledby="new-arrivals">
                <div class="mb-4 flex items-baseline justify-between">
                    <h2 id="new-arrivals" class="text-xl font-bold text-slate-950 dark:text-white">{t.new_arrivals}</h2>
                    <a class=styles::LINK href="/catalogue">{t.see_all}</a>
                </div>
                <BookGrid t=t books=recent lang=ctx.lang/>
            </section>
        })}
        <ul class="grid gap-4 sm:grid-cols-3">{features}</ul>
    }
}
