//! The frame around every page: skip link, header with navigation, language and theme
//! switchers, the one-time notice, and the footer. All of it works without WASM.

use super::logo::Logo;
use super::notice::{Notice, Tone};
use super::styles;
use crate::context::{page_ctx, Flash, PageCtx};
use crate::i18n::{language_name, texts, theme_label, Texts};
use domain::account::{Role, Theme};
use domain::validation::Language;
use leptos::prelude::*;

const NAV_LINK: &str = "rounded-md px-2 py-2 font-medium sm:px-3 text-slate-800 hover:bg-slate-100 hover:text-slate-950 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 aria-[current=page]:bg-teal-50 aria-[current=page]:text-teal-900 dark:text-slate-200 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-teal-950 dark:aria-[current=page]:text-teal-200";
const MENU: &str =
    "absolute end-0 z-20 mt-2 w-64 rounded-xl border border-slate-200 bg-white p-2 shadow-lg dark:border-slate-700 dark:bg-slate-900";
const MENU_ITEM: &str = "block w-full rounded-md px-3 py-2 text-start text-slate-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:text-slate-200 dark:hover:bg-slate-800";
const SUMMARY: &str = "flex cursor-pointer list-none items-center gap-1 rounded-md px-3 py-2 font-medium text-slate-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:text-slate-200 dark:hover:bg-slate-800 [&::-webkit-details-marker]:hidden";

fn current(ctx: &PageCtx, href: &str) -> Option<&'static str> {
    let path = ctx.path.split('?').next().unwrap_or("");
    (path == href).then_some("page")
}

/// The page frame.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:start-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-amber-300 focus:px-4 focus:py-2 focus:text-slate-950">
            {t.skip_to_content}
        </a>
        <super::offline::PwaBar t=t/>
        <Header ctx=ctx.clone() t=t/>
        <main id="main" tabindex="-1" class="mx-auto w-full max-w-5xl flex-1 px-4 py-6 sm:py-10">
            {ctx.flash.map(|f| view! { <FlashNotice t=t flash=f/> })}
            {children()}
        </main>
        <footer class="border-t border-slate-200 py-6 text-center text-sm text-slate-700 dark:border-slate-800 dark:text-slate-300">
            <p>{t.footer_text}</p>
        </footer>
    }
}

#[component]
fn FlashNotice(t: &'static Texts, flash: Flash) -> impl IntoView {
    let text = match flash {
        Flash::Registered => t.registered,
        Flash::SignedIn => t.signed_in,
        Flash::SignedOut => t.signed_out,
        Flash::ProfileSaved => t.profile_saved,
        Flash::PasswordChanged => t.password_changed,
        Flash::VerificationSent => t.verification_sent,
        Flash::PasswordReset => t.reset_ok,
        Flash::RoleChanged => t.role_changed,
        Flash::BookImported => t.book_imported,
        Flash::BookSaved => t.book_saved,
        Flash::BooksChanged => t.books_changed,
        Flash::AlreadyPresent => t.already_present,
        Flash::AccessGranted => t.access_granted,
        Flash::BookDeleted => t.book_deleted,
        Flash::EntrySaved => t.entry_saved,
        Flash::EntryDeleted => t.entry_deleted,
        Flash::EntriesMerged => t.entries_merged,
        Flash::CategoryAdded => t.category_added,
        Flash::PhotoSaved => t.photo_saved,
        Flash::JobRetried => t.job_retried,
        Flash::PaymentChecked => t.payment_checked,
        Flash::PaymentRefunded => t.payment_refunded_flash,
        Flash::PlanSaved => t.plan_saved_flash,
        Flash::RenewalStopped => t.renewal_stopped_flash,
        Flash::JobAlreadyWaiting => t.job_already_waiting,
        Flash::NotificationsRead => t.notif_marked_flash,
        Flash::NotificationArchived => t.notif_archived_flash,
        Flash::NotificationPrefsSaved => t.prefs_saved_flash,
        Flash::NotificationTestSent => t.admin_notif_sent_flash,
        Flash::PhoneCodeSent => t.phone_code_sent_flash,
        Flash::PhoneVerified => t.phone_verified_flash,
        Flash::PhoneRemoved => t.phone_removed_flash,
        Flash::PushDeviceRemoved => t.push_device_removed_flash,
        Flash::Followed => t.followed_flash,
        Flash::Unfollowed => t.unfollowed_flash,
        Flash::BroadcastSent => t.broadcast_sent_flash,
        Flash::ReviewSaved => t.review_saved_flash,
        Flash::ReviewHeld => t.review_held_flash,
        Flash::ReviewDeleted => t.review_deleted_flash,
        Flash::ReviewModerated => t.review_moderated_flash,
        Flash::ReportFiled => t.report_filed_flash,
        Flash::FlagDecided => t.flag_decided_flash,
        Flash::WordsSaved => t.words_saved_flash,
    };
    view! { <Notice tone=Tone::Success><p>{text}</p></Notice> }
}

