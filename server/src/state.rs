//! What every handler shares.

use crate::config::Config;
use crate::jwt::JwtKeys;
use crate::rate_limit::RateLimiter;
use domain::account::AccountService;
use domain::catalog::CatalogService;
use domain::files::LocalFiles;
use domain::ingest::Limits;
use domain::mail::{Mailer, OutboxMailer, SmtpMailer};
use domain::store::{AccountStore, SqlStore};
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
        let accounts = AccountService::new(accounts_store, mailer, config.base_url.clone());
        let files = Arc::new(LocalFiles::new(config.data_dir.join("files")));
        let limits = Limits { max_file_bytes: config.max_upload_bytes, ..Limits::default() };
        let index = Arc::new(domain::search::EmbeddedIndex::new());
        let catalog = CatalogService::new(Arc::new(store.clone()), files, index, limits);
        let indexed = catalog.reindex().await.map_err(|e| anyhow::anyhow!("building the search index: {e}"))?;
        tracing::info!(books = indexed, "search index built");
        let jwt = JwtKeys::load(config.jwt_secret.as_ref(), &config.data_dir)?;
        let limiter = Arc::new(RateLimiter::new(config.rate_limit_factor));
        Ok(Self { config: Arc::new(config), leptos, store, accounts, catalog, jwt, limiter })
    }
}
