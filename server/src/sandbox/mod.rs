//! `coko payment-sandbox`: stand-ins for the payment providers Coko cannot reach from a
//! developer's machine or a test run — real HTTP servers on loopback that follow each
//! provider's documented contract (`../shared/research/payments.md`): the same endpoints,
//! fields, error bodies and webhook signatures, with the delivery quirks the providers warn
//! about (late, repeated, missing or reordered webhooks; API errors and timeouts) on request.
//!
//! Wave is served at the root (`/v1/checkout/sessions…`, hosted page `/c/{id}`), as
//! `https://api.wave.com` and `https://pay.wave.com` are; Orange Money WebPay at the root too
//! (`/oauth/v3/token`, `/orange-money-webpay/{country}/v1/…`, payment page
//! `/orange-webpay/payment/pay_token/{token}`), as `https://api.orange.com` is; PayPal under
//! `/paypal` (`/paypal/v2/checkout/orders…`, payer's page `/paypal/checkoutnow?token=`); Stripe under `/stripe`
//! (`/stripe/v1/checkout/sessions…`, hosted page `/stripe/pay/{id}`). What no provider has — switches for
//! the quirks, the webhook URL a merchant would register in the provider's portal — lives
//! under `/_sandbox/`, so it can never be mistaken for the provider's contract.
//!
//! Configuration (environment):
//! - `COKO_SANDBOX_ADDR` (default `127.0.0.1:4010`; port 0 picks one): where it listens. It
//!   prints `payment sandbox listening on http://ADDR` once it does.
//! - `COKO_SANDBOX_PUBLIC_URL`: the address browsers reach it at (default its own).
//! - `COKO_SANDBOX_WAVE_API_KEY` (default `wave_sn_prod_sandbox`), `COKO_SANDBOX_WAVE_WEBHOOK_URL`
//!   (Coko's `/api/v1/payment/webhooks/wave/`), `COKO_SANDBOX_WAVE_WEBHOOK_SECRET` (default
//!   `wave_sn_WHS_sandbox`), `COKO_SANDBOX_WAVE_DELIVERY` (`normal`, `late`, `twice`, `never`,
//!   `shuffled`) and `COKO_SANDBOX_WAVE_LATE_MS` (default 5000); the same for Stripe with
//!   `COKO_SANDBOX_STRIPE_SECRET_KEY` (default `sk_test_sandbox`) and
//!   `COKO_SANDBOX_STRIPE_{WEBHOOK_URL,WEBHOOK_SECRET,DELIVERY,LATE_MS}` (secret `whsec_sandbox`);
//!   Orange's credentials `COKO_SANDBOX_ORANGE_CLIENT_ID` (default `orange_client_sandbox`),
//!   `COKO_SANDBOX_ORANGE_CLIENT_SECRET` (`orange_secret_sandbox`),
//!   `COKO_SANDBOX_ORANGE_MERCHANT_KEY` (`orange_merchant_sandbox`) and
//!   `COKO_SANDBOX_ORANGE_{DELIVERY,LATE_MS}` (its notifications go to each order's `notif_url`);
//!   PayPal's `COKO_SANDBOX_PAYPAL_CLIENT_ID` (`paypal_client_sandbox`),
//!   `COKO_SANDBOX_PAYPAL_CLIENT_SECRET` (`paypal_secret_sandbox`), `COKO_SANDBOX_PAYPAL_WEBHOOK_ID`
//!   (`WH-COKO-SANDBOX`) and `COKO_SANDBOX_PAYPAL_{WEBHOOK_URL,DELIVERY,LATE_MS}`;
//!   Africa's Talking's SMS API (at the root, `/version1/messaging`, as
//!   `https://api.africastalking.com`): `COKO_SANDBOX_AFRICASTALKING_USERNAME` (`sandbox`),
//!   `COKO_SANDBOX_AFRICASTALKING_API_KEY` (`atsk_sandbox`) and
//!   `COKO_SANDBOX_AFRICASTALKING_{WEBHOOK_URL,DELIVERY,LATE_MS}` (the delivery-report callback);
//!   the texts it took are listed at `/_sandbox/africastalking/phone`.
//! - A Web Push service with its browsers ([`push`]): `/_sandbox/push/subscriptions` makes a
//!   subscription, `/push/{id}` takes encrypted messages and decrypts them with the
//!   subscription's private key, `/_sandbox/push/messages` lists them.

mod africastalking;
mod hooks;
mod orange;
mod paypal;
mod push;
mod stripe;
mod wave;

use axum::Router;
use std::sync::Arc;

pub use africastalking::AfricasTalkingSandbox;
pub use hooks::{Delivery, HookSettings};
pub use orange::OrangeSandbox;
pub use paypal::PayPalSandbox;
pub use stripe::StripeSandbox;
pub use wave::WaveSandbox;

/// What the sandbox reads from the environment.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub addr: String,
    pub public_url: Option<String>,
    pub wave: wave::WaveSettings,
    pub stripe: stripe::StripeSettings,
    pub orange: orange::OrangeSettings,
    pub paypal: paypal::PayPalSettings,
    pub africastalking: africastalking::AfricasTalkingSettings,
}

