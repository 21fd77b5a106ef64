//! Configuration from environment variables, checked once at start-up: a wrong value stops
//! the server with a message that names the variable.

use domain::store::Backend;
use std::path::PathBuf;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub jwt_secret: Option<Secret>,
    pub log_format: LogFormat,
    pub secure_cookies: bool,
    /// Multiplies every rate limit (1 = the documented limits). Test runs raise it.
    pub rate_limit_factor: u32,
    /// How many reverse proxies stand in front (`COKO_TRUST_PROXY`: `true` is one): the client
    /// is the address the outermost of them appended to `X-Forwarded-For`.
    pub trusted_proxies: u8,
    /// Largest book file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Meilisearch, when set: (URL, API key, index name). Otherwise the embedded index.
    pub meilisearch: Option<Meilisearch>,
    /// Wave's Checkout API, when its key and webhook secret are set (`COKO_WAVE_*`).
    pub wave: Option<domain::payment::providers::wave::WaveConfig>,
    /// Stripe Checkout for cards, when its secret key and webhook secret are set (`COKO_STRIPE_*`).
    pub stripe: Option<domain::payment::providers::stripe::StripeConfig>,
    /// Orange Money WebPay, when its client id, client secret and merchant key are set
    /// (`COKO_ORANGE_*`).
    pub orange: Option<domain::payment::providers::orange::OrangeConfig>,
    /// PayPal, when its client id, secret and webhook id are set (`COKO_PAYPAL_*`).
    pub paypal: Option<domain::payment::providers::paypal::PayPalConfig>,
    /// Who sells, as invoices name them (`COKO_SELLER_NAME`, `COKO_SELLER_ADDRESS` with `|`
    /// between lines, `COKO_SELLER_TAX_ID`).
    pub seller: domain::payment::invoice::Seller,
    /// When the background check of a new payment first asks its provider.
    pub payment_check_after: std::time::Duration,
    /// Africa's Talking for SMS, when its username and key are set (`COKO_AFRICASTALKING_*`).
    pub sms: Option<domain::notification::africastalking::AfricasTalkingConfig>,
    /// The secret path segment of the SMS delivery-report URL registered with the provider
    /// (`COKO_SMS_REPORT_TOKEN`): reports are unsigned, so only who knows it may post them.
    pub sms_report_token: Option<Secret>,
    /// Web Push: Coko's VAPID private key (`COKO_VAPID_PRIVATE_KEY`, base64url; unset: made
    /// once into `<data>/vapid.key` and kept — a new key would drop every subscription).
    pub vapid_private_key: Option<Secret>,
    /// Who push services may contact (`COKO_VAPID_SUBJECT`, `mailto:` or `https:`).
    pub vapid_subject: String,
    /// Subscriptions whose endpoint is plain HTTP on loopback are accepted
    /// (`COKO_PUSH_ALLOW_LOOPBACK`, for the push sandbox; never in production).
    pub push_allow_loopback: bool,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Meilisearch {
    pub url: String,
    pub key: Option<String>,
    pub index: String,
}

/// A URL as logs may show it: the password of `user:password@` hidden.
pub fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let user = rest[..at].split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end], &rest[at..])
        }
        None => url.to_owned(),
    }
}

// By hand, so that printing the configuration never prints a password or a key.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redacted(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("base_url", &self.base_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redacted))
            .field("mail_from", &self.mail_from)
            .field("jwt_secret", &self.jwt_secret)
            .field("log_format", &self.log_format)
            .field("secure_cookies", &self.secure_cookies)
            .field("rate_limit_factor", &self.rate_limit_factor)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("meilisearch", &self.meilisearch)
            .field("wave", &self.wave)
            .field("stripe", &self.stripe)
            .field("orange", &self.orange)
            .field("paypal", &self.paypal)
            .field("payment_check_after", &self.payment_check_after)
            .field("sms", &self.sms)
            .field("sms_report_token", &self.sms_report_token)
            .field("vapid_subject", &self.vapid_subject)
            .field("push_allow_loopback", &self.push_allow_loopback)
            .finish()
    }
}

