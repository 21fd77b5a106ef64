//! Coko's web interface: the document shell, the page frame, and one module per page.
//! Pages are rendered on the server and work without WASM; islands add to them.
#![recursion_limit = "256"]

pub mod components;
pub mod context;
pub mod i18n;
// The locale files' checker, run by build.rs; compiled here only for its tests.
#[cfg(test)]
mod locale_check;
pub mod pages;

use components::layout::Layout;
use context::{page_ctx, Page};
use domain::account::Theme;
use i18n::texts;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    leptos_meta::provide_meta_context();
    let ctx = page_ctx();
    let t = texts(ctx.lang);
    let theme_class = match ctx.theme {
        Theme::System => "",
        Theme::Light => "light",
        Theme::Dark => "dark",
    };
    #[cfg(feature = "ssr")]
    security_headers();
    let title = format!("Coko — {}", t.app_tagline);
    let is_reader = matches!(ctx.page, Page::Reader { .. } | Page::PdfReader { .. });
    view! {
        <!DOCTYPE html>
        <html lang=ctx.lang.as_str() dir=if ctx.lang.is_rtl() { "rtl" } else { "ltr" } class=theme_class>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="theme-color" content="#115e59"/>
                <meta name="description" content=t.home_lead/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                {ctx.viewer.as_ref().map(|u| view! { <meta name="coko-user" content=u.id.clone()/> })}
                <script src="/coko-store.js" defer=true></script>
                <script src="/pwa.js" defer=true></script>
                <HashedStylesheet options=options.clone()/>
                <MetaTags/>
                <AutoReload options=options.clone()/>
                // The reader page has no island: it loads its own engine instead.
                {(!is_reader).then(|| view! { <HydrationScripts options islands=true/> })}
            </head>
            <body class="flex min-h-screen flex-col bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <Title text=title/>
                <App/>
            </body>
        </html>
    }
}

/// Where pages may connect: their own origin, plus `cargo leptos watch`'s live-reload socket in
/// debug builds only (a release build never talks to a development port).
#[cfg(feature = "ssr")]
pub fn connect_sources() -> &'static str {
    if cfg!(debug_assertions) {
        "'self' ws://127.0.0.1:3001 ws://localhost:3001"
    } else {
        "'self'"
    }
}