#[component]
fn Header(ctx: PageCtx, t: &'static Texts) -> impl IntoView {
    let nav = view! {
        <a href="/catalogue" class=NAV_LINK aria-current=current(&ctx, "/catalogue")>{t.nav_catalog}</a>
        <a href="/ma-bibliotheque" class=NAV_LINK aria-current=current(&ctx, "/ma-bibliotheque")>{t.nav_library}</a>
        <a href="/premium" class=NAV_LINK aria-current=current(&ctx, "/premium")>{t.nav_premium}</a>
    };
    view! {
        <header class="border-b border-slate-200 bg-white/95 dark:border-slate-800 dark:bg-slate-950/95">
            <div class="mx-auto flex max-w-5xl flex-wrap items-center gap-x-2 gap-y-1 px-4 py-2">
                <a href="/" class="me-auto flex items-center gap-2 rounded-md py-1 pe-2 text-xl font-extrabold tracking-tight text-teal-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:text-teal-200">
                    <Logo/>
                    <span>"Coko"</span>
                </a>
                <nav aria-label=t.nav_label class="order-3 flex w-full gap-1 sm:order-none sm:w-auto">{nav}</nav>
                <button type="button" id="pwa-install" hidden=true class=format!("{SUMMARY} text-teal-800 dark:text-teal-300")>
                    <svg aria-hidden="true" viewBox="0 0 24 24" class="h-5 w-5 fill-none stroke-current stroke-2"><path d="M12 3v12m0 0-4-4m4 4 4-4M4 17v3h16v-3"/></svg>
                    <span class="sr-only sm:not-sr-only">{t.install_app}</span>
                </button>
                <SettingsMenu ctx=ctx.clone() t=t/>
                <Bell ctx=ctx.clone() t=t/>
                <AccountMenu ctx=ctx.clone() t=t/>
                <SearchBox ctx=ctx t=t/>
            </div>
        </header>
    }
}

/// The catalogue search box: a plain GET form, on every page.
#[component]
fn SearchBox(ctx: PageCtx, t: &'static Texts) -> impl IntoView {
    let current = match &ctx.page {
        crate::context::Page::Search { query, .. } => query.clone(),
        _ => String::new(),
    };
    view! {
        <form method="get" action="/recherche" role="search" class="order-4 flex w-full gap-2 pb-1 md:order-none md:w-64 md:pb-0">
            <label for="site-search" class="sr-only">{t.search_box_label}</label>
            <crate::components::search_suggest::SearchSuggest value=current placeholder=t.search_placeholder.to_owned()
                list_label=t.search_suggestions.to_owned() all_label=t.search_all_results.to_owned()/>
            <button type="submit" class="rounded-lg bg-slate-900 px-3 py-2 font-semibold text-white hover:bg-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-amber-500 dark:bg-slate-100 dark:text-slate-950">{t.search_submit_short}</button>
        </form>
    }
}