impl std::fmt::Debug for Meilisearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meilisearch")
            .field("url", &redacted(&self.url))
            .field("key", &self.key.as_ref().map(|_| "***"))
            .field("index", &self.index)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var}: {why}")]
pub struct ConfigError {
    pub var: &'static str,
    pub why: String,
}

fn bad(var: &'static str, why: impl Into<String>) -> ConfigError {
    ConfigError { var, why: why.into() }
}

impl Config {
    /// Reads the environment. `site_addr` is the address the server listens on.
    pub fn from_env(site_addr: &str) -> Result<Self, ConfigError> {
        Self::from_lookup(site_addr, |k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_lookup(site_addr: &str, get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/coko.db".into());
        if Backend::from_url(&database_url).is_none() {
            return Err(bad("DATABASE_URL", "must start with sqlite:// or postgres://"));
        }
        let base_url = get("COKO_BASE_URL").unwrap_or_else(|| format!("http://{site_addr}"));
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(bad("COKO_BASE_URL", "must be an http:// or https:// URL"));
        }
        let smtp_url = get("COKO_SMTP_URL");
        if let Some(u) = &smtp_url {
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                return Err(bad("COKO_SMTP_URL", "must start with smtp:// or smtps://"));
            }
        }
        let jwt_secret = match get("COKO_JWT_SECRET") {
            Some(s) if s.len() < 32 => return Err(bad("COKO_JWT_SECRET", "must be at least 32 characters")),
            Some(s) => Some(Secret(s.into_bytes())),
            None => None,
        };
        let log_format = match get("COKO_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(bad("COKO_LOG_FORMAT", format!("'{other}' is neither 'text' nor 'json'"))),
        };
        let secure_cookies = match get("COKO_SECURE_COOKIES").as_deref() {
            None | Some("auto") => base_url.starts_with("https://"),
            Some(v) => parse_bool("COKO_SECURE_COOKIES", v)?,
        };
        let rate_limit_factor = match get("COKO_RATE_LIMIT_FACTOR") {
            None => 1,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=10_000).contains(n))
                .ok_or_else(|| bad("COKO_RATE_LIMIT_FACTOR", format!("'{v}' is not a whole number between 1 and 10000")))?,
        };
        let trusted_proxies = match get("COKO_TRUST_PROXY") {
            None => 0,
            Some(v) => match v.parse::<u8>() {
                Ok(n) if n <= 10 => n,
                Ok(_) => return Err(bad("COKO_TRUST_PROXY", format!("'{v}' proxies: at most 10"))),
                Err(_) => u8::from(parse_bool("COKO_TRUST_PROXY", &v)?),
            },
        };
        let max_upload_bytes = match get("COKO_MAX_UPLOAD_MB") {
            None => 200 * 1024 * 1024,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=4096).contains(n))
                .map(|n| n * 1024 * 1024)
                .ok_or_else(|| bad("COKO_MAX_UPLOAD_MB", format!("'{v}' is not a whole number of megabytes between 1 and 4096")))?,
        };
        let meilisearch = match get("MEILISEARCH_URL") {
            None => None,
            Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                return Err(bad("MEILISEARCH_URL", "must be an http:// or https:// URL"));
            }
            Some(url) => Some(Meilisearch {
                url: url.trim_end_matches('/').to_owned(),
                key: get("MEILISEARCH_API_KEY").or_else(|| get("MEILISEARCH_KEY")),
                index: get("MEILISEARCH_INDEX").unwrap_or_else(|| "coko-books".into()),
            }),
        };
        let wave = wave_config(&get)?;
        let stripe = stripe_config(&get)?;
        let orange = orange_config(&get)?;
        let paypal = paypal_config(&get)?;
        let sms = sms_config(&get)?;
        let sms_report_token = match get("COKO_SMS_REPORT_TOKEN") {
            Some(t) if t.trim().len() < 16 || !t.trim().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
                return Err(bad("COKO_SMS_REPORT_TOKEN", "must be at least 16 letters, digits, - or _ (it is part of a URL)"));
            }
            t => t.map(|t| Secret(t.trim().as_bytes().to_vec())),
        };
        let vapid_private_key = get("COKO_VAPID_PRIVATE_KEY").map(|k| Secret(k.trim().as_bytes().to_vec()));
        if let Some(k) = &vapid_private_key {
            domain::notification::webpush::VapidKey::from_base64(&String::from_utf8_lossy(&k.0))
                .map_err(|e| bad("COKO_VAPID_PRIVATE_KEY", format!("must be a base64url P-256 private key: {e}")))?;
        }
        let mail_from = get("COKO_MAIL_FROM").unwrap_or_else(|| "Coko <no-reply@coko.africa>".into());
        let vapid_subject = match get("COKO_VAPID_SUBJECT") {
            Some(v) if v.starts_with("mailto:") || v.starts_with("https://") => v,
            Some(_) => return Err(bad("COKO_VAPID_SUBJECT", "must start with mailto: or https://")),
            None => {
                let address = mail_from.rsplit_once('<').map(|(_, a)| a.trim_end_matches('>')).unwrap_or(&mail_from).trim();
                format!("mailto:{address}")
            }
        };
        let push_allow_loopback = match get("COKO_PUSH_ALLOW_LOOPBACK") {
            Some(v) => parse_bool("COKO_PUSH_ALLOW_LOOPBACK", &v)?,
            None => false,
        };
        let payment_check_after = match get("COKO_PAYMENT_CHECK_AFTER_SECS") {
            None => std::time::Duration::from_secs(20),
            Some(v) => v.parse::<u64>().ok().filter(|n| (1..=3600).contains(n)).map(std::time::Duration::from_secs).ok_or_else(|| {
                bad("COKO_PAYMENT_CHECK_AFTER_SECS", format!("'{v}' is not a whole number of seconds between 1 and 3600"))
            })?,
        };
        let seller = domain::payment::invoice::Seller {
            name: get("COKO_SELLER_NAME").unwrap_or_else(|| "Coko".into()),
            address: get("COKO_SELLER_ADDRESS")
                .map(|a| a.split('|').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect())
                .unwrap_or_default(),
            tax_id: get("COKO_SELLER_TAX_ID"),
        };
        Ok(Self {
            sms,
            sms_report_token,
            vapid_private_key,
            vapid_subject,
            push_allow_loopback,
            stripe,
            orange,
            paypal,
            seller,
            payment_check_after,
            wave,
            meilisearch,
            max_upload_bytes,
            database_url,
            data_dir: PathBuf::from(get("COKO_DATA_DIR").unwrap_or_else(|| "data".into())),
            base_url,
            smtp_url,
            mail_from,
            jwt_secret,
            log_format,
            secure_cookies,
            rate_limit_factor,
            trusted_proxies,
        })
    }

    /// Demo data (accounts whose passwords are printed in the README) may exist only on a
    /// machine nobody else reaches: served on a loopback address, with a plain-http loopback
    /// base URL. `Err` says why not.
    pub fn refuse_demo(&self, site_addr: &std::net::SocketAddr) -> Result<(), String> {
        if !site_addr.ip().is_loopback() {
            return Err(format!("the server listens on {site_addr}, which is not a loopback address"));
        }
        let host = self.base_url.strip_prefix("http://").map(|rest| rest.split(['/', '?']).next().unwrap_or(""));
        let loopback_host = host.is_some_and(|h| {
            let name = h.rsplit_once(':').filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit())).map_or(h, |(n, _)| n);
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        });
        if !loopback_host {
            return Err(format!("COKO_BASE_URL is {}, not a plain-http loopback address", self.base_url));
        }
        Ok(())
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

