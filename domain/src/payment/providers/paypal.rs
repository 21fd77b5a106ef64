//! PayPal Orders v2 (developer.paypal.com/api/orders/v2, /api/webhooks/v1), as
//! `../shared/research/payments.md` §4 sums it up: an OAuth token (`POST /v1/oauth2/token`,
//! Basic client id and secret); `POST /v2/checkout/orders` (intent CAPTURE, `PayPal-Request-Id`
//! for idempotency) → 201 `{id, status, links[payer-action]}`; the payer approves on PayPal's
//! page; the merchant captures (`POST …/{id}/capture`, idempotent by its own request id); paid
//! means the order COMPLETED **and** its capture COMPLETED; full refunds through
//! `POST /v2/payments/captures/{capture}/refund`; webhooks checked by PayPal itself
//! (`POST /v1/notifications/verify-webhook-signature` with the five `PAYPAL-*` headers, the
//! webhook id and the event exactly as received).
//!
//! PayPal takes no XOF: the price is charged in EUR at the fixed peg (1 EUR = 655.957 XOF,
//! [`eur_cents`]) and both amounts are kept; the amount check compares the capture's EUR with
//! the order's. A lookup that finds the order approved captures it (PayPal leaves that to the
//! merchant): the capture's request id is the payment's, so however many lookups race, PayPal
//! captures once. A create whose answer was lost is resolved the same way: the retry carries the
//! same `PayPal-Request-Id`, and PayPal answers with the order it made (kept 6 hours).

use super::{unavailable, Headers, Lookup, Order, PaymentProvider, ProviderError, Session, SessionRef, WebhookHint, WebhookRejected};
use crate::payment::state::Observed;
use crate::payment::Provider;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const OFFICIAL_BASE_URL: &str = "https://api-m.paypal.com";
/// How many XOF make one euro (the CFA franc's fixed peg).
pub const XOF_PER_EUR: f64 = 655.957;
/// An order not approved is dropped by PayPal after about three hours.
pub const ORDER_SECS: i64 = 3 * 3600;

pub use crate::payment::eur_cents;

/// Cents as PayPal writes amounts (`"2.29"`).
pub fn decimal(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// PayPal's `"2.29"` as cents; `None` for anything else.
pub fn cents_of(value: &str) -> Option<i64> {
    let (units, fraction) = value.split_once('.')?;
    if fraction.len() != 2
        || !units.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || units.is_empty()
    {
        return None;
    }
    Some(units.parse::<i64>().ok()? * 100 + fraction.parse::<i64>().ok()?)
}

#[derive(Clone)]
pub struct PayPalConfig {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// The id PayPal gave the webhook registered for Coko (what verification names).
    pub webhook_id: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for PayPalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayPalConfig").field("base_url", &self.base_url).field("webhook_id", &self.webhook_id).finish_non_exhaustive()
    }
}

pub struct PayPal {
    config: PayPalConfig,
    http: reqwest::Client,
    oauth: super::OAuth,
}

#[derive(Debug, Default, Deserialize)]
struct PayPalError {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    issue: String,
}

#[derive(Debug, Deserialize)]
struct Amount {
    currency_code: String,
    value: String,
}

#[derive(Debug, Deserialize)]
struct Capture {
    id: String,
    status: String,
    amount: Amount,
}

#[derive(Debug, Default, Deserialize)]
struct Payments {
    #[serde(default)]
    captures: Vec<Capture>,
}

#[derive(Debug, Deserialize)]
struct Unit {
    #[serde(default)]
    payments: Payments,
}

#[derive(Debug, Deserialize)]
struct Link {
    rel: String,
    href: String,
}

#[derive(Debug, Deserialize)]
struct OrderBody {
    id: String,
    status: String,
    #[serde(default)]
    purchase_units: Vec<Unit>,
    #[serde(default)]
    links: Vec<Link>,
}

impl OrderBody {
    fn capture(&self) -> Option<&Capture> {
        self.purchase_units.first().and_then(|u| u.payments.captures.first())
    }

    /// Paid only when the order and its capture are both COMPLETED.
    fn observed(&self) -> Observed {
        match (self.status.as_str(), self.capture()) {
            (_, Some(c)) if c.status == "REFUNDED" => Observed::Refunded,
            ("COMPLETED", Some(c)) if c.status == "COMPLETED" => match cents_of(&c.amount.value) {
                Some(amount) => Observed::Paid { amount, currency: c.amount.currency_code.clone() },
                None => Observed::Failed { reason: "amount-mismatch".into() },
            },
            (_, Some(c)) if matches!(c.status.as_str(), "DECLINED" | "FAILED") => Observed::Failed { reason: "refused-by-provider".into() },
            ("VOIDED", _) => Observed::Expired,
            _ => Observed::Open,
        }
    }
}

