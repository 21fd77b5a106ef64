//! `/statistiques`: minutes read per day over 30 days (a bar chart drawn on the server, with the
//! same figures as a table for screen readers), the current streak and the books finished.

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::texts;
use domain::reading::ReadingStats;
use leptos::prelude::*;

#[component]
pub fn StatsPage(stats: ReadingStats) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let max = stats.days.iter().map(|d| d.minutes).max().unwrap_or(0).max(10) as f64;
    let (w, h, gap) = (10.0_f64, 100.0_f64, 2.0_f64);
    let bars = stats
        .days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let bh = (d.minutes as f64 / max * h).max(if d.minutes > 0 { 2.0 } else { 0.0 });
            let x = 6.0 + i as f64 * (w + gap);
            view! {
                <rect x=format!("{x}") y=format!("{}", h - bh) width=format!("{w}") height=format!("{bh}") rx="1.5" class="fill-teal-600 dark:fill-teal-400"></rect>
                {(i % 5 == 4 || i == 29).then(|| view! {
                    <text x=format!("{}", x + w / 2.0) y="116" text-anchor="middle" class="fill-slate-700 text-[10px] dark:fill-slate-300">{d.date.format("%d/%m").to_string()}</text>
                })}
            }
        })
        .collect_view();
    let rows =
        stats.days.iter().map(|d| view! { <tr><td>{d.date.format("%Y-%m-%d").to_string()}</td><td>{d.minutes}</td></tr> }).collect_view();
    let figure = |label: &'static str, value: u32, id: &'static str| {
        view! {
            <div class="rounded-2xl border border-slate-200 bg-white p-3 shadow-sm sm:p-6 dark:border-slate-700 dark:bg-slate-900">
                <p class="text-2xl font-extrabold text-teal-900 tabular-nums sm:text-3xl dark:text-teal-200" data-testid=id>{value}</p>
                <p class="text-sm text-slate-800 sm:text-base dark:text-slate-200">{label}</p>
            </div>
        }
    };
    view! {
        <h1 class=styles::H1>{t.stats_title}</h1>
        <div class="mb-6 grid grid-cols-3 gap-3">
            {figure(t.stats_minutes, stats.minutes_30_days, "stats-minutes")}
            {figure(t.stats_streak, stats.current_streak, "stats-streak")}
            {figure(t.stats_finished, stats.books_finished, "stats-finished")}
        </div>
        <figure class=styles::CARD>
            <figcaption class="mb-3 font-semibold">{t.stats_chart}</figcaption>
            <svg viewBox="0 0 372 122" class="h-auto w-full" role="img" aria-hidden="true">{bars}</svg>
            <table class="sr-only">
                <thead><tr><th scope="col">{t.stats_date}</th><th scope="col">{t.stats_minutes_col}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}
