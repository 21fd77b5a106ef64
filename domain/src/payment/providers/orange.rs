//! Orange Money Web Payment ("WebPay", developer.orange.com/apis/om-webpay), as
//! `../shared/research/payments.md` §2a sums it up from integrators' code (the reference page
//! itself was not reachable): an OAuth token (`POST /oauth/v3/token`, Basic client id and
//! secret, `grant_type=client_credentials`, cached for its `expires_in`), then
//! `POST /orange-money-webpay/{country}/v1/webpayment` → 201 `{pay_token, payment_url,
//! notif_token}`; the payer gives their number and a one-time code on Orange's page;
//! `POST …/transactionstatus {order_id, amount, pay_token}` → 201 `{status}` (INITIATED,
//! PENDING, SUCCESS, FAILED, EXPIRED after about 10 minutes); a notification
//! `{status, notif_token, txnid}` to the order's `notif_url`, unsigned.
//!
//! How Coko holds to the money rules with so little:
//! - The notification's only proof is its `notif_token`, the value this order's creation
//!   answered: the payment is found by it (an unknown token is refused, 401) and then asked
//!   about with `transactionstatus` — the notification itself is never believed.
//! - The status answer carries no amount: it answers for the order id, amount and token asked
//!   together, so a SUCCESS is read as paid for the amount Coko asked about (the order's).
//! - `order_id` is at most 30 characters: Coko's payment id in base 36 (25), with `-n` for a
//!   later attempt, since a reused order id is refused. There is no lookup by order id without
//!   the token, so an answer lost on the way is not found again: the next attempt opens a new
//!   order, and the lost one — whose page the payer never saw — expires unpaid.
//! - There is no refund endpoint (refunds go through Orange's merchant portal): `refund`
//!   answers `refund-not-supported`, and the admin is told so.
//!
//! Departures: the sandbox takes `http://127.0.0.1` notification URLs (Orange refuses
//! localhost and plain HTTP); production needs Coko on a public HTTPS address.

use super::{unavailable, Headers, Lookup, Order, PaymentProvider, ProviderError, Session, SessionRef, WebhookHint, WebhookRejected};
use crate::payment::state::Observed;
use crate::payment::Provider;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const OFFICIAL_BASE_URL: &str = "https://api.orange.com";
/// How long an Orange payment page lives (about 10 minutes, per integrators).
pub const SESSION_SECS: i64 = 600;

#[derive(Clone)]
pub struct OrangeConfig {
    pub base_url: String,
    /// The country's path segment (`ci`, `ml`, `sn`…; `dev` is Orange's own sandbox, which
    /// takes the test currency `OUV`).
    pub country: String,
    pub client_id: String,
    pub client_secret: String,
    pub merchant_key: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for OrangeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrangeConfig").field("base_url", &self.base_url).field("country", &self.country).finish_non_exhaustive()
    }
}

pub struct Orange {
    config: OrangeConfig,
    http: reqwest::Client,
    oauth: super::OAuth,
}

/// `order_id` for a payment (≤ 30 characters): its UUID in base 36, `-n` after the first attempt.
pub fn order_id(payment_id: &str, attempt: u32) -> String {
    let base = match uuid::Uuid::parse_str(payment_id) {
        Ok(u) => {
            let mut n = u.as_u128();
            let mut digits = Vec::new();
            while n > 0 {
                digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
                n /= 36;
            }
            digits.reverse();
            String::from_utf8(digits).unwrap_or_default()
        }
        Err(_) => payment_id.chars().filter(char::is_ascii_alphanumeric).take(25).collect(),
    };
    match attempt {
        0 => base,
        n => format!("{base}-{n}"),
    }
}

#[derive(Debug, Default, Deserialize)]
struct OrangeError {
    #[serde(default)]
    code: serde_json::Value,
    #[serde(default)]
    message: String,
    #[serde(default)]
    description: String,
}