/// A provider's key, webhook secrets (several, comma-separated, while one is being rotated)
/// and base URL: the key and the secret together or neither (a payment whose confirmation
/// cannot be verified would stay pending forever); the base URL is the provider's own unless a
/// sandbox's.
struct ProviderKeys {
    key: String,
    secrets: Vec<String>,
    base_url: String,
}

fn provider_keys(
    get: &impl Fn(&str) -> Option<String>,
    [key_var, secret_var, url_var]: [&'static str; 3],
    official: &str,
) -> Result<Option<ProviderKeys>, ConfigError> {
    let (key, secrets) = match (get(key_var), get(secret_var)) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(bad(secret_var, format!("is needed with {key_var}: without it no payment can be confirmed"))),
        (None, Some(_)) => return Err(bad(key_var, format!("is needed with {secret_var}"))),
        (Some(k), Some(s)) => (k, s),
    };
    let secrets = secrets.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    let base_url = get(url_var).unwrap_or_else(|| official.into());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(bad(url_var, "must be an http:// or https:// URL"));
    }
    Ok(Some(ProviderKeys { key: key.trim().to_owned(), secrets, base_url }))
}

fn payment_timeout(get: &impl Fn(&str) -> Option<String>) -> Result<std::time::Duration, ConfigError> {
    let ms =
        match get("COKO_PAYMENT_TIMEOUT_MS") {
            None => 10_000,
            Some(v) => v.parse::<u64>().ok().filter(|n| (100..=120_000).contains(n)).ok_or_else(|| {
                bad("COKO_PAYMENT_TIMEOUT_MS", format!("'{v}' is not a whole number of milliseconds between 100 and 120000"))
            })?,
        };
    Ok(std::time::Duration::from_millis(ms))
}