/// Language and theme, as small forms that POST and come back to the same page.
#[component]
fn SettingsMenu(ctx: PageCtx, t: &'static Texts) -> impl IntoView {
    let langs = Language::ALL
        .into_iter()
        .map(|l| {
            let pressed = if l == ctx.lang { "true" } else { "false" };
            view! {
                <button type="submit" name="lang" value=l.as_str() lang=l.as_str() aria-pressed=pressed class=format!("{MENU_ITEM} aria-[pressed=true]:font-bold aria-[pressed=true]:text-teal-800 dark:aria-[pressed=true]:text-teal-300")>
                    {language_name(l)}
                </button>
            }
        })
        .collect_view();
    let themes = Theme::ALL
        .into_iter()
        .map(|th| {
            let label = theme_label(t, th);
            let pressed = if th == ctx.theme { "true" } else { "false" };
            view! {
                <button type="submit" name="theme" value=th.as_str() aria-pressed=pressed class=format!("{MENU_ITEM} aria-[pressed=true]:font-bold aria-[pressed=true]:text-teal-800 dark:aria-[pressed=true]:text-teal-300")>
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <details class="relative" data-testid="settings-menu">
            <summary class=SUMMARY aria-label=format!("{} / {}", t.language_label, t.theme_label)>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"/></svg>
                <span class="uppercase">{ctx.lang.as_str()}</span>
            </summary>
            <div class=MENU>
                <form method="post" action="/preferences/langue">
                    <input type="hidden" name="next" value=ctx.path.clone()/>
                    <fieldset>
                        <legend class="px-3 py-1 text-sm font-semibold text-slate-700 dark:text-slate-300">{t.language_label}</legend>
                        {langs}
                    </fieldset>
                </form>
                <form method="post" action="/preferences/theme" class="mt-2 border-t border-slate-200 pt-2 dark:border-slate-700">
                    <input type="hidden" name="next" value=ctx.path.clone()/>
                    <fieldset>
                        <legend class="px-3 py-1 text-sm font-semibold text-slate-700 dark:text-slate-300">{t.theme_label}</legend>
                        {themes}
                    </fieldset>
                </form>
            </div>
        </details>
    }
}

/// The bell: a link to the notifications page with the unread count (a plain link: it works
/// without WASM; the count is the server's at the time of the page).
#[component]
fn Bell(ctx: PageCtx, t: &'static Texts) -> impl IntoView {
    ctx.viewer.as_ref()?;
    let label = crate::pages::notifications::bell_label(t, ctx.unread);
    let shown = match ctx.unread {
        0 => None,
        n if n >= domain::notification::UNREAD_CAP => Some("99+".to_owned()),
        n => Some(n.to_string()),
    };
    Some(view! {
        <a href="/notifications" class=format!("{SUMMARY} relative") aria-label=label.clone() title=label data-testid="bell"
            aria-current=current(&ctx, "/notifications")>
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/>
            </svg>
            {shown.map(|n| view! {
                <span aria-hidden="true" data-testid="bell-count" class="absolute -end-0.5 -top-0.5 min-w-[1.25rem] rounded-full bg-red-700 px-1 text-center text-xs font-bold leading-5 text-white">{n}</span>
            })}
        </a>
    })
}

#[component]
fn AccountMenu(ctx: PageCtx, t: &'static Texts) -> impl IntoView {
    match ctx.viewer.clone() {
        None => view! {
            <a href="/connexion" class=format!("{} !px-3 !py-2", styles::BUTTON)>{t.nav_login}</a>
        }
        .into_any(),
        Some(user) => {
            let admin = user.role == Role::Admin;
            let editor = user.role.can_edit_catalog();
            view! {
                <details class="relative" data-testid="account-menu">
                    <summary class=SUMMARY>
                        <span aria-hidden="true" class="flex h-7 w-7 items-center justify-center rounded-full bg-amber-400 text-sm font-bold text-slate-950">
                            {user.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}
                        </span>
                        <span class="max-w-[8rem] truncate">{t.nav_account}</span>
                    </summary>
                    <div class=MENU>
                        <p class="truncate px-3 py-1 text-sm text-slate-700 dark:text-slate-300">{user.email.clone()}</p>
                        <a href="/profil" class=MENU_ITEM>{t.nav_profile}</a>
                        <a href="/telechargements" class=MENU_ITEM>{t.downloads_title}</a>
                        <a href="/statistiques" class=MENU_ITEM>{t.stats_title}</a>
                        <a href="/achats" class=MENU_ITEM>{t.purchases_title}</a>
                        <a href="/notifications" class=MENU_ITEM>{t.nav_notifications}</a>
                        {editor.then(|| view! { <a href="/admin/livres" class=MENU_ITEM>{t.nav_admin_books}</a> })}
                        {admin.then(|| view! { <a href="/admin/utilisateurs" class=MENU_ITEM>{t.nav_admin_users}</a> })}
                        {admin.then(|| view! { <a href="/admin/journal" class=MENU_ITEM>{t.audit_title}</a> })}
                        {admin.then(|| view! { <a href="/admin/notifications" class=MENU_ITEM>{t.nav_admin_notifications}</a> })}
                        {user.role.can_moderate().then(|| view! { <a href="/moderation" class=MENU_ITEM>{t.moderation_title}</a> })}
                        <form method="post" action="/deconnexion">
                            <button type="submit" class=MENU_ITEM>{t.nav_logout}</button>
                        </form>
                    </div>
                </details>
            }
            .into_any()
        }
    }
}