impl Orange {
    pub fn new(config: OrangeConfig) -> Self {
        let http = super::http_client(config.timeout);
        let token_url = format!("{}/oauth/v3/token", config.base_url.trim_end_matches('/'));
        let oauth = super::OAuth::new(token_url, &config.client_id, &config.client_secret);
        Orange { config, http, oauth }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    fn api(&self, call: &str) -> String {
        self.url(&format!("/orange-money-webpay/{}/v1/{call}", self.config.country))
    }

    /// A JSON call to the WebPay API with the bearer token.
    async fn call(&self, call: &str, body: &serde_json::Value) -> Result<String, ProviderError> {
        let url = self.api(call);
        self.oauth.call(&self.http, |h| h.post(&url).header("accept", "application/json").json(body), answer).await
    }
}

/// Orange's answer: its body, or its error (`{code, message, description}`) as a provider error.
async fn answer(res: reqwest::Response) -> Result<String, ProviderError> {
    let status = res.status();
    let body = res.text().await.map_err(unavailable)?;
    if status.is_success() {
        return Ok(body);
    }
    let err: OrangeError = serde_json::from_str(&body).unwrap_or_default();
    let code = match &err.code {
        serde_json::Value::String(s) if !s.is_empty() => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => format!("http-{}", status.as_u16()),
    };
    match status.as_u16() {
        404 => Err(ProviderError::NotFound),
        s if s >= 500 || s == 429 => Err(ProviderError::Unavailable(format!("HTTP {s}: {code}"))),
        _ => Err(ProviderError::Refused { code, message: if err.description.is_empty() { err.message } else { err.description } }),
    }
}

#[derive(Debug, Deserialize)]
struct Created {
    pay_token: String,
    payment_url: String,
    notif_token: String,
}

#[derive(Debug, Deserialize)]
struct Status {
    status: String,
}

/// What a WebPay status says, for the order asked about (`amount` in `currency`).
fn observed(status: &str, amount: i64, currency: &str) -> Result<Observed, ProviderError> {
    Ok(match status {
        "INITIATED" | "PENDING" => Observed::Open,
        "SUCCESS" => Observed::Paid { amount, currency: currency.to_owned() },
        "EXPIRED" => Observed::Expired,
        // Orange gives no reason.
        "FAILED" => Observed::Failed { reason: "refused-by-provider".into() },
        other => return Err(ProviderError::Protocol(format!("unknown status {other}"))),
    })
}

#[async_trait]
impl PaymentProvider for Orange {
    fn provider(&self) -> Provider {
        Provider::Orange
    }

    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError> {
        let order_id = order_id(order.payment_id, order.attempt);
        let currency = if self.config.country == "dev" { "OUV" } else { order.currency };
        let lang = if order.language == crate::validation::Language::En { "en" } else { "fr" };
        let body = serde_json::json!({
            "merchant_key": self.config.merchant_key,
            "currency": currency,
            "order_id": order_id,
            "amount": order.amount,
            "return_url": order.return_url,
            "cancel_url": order.return_url,
            "notif_url": order.notify_url,
            "lang": lang,
            "reference": "Coko",
        });
        let raw = self.call("webpayment", &body).await?;
        let c: Created = super::read(&raw)?;
        Ok(Session {
            provider_ref: format!("{order_id}:{}", c.pay_token),
            redirect_url: c.payment_url,
            secret: Some(c.notif_token),
            expires_at_ms: Some((chrono::Utc::now().timestamp() + SESSION_SECS) * 1000),
            raw,
        })
    }

    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError> {
        let (order_id, pay_token) = session.provider_ref.split_once(':').ok_or(ProviderError::NotFound)?;
        let body = serde_json::json!({ "order_id": order_id, "amount": session.amount, "pay_token": pay_token });
        let raw = self.call("transactionstatus", &body).await?;
        let s: Status = super::read(&raw)?;
        Ok(Lookup { provider_ref: session.provider_ref.to_owned(), observed: observed(&s.status, session.amount, session.currency)?, raw })
    }

