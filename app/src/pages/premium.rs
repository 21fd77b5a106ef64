//! Premium: `/premium` (the plans, their prices, the reader's subscription) and
//! `/admin/formules` (admins set the prices and which plans are sold). A plan is bought through
//! the same checkout as a book (`/premium/{plan}`). No WASM needed.

use crate::components::form::{ErrorSummary, FieldHelp};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use domain::payment::{Plan, Subscription};
use leptos::prelude::*;

/// A plan's name in the reader's language.
pub fn plan_name(t: &'static Texts, id: &str) -> &'static str {
    match id {
        "yearly" => t.plan_yearly,
        _ => t.plan_monthly,
    }
}

/// "per month", "per year".
fn plan_period(t: &'static Texts, id: &str) -> &'static str {
    match id {
        "yearly" => t.plan_per_year,
        _ => t.plan_per_month,
    }
}

/// `6 janvier 2027`, `6 January 2027`, `6 يناير 2027`.
pub fn long_date(t: &'static Texts, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let month = t.months.split(',').nth(at.month0() as usize).unwrap_or("").trim();
    fill(t.date_long, &[("day", &at.day().to_string()), ("month", month), ("year", &at.year().to_string())])
}

/// Where the reader's Premium stands, in a sentence (with its end date).
#[component]
pub fn SubscriptionStatus(subscription: Subscription) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let now = chrono::Utc::now();
    let active = subscription.is_active(now);
    let day = long_date(t, subscription.access_until);
    let text = match active {
        true => fill(t.premium_active_until, &[("date", &day), ("plan", plan_name(t, &subscription.plan_id))]),
        false => fill(t.premium_ended_on, &[("date", &day)]),
    };
    let tone = if active { "border-teal-600 bg-teal-50 dark:bg-teal-950" } else { "border-slate-400 bg-slate-100 dark:bg-slate-800" };
    view! {
        <div class=format!("rounded-xl border-2 p-4 {tone}") data-testid="premium-status" data-active=active.then_some("true")>
            <p class="font-semibold">{text}</p>
            {active.then(|| {
                let left = subscription.days_left(now);
                view! { <p class="mt-1 text-sm">{t.count(&t.premium_days_left, left.max(0) as u64, &[])}</p> }
            })}
            <p class="mt-1 text-sm">{if subscription.auto_renew { t.premium_auto_renew } else { t.premium_no_auto_renew }}</p>
        </div>
    }
}

#[component]
pub fn PremiumPage(plans: Vec<Plan>, subscription: Option<Subscription>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let signed_in = ctx.viewer.is_some();
    let active = subscription.as_ref().is_some_and(|s| s.is_active(chrono::Utc::now()));
    let monthly = plans.iter().find(|p| p.id == "monthly").map(|p| p.price.amount);
    let cards = plans
        .into_iter()
        .map(|plan| {
            let price = plan.price.format(ctx.lang);
            // What the yearly plan saves against twelve months.
            let saving = monthly.filter(|m| plan.id == "yearly" && plan.monthly_equivalent() < *m).map(|_| {
                let per_month = domain::catalog::Money { amount: plan.monthly_equivalent(), currency: plan.price.currency.clone() };
                fill(t.plan_monthly_equivalent, &[("price", &per_month.format(ctx.lang))])
            });
            let href = match signed_in {
                true => format!("/premium/{}", plan.id),
                false => format!("/connexion?next=/premium/{}", plan.id),
            };
            let action = if active { t.premium_extend } else { t.premium_choose };
            view! {
                <li class=format!("{} flex flex-col", styles::CARD) data-testid="plan" data-plan=plan.id.clone()>
                    <h2 class="text-xl font-bold">{plan_name(t, &plan.id)}</h2>
                    <p class="mt-2">
                        <span class="text-3xl font-extrabold text-teal-900 dark:text-teal-200" data-testid="plan-price">{price}</span>
                        " "<span class="text-slate-800 dark:text-slate-200">{plan_period(t, &plan.id)}</span>
                    </p>
                    {saving.map(|s| view! { <p class="mt-1 text-sm font-medium text-amber-900 dark:text-amber-200">{s}</p> })}
                    <p class="mt-3 flex-1 text-slate-800 dark:text-slate-200">{t.count(&t.plan_days, plan.period_days.max(0) as u64, &[])}</p>
                    <a href=href class=format!("{} mt-4", styles::BUTTON) data-testid="plan-choose">{action}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="mx-auto max-w-3xl">
            <h1 class=styles::H1>{t.premium_title}</h1>
            <p class="mb-4 max-w-prose text-lg text-slate-800 dark:text-slate-200">{t.premium_lead}</p>
            {subscription.map(|s| view! { <div class="mb-6"><SubscriptionStatus subscription=s/></div> })}
            <ul class="grid gap-4 sm:grid-cols-2">{cards}</ul>
            <ul class="mt-6 grid gap-2 text-slate-800 dark:text-slate-200">
                <li class="flex gap-2"><span aria-hidden="true" class="text-teal-700 dark:text-teal-300">"✓"</span>{t.premium_point_books}</li>
                <li class="flex gap-2"><span aria-hidden="true" class="text-teal-700 dark:text-teal-300">"✓"</span>{t.premium_point_offline}</li>
                <li class="flex gap-2"><span aria-hidden="true" class="text-teal-700 dark:text-teal-300">"✓"</span>{t.premium_point_prepaid}</li>
            </ul>
            <p class="mt-6"><a href="/catalogue" class=styles::LINK>{t.home_cta_catalog}</a></p>
        </section>
    }
}

#[component]
pub fn AdminPlansPage(plans: Vec<Plan>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let rows = plans
        .into_iter()
        .map(|plan| {
            let yearly = plan.id == "yearly";
            let form_name = if yearly { "plan-yearly" } else { "plan-monthly" };
            let form = ctx.form_for(form_name).cloned();
            let price = form.as_ref().and_then(|f| f.value("price")).map(str::to_owned).unwrap_or_else(|| plan.price.amount.to_string());
            let (price_id, active_id): (&'static str, &'static str) =
                if yearly { ("price-yearly", "active-yearly") } else { ("price-monthly", "active-monthly") };
            // The handler names the field after its plan (two forms on one page).
            let error = form.as_ref().and_then(|f| f.field_error(price_id)).cloned();
            let described = crate::components::form::described_by(price_id, true, error.is_some());
            let name = plan_name(t, &plan.id);
            view! {
                <li class=styles::CARD data-testid="admin-plan" data-plan=plan.id.clone()>
                    <h2 class="mb-3 text-lg font-bold">{name}</h2>
                    <ErrorSummary t=t form=form.clone()/>
                    <form method="post" action=format!("/admin/formules/{}", plan.id) novalidate=true class="grid gap-4 sm:grid-cols-[1fr_auto_auto] sm:items-end">
                        <div>
                            <label for=price_id class=styles::LABEL>{t.plan_price_label}</label>
                            <input id=price_id name="price" inputmode="numeric" value=price class=styles::INPUT
                                aria-invalid=error.is_some().then_some("true") aria-describedby=described/>
                            <FieldHelp t=t name=price_id hint=Some(t.plan_price_hint) error=error/>
                        </div>
                        <label for=active_id class="flex items-center gap-2 py-2.5">
                            <input type="checkbox" id=active_id name="active" value="1" checked=plan.active class="h-5 w-5 accent-teal-700"/>
                            {t.plan_active_label}
                        </label>
                        <button type="submit" class=styles::BUTTON>{fill(t.plan_save, &[("plan", name)])}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <section>
            <crate::pages::admin_entries::AdminTabs current="/admin/formules"/>
            <h1 class=styles::H1>{t.admin_plans_title}</h1>
            <p class="mb-4 max-w-prose text-slate-800 dark:text-slate-200">{t.admin_plans_lead}</p>
            <ul class="grid gap-4">{rows}</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::validation::Language;

    #[test]
    fn dates_read_in_each_language() {
        let at = chrono::DateTime::parse_from_rfc3339("2027-01-06T10:00:00Z").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(long_date(texts(Language::Fr), at), "6 janvier 2027");
        assert_eq!(long_date(texts(Language::En), at), "6 January 2027");
        assert_eq!(long_date(texts(Language::Ar), at), "6 يناير 2027");
    }
}