impl PayPal {
    pub fn new(config: PayPalConfig) -> Self {
        let http = super::http_client(config.timeout);
        let token_url = format!("{}/v1/oauth2/token", config.base_url.trim_end_matches('/'));
        let oauth = super::OAuth::new(token_url, &config.client_id, &config.client_secret);
        PayPal { config, http, oauth }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// A call with the bearer token.
    async fn call(&self, build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder) -> Result<String, ProviderError> {
        self.oauth.call(&self.http, build, answer).await
    }

    async fn order(&self, id: &str) -> Result<(OrderBody, String), ProviderError> {
        let id = super::path_ref(id)?;
        let raw = self.call(|h| h.get(self.url(&format!("/v2/checkout/orders/{id}")))).await?;
        Ok((super::read(&raw)?, raw))
    }
}

async fn answer(res: reqwest::Response) -> Result<String, ProviderError> {
    let status = res.status();
    let body = res.text().await.map_err(unavailable)?;
    if status.is_success() {
        return Ok(body);
    }
    let err: PayPalError = serde_json::from_str(&body).unwrap_or_default();
    let code = err.details.first().map(|d| d.issue.clone()).filter(|i| !i.is_empty()).unwrap_or(err.name);
    match status.as_u16() {
        404 => Err(ProviderError::NotFound),
        s if s >= 500 || s == 429 => Err(ProviderError::Unavailable(format!("HTTP {s}: {code}"))),
        s => Err(ProviderError::Refused { code: if code.is_empty() { format!("http-{s}") } else { code }, message: err.message }),
    }
}

/// A JSON string, quoted and escaped, for the verification body written by hand.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[async_trait]
impl PaymentProvider for PayPal {
    fn provider(&self) -> Provider {
        Provider::PayPal
    }

    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError> {
        let locale = if order.language == crate::validation::Language::En { "en-US" } else { "fr-FR" };
        let body = serde_json::json!({
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": order.payment_id,
                "custom_id": order.payment_id,
                "invoice_id": order.payment_id,
                "description": order.title.chars().take(127).collect::<String>(),
                "amount": {"currency_code": order.currency, "value": decimal(order.amount)},
            }],
            "payment_source": {"paypal": {"experience_context": {
                "return_url": order.return_url,
                "cancel_url": order.return_url,
                "user_action": "PAY_NOW",
                "shipping_preference": "NO_SHIPPING",
                "locale": locale,
                "brand_name": "Coko",
            }}},
        });
        // The same request id on a retry: PayPal answers with the order it made.
        let raw = self
            .call(|h| {
                h.post(self.url("/v2/checkout/orders"))
                    .header("PayPal-Request-Id", format!("order-{}", order.payment_id))
                    .header("Prefer", "return=representation")
                    .json(&body)
            })
            .await?;
        let o: OrderBody = super::read(&raw)?;
        let approve = o.links.iter().find(|l| l.rel == "payer-action" || l.rel == "approve");
        let redirect_url = approve.map(|l| l.href.clone()).ok_or_else(|| ProviderError::Protocol("no payer-action link".into()))?;
        Ok(Session {
            provider_ref: o.id,
            redirect_url,
            secret: None,
            expires_at_ms: Some((chrono::Utc::now().timestamp() + ORDER_SECS) * 1000),
            raw,
        })
    }

    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError> {
        let (order, raw) = self.order(session.provider_ref).await?;
        if order.status != "APPROVED" {
            return Ok(Lookup { provider_ref: order.id.clone(), observed: order.observed(), raw });
        }
        // Approved by the payer: captured now, once (the request id is the payment's).
        let id = super::path_ref(&order.id)?.to_owned();
        let captured = self
            .call(|h| {
                h.post(self.url(&format!("/v2/checkout/orders/{id}/capture")))
                    .header("PayPal-Request-Id", format!("capture-{}", session.payment_id))
                    .header("Prefer", "return=representation")
                    .json(&serde_json::json!({}))
            })
            .await;
        let raw = match captured {
            Ok(raw) => raw,
            // Captured by a concurrent lookup with another request id: read it as it is.
            Err(ProviderError::Refused { code, .. }) if code == "ORDER_ALREADY_CAPTURED" => self.order(&id).await?.1,
            Err(e) => return Err(e),
        };
        let o: OrderBody = super::read(&raw)?;
        Ok(Lookup { provider_ref: o.id.clone(), observed: o.observed(), raw })
    }

    /// Orders are not searched by reference: a lost create is resolved by its request id.
    async fn find_by_reference(&self, _payment_id: &str) -> Result<Option<Session>, ProviderError> {
        Ok(None)
    }

    async fn refund(&self, provider_ref: &str) -> Result<String, ProviderError> {
        let (order, _) = self.order(provider_ref).await?;
        let capture = order.capture().ok_or_else(|| ProviderError::Refused { code: "not-captured".into(), message: String::new() })?;
        let cid = super::path_ref(&capture.id)?.to_owned();
        // No amount: the whole capture; the request id makes a retry refund nothing twice.
        self.call(|h| {
            h.post(self.url(&format!("/v2/payments/captures/{cid}/refund")))
                .header("PayPal-Request-Id", format!("refund-{provider_ref}"))
                .header("Prefer", "return=representation")
                .json(&serde_json::json!({}))
        })
        .await
    }

    async fn verify_webhook(&self, headers: Headers<'_>, body: &[u8], _now_secs: i64) -> Result<WebhookHint, WebhookRejected> {
        let get = |name: &str| super::header(headers, name).ok_or(WebhookRejected::Unsigned);
        let (algo, cert, id, sig, time) = (
            get("paypal-auth-algo")?,
            get("paypal-cert-url")?,
            get("paypal-transmission-id")?,
            get("paypal-transmission-sig")?,
            get("paypal-transmission-time")?,
        );
        let event = std::str::from_utf8(body).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        let _: serde_json::Value = serde_json::from_str(event).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        // Written by hand so that the event goes back exactly as it came (re-serialising it
        // breaks PayPal's check).
        let verification = format!(
            "{{\"auth_algo\":{},\"cert_url\":{},\"transmission_id\":{},\"transmission_sig\":{},\"transmission_time\":{},\"webhook_id\":{},\"webhook_event\":{event}}}",
            quoted(algo),
            quoted(cert),
            quoted(id),
            quoted(sig),
            quoted(time),
            quoted(&self.config.webhook_id),
        );
        let answer = self
            .call(|h| {
                h.post(self.url("/v1/notifications/verify-webhook-signature"))
                    .header("content-type", "application/json")
                    .body(verification.clone())
            })
            .await
            .map_err(|e| WebhookRejected::Unverifiable(e.to_string()))?;
        #[derive(Deserialize)]
        struct Verdict {
            verification_status: String,
        }
        let verdict: Verdict = serde_json::from_str(&answer).map_err(|e| WebhookRejected::Unverifiable(e.to_string()))?;
        if verdict.verification_status != "SUCCESS" {
            return Err(WebhookRejected::BadSignature);
        }
        #[derive(Deserialize)]
        struct Event {
            id: String,
            event_type: String,
            #[serde(default)]
            resource: serde_json::Value,
        }
        let e: Event = serde_json::from_str(event).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let r = &e.resource;
        // An order's events carry the order; a capture's carry the capture and name its order.
        let (order, reference) = match e.event_type.starts_with("CHECKOUT.ORDER") {
            true => (text(&r["id"]), text(&r["purchase_units"][0]["custom_id"])),
            false => (text(&r["supplementary_data"]["related_ids"]["order_id"]), text(&r["custom_id"])),
        };
        Ok(WebhookHint { event_id: Some(e.id), client_reference: reference, provider_ref: order, secret: None, kind: e.event_type })
    }

    fn kept_headers(&self) -> &'static [&'static str] {
        &[
            "paypal-transmission-id",
            "paypal-transmission-time",
            "paypal-transmission-sig",
            "paypal-cert-url",
            "paypal-auth-algo",
            "content-type",
        ]
    }

    fn checkout_origin(&self) -> String {
        match self.config.base_url.trim_end_matches('/') == OFFICIAL_BASE_URL {
            true => "https://www.paypal.com".into(),
            false => super::origin_of(&self.config.base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn francs_become_euro_cents_at_the_peg() {
        assert_eq!(eur_cents(1500), 229, "2.2867… rounds to 2.29");
        assert_eq!(eur_cents(655_957), 100_000);
        assert_eq!(eur_cents(2000), 305);
        assert_eq!(eur_cents(20_000), 3049);
        assert_eq!(decimal(229), "2.29");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(cents_of("2.29"), Some(229));
        assert_eq!(cents_of("2.3"), None);
        assert_eq!(cents_of("-2.30"), None);
    }

    fn order(status: &str, capture: Option<&str>) -> OrderBody {
        let captures = capture
            .map(|s| {
                vec![Capture { id: "C1".into(), status: s.into(), amount: Amount { currency_code: "EUR".into(), value: "2.29".into() } }]
            })
            .unwrap_or_default();
        OrderBody { id: "O1".into(), status: status.into(), purchase_units: vec![Unit { payments: Payments { captures } }], links: vec![] }
    }

    #[test]
    fn paid_means_the_order_and_its_capture_completed() {
        assert_eq!(order("COMPLETED", Some("COMPLETED")).observed(), Observed::Paid { amount: 229, currency: "EUR".into() });
        assert_eq!(order("COMPLETED", Some("PENDING")).observed(), Observed::Open, "a completed order can hold a pending capture");
        assert!(matches!(order("COMPLETED", Some("DECLINED")).observed(), Observed::Failed { .. }));
        assert_eq!(order("COMPLETED", Some("REFUNDED")).observed(), Observed::Refunded);
        assert_eq!(order("PAYER_ACTION_REQUIRED", None).observed(), Observed::Open);
        assert_eq!(order("VOIDED", None).observed(), Observed::Expired);
    }
}
