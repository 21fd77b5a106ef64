//! Stripe Checkout for cards (docs.stripe.com/api/checkout/sessions, docs.stripe.com/webhooks;
//! `../shared/research/payments.md` §3): form-encoded requests with a bearer secret key, XOF a
//! zero-decimal currency (`unit_amount=1500`, `currency=xof`), sessions of 30 minutes to 24
//! hours (Coko asks 31 minutes, like Wave's), and webhooks signed
//! `Stripe-Signature: t=<unix>,v1=<hex>` with `HMAC-SHA256(whsec, t + "." + body)`, 300 s
//! tolerance.
//!
//! Departures, on purpose: a lost answer to a create is found again by listing the last day's
//! sessions and matching `client_reference_id` (Stripe cannot search sessions; the create also
//! carries `Idempotency-Key`, which Stripe honours for 24 h); a refund is seen by expanding the
//! session's `payment_intent.latest_charge` (`refunded: true`), since the session itself never
//! says so.

use super::{
    header, path_ref, read, unavailable, Headers, Lookup, Order, PaymentProvider, ProviderError, Session, SessionRef, WebhookHint,
    WebhookRejected,
};
use crate::payment::state::Observed;
use crate::payment::Provider;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const OFFICIAL_BASE_URL: &str = "https://api.stripe.com";
pub const TOLERANCE_SECS: i64 = 300;
/// How long a session may be paid (Stripe's minimum is 30 minutes).
const SESSION_SECS: i64 = 31 * 60;

#[derive(Clone)]
pub struct StripeConfig {
    pub base_url: String,
    pub secret_key: String,
    pub webhook_secrets: Vec<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig").field("base_url", &self.base_url).field("secret_key", &"***").finish_non_exhaustive()
    }
}

