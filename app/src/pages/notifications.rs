//! Notifications: `/notifications` (the inbox: unread first, mark read, archive), the
//! preferences page `/profil/notifications` (category × channel, quiet hours, time zone) and
//! the one-click unsubscribe page. Plain forms and links: no WASM needed.

use crate::components::form::{described_by, ErrorSummary, FieldHelp};
use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{fill, texts, Texts};
use crate::pages::premium::long_date;
use domain::notification::{
    Category, Channel, Delivery, DeliveryState, Kind, NotificationPage, Phone, Preferences, PushSection, TemplatePreview,
};
use leptos::prelude::*;

/// A category's name for readers.
pub fn category_label(t: &'static Texts, c: Category) -> &'static str {
    match c {
        Category::Account => t.prefs_cat_account,
        Category::Payments => t.prefs_cat_payments,
        Category::Groups => t.prefs_cat_groups,
        Category::Achievements => t.prefs_cat_achievements,
        Category::NewBooks => t.prefs_cat_new_books,
        Category::News => t.prefs_cat_news,
    }
}

fn channel_label(t: &'static Texts, c: Channel) -> &'static str {
    match c {
        Channel::InApp => t.prefs_ch_in_app,
        Channel::Email => t.prefs_ch_email,
        Channel::Sms => t.prefs_ch_sms,
        Channel::Push => t.prefs_ch_push,
    }
}

/// A channel's name in a column heading.
fn channel_short(t: &'static Texts, c: Channel) -> &'static str {
    match c {
        Channel::InApp => t.prefs_ch_in_app_short,
        Channel::Email => t.prefs_ch_email_short,
        Channel::Sms => t.prefs_ch_sms_short,
        Channel::Push => t.prefs_ch_push_short,
    }
}

/// What the bell says to a screen reader (and its title): how many are unread.
pub fn bell_label(t: &'static Texts, unread: u32) -> String {
    match unread {
        0 => t.notif_bell_none.to_owned(),
        n => t.count(&t.notif_bell, u64::from(n), &[]),
    }
}

const TAB: &str = "rounded-md px-3 py-2 font-medium text-slate-800 hover:bg-slate-100 aria-[current=page]:bg-teal-50 aria-[current=page]:text-teal-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-teal-950 dark:aria-[current=page]:text-teal-200";
const SMALL_BUTTON: &str = "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-900 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:border-slate-600 dark:text-slate-100 dark:hover:bg-slate-800";

#[component]
pub fn NotificationsPage(page: NotificationPage, archived: bool) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let here = if archived { "/notifications?vue=archives" } else { "/notifications" };
    let empty = if archived { t.notif_archived_empty } else { t.notif_empty };
    let unread = page.unread;
    let has_items = !page.items.is_empty();
    let items = page
        .items
        .into_iter()
        .map(|n| {
            let is_unread = n.read_at.is_none();
            let open = format!("/notifications/{}", n.id);
            let tone = if is_unread { "border-teal-600 bg-teal-50/60 dark:bg-teal-950/40" } else { "border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900" };
            let id = n.id.clone();
            let actions = (!archived).then(|| {
                let (id_read, id_archive) = (id.clone(), id.clone());
                view! {
                    <div class="mt-3 flex flex-wrap gap-2">
                        {is_unread.then(|| view! {
                            <form method="post" action="/notifications/lues">
                                <input type="hidden" name="id" value=id_read/>
                                <input type="hidden" name="next" value=here/>
                                <button type="submit" class=SMALL_BUTTON>{t.notif_mark_read}</button>
                            </form>
                        })}
                        <form method="post" action="/notifications/archiver">
                            <input type="hidden" name="id" value=id_archive/>
                            <button type="submit" class=SMALL_BUTTON>{t.notif_archive}</button>
                        </form>
                    </div>
                }
            });
            view! {
                <li class=format!("rounded-xl border-s-4 border p-4 {tone}") data-testid="notification" data-unread=is_unread.then_some("true") data-kind=n.kind.as_str()>
                    <div class="flex flex-wrap items-baseline justify-between gap-x-3">
                        <h2 class="text-base font-semibold text-slate-950 dark:text-white">
                            {match n.link.is_some() {
                                true => view! { <a href=open class=styles::LINK>{n.title.clone()}</a> }.into_any(),
                                false => view! { <span>{n.title.clone()}</span> }.into_any(),
                            }}
                        </h2>
                        <p class="text-sm text-slate-700 dark:text-slate-300">
                            {is_unread.then(|| view! { <span class="me-2 rounded bg-teal-700 px-1.5 py-0.5 text-xs font-bold text-white dark:bg-teal-400 dark:text-slate-950">{t.notif_unread}</span> })}
                            <time datetime=n.created_at.to_rfc3339()>{long_date(t, n.created_at)}</time>
                        </p>
                    </div>
                    <p class="mt-1 text-slate-800 dark:text-slate-200">{n.body.clone()}</p>
                    {actions}
                </li>
            }
        })
        .collect_view();
    view! {
        <h1 class=styles::H1>{t.notif_title}</h1>
        <p class="-mt-4 mb-4 text-slate-700 dark:text-slate-300">{t.notif_lead}</p>
        <div class="mb-4 flex flex-wrap items-center gap-2">
            <nav aria-label=t.notif_title class="flex gap-1">
                <a href="/notifications" class=TAB aria-current=(!archived).then_some("page")>{t.notif_inbox}</a>
                <a href="/notifications?vue=archives" class=TAB aria-current=archived.then_some("page")>{t.notif_archived}</a>
            </nav>
            <span class="grow"></span>
            {(!archived && unread > 0).then(|| view! {
                <form method="post" action="/notifications/lues">
                    <input type="hidden" name="all" value="1"/>
                    <button type="submit" class=styles::BUTTON_SECONDARY>{t.notif_mark_all_read}</button>
                </form>
            })}
            <a href="/profil/notifications" class=styles::LINK>{t.notif_prefs_link}</a>
        </div>
        {match has_items {
            true => view! { <ul class="space-y-3" data-testid="notifications">{items}</ul> }.into_any(),
            false => view! { <p class=styles::CARD data-testid="notifications-empty">{empty}</p> }.into_any(),
        }}
        {page.next.map(|next| {
            let href = match archived {
                true => format!("/notifications?vue=archives&apres={next}"),
                false => format!("/notifications?apres={next}"),
            };
            view! { <p class="mt-6"><a href=href class=styles::BUTTON_SECONDARY rel="next">{t.notif_more}</a></p> }
        })}
    }
}

#[component]
pub fn NotificationPrefsPage(
    prefs: Preferences,
    channels: Vec<Channel>,
    zones: Vec<String>,
    phone: Option<Phone>,
    push: Option<PushSection>,
    follows: Vec<domain::notification::Follow>,
) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let form = ctx.form_for("notification_prefs").cloned();
    // A refused form shows what was chosen, not what is stored.
    let sent = |k: &str| form.as_ref().map(|f| f.value(k).is_some());
    let sent_value = |k: &str| form.as_ref().and_then(|f| f.value(k)).map(str::to_owned);
    let heads = channels
        .iter()
        .map(|c| view! { <th scope="col" class="px-1 py-2 text-center text-sm font-semibold">{channel_short(t, *c)}</th> })
        .collect_view();
    let rows = Category::ALL
        .into_iter()
        .map(|cat| {
            let cells = channels
                .iter()
                .map(|ch| {
                    let name = format!("{}.{}", cat.as_str(), ch.as_str());
                    let fixed = cat.is_critical() && matches!(ch, Channel::InApp | Channel::Email);
                    let label = format!("{} — {}", category_label(t, cat), channel_label(t, *ch));
                    let on = sent(&name).unwrap_or_else(|| prefs.allows(cat, *ch));
                    view! {
                        <td class="px-1 py-2 text-center">
                            {match fixed {
                                true => view! { <span class="text-sm text-slate-700 dark:text-slate-300">{t.prefs_always}</span> }.into_any(),
                                false => view! {
                                    <input type="checkbox" name=name.clone() id=name value="on" checked=on
                                        aria-label=label class="h-6 w-6 accent-teal-700"/>
                                }.into_any(),
                            }}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr class="border-t border-slate-200 dark:border-slate-700">
                    <th scope="row" class="py-2 pe-2 text-start font-medium">{category_label(t, cat)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let (mut quiet_on, mut start, mut end) = match prefs.quiet_hours {
        Some((s, e)) => (true, s, e),
        None => (false, 22, 7),
    };
    if form.is_some() {
        quiet_on = sent("quiet").unwrap_or(quiet_on);
        start = sent_value("quiet_start").and_then(|v| v.parse().ok()).unwrap_or(start);
        end = sent_value("quiet_end").and_then(|v| v.parse().ok()).unwrap_or(end);
    }
    let zone = sent_value("time_zone").unwrap_or_else(|| prefs.time_zone.clone());
    let hours = |selected: u8| {
        (0u8..24).map(|h| view! { <option value=h.to_string() selected=h == selected>{format!("{h:02}:00")}</option> }).collect_view()
    };
    let zone_options = zones
        .into_iter()
        .map(|z| {
            let selected = z == zone;
            view! { <option value=z.clone() selected=selected>{z.replace('_', " ")}</option> }
        })
        .collect_view();
    let field_error = |k: &str| form.as_ref().and_then(|f| f.field_error(k)).is_some();
    let digest = sent_value("digest").unwrap_or_else(|| prefs.digest.as_str().to_owned());
    let digest_options = domain::notification::Digest::ALL
        .into_iter()
        .map(|d| {
            let label = match d {
                domain::notification::Digest::Immediate => t.prefs_digest_immediate,
                domain::notification::Digest::Daily => t.prefs_digest_daily,
                domain::notification::Digest::Weekly => t.prefs_digest_weekly,
            };
            view! { <option value=d.as_str() selected=d.as_str() == digest>{label}</option> }
        })
        .collect_view();
    let sms = channels.contains(&Channel::Sms).then(|| view! { <SmsPhone phone=phone/> });
    let push = push.map(|section| view! { <PushBrowsers section=section/> });
    view! {
        <h1 class=styles::H1>{t.prefs_title}</h1>
        <p class="-mt-4 mb-6 max-w-prose text-slate-700 dark:text-slate-300">{t.prefs_lead}</p>
        <ErrorSummary t=t form=form.clone()/>
        <form method="post" action="/profil/notifications" class="space-y-6" data-testid="notification-prefs">
            <section class=format!("{} !px-3 sm:!px-8", styles::CARD)>
                <div class="overflow-x-auto">
                    <table class="w-full border-collapse text-slate-900 dark:text-slate-100">
                        <thead><tr><th scope="col" class="py-2 pe-2 text-start text-sm font-semibold">{t.prefs_category}</th>{heads}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class=styles::CARD aria-labelledby="digest-heading">
                <h2 id="digest-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.prefs_digest_title}</h2>
                <p id="digest-hint" class="mb-4 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.prefs_digest_lead}</p>
                <label for="digest" class=styles::LABEL>{t.prefs_digest_label}</label>
                <select id="digest" name="digest" class=format!("{} sm:max-w-md", styles::INPUT) aria-describedby="digest-hint"
                    aria-invalid=field_error("digest").then_some("true")>{digest_options}</select>
            </section>
            <section class=styles::CARD aria-labelledby="quiet-heading">
                <h2 id="quiet-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.prefs_quiet_title}</h2>
                <p class="mb-4 text-sm text-slate-700 dark:text-slate-300">{t.prefs_quiet_lead}</p>
                <label class="mb-4 flex items-center gap-3">
                    <input type="checkbox" name="quiet" value="on" checked=quiet_on class="h-5 w-5 accent-teal-700"/>
                    {t.prefs_quiet_on}
                </label>
                <div class="grid gap-4 sm:grid-cols-3">
                    <div>
                        <label for="quiet_start" class=styles::LABEL>{t.prefs_quiet_start}</label>
                        <select id="quiet_start" name="quiet_start" class=styles::INPUT aria-invalid=field_error("quiet_start").then_some("true")>{hours(start)}</select>
                    </div>
                    <div>
                        <label for="quiet_end" class=styles::LABEL>{t.prefs_quiet_end}</label>
                        <select id="quiet_end" name="quiet_end" class=styles::INPUT aria-invalid=field_error("quiet_end").then_some("true")>{hours(end)}</select>
                    </div>
                    <div>
                        <label for="time_zone" class=styles::LABEL>{t.prefs_time_zone}</label>
                        <select id="time_zone" name="time_zone" class=styles::INPUT aria-invalid=field_error("time_zone").then_some("true")>{zone_options}</select>
                    </div>
                </div>
            </section>
            <button type="submit" class=styles::BUTTON>{t.prefs_save}</button>
        </form>
        {sms}
        {push}
        <Follows follows=follows/>
    }
}

/// The authors and categories the reader follows, each one can be let go (no script needed).
#[component]
fn Follows(follows: Vec<domain::notification::Follow>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let list = if follows.is_empty() {
        view! { <p class="text-sm text-slate-700 dark:text-slate-300" data-testid="follows-none">{t.follows_none}</p> }.into_any()
    } else {
        let items = follows
            .into_iter()
            .map(|f| {
                let kind = match f.kind {
                    domain::notification::FollowKind::Author => t.author_label,
                    domain::notification::FollowKind::Category => t.category_label,
                };
                let label = format!("{} : {}", t.unfollow, f.name);
                let href = f.href();
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 py-2 dark:border-slate-700" data-testid="follow-item">
                        <span><a href=href class=styles::LINK dir="auto">{f.name.clone()}</a>" · "<span class="text-sm text-slate-700 dark:text-slate-300">{kind}</span></span>
                        <form method="post" action="/suivis">
                            <input type="hidden" name="kind" value=f.kind.as_str()/>
                            <input type="hidden" name="id" value=f.id.clone()/>
                            <input type="hidden" name="following" value="false"/>
                            <input type="hidden" name="next" value="/profil/notifications#suivis"/>
                            <button type="submit" class=SMALL_BUTTON aria-label=label>{t.unfollow}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="mt-1">{items}</ul> }.into_any()
    };
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="follows-heading" id="suivis" data-testid="follows">
            <h2 id="follows-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.follows_title}</h2>
            <p class="mb-3 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.follows_lead}</p>
            {list}
        </section>
    }
}

/// Web Push on this browser: a button (shown by `pwa.js` where the browser can subscribe) and
/// the reader's browsers, each removable without script.
#[component]
fn PushBrowsers(section: PushSection) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let devices = if section.devices.is_empty() {
        view! { <p class="text-sm text-slate-700 dark:text-slate-300" data-testid="push-none">{t.prefs_push_none}</p> }.into_any()
    } else {
        let items = section
            .devices
            .into_iter()
            .map(|d| {
                let added = fill(t.prefs_push_added, &[("date", &long_date(t, d.created_at))]);
                let label = format!("{} : {}", t.prefs_push_remove, d.device);
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 py-2 dark:border-slate-700" data-testid="push-device">
                        <span><span class="font-semibold" dir="auto">{d.device.clone()}</span>" · "<span class="text-sm text-slate-700 dark:text-slate-300">{added}</span></span>
                        <form method="post" action="/profil/notifications/appareils/supprimer">
                            <input type="hidden" name="id" value=d.id/>
                            <button type="submit" class=SMALL_BUTTON aria-label=label>{t.prefs_push_remove}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="mt-1">{items}</ul> }.into_any()
    };
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="push-heading" id="push" data-testid="push" data-push=""
            data-key=section.public_key data-t-unsupported=t.prefs_push_unsupported data-t-blocked=t.prefs_push_blocked
            data-t-unreachable=t.prefs_push_unreachable data-t-failed=t.prefs_push_failed data-t-working=t.prefs_push_working>
            <h2 id="push-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.prefs_push_title}</h2>
            <p class="mb-3 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.prefs_push_lead}</p>
            <noscript><p class="mb-2 text-sm font-medium text-slate-800 dark:text-slate-200">{t.prefs_push_noscript}</p></noscript>
            <div class="flex flex-wrap gap-2">
                <button type="button" class=styles::BUTTON data-push-on="" hidden=true>{t.prefs_push_on}</button>
                <button type="button" class=SMALL_BUTTON data-push-off="" hidden=true>{t.prefs_push_off}</button>
            </div>
            <p class="mt-2 text-sm font-medium text-slate-800 data-[bad=true]:text-red-800 dark:text-slate-200 dark:data-[bad=true]:text-red-300"
                role="status" aria-live="polite" data-push-status=""></p>
            <h3 class="mt-4 font-semibold text-slate-950 dark:text-white">{t.prefs_push_devices}</h3>
            {devices}
        </section>
    }
}

/// The number texts go to: given, proved by the code sent to it, changed or removed. Forms of
/// their own (a form cannot hold another).
#[component]
fn SmsPhone(phone: Option<Phone>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let number_form = ctx.form_for("sms_phone").cloned();
    let code_form = ctx.form_for("sms_code").cloned();
    let typed = number_form.as_ref().and_then(|f| f.value("sms_phone")).map(str::to_owned);
    let number_error = number_form.as_ref().and_then(|f| f.field_error("sms_phone")).cloned();
    let code_error = code_form.as_ref().and_then(|f| f.field_error("sms_code")).cloned();
    let number_input = move |value: String| {
        let described = described_by("sms_phone", true, number_error.is_some());
        view! {
            <form method="post" action="/profil/notifications/telephone" class="mt-4 flex flex-wrap items-end gap-3" novalidate=true data-testid="sms-phone-form">
                <div class="min-w-[16rem] grow">
                    <label for="sms_phone" class=styles::LABEL>{t.field_sms_phone}</label>
                    <input id="sms_phone" name="sms_phone" type="tel" inputmode="tel" autocomplete="tel" value=value dir="ltr"
                        placeholder="+221 77 123 45 67" aria-invalid=number_error.is_some().then_some("true")
                        aria-describedby=described class=styles::INPUT/>
                    <FieldHelp t=t name="sms_phone" hint=Some(t.prefs_sms_number) error=number_error.clone()/>
                </div>
                <button type="submit" class=styles::BUTTON>{t.prefs_sms_send_code}</button>
            </form>
        }
    };
    let remove = view! {
        <form method="post" action="/profil/notifications/telephone/supprimer" class="mt-3">
            <button type="submit" class=SMALL_BUTTON>{t.prefs_sms_remove}</button>
        </form>
    };
    let state = match phone {
        None => number_input(typed.unwrap_or_default()).into_any(),
        Some(p) if p.verified => {
            let shown = view! { <bdi dir="ltr" class="font-semibold">{p.number.clone()}</bdi> };
            let (before, after) = t.prefs_sms_verified.split_once("{number}").unwrap_or((t.prefs_sms_verified, ""));
            view! {
                <p data-testid="sms-phone-verified">"✓ "{before}{shown}{after}</p>
                <details class="mt-3" open=number_form.is_some()>
                    <summary class=format!("cursor-pointer {}", styles::LINK)>{t.prefs_sms_change}</summary>
                    {number_input(typed.unwrap_or_default())}
                </details>
                {remove}
            }
            .into_any()
        }
        Some(p) => {
            let (before, after) = t.prefs_sms_pending.split_once("{number}").unwrap_or((t.prefs_sms_pending, ""));
            let described = described_by("sms_code", false, code_error.is_some());
            view! {
                <p data-testid="sms-phone-pending">{before}<bdi dir="ltr" class="font-semibold">{p.number.clone()}</bdi>{after}</p>
                <form method="post" action="/profil/notifications/telephone/code" class="mt-4 flex flex-wrap items-end gap-3" novalidate=true data-testid="sms-code-form">
                    <div class="w-48">
                        <label for="sms_code" class=styles::LABEL>{t.prefs_sms_code}</label>
                        <input id="sms_code" name="sms_code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
                            dir="ltr" aria-invalid=code_error.is_some().then_some("true") aria-describedby=described class=styles::INPUT/>
                        <FieldHelp t=t name="sms_code" hint=None error=code_error/>
                    </div>
                    <button type="submit" class=styles::BUTTON>{t.prefs_sms_confirm}</button>
                </form>
                <div class="mt-3 flex flex-wrap gap-2">
                    <form method="post" action="/profil/notifications/telephone">
                        <input type="hidden" name="sms_phone" value=p.number.clone()/>
                        <button type="submit" class=SMALL_BUTTON>{t.prefs_sms_resend}</button>
                    </form>
                    {remove}
                </div>
            }
            .into_any()
        }
    };
    let summary = number_form.or(code_form);
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="sms-heading" id="sms" data-testid="sms-phone">
            <h2 id="sms-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.prefs_sms_title}</h2>
            <p class="mb-2 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.prefs_sms_lead}</p>
            <ErrorSummary t=t form=summary/>
            {state}
        </section>
    }
}

/// Where an unsubscribe link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribe {
    /// Asks for a click (a GET never changes anything: mail scanners follow links).
    Ask,
    Done,
    Invalid,
}

#[component]
pub fn UnsubscribePage(token: String, category: Option<Category>, state: Unsubscribe) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let name = category.map(|c| category_label(t, c)).unwrap_or(t.unsub_all);
    let action = format!("/notifications/desabonnement?t={}&c={}", token, category.map(Category::as_str).unwrap_or("all"));
    view! {
        <h1 class=styles::H1>{t.unsub_title}</h1>
        <section class=styles::CARD data-testid="unsubscribe">
            {match state {
                Unsubscribe::Ask => view! {
                    <p class="mb-4">{fill(t.unsub_lead, &[("category", name)])}</p>
                    <form method="post" action=action>
                        <button type="submit" class=styles::BUTTON>{t.unsub_confirm}</button>
                    </form>
                }.into_any(),
                Unsubscribe::Done => view! {
                    <p class="mb-4" role="status">{fill(t.unsub_done, &[("category", name)])}</p>
                    <a href="/profil/notifications" class=styles::LINK>{t.notif_prefs_link}</a>
                }.into_any(),
                Unsubscribe::Invalid => view! {
                    <p class="mb-4">{t.unsub_invalid}</p>
                    <a href="/connexion?next=/profil/notifications" class=styles::LINK>{t.nav_login}</a>
                }.into_any(),
            }}
        </section>
    }
}

fn delivery_state_label(t: &'static Texts, s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Queued => t.delivery_state_queued,
        DeliveryState::Sending => t.delivery_state_sending,
        DeliveryState::Sent => t.delivery_state_sent,
        DeliveryState::Delivered => t.delivery_state_delivered,
        DeliveryState::Failed => t.delivery_state_failed,
        DeliveryState::Skipped => t.delivery_state_skipped,
    }
}

fn kind_label(t: &'static Texts, k: Kind) -> &'static str {
    match k {
        Kind::PaymentReceipt => t.kind_payment_receipt,
        Kind::PaymentRefund => t.kind_payment_refund,
        Kind::PaymentFailed => t.kind_payment_failed,
        Kind::RenewalReminder => t.kind_renewal_reminder,
        Kind::Test => t.kind_test,
        Kind::VerifyEmail => t.kind_verify_email,
        Kind::PasswordReset => t.kind_password_reset,
        Kind::AlreadyRegistered => t.kind_already_registered,
        Kind::PhoneCode => t.kind_phone_code,
        Kind::NewBook => t.kind_new_book,
        Kind::Broadcast => t.kind_broadcast,
        Kind::Digest => t.kind_digest,
        Kind::ReviewPublished => t.kind_review_published,
        Kind::ReviewHidden => t.kind_review_hidden,
    }
}

/// `/admin/notifications`: "send me a test" and the delivery log (admins).
#[component]
pub fn AdminNotificationsPage(
    deliveries: Vec<Delivery>,
    previews: Vec<TemplatePreview>,
    broadcasts: Vec<domain::notification::Broadcast>,
    preview: Option<(domain::notification::BroadcastForm, domain::notification::Reach)>,
) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let options = Category::ALL
        .into_iter()
        .map(|c| view! { <option value=c.as_str() selected=c == Category::Payments>{category_label(t, c)}</option> })
        .collect_view();
    let empty = deliveries.is_empty();
    let rows = deliveries
        .into_iter()
        .map(|d| {
            let tone = match d.state {
                DeliveryState::Failed => "text-red-800 dark:text-red-300 font-semibold",
                DeliveryState::Sent | DeliveryState::Delivered => "text-emerald-800 dark:text-emerald-300",
                _ => "",
            };
            view! {
                <tr class="border-t border-slate-200 align-top dark:border-slate-700" data-testid="delivery" data-state=d.state.as_str()>
                    <td class="p-2 break-all">{d.recipient.clone()}{d.address.clone().map(|a| view! { <br/><bdi dir="ltr" class="text-sm">{a}</bdi> })}</td>
                    <td class="p-2">{channel_label(t, d.channel)}</td>
                    <td class="p-2">{kind_label(t, d.kind)}" · "{category_label(t, d.category)}</td>
                    <td class=format!("p-2 {tone}")>{delivery_state_label(t, d.state)}</td>
                    <td class="p-2 tabular-nums">{d.attempts}</td>
                    <td class="p-2 text-sm"><time datetime=d.updated_at.to_rfc3339()>{d.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
                    <td class="p-2 break-all text-sm">{d.answer.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1 class=styles::H1>{t.admin_notif_title}</h1>
        <p class="-mt-4 mb-6 max-w-prose text-slate-700 dark:text-slate-300">{t.admin_notif_lead}</p>
        <form method="post" action="/admin/notifications/essai" class=format!("{} mb-6 flex flex-wrap items-end gap-3", styles::CARD)>
            <div>
                <label for="test-category" class=styles::LABEL>{t.admin_notif_test_category}</label>
                <select id="test-category" name="category" class=styles::INPUT>{options}</select>
            </div>
            <button type="submit" class=styles::BUTTON>{t.admin_notif_test}</button>
        </form>
        <crate::pages::broadcast::BroadcastBox broadcasts preview/>
        {match empty {
            true => view! { <p class=styles::CARD>{t.admin_notif_empty}</p> }.into_any(),
            false => view! {
                <div class=format!("{} overflow-x-auto !p-2 sm:!p-4", styles::CARD)>
                    <table class="w-full min-w-[44rem] border-collapse text-start text-slate-900 dark:text-slate-100">
                        <thead><tr class="text-start">
                            <th scope="col" class="p-2 text-start">{t.delivery_to}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_channel}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_kind}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_state}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_attempts}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_when}</th>
                            <th scope="col" class="p-2 text-start">{t.delivery_answer}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        <Previews previews=previews/>
    }
}

/// Each message in each language, and its SMS with its encoding and parts (flagged when a
/// character forced UCS-2).
#[component]
fn Previews(previews: Vec<TemplatePreview>) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let items = previews
        .into_iter()
        .map(|p| {
            let costly = p.sms_encoding != "GSM-7" || p.sms_parts > 1;
            let cost = t.count(&t.preview_sms_cost, u64::from(p.sms_parts), &[("encoding", &p.sms_encoding)]);
            let tone = if costly { "font-semibold text-amber-900 dark:text-amber-200" } else { "text-emerald-800 dark:text-emerald-300" };
            let dir = if p.language.is_rtl() { "rtl" } else { "ltr" };
            let offending = (!p.offending.is_empty()).then(|| fill(t.preview_sms_offending, &[("chars", &p.offending)]));
            view! {
                <li class="border-t border-slate-200 py-3 dark:border-slate-700" data-testid="preview" data-kind=p.kind.as_str()
                    data-lang=p.language.as_str() data-encoding=p.sms_encoding.clone() data-parts=p.sms_parts.to_string()>
                    <p class="text-sm text-slate-700 dark:text-slate-300">{kind_label(t, p.kind)}" · "{p.language.as_str()}</p>
                    <div lang=p.language.as_str() dir=dir>
                        <p class="font-semibold">{p.title.clone()}</p>
                        <p class="text-slate-800 dark:text-slate-200">{p.body.clone()}</p>
                        <p class="mt-1 break-words rounded bg-slate-100 p-2 font-mono text-sm dark:bg-slate-800">{p.sms.clone()}</p>
                    </div>
                    <p class=format!("mt-1 text-sm {tone}")>{t.preview_sms}" — "{cost}{offending.map(|o| format!(" — {o}"))}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=format!("{} mt-6", styles::CARD) aria-labelledby="previews-heading">
            <h2 id="previews-heading" class="mb-1 text-lg font-bold text-slate-950 dark:text-white">{t.admin_notif_previews}</h2>
            <p class="mb-2 max-w-prose text-sm text-slate-700 dark:text-slate-300">{t.admin_notif_previews_lead}</p>
            <ul>{items}</ul>
        </section>
    }
}