/// Wave (`COKO_WAVE_API_KEY`, `COKO_WAVE_WEBHOOK_SECRET`, `COKO_WAVE_BASE_URL`).
fn wave_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<domain::payment::providers::wave::WaveConfig>, ConfigError> {
    use domain::payment::providers::wave::{WaveConfig, OFFICIAL_BASE_URL};
    let timeout = payment_timeout(get)?;
    let vars = ["COKO_WAVE_API_KEY", "COKO_WAVE_WEBHOOK_SECRET", "COKO_WAVE_BASE_URL"];
    Ok(provider_keys(get, vars, OFFICIAL_BASE_URL)?.map(|k| WaveConfig {
        base_url: k.base_url,
        api_key: k.key,
        webhook_secrets: k.secrets,
        timeout,
    }))
}

/// Stripe (`COKO_STRIPE_SECRET_KEY`, `COKO_STRIPE_WEBHOOK_SECRET`, `COKO_STRIPE_BASE_URL`).
fn stripe_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<domain::payment::providers::stripe::StripeConfig>, ConfigError> {
    use domain::payment::providers::stripe::{StripeConfig, OFFICIAL_BASE_URL};
    let timeout = payment_timeout(get)?;
    let vars = ["COKO_STRIPE_SECRET_KEY", "COKO_STRIPE_WEBHOOK_SECRET", "COKO_STRIPE_BASE_URL"];
    Ok(provider_keys(get, vars, OFFICIAL_BASE_URL)?.map(|k| StripeConfig {
        base_url: k.base_url,
        secret_key: k.key,
        webhook_secrets: k.secrets,
        timeout,
    }))
}