pub struct Stripe {
    config: StripeConfig,
    http: reqwest::Client,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Self {
        let http = super::http_client(config.timeout);
        Stripe { config, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<String, ProviderError> {
        let res = req.bearer_auth(&self.config.secret_key).send().await.map_err(unavailable)?;
        let status = res.status();
        let body = res.text().await.map_err(unavailable)?;
        if status.is_success() {
            return Ok(body);
        }
        // Stripe's error body: {"error": {type, code?, message, param?}}.
        #[derive(Deserialize, Default)]
        struct Outer {
            #[serde(default)]
            error: Inner,
        }
        #[derive(Deserialize, Default)]
        struct Inner {
            #[serde(default)]
            code: Option<String>,
            #[serde(default, rename = "type")]
            kind: String,
            #[serde(default)]
            message: String,
        }
        let e = serde_json::from_str::<Outer>(&body).unwrap_or_default().error;
        match status.as_u16() {
            404 => Err(ProviderError::NotFound),
            s if s >= 500 || s == 429 => Err(ProviderError::Unavailable(format!("HTTP {s}: {}", e.kind))),
            s => Err(ProviderError::Refused { code: e.code.unwrap_or_else(|| format!("http-{s}")), message: e.message }),
        }
    }
}

#[derive(Debug, Deserialize)]
struct CheckoutSession {
    id: String,
    #[serde(default)]
    url: Option<String>,
    status: Option<String>,
    payment_status: String,
    #[serde(default)]
    amount_total: Option<i64>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    client_reference_id: Option<String>,
    #[serde(default)]
    expires_at: Option<i64>,
    /// An id, or the object when expanded.
    #[serde(default)]
    payment_intent: Option<serde_json::Value>,
}

impl CheckoutSession {
    fn refunded(&self) -> bool {
        let charge = self.payment_intent.as_ref().and_then(|pi| pi.get("latest_charge"));
        charge.and_then(|c| c.get("refunded")).and_then(|r| r.as_bool()).unwrap_or(false)
    }

    fn payment_intent_id(&self) -> Option<String> {
        match self.payment_intent.as_ref()? {
            serde_json::Value::String(id) => Some(id.clone()),
            other => other.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        }
    }

    fn observed(&self) -> Observed {
        if self.refunded() {
            return Observed::Refunded;
        }
        match (self.status.as_deref(), self.payment_status.as_str()) {
            (_, "paid") => match (self.amount_total, &self.currency) {
                (Some(amount), Some(currency)) => Observed::Paid { amount, currency: currency.to_uppercase() },
                _ => Observed::Failed { reason: "amount-mismatch".into() },
            },
            (Some("expired"), _) => Observed::Expired,
            // A declined card leaves the session open: the payer may try another card.
            _ => Observed::Open,
        }
    }

    fn session(&self, raw: String) -> Result<Session, ProviderError> {
        let redirect_url = self.url.clone().ok_or_else(|| ProviderError::Protocol("no url".into()))?;
        Ok(Session { provider_ref: self.id.clone(), redirect_url, secret: None, expires_at_ms: self.expires_at.map(|s| s * 1000), raw })
    }
}

#[async_trait]
impl PaymentProvider for Stripe {
    fn provider(&self) -> Provider {
        Provider::Stripe
    }

    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError> {
        let expires_at = (chrono::Utc::now().timestamp() + SESSION_SECS).to_string();
        let amount = order.amount.to_string();
        let currency = order.currency.to_lowercase();
        let locale = match order.language {
            crate::validation::Language::En => "en",
            crate::validation::Language::Ar => "auto",
            _ => "fr",
        };
        let form = [
            ("mode", "payment"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", currency.as_str()),
            ("line_items[0][price_data][unit_amount]", amount.as_str()),
            ("line_items[0][price_data][product_data][name]", order.title),
            ("success_url", order.return_url),
            ("cancel_url", order.return_url),
            ("client_reference_id", order.payment_id),
            ("metadata[payment_id]", order.payment_id),
            ("expires_at", expires_at.as_str()),
            ("locale", locale),
        ];
        let req = self.http.post(self.url("/v1/checkout/sessions")).header("Idempotency-Key", order.payment_id).form(&form);
        let raw = self.send(req).await?;
        read::<CheckoutSession>(&raw)?.session(raw)
    }

    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError> {
        let provider_ref = path_ref(session.provider_ref)?;
        let req = self
            .http
            .get(self.url(&format!("/v1/checkout/sessions/{provider_ref}")))
            .query(&[("expand[]", "payment_intent.latest_charge")]);
        let raw = self.send(req).await?;
        let s: CheckoutSession = read(&raw)?;
        Ok(Lookup { provider_ref: s.id.clone(), observed: s.observed(), raw })
    }

    async fn find_by_reference(&self, payment_id: &str) -> Result<Option<Session>, ProviderError> {
        #[derive(Deserialize)]
        struct List {
            data: Vec<serde_json::Value>,
        }
        let since = (chrono::Utc::now().timestamp() - 24 * 3600).to_string();
        let req = self.http.get(self.url("/v1/checkout/sessions")).query(&[("limit", "100"), ("created[gte]", since.as_str())]);
        let list: List = read(&self.send(req).await?)?;
        for value in list.data {
            let raw = value.to_string();
            let s: CheckoutSession = read(&raw)?;
            if s.client_reference_id.as_deref() == Some(payment_id) && s.status.as_deref() == Some("open") {
                return s.session(raw).map(Some);
            }
        }
        Ok(None)
    }

    async fn refund(&self, provider_ref: &str) -> Result<String, ProviderError> {
        let provider_ref = path_ref(provider_ref)?;
        let raw = self.send(self.http.get(self.url(&format!("/v1/checkout/sessions/{provider_ref}")))).await?;
        let s: CheckoutSession = read(&raw)?;
        let intent = s.payment_intent_id().ok_or_else(|| ProviderError::Refused { code: "not-paid".into(), message: String::new() })?;
        // One refund per payment, however often this is retried.
        let req = self
            .http
            .post(self.url("/v1/refunds"))
            .header("Idempotency-Key", format!("refund-{provider_ref}"))
            .form(&[("payment_intent", intent.as_str())]);
        self.send(req).await
    }

    async fn verify_webhook(&self, headers: Headers<'_>, body: &[u8], now_secs: i64) -> Result<WebhookHint, WebhookRejected> {
        let signature = header(headers, "stripe-signature").ok_or(WebhookRejected::Unsigned)?;
        super::verify_hmac_header(signature, &self.config.webhook_secrets, now_secs, TOLERANCE_SECS, |t| {
            [t.as_bytes(), b".", body].concat()
        })?;
        #[derive(Deserialize)]
        struct Event {
            id: String,
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            data: serde_json::Value,
        }
        let e: Event = serde_json::from_slice(body).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        let object = &e.data["object"];
        let text = |k: &str| object.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        // Only a session's events name the session; others (charge.refunded) are kept as they are.
        let session = object.get("object").and_then(|o| o.as_str()) == Some("checkout.session");
        Ok(WebhookHint {
            event_id: Some(e.id),
            client_reference: if session { text("client_reference_id") } else { None },
            provider_ref: if session { text("id") } else { None },
            secret: None,
            kind: e.kind,
        })
    }

    fn kept_headers(&self) -> &'static [&'static str] {
        &["stripe-signature", "content-type", "user-agent"]
    }

    fn checkout_origin(&self) -> String {
        match self.config.base_url.trim_end_matches('/') == OFFICIAL_BASE_URL {
            true => "https://checkout.stripe.com".into(),
            false => super::origin_of(&self.config.base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe() -> Stripe {
        Stripe::new(StripeConfig {
            base_url: OFFICIAL_BASE_URL.into(),
            secret_key: "sk_test_x".into(),
            webhook_secrets: vec!["whsec_test".into()],
            timeout: Duration::from_secs(1),
        })
    }

    #[test]
    fn sessions_read_as_what_they_say() {
        let s = |json: &str| serde_json::from_str::<CheckoutSession>(json).unwrap().observed();
        assert_eq!(s(r#"{"id":"cs_1","status":"open","payment_status":"unpaid"}"#), Observed::Open);
        assert_eq!(
            s(r#"{"id":"cs_1","status":"complete","payment_status":"paid","amount_total":1500,"currency":"xof"}"#),
            Observed::Paid { amount: 1500, currency: "XOF".into() }
        );
        assert_eq!(
            s(r#"{"id":"cs_1","status":"complete","payment_status":"paid"}"#),
            Observed::Failed { reason: "amount-mismatch".into() }
        );
        assert_eq!(s(r#"{"id":"cs_1","status":"expired","payment_status":"unpaid"}"#), Observed::Expired);
        let refunded = r#"{"id":"cs_1","status":"complete","payment_status":"paid","amount_total":1500,"currency":"xof",
            "payment_intent":{"id":"pi_1","latest_charge":{"id":"ch_1","refunded":true}}}"#;
        assert_eq!(s(refunded), Observed::Refunded);
    }

    #[tokio::test]
    async fn webhooks_are_signed_over_the_timestamp_a_dot_and_the_raw_body() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","client_reference_id":"p1"}}}"#;
        let dotted = super::super::hmac_hex("whsec_test", &[b"1700000000.".as_slice(), body].concat());
        let headers = vec![("stripe-signature".to_owned(), format!("t=1700000000,v1={dotted},v0=ignored"))];
        let hint = stripe().verify_webhook(&headers, body, 1700000010).await.unwrap();
        assert_eq!((hint.client_reference.as_deref(), hint.provider_ref.as_deref()), (Some("p1"), Some("cs_1")));
        // Wave's way (no dot) is not Stripe's.
        let undotted = super::super::hmac_hex("whsec_test", &[b"1700000000".as_slice(), body].concat());
        let headers = vec![("stripe-signature".to_owned(), format!("t=1700000000,v1={undotted}"))];
        assert_eq!(stripe().verify_webhook(&headers, body, 1700000010).await, Err(WebhookRejected::BadSignature));
    }
}
