//! `/admin/revenus` (admins): what each provider brought in, month by month over a year —
//! received, refunded, what remains — as a bar chart drawn here in SVG (no script) and the
//! table it is drawn from (what screen readers read).

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{texts, Texts};
use domain::catalog::Money;
use domain::payment::revenue::{Figures, Revenue};
use domain::payment::Provider;
use domain::validation::Language;
use leptos::prelude::*;

/// Each provider's colour in the chart (as its mark on the checkout page).
fn colour(p: Provider) -> &'static str {
    match p {
        Provider::Wave => "#0891b2",
        Provider::Orange => "#ea580c",
        Provider::Stripe => "#635bff",
        Provider::PayPal => "#003087",
    }
}

fn xof(amount: i64, lang: Language) -> String {
    Money::xof(amount).format(lang)
}

/// `déc. 2026`, `Dec 2026`.
fn month_label(t: &'static Texts, month: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let name = t.months_short.split(',').nth(month.month0() as usize).unwrap_or("").trim();
    format!("{name} {}", month.year())
}

/// Stacked bars of each month's net revenue per provider.
#[component]
fn Chart(t: &'static Texts, revenue: Revenue, lang: Language) -> impl IntoView {
    const W: f64 = 720.0;
    const H: f64 = 240.0;
    const LEFT: f64 = 8.0;
    const BOTTOM: f64 = 2.0;
    let highest = revenue.months.iter().map(|m| m.providers.iter().map(|(_, f)| f.net().max(0)).sum::<i64>()).max().unwrap_or(0).max(1);
    let slot = (W - LEFT) / revenue.months.len().max(1) as f64;
    let scale = (H - BOTTOM - 16.0) / highest as f64;
    let bars = revenue
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = LEFT + i as f64 * slot + slot * 0.15;
            let width = slot * 0.7;
            let mut y = H - BOTTOM;
            let segments = m
                .providers
                .iter()
                .filter(|(_, f)| f.net() > 0)
                .map(|(p, f)| {
                    let h = f.net() as f64 * scale;
                    y -= h;
                    view! { <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{width:.1}") height=format!("{h:.1}") fill=colour(*p)/> }
                })
                .collect_view();
            let label = month_label(t, m.month);
            view! {
                <g>
                    <title>{format!("{label} : {}", xof(m.total.net(), lang))}</title>
                    {segments}
                </g>
            }
        })
        .collect_view();
    let summary = crate::i18n::fill(t.revenue_chart_label, &[("total", &xof(revenue.total.net(), lang))]);
    // The months under the bars in HTML: text at its own size on a phone and a desktop alike.
    let labels = revenue
        .months
        .iter()
        .map(|m| {
            let label = month_label(t, m.month);
            view! { <li class="truncate">{label.split(' ').next().unwrap_or("").to_owned()}</li> }
        })
        .collect_view();
    view! {
        <figure data-testid="revenue-chart">
            <svg viewBox=format!("0 0 {W} {H}") class="h-auto w-full text-slate-700 dark:text-slate-300" role="img" aria-label=summary>
                <line x1=LEFT y1=H - BOTTOM x2=W y2=H - BOTTOM stroke="currentColor" stroke-width="2"/>
                {bars}
            </svg>
            // Twelve months on the page (see `server::http::admin_payments::revenue`).
            <ol aria-hidden="true" class="mt-1 grid grid-cols-12 gap-px ps-1 text-center text-[10px] text-slate-700 sm:text-sm dark:text-slate-300">{labels}</ol>
        </figure>
    }
}

/// An amount, or a dash for none (a year of zeros reads as noise).
fn amount_or_dash(amount: i64, lang: Language) -> String {
    if amount == 0 {
        "—".to_owned()
    } else {
        xof(amount, lang)
    }
}

fn cells(f: &Figures, lang: Language) -> impl IntoView {
    view! {
        <td class="hidden py-2 pe-3 text-end whitespace-nowrap sm:table-cell">{amount_or_dash(f.received, lang)}</td>
        <td class="hidden py-2 pe-3 text-end whitespace-nowrap sm:table-cell">{if f.refunded > 0 { format!("− {}", xof(f.refunded, lang)) } else { "—".to_owned() }}</td>
        <td class="py-2 text-end font-semibold whitespace-nowrap">{amount_or_dash(f.net(), lang)}</td>
    }
}

#[component]
pub fn AdminRevenuePage(revenue: Revenue) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let lang = ctx.lang;
    let legend = Provider::ALL
        .into_iter()
        .map(|p| {
            let net = revenue.providers.iter().find(|(q, _)| *q == p).map(|(_, f)| f.net()).unwrap_or(0);
            view! {
                <li class="flex items-center gap-2" data-testid="revenue-provider" data-provider=p.as_str()>
                    // Drawn, not styled: the page's CSP allows no inline style.
                    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="2" fill=colour(p)/></svg>
                    <span class="font-medium">{p.label()}</span>
                    <span>{xof(net, lang)}</span>
                </li>
            }
        })
        .collect_view();
    let rows = revenue
        .months
        .iter()
        .rev()
        .map(|m| {
            let by = |p: Provider| m.providers.iter().find(|(q, _)| *q == p).map(|(_, f)| f.net()).unwrap_or(0);
            view! {
                <tr class="border-t border-slate-200 dark:border-slate-700" data-testid="revenue-month" data-month=m.month.format("%Y-%m").to_string()>
                    <th scope="row" class="py-2 pe-3 text-start font-medium whitespace-nowrap">{month_label(t, m.month)}</th>
                    {Provider::ALL.into_iter().map(|p| view! { <td class="py-2 pe-3 text-end whitespace-nowrap">{amount_or_dash(by(p), lang)}</td> }).collect_view()}
                    {cells(&m.total, lang)}
                </tr>
            }
        })
        .collect_view();
    let total = revenue.total.clone();
    view! {
        <section>
            <crate::pages::admin_entries::AdminTabs current="/admin/revenus"/>
            <h1 class=styles::H1>{t.revenue_title}</h1>
            <p class="mb-4 max-w-prose text-slate-800 dark:text-slate-200">{t.revenue_lead}</p>
            <div class=format!("{} mb-6", styles::CARD)>
                <p class="text-lg">{t.revenue_total}" "<strong class="text-2xl" data-testid="revenue-total">{xof(total.net(), lang)}</strong></p>
                <ul class="mt-3 flex flex-wrap gap-x-6 gap-y-2">{legend}</ul>
                <div class="mt-4"><Chart t=t revenue=revenue.clone() lang=lang/></div>
            </div>
            <div class=format!("{} overflow-x-auto", styles::CARD)>
                <table class="w-full text-xs sm:text-base">
                    <caption class="sr-only">{t.revenue_table_caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="pb-2 pe-3 text-start">{t.revenue_month}</th>
                            {Provider::ALL.into_iter().map(|p| view! { <th scope="col" class="pb-2 pe-3 text-end">{p.label()}</th> }).collect_view()}
                            <th scope="col" class="hidden pb-2 pe-3 text-end sm:table-cell">{t.revenue_received}</th>
                            <th scope="col" class="hidden pb-2 pe-3 text-end sm:table-cell">{t.revenue_refunded}</th>
                            <th scope="col" class="pb-2 text-end">{t.revenue_net}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
