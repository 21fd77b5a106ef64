//! Buying a book or a Premium plan: `/livres/{id}/acheter` and `/premium/{plan}` (provider and phone), `/achats/{id}` (where the
//! payment stands: it reloads itself while pending, and never says "failed" for a payment the
//! provider is still processing) and `/achats` (the reader's payments). No WASM needed.

use crate::components::form::{ErrorSummary, FieldHelp};
use crate::components::styles;
use crate::context::page_ctx;
use crate::context::Buying;
use crate::i18n::{fill, texts, Texts};
use domain::catalog::Money;
use domain::payment::{Item, Payment, PaymentState, Provider};
use domain::validation::Language;
use leptos::prelude::*;

fn price(p: &Payment, lang: Language) -> String {
    Money { amount: p.amount, currency: p.currency.clone() }.format(lang)
}

/// A provider's mark, drawn here (no third-party image): its name on its colour.
#[component]
fn ProviderMark(provider: Provider) -> impl IntoView {
    let (bg, fg, width) = match provider {
        Provider::Wave => ("#1dc8ff", "#0b1f33", 64),
        Provider::Orange => ("#ff7900", "#000000", 104),
        Provider::Stripe => ("#635bff", "#ffffff", 64),
        Provider::PayPal => ("#003087", "#ffffff", 64),
    };
    view! {
        <svg viewBox=format!("0 0 {width} 24") width=width height="24" aria-hidden="true" class="shrink-0 rounded">
            <rect width=width height="24" rx="5" fill=bg/>
            <text x=width / 2 y="16.5" text-anchor="middle" font-family="system-ui, sans-serif" font-size="12" font-weight="700" fill=fg>
                {provider.label()}
            </text>
        </svg>
    }
}

