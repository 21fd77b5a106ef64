//! What every handler shares.

use crate::books::OpenBooks;
use crate::config::Config;
use crate::jwt::JwtKeys;
use crate::rate_limit::RateLimiter;
use domain::account::AccountService;
use domain::account::AccountStore;
use domain::catalog::indexing::{IndexBooks, RebuildIndex};
use domain::catalog::CatalogService;
use domain::files::LocalFiles;
use domain::ingest::Limits;
use domain::jobs::Runner;
use domain::mail::{Mailer, OutboxMailer, SmtpMailer};
use domain::reading::ReadingService;
use domain::store::SqlStore;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
    pub store: SqlStore,
    pub accounts: AccountService,
    pub catalog: CatalogService,
    pub jwt: JwtKeys,
    pub limiter: Arc<RateLimiter>,
    /// Wrong passwords per account and client.
    pub login_failures: Arc<crate::rate_limit::FailureBackoff>,
    pub reading: ReadingService,
    pub open_books: Arc<OpenBooks>,
    /// The reader's WASM build folder under `<site>/reader/`, named by its content hash.
    pub reader_assets: Option<String>,
    /// The files the service worker keeps for offline use, and the build's version.
    pub shell: Arc<crate::http::offline::Shell>,
    /// The dispatcher and worker of the job queue (started by `crate::serve`, never by the
    /// other commands: they write events, the server reacts).
    pub jobs: Arc<Runner>,
    /// Dead jobs, for the admins' page.
    pub dead_jobs: domain::jobs::DeadJobs,
    /// Payments, through the providers configured (`COKO_WAVE_*`; none: the checkout page
    /// says no way to pay is available).
    pub payments: domain::payment::PaymentService,
    /// What readers are told, in the app and on the channels they allow.
    pub notifications: domain::notification::NotificationService,
    /// The VAPID public key browsers subscribe to Web Push with (base64url).
    pub push_key: String,
    /// Reviews and ratings (community).
    pub community: domain::community::CommunityService,
}

