//! `/admin/taches`: background jobs that failed their last attempt, with their error and a
//! button that gives each a new run (admins). Works without WASM: one form per job.

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use domain::jobs::DeadJob;
use leptos::prelude::*;

#[component]
pub fn AdminJobsPage(jobs: Vec<DeadJob>, waiting: u64) -> impl IntoView {
    let t = texts(page_ctx().lang);
    let empty = jobs.is_empty();
    let rows = jobs
        .into_iter()
        .map(|j| {
            let when = j.finished_at.format("%Y-%m-%d %H:%M UTC").to_string();
            let action = format!("/admin/taches/{}/relancer", j.id);
            view! {
                <li class=format!("{} !p-4", styles::CARD) data-testid="dead-job">
                    <dl class="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[8rem_1fr]">
                        <dt class="font-semibold text-slate-700 dark:text-slate-300">{t.jobs_queue}</dt>
                        <dd class="break-all font-mono">{j.queue.clone()}</dd>
                        <dt class="font-semibold text-slate-700 dark:text-slate-300">{t.jobs_key}</dt>
                        <dd class="break-all font-mono" dir="auto">{j.dedupe_key.clone()}</dd>
                        <dt class="font-semibold text-slate-700 dark:text-slate-300">{t.jobs_error}</dt>
                        <dd class="break-words font-mono text-xs" dir="auto">{j.last_error.clone()}</dd>
                    </dl>
                    <div class="mt-3 flex flex-wrap items-center justify-between gap-2">
                        <p class="text-sm text-slate-700 dark:text-slate-300">
                            <time datetime=j.finished_at.to_rfc3339()>{when}</time>" · "{j.attempts}" ×"
                        </p>
                        <form method="post" action=action>
                            <button type="submit" class=styles::BUTTON>{t.jobs_retry}</button>
                        </form>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <super::admin_entries::AdminTabs current="/admin/taches"/>
        <h1 class=styles::H1>{t.jobs_title}</h1>
        <p class="mb-2 max-w-prose text-slate-800 dark:text-slate-200">{t.jobs_lead}</p>
        <p class="mb-5 text-sm text-slate-700 dark:text-slate-300" data-testid="jobs-waiting">{t.count(&t.jobs_waiting, waiting, &[])}</p>
        {empty.then(|| view! { <p class="text-slate-700 dark:text-slate-300">{t.jobs_empty}</p> })}
        <ol class="space-y-3">{rows}</ol>
    }
}
