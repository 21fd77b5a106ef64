//! A destructive action behind a second step: the real button sits in a disclosure (no script
//! needed), and a refusal says why, with the disclosure open.

use super::styles;
use leptos::prelude::*;

#[component]
pub fn DangerZone(
    /// The heading and the button that opens the second step.
    title: &'static str,
    warning: &'static str,
    confirm: &'static str,
    action: String,
    /// Why the last attempt was refused, if it was.
    refused: Option<String>,
) -> impl IntoView {
    let open = refused.is_some();
    view! {
        <section class="mt-6 rounded-2xl border border-red-300 bg-white p-5 sm:p-8 dark:border-red-800 dark:bg-slate-900" aria-labelledby="delete-heading">
            <h2 id="delete-heading" class="mb-2 text-lg font-bold text-red-800 dark:text-red-300">{title}</h2>
            {refused.map(|why| view! { <p role="alert" class="mb-3 rounded-lg bg-red-50 p-3 font-medium text-red-900 dark:bg-red-950 dark:text-red-100">{why}</p> })}
            <p class="mb-4 text-slate-800 dark:text-slate-200">{warning}</p>
            <details open=open>
                <summary class=format!("{} cursor-pointer list-none", styles::BUTTON_SECONDARY)>{title}</summary>
                <form method="post" action=action class="mt-3">
                    <button type="submit" class="inline-flex items-center justify-center rounded-lg bg-red-700 px-4 py-2.5 font-semibold text-white hover:bg-red-800 focus-visible:outline focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-amber-500">{confirm}</button>
                </form>
            </details>
        </section>
    }
}