impl SandboxConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let hooks = |name: &str, secret: &str| -> anyhow::Result<HookSettings> {
            let var = |what: &str| format!("COKO_SANDBOX_{name}_{what}");
            let delivery = match get(&var("DELIVERY")) {
                None => Delivery::Normal,
                Some(d) => Delivery::parse(&d)
                    .ok_or_else(|| anyhow::anyhow!("{}: '{d}' is none of normal, late, twice, never, shuffled", var("DELIVERY")))?,
            };
            let late_ms = match get(&var("LATE_MS")) {
                None => 5000,
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{}: '{v}' is not a number of milliseconds", var("LATE_MS")))?,
            };
            Ok(HookSettings {
                url: get(&var("WEBHOOK_URL")),
                secret: get(&var("WEBHOOK_SECRET")).unwrap_or_else(|| secret.into()),
                delivery,
                late_ms,
            })
        };
        Ok(SandboxConfig {
            addr: get("COKO_SANDBOX_ADDR").unwrap_or_else(|| "127.0.0.1:4010".into()),
            public_url: get("COKO_SANDBOX_PUBLIC_URL"),
            wave: wave::WaveSettings {
                api_key: get("COKO_SANDBOX_WAVE_API_KEY").unwrap_or_else(|| "wave_sn_prod_sandbox".into()),
                hooks: hooks("WAVE", "wave_sn_WHS_sandbox")?,
            },
            stripe: stripe::StripeSettings {
                secret_key: get("COKO_SANDBOX_STRIPE_SECRET_KEY").unwrap_or_else(|| "sk_test_sandbox".into()),
                hooks: hooks("STRIPE", "whsec_sandbox")?,
            },
            orange: orange::OrangeSettings {
                client_id: get("COKO_SANDBOX_ORANGE_CLIENT_ID").unwrap_or_else(|| "orange_client_sandbox".into()),
                client_secret: get("COKO_SANDBOX_ORANGE_CLIENT_SECRET").unwrap_or_else(|| "orange_secret_sandbox".into()),
                merchant_key: get("COKO_SANDBOX_ORANGE_MERCHANT_KEY").unwrap_or_else(|| "orange_merchant_sandbox".into()),
                // Orange notifies each order's own notif_url, and signs nothing.
                hooks: hooks("ORANGE", "")?,
            },
            paypal: paypal::PayPalSettings {
                client_id: get("COKO_SANDBOX_PAYPAL_CLIENT_ID").unwrap_or_else(|| "paypal_client_sandbox".into()),
                client_secret: get("COKO_SANDBOX_PAYPAL_CLIENT_SECRET").unwrap_or_else(|| "paypal_secret_sandbox".into()),
                webhook_id: get("COKO_SANDBOX_PAYPAL_WEBHOOK_ID").unwrap_or_else(|| "WH-COKO-SANDBOX".into()),
                // PayPal signs with its own keys: only its verification endpoint checks them.
                hooks: hooks("PAYPAL", "")?,
            },
            africastalking: africastalking::AfricasTalkingSettings {
                username: get("COKO_SANDBOX_AFRICASTALKING_USERNAME").unwrap_or_else(|| "sandbox".into()),
                api_key: get("COKO_SANDBOX_AFRICASTALKING_API_KEY").unwrap_or_else(|| "atsk_sandbox".into()),
                // Delivery reports are unsigned.
                hooks: hooks("AFRICASTALKING", "")?,
            },
        })
    }
}

/// Listens, prints its address, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: SandboxConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.addr).await?;
    let local = listener.local_addr()?;
    let public = config.public_url.clone().unwrap_or_else(|| format!("http://{local}"));
    let wave = Arc::new(WaveSandbox::new(config.wave.clone(), &public));
    let stripe = Arc::new(StripeSandbox::new(config.stripe.clone(), &public));
    let orange = Arc::new(OrangeSandbox::new(config.orange.clone(), &public));
    let paypal = Arc::new(PayPalSandbox::new(config.paypal.clone(), &public));
    let africastalking = Arc::new(AfricasTalkingSandbox::new(config.africastalking.clone()));
    let push = Arc::new(push::PushSandbox::new(&public));
    // Wave and Orange at the root (as api.wave.com and api.orange.com: their paths differ),
    // Stripe under /stripe (as api.stripe.com).
    let app = Router::new()
        .merge(wave::routes(wave))
        .merge(orange::routes(orange))
        .merge(stripe.control())
        .nest("/stripe", stripe::routes(stripe))
        .merge(paypal.control())
        .nest("/paypal", paypal::routes(paypal))
        .merge(africastalking::routes(africastalking))
        .merge(push::routes(push));
    // Tests and scripts wait for this line: it is printed once the socket accepts.
    println!("payment sandbox listening on http://{local}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    tracing::info!(%local, %public, "payment sandbox: Wave at /v1/checkout/sessions, Stripe at /stripe/v1/checkout/sessions");
    axum::serve(listener, app).with_graceful_shutdown(crate::shutdown_signal()).await?;
    Ok(())
}

/// A random identifier of `len` letters and digits, as providers' ids look.
fn random_id(prefix: &str, len: usize) -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    let tail: String = rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect();
    format!("{prefix}{}", tail.to_lowercase())
}

// Text for an HTML page, escaped.
use domain::markup::escape as esc;
