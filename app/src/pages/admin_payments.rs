//! `/admin/paiements`: every reader's payments, filtered by provider, state, reader and dates
//! (keyset pages); `/admin/paiements/{id}`: one payment with everything its provider said, a
//! re-check with the provider and a full refund (confirmed by a tick). Admins; no WASM needed.

use super::payment::{failure_text, state_text};
use crate::components::form::ErrorSummary;
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{texts, Texts};
use domain::catalog::Money;
use domain::payment::{Payment, PaymentFilter, PaymentList, PaymentRow, PaymentState, Provider, ProviderEvent};
use leptos::prelude::*;

fn amount(p: &Payment, lang: domain::validation::Language) -> String {
    Money { amount: p.amount, currency: p.currency.clone() }.format(lang)
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The query string that shows `filter` (and the page after `cursor`).
pub fn href(filter: &PaymentFilter, cursor: Option<&str>) -> String {
    use super::search::encode as enc;
    let mut q = Vec::new();
    if let Some(p) = filter.provider {
        q.push(format!("fournisseur={}", p.as_str()));
    }
    if let Some(s) = filter.state {
        q.push(format!("etat={}", s.as_str()));
    }
    if let Some(r) = &filter.reader {
        q.push(format!("lecteur={}", enc(r)));
    }
    if let Some(d) = filter.from {
        q.push(format!("du={d}"));
    }
    if let Some(d) = filter.to {
        q.push(format!("au={d}"));
    }
    if let Some(c) = cursor {
        q.push(format!("apres={}", enc(c)));
    }
    match q.is_empty() {
        true => "/admin/paiements".into(),
        false => format!("/admin/paiements?{}", q.join("&")),
    }
}

fn state_badge(t: &'static Texts, s: PaymentState) -> impl IntoView {
    let tone = match s {
        PaymentState::Succeeded => "bg-teal-100 text-teal-950 dark:bg-teal-900 dark:text-teal-50",
        PaymentState::Failed => "bg-red-100 text-red-950 dark:bg-red-900 dark:text-red-50",
        PaymentState::Created | PaymentState::Pending => "bg-amber-100 text-amber-950 dark:bg-amber-900 dark:text-amber-50",
        PaymentState::Expired | PaymentState::Refunded => "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-50",
    };
    view! { <span class=format!("whitespace-nowrap rounded-full px-2 py-0.5 text-sm font-semibold {tone}") data-state=s.as_str()>{state_text(t, s)}</span> }
}

#[component]
pub fn AdminPaymentsPage(list: PaymentList, filter: PaymentFilter) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let providers = std::iter::once(view! { <option value="" selected=filter.provider.is_none()>{t.filter_all}</option> }.into_any())
        .chain(
            Provider::ALL
                .into_iter()
                .map(|p| view! { <option value=p.as_str() selected=filter.provider == Some(p)>{p.label()}</option> }.into_any()),
        )
        .collect_view();
    let states = std::iter::once(view! { <option value="" selected=filter.state.is_none()>{t.filter_all}</option> }.into_any())
        .chain(
            PaymentState::ALL
                .into_iter()
                .filter(|s| *s != PaymentState::Created)
                .map(|s| view! { <option value=s.as_str() selected=filter.state == Some(s)>{state_text(t, s)}</option> }.into_any()),
        )
        .collect_view();
    let next = list.next_cursor.as_deref().map(|c| href(&filter, Some(c)));
    let empty = list.rows.is_empty();
    let rows = list
        .rows
        .into_iter()
        .map(|PaymentRow { payment: p, email }| {
            let link = format!("/admin/paiements/{}", p.id);
            view! {
                <tr class="border-t border-slate-200 align-top dark:border-slate-700" data-testid="admin-payment">
                    <td class="py-3 pe-3"><a href=link class=styles::LINK dir="auto">{p.title.clone()}</a>
                        <span class="block text-sm text-slate-700 dark:text-slate-300 break-all">{email}</span></td>
                    <td class="py-3 pe-3 whitespace-nowrap">{amount(&p, ctx.lang)}</td>
                    <td class="hidden py-3 pe-3 sm:table-cell">{p.provider.label()}</td>
                    <td class="py-3 pe-3">{state_badge(t, p.state)}</td>
                    <td class="hidden py-3 md:table-cell whitespace-nowrap"><time datetime=p.created_at.to_rfc3339()>{when(p.created_at)}</time></td>
                </tr>
            }
        })
        .collect_view();
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <super::admin_entries::AdminTabs current="/admin/paiements"/>
        <h1 class=styles::H1>{t.admin_payments_title}</h1>
        <form method="get" action="/admin/paiements" class=format!("{} mb-6 grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1.5fr_1fr_1fr_auto] lg:items-end", styles::CARD)>
            <div>
                <label for="fournisseur" class=styles::LABEL>{t.field_provider}</label>
                <select id="fournisseur" name="fournisseur" class=styles::INPUT>{providers}</select>
            </div>
            <div>
                <label for="etat" class=styles::LABEL>{t.admin_payments_state}</label>
                <select id="etat" name="etat" class=styles::INPUT>{states}</select>
            </div>
            <div>
                <label for="lecteur" class=styles::LABEL>{t.admin_payments_reader}</label>
                <input id="lecteur" name="lecteur" type="search" value=filter.reader.clone().unwrap_or_default() class=styles::INPUT/>
            </div>
            <div>
                <label for="du" class=styles::LABEL>{t.admin_payments_from}</label>
                <input id="du" name="du" type="date" value=day(filter.from) class=styles::INPUT/>
            </div>
            <div>
                <label for="au" class=styles::LABEL>{t.admin_payments_to}</label>
                <input id="au" name="au" type="date" value=day(filter.to) class=styles::INPUT/>
            </div>
            <button type="submit" class=styles::BUTTON>{t.filter_apply}</button>
        </form>
        {empty.then(|| view! { <p class="text-slate-700 dark:text-slate-300">{t.admin_payments_empty}</p> })}
        {(!empty).then(|| view! {
            <div class="overflow-x-auto">
                <table class="w-full text-start">
                    <thead><tr class="text-sm text-slate-700 dark:text-slate-300">
                        <th scope="col" class="py-2 pe-3 text-start">{t.purchases_item}</th>
                        <th scope="col" class="py-2 pe-3 text-start">{t.purchases_amount}</th>
                        <th scope="col" class="hidden py-2 pe-3 text-start sm:table-cell">{t.purchases_provider}</th>
                        <th scope="col" class="py-2 pe-3 text-start">{t.admin_payments_state}</th>
                        <th scope="col" class="hidden py-2 text-start md:table-cell">{t.purchases_date}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
        {next.map(|href| view! { <p class="mt-6"><a href=href class=styles::BUTTON_SECONDARY rel="next">{t.next_page}</a></p> })}
    }
}

fn source_text(t: &'static Texts, source: &str) -> &'static str {
    match source {
        "create" => t.payment_source_create,
        "webhook" => t.payment_source_webhook,
        "lookup" => t.payment_source_lookup,
        "refund" => t.payment_source_refund,
        _ => t.payment_source_other,
    }
}

#[component]
pub fn AdminPaymentPage(row: PaymentRow, history: Vec<ProviderEvent>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("refund").cloned();
    let p = row.payment;
    let base = format!("/admin/paiements/{}", p.id);
    let events = history
        .into_iter()
        .map(|e| {
            let moved = match (e.state_before, e.state_after) {
                // Created and pending read the same ("en cours"): no move to show between them.
                (Some(a), Some(b)) if state_text(t, a) != state_text(t, b) => format!("{} → {}", state_text(t, a), state_text(t, b)),
                _ => String::new(),
            };
            view! {
                <li class="py-3" data-testid="payment-event">
                    <p class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                        <span class="rounded-full bg-slate-100 px-2 py-0.5 text-sm font-semibold text-slate-900 dark:bg-slate-800 dark:text-slate-100">{source_text(t, &e.source)}</span>
                        <time datetime=e.received_at.to_rfc3339() class="text-sm">{when(e.received_at)}</time>
                        {(!moved.is_empty()).then(|| view! { <span class="text-sm font-semibold">{moved}</span> })}
                        {e.provider_event_id.clone().map(|id| view! { <span class="font-mono text-xs break-all">{id}</span> })}
                    </p>
                    <details class="mt-1">
                        <summary class="cursor-pointer text-sm text-teal-800 underline dark:text-teal-300">{t.admin_payment_raw}</summary>
                        <pre class="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 text-xs dark:bg-slate-800" dir="ltr">{e.body.clone()}</pre>
                    </details>
                </li>
            }
        })
        .collect_view();
    let refundable = p.state == PaymentState::Succeeded;
    let checkable = !matches!(p.state, PaymentState::Refunded);
    view! {
        <super::admin_entries::AdminTabs current="/admin/paiements"/>
        <p class="mb-2"><a href="/admin/paiements" class=styles::LINK>{t.admin_payments_title}</a></p>
        <h1 class=styles::H1 dir="auto">{p.title.clone()}</h1>
        <div class=format!("{} mb-6", styles::CARD)>
            <dl class="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2">
                <dt class="font-medium">{t.admin_payments_state}</dt><dd data-testid="admin-payment-state">{state_badge(t, p.state)}</dd>
                {p.failure.clone().map(|f| view! { <dt class="font-medium">{t.admin_payment_failure}</dt><dd>{failure_text(t, Some(&f))}" "<span class="font-mono text-xs">"("{f}")"</span></dd> })}
                <dt class="font-medium">{t.admin_payments_reader}</dt><dd class="break-all">{row.email.clone()}</dd>
                <dt class="font-medium">{t.purchases_amount}</dt><dd>{amount(&p, ctx.lang)}</dd>
                <dt class="font-medium">{t.purchases_provider}</dt><dd>{p.provider.label()}</dd>
                <dt class="font-medium">{t.admin_payment_reference}</dt><dd class="break-all font-mono text-sm">{p.provider_ref.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt class="font-medium">{t.field_phone}</dt><dd dir="ltr" class="text-start">{p.payer_phone.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt class="font-medium">{t.purchases_date}</dt><dd><time datetime=p.created_at.to_rfc3339()>{when(p.created_at)}</time></dd>
                <dt class="font-medium">{t.admin_payment_checked}</dt><dd>{p.checked_at.map(when).unwrap_or_else(|| "—".into())}</dd>
            </dl>
            <div class="mt-4 flex flex-wrap items-start gap-3">
                {checkable.then(|| view! {
                    <form method="post" action=format!("{base}/verifier")>
                        <button type="submit" class=styles::BUTTON_SECONDARY>{t.admin_payment_recheck}</button>
                    </form>
                })}
            </div>
            {refundable.then(|| view! {
                <form method="post" action=format!("{base}/rembourser") class="mt-4 rounded-lg border border-red-300 p-4 dark:border-red-800">
                    <ErrorSummary t=t form=form.clone()/>
                    {form.as_ref().and_then(|f| f.detail.clone()).map(|code| {
                        let text = match code.as_str() {
                            "refund-not-supported" => t.refund_not_supported.to_owned(),
                            other => crate::i18n::fill(t.failure_other, &[("code", other)]),
                        };
                        view! { <p class="mb-3 text-sm font-medium text-red-800 dark:text-red-300" data-testid="refund-refused" data-code=code>{text}</p> }
                    })}
                    <p class="mb-2 text-sm">{t.admin_payment_refund_lead}</p>
                    <p class="mb-3 flex items-center gap-2">
                        <input type="checkbox" id="confirm" name="confirm" value="1" class="h-5 w-5 accent-red-700"/>
                        <label for="confirm">{t.admin_payment_refund_confirm}</label>
                    </p>
                    <button type="submit" class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800 focus:outline-none focus-visible:ring-4 focus-visible:ring-red-300">{t.admin_payment_refund}</button>
                </form>
            })}
        </div>
        <h2 class="mb-2 text-xl font-bold">{t.admin_payment_history}</h2>
        <ol class="divide-y divide-slate-200 dark:divide-slate-700">{events}</ol>
    }
}