/// Sets the page's Content-Security-Policy with the nonce of its inline hydration script.
#[cfg(feature = "ssr")]
fn security_headers() {
    use http::header::{HeaderValue, CONTENT_SECURITY_POLICY};
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
    // The checkout form's answer redirects to the provider's page: its origin is allowed there
    // only (an origin with anything but URL characters is left out).
    let mut form_action = String::from("'self'");
    if let Page::Checkout { pay_origins, .. } = &page_ctx().page {
        for o in pay_origins.iter().filter(|o| o.bytes().all(|b| b.is_ascii_alphanumeric() || b".:/-[]".contains(&b))) {
            form_action.push(' ');
            form_action.push_str(o);
        }
    }
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: https:; connect-src {}; font-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action {form_action}; frame-ancestors 'none'",
        connect_sources()
    );
    if let (Some(res), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&csp)) {
        res.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The page the server chose, inside the frame.
#[component]
pub fn App() -> impl IntoView {
    let ctx = page_ctx();
    let page = match ctx.page {
        // The reader fills the screen: no site frame around it.
        Page::Reader { view } => return view! { <pages::reader::ReaderPage view_data=*view/> }.into_any(),
        Page::PdfReader { view } => return view! { <pages::reader_pdf::PdfReaderPage view_data=*view/> }.into_any(),
        Page::Home { recent } => view! { <pages::home::HomePage recent/> }.into_any(),
        Page::Login => view! { <pages::auth::LoginPage/> }.into_any(),
        Page::Register => view! { <pages::auth::RegisterPage/> }.into_any(),
        Page::Profile => view! { <pages::profile::ProfilePage/> }.into_any(),
        Page::VerifyEmail { verified } => view! { <pages::auth::VerifyEmailPage verified/> }.into_any(),
        Page::ForgotPassword { sent } => view! { <pages::auth::ForgotPasswordPage sent/> }.into_any(),
        Page::ResetPassword { token } => view! { <pages::auth::ResetPasswordPage token/> }.into_any(),
        Page::AdminUsers { page, search } => view! { <pages::admin_users::AdminUsersPage page search/> }.into_any(),
        Page::Catalog { page, filter, cursor, categories, languages, follow } => {
            view! { <pages::catalog::CatalogPage page filter cursor categories languages follow/> }.into_any()
        }
        Page::Book { book, related, readable, reviews } => {
            view! { <pages::book::BookPage book=*book related readable reviews=reviews.map(|r| *r)/> }.into_any()
        }
        Page::Modlog { entries, next } => view! { <pages::reviews::ModlogPage entries next/> }.into_any(),
        Page::Moderation { held, flagged, words } => view! { <pages::reviews::ModerationPage held flagged words/> }.into_any(),
        Page::Checkout { buying, providers, .. } => view! { <pages::payment::CheckoutPage buying providers/> }.into_any(),
        Page::Payment { payment } => view! { <pages::payment::PaymentPage payment=*payment/> }.into_any(),
        Page::Purchases { payments, subscription } => view! { <pages::payment::PurchasesPage payments subscription/> }.into_any(),
        Page::Premium { plans, subscription } => view! { <pages::premium::PremiumPage plans subscription/> }.into_any(),
        Page::AdminPlans { plans } => view! { <pages::premium::AdminPlansPage plans/> }.into_any(),
        Page::AdminRevenue { revenue } => view! { <pages::admin_revenue::AdminRevenuePage revenue/> }.into_any(),
        Page::AdminPayments { list, filter } => view! { <pages::admin_payments::AdminPaymentsPage list filter/> }.into_any(),
        Page::AdminPayment { row, history } => view! { <pages::admin_payments::AdminPaymentPage row=*row history/> }.into_any(),
        Page::Listed { kind, entry, page, follow } => view! { <pages::listed::ListedPage kind entry page follow/> }.into_any(),
        Page::Search { query, filter, found, page } => view! { <pages::search::SearchPage query filter found page/> }.into_any(),
        Page::Notifications { page, archived } => view! { <pages::notifications::NotificationsPage page archived/> }.into_any(),
        Page::NotificationPrefs { prefs, channels, zones, phone, push, follows } => {
            view! { <pages::notifications::NotificationPrefsPage prefs channels zones phone push follows/> }.into_any()
        }
        Page::AdminNotifications { deliveries, previews, broadcasts, preview } => {
            view! { <pages::notifications::AdminNotificationsPage deliveries previews broadcasts preview/> }.into_any()
        }
        Page::Unsubscribe { token, category, state } => view! { <pages::notifications::UnsubscribePage token category state/> }.into_any(),
        Page::Library { library } => view! { <pages::library::LibraryPage library/> }.into_any(),
        Page::Stats { stats } => view! { <pages::stats::StatsPage stats/> }.into_any(),
        Page::AdminAudit { page, filter } => view! { <pages::admin_audit::AdminAuditPage page filter/> }.into_any(),
        Page::AdminJobs { jobs, waiting } => view! { <pages::admin_jobs::AdminJobsPage jobs waiting/> }.into_any(),
        Page::AdminBooks { page, cursor } => view! { <pages::admin_books::AdminBooksPage page cursor/> }.into_any(),
        Page::AdminBook { book } => view! { <pages::admin_books::AdminBookPage book=*book/> }.into_any(),
        Page::AdminEntries { kind, entries, total, page, name } => {
            view! { <pages::admin_entries::AdminEntriesPage kind entries total page name/> }.into_any()
        }
        Page::AdminEntry { kind, entry, categories, merge } => {
            view! { <pages::admin_entries::AdminEntryPage kind entry categories merge/> }.into_any()
        }
        Page::AdminUpload { max_mb } => view! { <pages::admin_books::UploadPage max_mb/> }.into_any(),
        Page::Offline => view! { <pages::offline::OfflinePage/> }.into_any(),
        Page::Downloads => view! { <pages::offline::DownloadsPage/> }.into_any(),
        Page::NotFound => view! { <pages::status::NotFoundPage/> }.into_any(),
        Page::Error { code } => view! { <pages::status::ErrorPage code/> }.into_any(),
    };
    view! { <Layout>{page}</Layout> }.into_any()
}