/// Orange Money WebPay (`COKO_ORANGE_CLIENT_ID`, `COKO_ORANGE_CLIENT_SECRET`,
/// `COKO_ORANGE_MERCHANT_KEY`, all three or none; `COKO_ORANGE_COUNTRY`, the API's country path,
/// `ci` by default; `COKO_ORANGE_BASE_URL`).
fn orange_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<domain::payment::providers::orange::OrangeConfig>, ConfigError> {
    use domain::payment::providers::orange::{OrangeConfig, OFFICIAL_BASE_URL};
    let vars = ["COKO_ORANGE_CLIENT_ID", "COKO_ORANGE_CLIENT_SECRET", "COKO_ORANGE_MERCHANT_KEY"];
    let Some(values) = all_or_none(get, &vars, "Orange")? else { return Ok(None) };
    let base_url = get("COKO_ORANGE_BASE_URL").unwrap_or_else(|| OFFICIAL_BASE_URL.into());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(bad("COKO_ORANGE_BASE_URL", "must be an http:// or https:// URL"));
    }
    let country = get("COKO_ORANGE_COUNTRY").unwrap_or_else(|| "ci".into()).trim().to_lowercase();
    if !(2..=3).contains(&country.len()) || !country.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(bad("COKO_ORANGE_COUNTRY", format!("'{country}' is not a country path such as ci, ml, sn (or dev)")));
    }
    let [client_id, client_secret, merchant_key]: [String; 3] = values.try_into().map_err(|_| bad(vars[0], "unreadable"))?;
    Ok(Some(OrangeConfig { base_url, country, client_id, client_secret, merchant_key, timeout: payment_timeout(get)? }))
}

/// The variables of a provider that needs all of them, or none: their values, in order.
fn all_or_none(get: &impl Fn(&str) -> Option<String>, vars: &[&'static str], provider: &str) -> Result<Option<Vec<String>>, ConfigError> {
    let values: Vec<Option<String>> = vars.iter().map(|v| get(v).map(|s| s.trim().to_owned())).collect();
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(i) = values.iter().position(Option::is_none) {
        return Err(bad(vars[i], format!("is needed with {}: {provider} needs all of them", vars.join(", "))));
    }
    Ok(Some(values.into_iter().flatten().collect()))
}

/// PayPal (`COKO_PAYPAL_CLIENT_ID`, `COKO_PAYPAL_CLIENT_SECRET`, `COKO_PAYPAL_WEBHOOK_ID`, all
/// three or none; `COKO_PAYPAL_BASE_URL`).
fn paypal_config(get: &impl Fn(&str) -> Option<String>) -> Result<Option<domain::payment::providers::paypal::PayPalConfig>, ConfigError> {
    use domain::payment::providers::paypal::{PayPalConfig, OFFICIAL_BASE_URL};
    let vars = ["COKO_PAYPAL_CLIENT_ID", "COKO_PAYPAL_CLIENT_SECRET", "COKO_PAYPAL_WEBHOOK_ID"];
    let Some(values) = all_or_none(get, &vars, "PayPal")? else { return Ok(None) };
    let base_url = get("COKO_PAYPAL_BASE_URL").unwrap_or_else(|| OFFICIAL_BASE_URL.into());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(bad("COKO_PAYPAL_BASE_URL", "must be an http:// or https:// URL"));
    }
    let [client_id, client_secret, webhook_id]: [String; 3] = values.try_into().map_err(|_| bad(vars[0], "unreadable"))?;
    Ok(Some(PayPalConfig { base_url, client_id, client_secret, webhook_id, timeout: payment_timeout(get)? }))
}

/// Africa's Talking SMS (`COKO_AFRICASTALKING_USERNAME`, `COKO_AFRICASTALKING_API_KEY`, both or
/// neither; `COKO_AFRICASTALKING_SENDER_ID`, 3–11 letters and digits, or a short code;
/// `COKO_AFRICASTALKING_BASE_URL`, `https://api.sandbox.africastalking.com` for theirs).
fn sms_config(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<domain::notification::africastalking::AfricasTalkingConfig>, ConfigError> {
    use domain::notification::africastalking::{AfricasTalkingConfig, OFFICIAL_BASE_URL};
    let vars = ["COKO_AFRICASTALKING_USERNAME", "COKO_AFRICASTALKING_API_KEY"];
    let Some(values) = all_or_none(get, &vars, "Africa's Talking")? else { return Ok(None) };
    let base_url = get("COKO_AFRICASTALKING_BASE_URL").unwrap_or_else(|| OFFICIAL_BASE_URL.into());
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(bad("COKO_AFRICASTALKING_BASE_URL", "must be an http:// or https:// URL"));
    }
    let sender_id = get("COKO_AFRICASTALKING_SENDER_ID").map(|s| s.trim().to_owned());
    if let Some(id) = &sender_id {
        if !(3..=11).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad(
                "COKO_AFRICASTALKING_SENDER_ID",
                format!("'{id}' is not 3 to 11 letters and digits (operators refuse other sender ids)"),
            ));
        }
    }
    let [username, api_key]: [String; 2] = values.try_into().map_err(|_| bad(vars[0], "unreadable"))?;
    Ok(Some(AfricasTalkingConfig { base_url, username, api_key, sender_id, timeout: payment_timeout(get)? }))
}