impl AppState {
    /// Connects to the database, migrates it, and wires the services.
    pub async fn build(config: Config, leptos: LeptosOptions) -> anyhow::Result<Self> {
        let store = SqlStore::connect(&config.database_url).await?;
        store.migrate().await?;
        let mailer: Arc<dyn Mailer> = match &config.smtp_url {
            Some(url) => Arc::new(SmtpMailer::new(url, &config.mail_from)?),
            None => Arc::new(OutboxMailer::new(config.outbox_dir(), config.mail_from.clone())),
        };
        let accounts_store: Arc<dyn AccountStore> = Arc::new(store.clone());
        let accounts = AccountService::new(accounts_store, mailer.clone(), config.base_url.clone());
        let files = Arc::new(LocalFiles::new(config.data_dir.join("files")));
        let limits = Limits { max_file_bytes: config.max_upload_bytes, ..Limits::default() };
        // The index follows the catalogue through the job queue (run by `coko serve` only; the
        // embedded one is built from the database when the server starts, see `crate::serve`).
        let index: Arc<dyn domain::search::SearchIndex> = match &config.meilisearch {
            Some(m) => {
                let index = domain::search::MeiliIndex::connect(&m.url, m.key.as_deref(), &m.index)
                    .await
                    .map_err(|e| anyhow::anyhow!("Meilisearch at {}: {e}", m.url))?;
                tracing::info!(url = %m.url, index = %m.index, "search: Meilisearch (configured; `coko reindex` rebuilds it)");
                Arc::new(index)
            }
            None => Arc::new(domain::search::EmbeddedIndex::new()),
        };
        let catalog = CatalogService::new(Arc::new(store.clone()), files, index, limits);
        let mut providers: Vec<Arc<dyn domain::payment::providers::PaymentProvider>> = Vec::new();
        if let Some(wave) = &config.wave {
            providers.push(Arc::new(domain::payment::providers::wave::Wave::new(wave.clone())));
        }
        if let Some(stripe) = &config.stripe {
            providers.push(Arc::new(domain::payment::providers::stripe::Stripe::new(stripe.clone())));
        }
        if let Some(orange) = &config.orange {
            providers.push(Arc::new(domain::payment::providers::orange::Orange::new(orange.clone())));
        }
        if let Some(paypal) = &config.paypal {
            providers.push(Arc::new(domain::payment::providers::paypal::PayPal::new(paypal.clone())));
        }
        let payments = domain::payment::PaymentService::new(Arc::new(store.clone()), Arc::new(store.clone()), providers, &config.base_url)
            .with_check_after(config.payment_check_after);
        let mut notifications =
            domain::notification::NotificationService::new(Arc::new(store.clone()), Arc::new(store.clone()), Arc::new(store.clone()));
        let sms: Option<Arc<dyn domain::notification::sms::SmsSender>> = config.sms.clone().map(|c| {
            Arc::new(domain::notification::africastalking::AfricasTalking::new(c)) as Arc<dyn domain::notification::sms::SmsSender>
        });
        if sms.is_some() {
            notifications = notifications.with_channel(domain::notification::Channel::Sms);
        }
        // Web Push needs no provider account: Coko's own VAPID key is enough.
        let vapid = crate::jwt::load_vapid_key(config.vapid_private_key.as_ref(), &config.data_dir)?;
        let push_key = vapid.public_base64();
        let push =
            Arc::new(domain::notification::webpush::WebPush::new(vapid, config.vapid_subject.clone(), std::time::Duration::from_secs(10)));
        notifications = notifications.with_channel(domain::notification::Channel::Push).allow_loopback_push(config.push_allow_loopback);
        let community = domain::community::CommunityService::new(Arc::new(store.clone()), Arc::new(store.clone()));
        let mut jobs = Runner::new(Arc::new(store.clone()))
            .with(Arc::new(IndexBooks(catalog.clone())))
            .with(Arc::new(RebuildIndex(catalog.clone())))
            .with(Arc::new(domain::payment::CheckPendingPayments(payments.clone())))
            .with(Arc::new(domain::payment::PaymentNotices { payments: Arc::new(store.clone()), notifications: notifications.clone() }))
            .with(Arc::new(domain::payment::RenewalReminders {
                payments: Arc::new(store.clone()),
                jobs: Arc::new(store.clone()),
                notifications: notifications.clone(),
            }))
            .with(Arc::new(domain::notification::NewBookNotices {
                notifications: notifications.clone(),
                catalog: Arc::new(store.clone()),
                jobs: Arc::new(store.clone()),
            }))
            .with(Arc::new(domain::notification::DigestDeliveries { service: notifications.clone() }))
            .with(Arc::new(domain::community::ReviewNotices {
                community: community.clone(),
                books: Arc::new(store.clone()),
                notifications: notifications.clone(),
            }))
            .with(Arc::new(domain::notification::BroadcastFanOut { notifications: notifications.clone(), jobs: Arc::new(store.clone()) }))
            .with(Arc::new(domain::account::AccountMails { accounts: accounts.clone(), deliveries: Arc::new(store.clone()) }))
            .with(Arc::new(domain::notification::EmailDeliveries {
                service: notifications.clone(),
                accounts: Arc::new(store.clone()),
                mailer,
                base_url: config.base_url.clone(),
            }));
        if let Some(sender) = sms {
            jobs = jobs.with(Arc::new(domain::notification::sms::SmsDeliveries {
                service: notifications.clone(),
                accounts: Arc::new(store.clone()),
                sender,
                base_url: config.base_url.clone(),
            }));
        }
        jobs = jobs.with(Arc::new(domain::notification::push::PushDeliveries {
            service: notifications.clone(),
            accounts: Arc::new(store.clone()),
            sender: push,
        }));
        let dead_jobs = domain::jobs::DeadJobs::new(Arc::new(store.clone()));
        let jwt = JwtKeys::load(config.jwt_secret.as_ref(), &config.data_dir)?;
        let limiter = Arc::new(RateLimiter::new(config.rate_limit_factor));
        let login_failures = Arc::new(crate::rate_limit::FailureBackoff::new(config.rate_limit_factor));
        let reading = ReadingService::new(Arc::new(store.clone()), Arc::new(store.clone()));
        let reader_assets = reader_assets(&leptos.site_root);
        if reader_assets.is_none() {
            tracing::warn!("the reader's WASM is not built (scripts/build-reader.sh): books open chapter by chapter");
        }
        let shell = Arc::new(crate::http::offline::Shell::of_site(&leptos.site_root, reader_assets.as_deref()));
        Ok(Self {
            config: Arc::new(config),
            leptos,
            store,
            accounts,
            catalog,
            jwt,
            limiter,
            login_failures,
            reading,
            open_books: Arc::default(),
            reader_assets,
            shell,
            jobs: Arc::new(jobs),
            dead_jobs,
            payments,
            notifications,
            push_key,
            community,
        })
    }
}

/// The current reader build, as `scripts/build-reader.sh` recorded it in `<site>/reader/current`.
fn reader_assets(site_root: &str) -> Option<String> {
    let root = std::path::Path::new(site_root).join("reader");
    let name = std::fs::read_to_string(root.join("current")).ok()?;
    let name = name.trim();
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    (valid && root.join(name).join("boot.js").is_file()).then(|| name.to_owned())
}