    /// WebPay has no search by order id without the token the lost answer carried.
    async fn find_by_reference(&self, _payment_id: &str) -> Result<Option<Session>, ProviderError> {
        Ok(None)
    }

    async fn refund(&self, _provider_ref: &str) -> Result<String, ProviderError> {
        Err(ProviderError::Refused {
            code: "refund-not-supported".into(),
            message: "Orange Money WebPay has no refund API: refund from Orange's merchant portal".into(),
        })
    }

    /// Unsigned: read for its token only (the service finds the payment by it, or refuses).
    async fn verify_webhook(&self, _headers: Headers<'_>, body: &[u8], _now_secs: i64) -> Result<WebhookHint, WebhookRejected> {
        #[derive(Deserialize)]
        struct Notification {
            #[serde(default)]
            status: String,
            #[serde(default)]
            notif_token: String,
            #[serde(default)]
            txnid: String,
        }
        let n: Notification = serde_json::from_slice(body).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        if n.notif_token.trim().is_empty() {
            return Err(WebhookRejected::Unsigned);
        }
        Ok(WebhookHint {
            // No event id: the transaction and its status name the notification.
            event_id: (!n.txnid.is_empty()).then(|| format!("{}:{}", n.txnid, n.status)),
            client_reference: None,
            provider_ref: None,
            secret: Some(n.notif_token),
            kind: n.status,
        })
    }

    fn kept_headers(&self) -> &'static [&'static str] {
        &["content-type", "user-agent", "x-forwarded-for"]
    }

    fn checkout_origin(&self) -> String {
        match self.config.base_url.trim_end_matches('/') == OFFICIAL_BASE_URL {
            // The payment page's host differs by country (webpayment.orange-money.com,
            // webpayment-ml-sb…): all are Orange Money's.
            true => "https://*.orange-money.com".into(),
            false => super::origin_of(&self.config.base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ids_fit_in_thirty_characters_and_differ_by_attempt() {
        let id = uuid::Uuid::now_v7().to_string();
        let first = order_id(&id, 0);
        assert!(first.len() <= 25 && first.bytes().all(|b| b.is_ascii_alphanumeric()), "{first}");
        assert_eq!(order_id(&id, 0), first, "the same payment, the same order id");
        assert_eq!(order_id(&id, 3), format!("{first}-3"));
        assert!(order_id(&uuid::Uuid::max().to_string(), 99).len() <= 30);
    }

    #[test]
    fn statuses_read_as_what_they_say_for_the_order_asked_about() {
        assert_eq!(observed("INITIATED", 2000, "XOF").unwrap(), Observed::Open);
        assert_eq!(observed("SUCCESS", 2000, "XOF").unwrap(), Observed::Paid { amount: 2000, currency: "XOF".into() });
        assert_eq!(observed("EXPIRED", 2000, "XOF").unwrap(), Observed::Expired);
        assert!(matches!(observed("FAILED", 2000, "XOF").unwrap(), Observed::Failed { .. }));
        assert!(observed("MAYBE", 2000, "XOF").is_err());
    }

    #[tokio::test]
    async fn notifications_are_read_for_their_token_only() {
        let o = Orange::new(OrangeConfig {
            base_url: OFFICIAL_BASE_URL.into(),
            country: "ci".into(),
            client_id: "id".into(),
            client_secret: "s".into(),
            merchant_key: "m".into(),
            timeout: Duration::from_secs(1),
        });
        let hint = o.verify_webhook(&[], br#"{"status":"SUCCESS","notif_token":"nt-1","txnid":"MP1"}"#, 0).await.unwrap();
        assert_eq!((hint.secret.as_deref(), hint.event_id.as_deref()), (Some("nt-1"), Some("MP1:SUCCESS")));
        assert_eq!(o.verify_webhook(&[], br#"{"status":"SUCCESS","txnid":"MP1"}"#, 0).await, Err(WebhookRejected::Unsigned));
    }
}