/// The state of a payment in words.
pub fn state_text(t: &'static Texts, s: PaymentState) -> &'static str {
    match s {
        PaymentState::Created | PaymentState::Pending => t.payment_state_pending,
        PaymentState::Succeeded => t.payment_state_succeeded,
        PaymentState::Failed => t.payment_state_failed,
        PaymentState::Expired => t.payment_state_expired,
        PaymentState::Refunded => t.payment_state_refunded,
    }
}

/// Why a payment failed, in the reader's words where the provider's code is known.
pub fn failure_text(t: &'static Texts, code: Option<&str>) -> String {
    match code.unwrap_or("") {
        "insufficient-funds" => t.failure_insufficient_funds.into(),
        "payer-mobile-mismatch" => t.failure_payer_mismatch.into(),
        "blocked-account" => t.failure_blocked_account.into(),
        "cross-border-payment-not-allowed" => t.failure_cross_border.into(),
        "customer-age-restricted" => t.failure_age_restricted.into(),
        "kyb-limits-exceeded" => t.failure_limits.into(),
        "amount-mismatch" => t.failure_amount_mismatch.into(),
        "refused-by-provider" => t.failure_refused.into(),
        other => fill(t.failure_other, &[("code", if other.is_empty() { "?" } else { other })]),
    }
}

/// What the reader is paying for, in their words: its name, its price, where the form posts,
/// where "back" goes, and what the payment gives.
fn buying_texts(t: &'static Texts, buying: &Buying, lang: Language) -> (String, String, String, String, &'static str, &'static str) {
    match buying {
        Buying::Book(book) => (
            book.title.clone(),
            book.price.format(lang),
            format!("/livres/{}/acheter", book.id),
            format!("/livres/{}", book.id),
            t.checkout_lead,
            t.checkout_back,
        ),
        Buying::Plan(plan) => (
            format!("Coko {}", crate::pages::premium::plan_name(t, &plan.id)),
            plan.price.format(lang),
            format!("/premium/{}", plan.id),
            "/premium".to_owned(),
            t.checkout_plan_lead,
            t.checkout_back_premium,
        ),
    }
}

fn price_of(buying: &Buying) -> Money {
    match buying {
        Buying::Book(book) => book.price.clone(),
        Buying::Plan(plan) => plan.price.clone(),
    }
}

/// A payment's item as the reader names it (a plan in their language, a book by its title).
pub fn item_title(t: &'static Texts, p: &Payment) -> String {
    match &p.item {
        Item::Plan(id) => format!("Coko {}", crate::pages::premium::plan_name(t, id)),
        Item::Book(_) => p.title.clone(),
    }
}

#[component]
pub fn CheckoutPage(buying: Buying, providers: Vec<Provider>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("checkout").cloned();
    let (title, amount, action, back, lead, back_label) = buying_texts(t, &buying, ctx.lang);
    let heading = match buying {
        Buying::Book(_) => t.checkout_title,
        Buying::Plan(_) => t.checkout_plan_title,
    };
    let chosen =
        form.as_ref().and_then(|f| f.value("provider")).map(str::to_owned).or_else(|| providers.first().map(|p| p.as_str().to_owned()));
    let phone = form.as_ref().and_then(|f| f.value("phone")).unwrap_or("").to_owned();
    let phone_error = form.as_ref().and_then(|f| f.field_error("phone")).cloned();
    let provider_error = form.as_ref().and_then(|f| f.field_error("provider")).cloned();
    let none = providers.is_empty();
    // What each provider takes: mobile money, a card, or PayPal's euros at the peg.
    let charged_eur = domain::payment::charged(Provider::PayPal, &price_of(&buying)).format(ctx.lang);
    let kind = |p: Provider| match p {
        Provider::PayPal => fill(t.checkout_paypal, &[("eur", &charged_eur)]),
        p if p.is_mobile_money() => t.checkout_mobile_money.to_owned(),
        _ => t.checkout_card.to_owned(),
    };
    let options = providers
        .iter()
        .map(|p| {
            let checked = chosen.as_deref() == Some(p.as_str());
            let id = format!("provider-{}", p.as_str());
            let label_for = id.clone();
            view! {
                <li>
                    <label for=label_for class="flex cursor-pointer items-center gap-3 rounded-lg border border-slate-300 p-3 has-[:checked]:border-teal-700 has-[:checked]:ring-2 has-[:checked]:ring-teal-700 dark:border-slate-600">
                        <input type="radio" id=id name="provider" value=p.as_str() checked=checked class="h-5 w-5 shrink-0 accent-teal-700"/>
                        <ProviderMark provider=*p/>
                        <span class="font-medium">{p.label()}</span>
                        <span class="text-sm text-slate-700 dark:text-slate-300">{kind(*p)}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    let described = crate::components::form::described_by("phone", true, phone_error.is_some());
    view! {
        <section class="mx-auto max-w-xl">
            <h1 class=styles::H1>{heading}</h1>
            <div class=styles::CARD>
                <p class="text-lg font-semibold" dir="auto" data-testid="checkout-title">{title}</p>
                <p class="mt-1 text-2xl font-bold text-teal-900 dark:text-teal-200" data-testid="checkout-price">{amount.clone()}</p>
                <p class="mt-2 text-slate-800 dark:text-slate-200">{lead}</p>
                <ErrorSummary t=t form=form.clone()/>
                {if none {
                    view! { <p class="mt-4 font-medium" data-testid="checkout-none">{t.checkout_none}</p> }.into_any()
                } else {
                    view! {
                        <form method="post" action=action class="mt-4" novalidate=true>
                            <fieldset class="mb-4" id="provider">
                                <legend class=styles::LABEL>{t.checkout_provider}</legend>
                                <ul class="grid gap-2">{options}</ul>
                                <FieldHelp t=t name="provider" hint=None error=provider_error/>
                            </fieldset>
                            <div class="mb-4">
                                <label for="phone" class=styles::LABEL>{t.checkout_phone}</label>
                                <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" value=phone
                                    dir="ltr" placeholder="+221 77 123 45 67" aria-invalid=phone_error.is_some().then_some("true")
                                    aria-describedby=described class=styles::INPUT/>
                                <FieldHelp t=t name="phone" hint=Some(t.checkout_phone_hint) error=phone_error/>
                            </div>
                            <p class="mb-4 text-sm text-slate-700 dark:text-slate-300">{t.checkout_redirect_note}</p>
                            <button type="submit" class=format!("{} w-full", styles::BUTTON) data-testid="checkout-submit">
                                {fill(t.checkout_submit, &[("price", &amount)])}
                            </button>
                        </form>
                    }.into_any()
                }}
                <p class="mt-4"><a href=back class=styles::LINK>{back_label}</a></p>
            </div>
        </section>
    }
}

#[component]
pub fn PaymentPage(payment: Payment) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let amount = price(&payment, ctx.lang);
    let title = item_title(t, &payment);
    let invoiced = matches!(payment.state, PaymentState::Succeeded | PaymentState::Refunded);
    // Where to go next: the book bought, or Premium; where to try again.
    let (next, next_label, retry) = match &payment.item {
        Item::Book(id) => (format!("/lire/{id}"), t.payment_read_now, format!("/livres/{id}/acheter")),
        Item::Plan(id) => ("/premium".to_owned(), t.payment_premium_open, format!("/premium/{id}")),
    };
    let (heading, tone) = match payment.state {
        PaymentState::Created | PaymentState::Pending => (t.payment_pending, "border-amber-400 bg-amber-50 dark:bg-amber-950"),
        PaymentState::Succeeded => (t.payment_succeeded, "border-teal-600 bg-teal-50 dark:bg-teal-950"),
        PaymentState::Failed => (t.payment_failed, "border-red-600 bg-red-50 dark:bg-red-950"),
        PaymentState::Expired => (t.payment_expired, "border-slate-400 bg-slate-100 dark:bg-slate-800"),
        PaymentState::Refunded => (t.payment_refunded, "border-slate-400 bg-slate-100 dark:bg-slate-800"),
    };
    let body = match payment.state {
        PaymentState::Created | PaymentState::Pending => view! {
            <leptos_meta::Meta http_equiv="refresh" content="4"/>
            <p>{t.payment_pending_lead}</p>
            <p class="mt-2 flex items-center gap-2 text-sm" role="status">
                <span class="inline-block h-3 w-3 animate-pulse rounded-full bg-amber-500" aria-hidden="true"></span>
                {t.payment_checking}
            </p>
            {payment.redirect_url.clone().map(|href| view! {
                <p class="mt-4"><a href=href class=styles::BUTTON_SECONDARY rel="noreferrer">{fill(t.payment_continue, &[("provider", payment.provider.label())])}</a></p>
            })}
        }
        .into_any(),
        PaymentState::Succeeded => view! {
            <p>{match payment.item {
                Item::Book(_) => fill(t.payment_succeeded_lead, &[("title", &title)]),
                Item::Plan(_) => t.payment_premium_lead.to_owned(),
            }}</p>
            <p class="mt-4"><a href=next class=styles::BUTTON data-testid="payment-read">{next_label}</a></p>
        }
        .into_any(),
        PaymentState::Failed => view! {
            <p data-testid="payment-failure">{failure_text(t, payment.failure.as_deref())}</p>
            <p class="mt-2 text-sm">{t.payment_failed_lead}</p>
            <p class="mt-4"><a href=retry.clone() class=styles::BUTTON>{t.payment_retry}</a></p>
        }
        .into_any(),
        PaymentState::Expired => view! {
            <p>{t.payment_expired_lead}</p>
            <p class="mt-4"><a href=retry class=styles::BUTTON>{t.payment_retry}</a></p>
        }
        .into_any(),
        PaymentState::Refunded => {
            let lead = if matches!(payment.item, Item::Plan(_)) { t.payment_refunded_plan_lead } else { t.payment_refunded_lead };
            view! { <p>{lead}</p> }.into_any()
        }
    };
    view! {
        <section class="mx-auto max-w-xl">
            <h1 class=styles::H1>{t.payment_title}</h1>
            <div class=format!("rounded-2xl border-2 p-5 sm:p-8 {tone}") data-testid="payment-status" data-state=payment.state.as_str()>
                <h2 class="mb-2 text-xl font-bold">{heading}</h2>
                {body}
            </div>
            <dl class="mt-6 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2">
                <dt class="font-medium">{t.purchases_item}</dt><dd dir="auto">{title.clone()}</dd>
                <dt class="font-medium">{t.purchases_amount}</dt><dd>{amount}</dd>
                {(payment.charged_currency != payment.currency).then(|| view! {
                    <dt class="font-medium">{t.purchases_charged}</dt>
                    <dd data-testid="payment-charged">{Money { amount: payment.charged_amount, currency: payment.charged_currency.clone() }.format(ctx.lang)}</dd>
                })}
                <dt class="font-medium">{t.purchases_provider}</dt><dd>{payment.provider.label()}</dd>
                <dt class="font-medium">{t.purchases_date}</dt>
                <dd><time datetime=payment.created_at.to_rfc3339()>{payment.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></dd>
                {invoiced.then(|| view! {
                    <dt class="font-medium">{t.invoice_label}</dt>
                    <dd><a href=format!("/achats/{}/facture", payment.id) class=styles::LINK download="" data-testid="invoice-link">{t.invoice_download}</a></dd>
                })}
            </dl>
            <p class="mt-6"><a href="/achats" class=styles::LINK>{t.purchases_title}</a></p>
        </section>
    }
}

#[component]
pub fn PurchasesPage(payments: Vec<Payment>, subscription: Option<domain::payment::Subscription>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let empty = payments.is_empty();
    let rows = payments
        .into_iter()
        .map(|p| {
            let amount = price(&p, ctx.lang);
            view! {
                <tr class="border-t border-slate-200 dark:border-slate-700" data-testid="purchase">
                    <td class="py-3 pe-3"><a href=format!("/achats/{}", p.id) class=styles::LINK dir="auto">{item_title(t, &p)}</a></td>
                    <td class="py-3 pe-3 whitespace-nowrap"><time datetime=p.created_at.to_rfc3339()>{p.created_at.format("%Y-%m-%d").to_string()}</time></td>
                    <td class="hidden py-3 pe-3 sm:table-cell">{p.provider.label()}</td>
                    <td class="py-3 pe-3 whitespace-nowrap">{amount}</td>
                    <td class="py-3" data-state=p.state.as_str()>
                        {state_text(t, p.state)}
                        {matches!(p.state, PaymentState::Succeeded | PaymentState::Refunded).then(|| view! {
                            <a href=format!("/achats/{}/facture", p.id) class=format!("{} block text-sm", styles::LINK) download="">{t.invoice_short}</a>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section>
            <h1 class=styles::H1>{t.purchases_title}</h1>
            {subscription.map(|s| {
                let renewing = s.auto_renew && s.is_active(chrono::Utc::now());
                view! {
                    <section class="mb-6" aria-labelledby="premium-heading">
                        <h2 id="premium-heading" class="mb-2 text-xl font-bold">{t.premium_title}</h2>
                        <crate::pages::premium::SubscriptionStatus subscription=s/>
                        <p class="mt-2 flex flex-wrap gap-3">
                            <a href="/premium" class=styles::LINK>{t.premium_extend}</a>
                            {renewing.then(|| view! {
                                <form method="post" action="/premium/renouvellement">
                                    <button type="submit" class=styles::BUTTON_SECONDARY data-testid="stop-renewal">{t.premium_stop_renewal}</button>
                                </form>
                            })}
                        </p>
                    </section>
                }
            })}
            {if empty {
                view! { <p>{t.purchases_empty}" "<a href="/catalogue" class=styles::LINK>{t.nav_catalog}</a></p> }.into_any()
            } else {
                view! {
                    <div class=styles::CARD>
                        <table class="w-full text-start text-sm sm:text-base">
                            <thead>
                                <tr class="text-start">
                                    <th scope="col" class="pb-2 pe-3 text-start">{t.purchases_item}</th>
                                    <th scope="col" class="pb-2 pe-3 text-start">{t.purchases_date}</th>
                                    <th scope="col" class="hidden pb-2 pe-3 text-start sm:table-cell">{t.purchases_provider}</th>
                                    <th scope="col" class="pb-2 pe-3 text-start">{t.purchases_amount}</th>
                                    <th scope="col" class="pb-2 text-start">{t.purchases_status}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
