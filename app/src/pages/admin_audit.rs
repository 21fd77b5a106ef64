//! `/admin/journal`: what editors and admins changed in the catalogue, newest first, filtered by
//! action and by who did it (admins only).

use crate::components::styles;
use crate::context::page_ctx;
use crate::i18n::{texts, Texts};
use domain::audit::{AuditAction, AuditEntry, AuditFilter, AuditPage};
use leptos::prelude::*;

pub fn action_label(t: &'static Texts, a: AuditAction) -> &'static str {
    match a {
        AuditAction::BookAdded => t.audit_book_added,
        AuditAction::BookChanged => t.audit_book_changed,
        AuditAction::BookCorrected => t.audit_book_corrected,
        AuditAction::BookDeleted => t.audit_book_deleted,
        AuditAction::AccessGranted => t.audit_access_granted,
        AuditAction::RoleChanged => t.audit_role_changed,
        AuditAction::PasswordSet => t.audit_password_set,
        AuditAction::AccountCreated => t.audit_account_created,
        AuditAction::EmailVerified => t.audit_email_verified,
        AuditAction::PasswordChanged => t.audit_password_changed,
        AuditAction::PasswordReset => t.audit_password_reset,
        AuditAction::ProfileChanged => t.audit_profile_changed,
        AuditAction::JobRetried => t.audit_job_retried,
        AuditAction::PaymentStarted => t.audit_payment_started,
        AuditAction::PaymentChecked => t.audit_payment_checked,
        AuditAction::PaymentSucceeded => t.audit_payment_succeeded,
        AuditAction::PaymentRefunded => t.audit_payment_refunded,
        AuditAction::PlanChanged => t.audit_plan_changed,
        AuditAction::RenewalStopped => t.audit_renewal_stopped,
        AuditAction::NotificationsChanged => t.audit_notifications_changed,
        AuditAction::BroadcastSent => t.audit_broadcast_sent,
        AuditAction::ReviewPosted => t.audit_review_posted,
        AuditAction::ReviewEdited => t.audit_review_edited,
        AuditAction::ReviewDeleted => t.audit_review_deleted,
        AuditAction::ReviewModerated => t.audit_review_moderated,
        AuditAction::ReportFiled => t.audit_report_filed,
        AuditAction::FlagDecided => t.audit_flag_decided,
        AuditAction::WatchedWordsChanged => t.audit_watched_words_changed,
        AuditAction::AuthorChanged => t.audit_author_changed,
        AuditAction::AuthorDeleted => t.audit_author_deleted,
        AuditAction::AuthorMerged => t.audit_author_merged,
        AuditAction::PublisherChanged => t.audit_publisher_changed,
        AuditAction::PublisherDeleted => t.audit_publisher_deleted,
        AuditAction::PublisherMerged => t.audit_publisher_merged,
        AuditAction::CategoryMerged => t.audit_category_merged,
        AuditAction::CategoryAdded => t.audit_category_added,
        AuditAction::CategoryChanged => t.audit_category_changed,
        AuditAction::CategoryDeleted => t.audit_category_deleted,
    }
}

/// The fields that differ, as `field: before → after`.
fn changes(e: &AuditEntry) -> Vec<String> {
    let parse = |s: &Option<String>| {
        s.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()).unwrap_or(serde_json::Value::Null)
    };
    let (before, after) = (parse(&e.before), parse(&e.after));
    let show = |v: Option<&serde_json::Value>| match v {
        None | Some(serde_json::Value::Null) => "∅".to_owned(),
        Some(serde_json::Value::String(s)) => s.chars().take(80).collect(),
        Some(other) => other.to_string().chars().take(80).collect(),
    };
    let mut keys: Vec<&String> = before.as_object().into_iter().chain(after.as_object()).flat_map(|m| m.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| format!("{k} : {} → {}", show(before.get(k)), show(after.get(k))))
        .collect()
}

fn href(filter: &AuditFilter, cursor: Option<&str>) -> String {
    let mut q = Vec::new();
    if let Some(a) = filter.action {
        q.push(format!("action={}", a.as_str()));
    }
    if let Some(who) = &filter.actor {
        q.push(format!(
            "qui={}",
            who.bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b"-_.@".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect::<String>()
        ));
    }
    if let Some(c) = cursor {
        q.push(format!("apres={c}"));
    }
    if q.is_empty() {
        "/admin/journal".into()
    } else {
        format!("/admin/journal?{}", q.join("&"))
    }
}

#[component]
pub fn AdminAuditPage(page: AuditPage, filter: AuditFilter) -> impl IntoView {
    let t = texts(page_ctx().lang);
    let options = std::iter::once(view! { <option value="" selected=filter.action.is_none()>{t.filter_all}</option> }.into_any())
        .chain(
            AuditAction::ALL
                .into_iter()
                .map(|a| view! { <option value=a.as_str() selected=filter.action == Some(a)>{action_label(t, a)}</option> }.into_any()),
        )
        .collect_view();
    let next = page.next_cursor.as_deref().map(|c| href(&filter, Some(c)));
    let empty = page.entries.is_empty();
    let rows = page
        .entries
        .into_iter()
        .map(|e| {
            let when = e.at.format("%Y-%m-%d %H:%M UTC").to_string();
            let diff = changes(&e);
            let target = match e.action.target_href(&e.target_id) {
                None => view! { <span dir="auto">{e.target_label.clone()}</span> }.into_any(),
                Some(href) => view! { <a href=href class=styles::LINK dir="auto">{e.target_label.clone()}</a> }.into_any(),
            };
            view! {
                <li class="py-3" data-testid="audit-entry">
                    <p class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                        <span class="rounded-full bg-slate-100 px-2 py-0.5 text-sm font-semibold text-slate-900 dark:bg-slate-800 dark:text-slate-100">{action_label(t, e.action)}</span>
                        {target}
                    </p>
                    <p class="mt-1 text-sm text-slate-700 dark:text-slate-300">
                        <time datetime=e.at.to_rfc3339()>{when}</time>" · "{e.actor_email.clone()}{(!e.ip.is_empty()).then(|| format!(" · {}", e.ip))}
                    </p>
                    {(!diff.is_empty()).then(|| view! {
                        <ul class="mt-1 space-y-0.5 text-sm text-slate-800 dark:text-slate-200">
                            {diff.into_iter().map(|d| view! { <li class="break-words font-mono text-xs">{d}</li> }).collect_view()}
                        </ul>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <super::admin_entries::AdminTabs current="/admin/journal"/>
        <h1 class=styles::H1>{t.audit_title}</h1>
        <form method="get" action="/admin/journal" class=format!("{} mb-6 grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end", styles::CARD)>
            <div>
                <label for="action" class=styles::LABEL>{t.audit_action}</label>
                <select id="action" name="action" class=styles::INPUT>{options}</select>
            </div>
            <div>
                <label for="qui" class=styles::LABEL>{t.audit_who}</label>
                <input id="qui" name="qui" type="search" value=filter.actor.clone().unwrap_or_default() class=styles::INPUT/>
            </div>
            <button type="submit" class=styles::BUTTON>{t.filter_apply}</button>
        </form>
        {empty.then(|| view! { <p class="text-slate-700 dark:text-slate-300">{t.audit_empty}</p> })}
        <ol class="divide-y divide-slate-200 dark:divide-slate-700">{rows}</ol>
        {next.map(|h| view! { <p class="mt-6 text-center"><a href=h class=styles::BUTTON rel="next">{t.next_page}</a></p> })}
    }
}