fn parse_bool(var: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(bad(var, format!("'{other}' is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup("127.0.0.1:3000", move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn printing_the_configuration_prints_no_password() {
        let c = with(&[
            ("DATABASE_URL", "postgres://coko:pg-s3cret@db.internal:5432/coko"),
            ("COKO_SMTP_URL", "smtps://mailer:smtp-s3cret@smtp.example.sn:465"),
            ("MEILISEARCH_URL", "http://127.0.0.1:7700"),
            ("MEILISEARCH_API_KEY", "meili-s3cret"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("postgres://coko:***@db.internal:5432/coko") && printed.contains("smtps://mailer:***@smtp.example.sn"));
        assert_eq!(redacted("sqlite://data/coko.db"), "sqlite://data/coko.db");
        assert_eq!(redacted("smtp://relay.example.sn:25?tls=required"), "smtp://relay.example.sn:25?tls=required");
    }

    #[test]
    fn wave_needs_its_key_and_secret_together() {
        assert!(with(&[]).unwrap().wave.is_none());
        assert_eq!(with(&[("COKO_WAVE_API_KEY", "wave_sn_prod_x")]).unwrap_err().var, "COKO_WAVE_WEBHOOK_SECRET");
        assert_eq!(with(&[("COKO_WAVE_WEBHOOK_SECRET", "wave_sn_WHS_x")]).unwrap_err().var, "COKO_WAVE_API_KEY");
        let both = [("COKO_WAVE_API_KEY", "wave_sn_prod_s3cret"), ("COKO_WAVE_WEBHOOK_SECRET", "whs-s3cret-old, whs-s3cret-new")];
        let c = with(&both).unwrap();
        let wave = c.wave.as_ref().unwrap();
        assert_eq!(wave.base_url, "https://api.wave.com");
        assert_eq!(wave.webhook_secrets, ["whs-s3cret-old", "whs-s3cret-new"]);
        assert!(!format!("{c:?}").contains("s3cret"), "{c:?}");
        let bad_timeout = [both[0], both[1], ("COKO_PAYMENT_TIMEOUT_MS", "0")];
        assert_eq!(with(&bad_timeout).unwrap_err().var, "COKO_PAYMENT_TIMEOUT_MS");
        let bad_url = [both[0], both[1], ("COKO_WAVE_BASE_URL", "api.wave.com")];
        assert_eq!(with(&bad_url).unwrap_err().var, "COKO_WAVE_BASE_URL");
        assert_eq!(with(&[("COKO_STRIPE_SECRET_KEY", "sk_test_x")]).unwrap_err().var, "COKO_STRIPE_WEBHOOK_SECRET");
        let stripe = with(&[("COKO_STRIPE_SECRET_KEY", "sk_live_s3cret"), ("COKO_STRIPE_WEBHOOK_SECRET", "whsec_s3cret")]).unwrap();
        assert_eq!(stripe.stripe.as_ref().unwrap().base_url, "https://api.stripe.com");
        assert!(!format!("{stripe:?}").contains("s3cret"));
        assert_eq!(with(&[("COKO_ORANGE_CLIENT_ID", "id")]).unwrap_err().var, "COKO_ORANGE_CLIENT_SECRET");
        let orange = [("COKO_ORANGE_CLIENT_ID", "id"), ("COKO_ORANGE_CLIENT_SECRET", "s3cret"), ("COKO_ORANGE_MERCHANT_KEY", "mk")];
        assert_eq!(with(&orange).unwrap().orange.as_ref().unwrap().country, "ci");
        assert_eq!(with(&[orange[0], orange[1], orange[2], ("COKO_ORANGE_COUNTRY", "c1")]).unwrap_err().var, "COKO_ORANGE_COUNTRY");
        assert!(!format!("{:?}", with(&orange).unwrap()).contains("s3cret"));
    }

    #[test]
    fn defaults_are_embedded() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/coko.db");
        assert_eq!(c.base_url, "http://127.0.0.1:3000");
        assert!(!c.secure_cookies);
        assert_eq!(c.rate_limit_factor, 1);
        assert_eq!(c.outbox_dir(), PathBuf::from("data/outbox"));
    }

    #[test]
    fn demo_data_only_on_loopback() {
        let local: std::net::SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let public: std::net::SocketAddr = "0.0.0.0:3000".parse().unwrap();
        assert!(with(&[]).unwrap().refuse_demo(&local).is_ok());
        assert!(with(&[("COKO_BASE_URL", "http://localhost:3000/")]).unwrap().refuse_demo(&local).is_ok());
        assert!(with(&[("COKO_BASE_URL", "http://[::1]:3000")]).unwrap().refuse_demo(&local).is_ok());
        assert!(with(&[]).unwrap().refuse_demo(&public).is_err(), "listening on every interface");
        assert!(with(&[("COKO_BASE_URL", "https://127.0.0.1:3000")]).unwrap().refuse_demo(&local).is_err(), "https");
        assert!(with(&[("COKO_BASE_URL", "http://coko.africa")]).unwrap().refuse_demo(&local).is_err(), "a public name");
        assert!(with(&[("COKO_BASE_URL", "http://127.0.0.1.evil.example")]).unwrap().refuse_demo(&local).is_err());
    }

    #[test]
    fn trusted_proxies_are_counted() {
        assert_eq!(with(&[]).unwrap().trusted_proxies, 0);
        assert_eq!(with(&[("COKO_TRUST_PROXY", "true")]).unwrap().trusted_proxies, 1);
        assert_eq!(with(&[("COKO_TRUST_PROXY", "2")]).unwrap().trusted_proxies, 2);
        assert_eq!(with(&[("COKO_TRUST_PROXY", "false")]).unwrap().trusted_proxies, 0);
        assert_eq!(with(&[("COKO_TRUST_PROXY", "many")]).unwrap_err().var, "COKO_TRUST_PROXY");
    }

    #[test]
    fn meilisearch_when_configured() {
        assert_eq!(with(&[]).unwrap().meilisearch, None, "the embedded index by default");
        let c = with(&[("MEILISEARCH_URL", "http://127.0.0.1:7700/"), ("MEILISEARCH_API_KEY", "cle")]).unwrap();
        let m = c.meilisearch.unwrap();
        assert_eq!((m.url.as_str(), m.key.as_deref(), m.index.as_str()), ("http://127.0.0.1:7700", Some("cle"), "coko-books"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(with(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var, "DATABASE_URL");
        assert_eq!(with(&[("COKO_LOG_FORMAT", "xml")]).unwrap_err().var, "COKO_LOG_FORMAT");
        assert_eq!(with(&[("COKO_JWT_SECRET", "short")]).unwrap_err().var, "COKO_JWT_SECRET");
        assert_eq!(with(&[("COKO_RATE_LIMIT_FACTOR", "0")]).unwrap_err().var, "COKO_RATE_LIMIT_FACTOR");
        assert_eq!(with(&[("COKO_SMTP_URL", "http://x")]).unwrap_err().var, "COKO_SMTP_URL");
        assert_eq!(with(&[("MEILISEARCH_URL", "localhost:7700")]).unwrap_err().var, "MEILISEARCH_URL");
        assert!(with(&[("COKO_BASE_URL", "https://coko.africa")]).unwrap().secure_cookies);
        assert!(format!("{:?}", with(&[("COKO_JWT_SECRET", &"s".repeat(40))]).unwrap()).contains("Secret(***)"));
    }
}
