//! Wave's Checkout API (docs.wave.com/checkout, docs.wave.com/webhook), as
//! `../shared/research/payments.md` §1 sums it up: JSON over HTTPS with a bearer API key; the
//! amount a string of whole francs; a session lives 30 minutes; webhooks signed
//! `Wave-Signature: t=<unix>,v1=<hex>[,v1=…]` with `HMAC-SHA256(secret, t ‖ raw body)` — no
//! separator between the timestamp and the body (Wave's own sample; two integrators put a `.`
//! there, Stripe's way: to be confirmed with `test.test_event` at go-live), several `v1` while
//! a secret rotates, 300 s tolerance.

use super::{
    header, path_ref, read, unavailable, Headers, Lookup, Order, PaymentProvider, ProviderError, Session, SessionRef, WebhookHint,
    WebhookRejected,
};
use crate::payment::state::Observed;
use crate::payment::Provider;
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub const OFFICIAL_BASE_URL: &str = "https://api.wave.com";
/// How far a signature's timestamp may be from our clock (Wave's documented tolerance).
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Clone)]
pub struct WaveConfig {
    pub base_url: String,
    pub api_key: String,
    /// The webhook signing secrets accepted (one, or two while we rotate ours).
    pub webhook_secrets: Vec<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for WaveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaveConfig").field("base_url", &self.base_url).field("api_key", &"***").finish_non_exhaustive()
    }
}

pub struct Wave {
    config: WaveConfig,
    http: reqwest::Client,
}

impl Wave {
    pub fn new(config: WaveConfig) -> Self {
        let http = super::http_client(config.timeout);
        Wave { config, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<String, ProviderError> {
        let res = req.bearer_auth(&self.config.api_key).send().await.map_err(unavailable)?;
        let status = res.status();
        let body = res.text().await.map_err(unavailable)?;
        if status.is_success() {
            return Ok(body);
        }
        // Wave's error body: {code, message, details?}.
        let err: WaveError = serde_json::from_str(&body).unwrap_or_default();
        match status.as_u16() {
            404 => Err(ProviderError::NotFound),
            s if s >= 500 || s == 429 => Err(ProviderError::Unavailable(format!("HTTP {s}: {}", err.code))),
            s => {
                Err(ProviderError::Refused { code: if err.code.is_empty() { format!("http-{s}") } else { err.code }, message: err.message })
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct WaveError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Wave's CheckoutSession object (the fields Coko reads).
#[derive(Debug, Deserialize)]
struct CheckoutSession {
    id: String,
    amount: String,
    currency: String,
    checkout_status: String,
    #[serde(default)]
    payment_status: Option<String>,
    #[serde(default)]
    last_payment_error: Option<WaveError>,
    #[serde(default)]
    wave_launch_url: Option<String>,
    #[serde(default)]
    when_expires: Option<String>,
    #[serde(default)]
    when_refunded: Option<String>,
    #[serde(default)]
    client_reference: Option<String>,
}

impl CheckoutSession {
    fn observed(&self) -> Observed {
        if self.when_refunded.is_some() {
            return Observed::Refunded;
        }
        match (self.checkout_status.as_str(), self.payment_status.as_deref()) {
            (_, Some("succeeded")) => match self.amount.trim().parse::<i64>() {
                Ok(amount) => Observed::Paid { amount, currency: self.currency.clone() },
                // No readable amount is no proof of payment.
                Err(_) => Observed::Failed { reason: "amount-mismatch".into() },
            },
            ("expired", _) => Observed::Expired,
            _ => match &self.last_payment_error {
                Some(e) if !e.code.is_empty() => Observed::Failed { reason: e.code.clone() },
                _ if self.payment_status.as_deref() == Some("cancelled") => Observed::Failed { reason: "payment-failure".into() },
                _ => Observed::Open,
            },
        }
    }

    fn session(&self, raw: String) -> Result<Session, ProviderError> {
        let redirect_url = self.wave_launch_url.clone().ok_or_else(|| ProviderError::Protocol("no wave_launch_url".into()))?;
        let expires_at_ms =
            self.when_expires.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| t.timestamp_millis());
        Ok(Session { provider_ref: self.id.clone(), redirect_url, secret: None, expires_at_ms, raw })
    }
}

#[async_trait]
impl PaymentProvider for Wave {
    fn provider(&self) -> Provider {
        Provider::Wave
    }

    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError> {
        let mut body = serde_json::json!({
            "amount": order.amount.to_string(),
            "currency": order.currency,
            "success_url": order.return_url,
            "error_url": order.return_url,
            "client_reference": order.payment_id,
        });
        if let Some(phone) = order.payer_phone {
            // Only this Wave account can pay the session.
            body["restrict_payer_mobile"] = phone.into();
        }
        // Idempotency-Key is documented for payouts; sent here too (harmless if ignored). The
        // real guard is the lookup by client_reference before any second create.
        let req = self.http.post(self.url("/v1/checkout/sessions")).header("Idempotency-Key", order.payment_id).json(&body);
        let raw = self.send(req).await?;
        read::<CheckoutSession>(&raw)?.session(raw)
    }

    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError> {
        let provider_ref = path_ref(session.provider_ref)?;
        let raw = self.send(self.http.get(self.url(&format!("/v1/checkout/sessions/{provider_ref}")))).await?;
        let s: CheckoutSession = read(&raw)?;
        Ok(Lookup { provider_ref: s.id.clone(), observed: s.observed(), raw })
    }

    async fn find_by_reference(&self, payment_id: &str) -> Result<Option<Session>, ProviderError> {
        #[derive(Deserialize)]
        struct Found {
            result: Vec<serde_json::Value>,
        }
        let req = self.http.get(self.url("/v1/checkout/sessions/search")).query(&[("client_reference", payment_id)]);
        let found: Found = read(&self.send(req).await?)?;
        for value in found.result {
            let raw = value.to_string();
            let s: CheckoutSession = read(&raw)?;
            if s.client_reference.as_deref() == Some(payment_id) && s.checkout_status == "open" {
                return s.session(raw).map(Some);
            }
        }
        Ok(None)
    }

    async fn refund(&self, provider_ref: &str) -> Result<String, ProviderError> {
        self.send(self.http.post(self.url(&format!("/v1/checkout/sessions/{provider_ref}/refund")))).await
    }

    async fn verify_webhook(&self, headers: Headers<'_>, body: &[u8], now_secs: i64) -> Result<WebhookHint, WebhookRejected> {
        let signature = header(headers, "wave-signature").ok_or(WebhookRejected::Unsigned)?;
        super::verify_hmac_header(signature, &self.config.webhook_secrets, now_secs, TOLERANCE_SECS, |t| [t.as_bytes(), body].concat())?;
        #[derive(Deserialize)]
        struct Envelope {
            id: String,
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            data: serde_json::Value,
        }
        let e: Envelope = serde_json::from_slice(body).map_err(|e| WebhookRejected::Unreadable(e.to_string()))?;
        let text = |k: &str| e.data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(WebhookHint {
            event_id: Some(e.id),
            client_reference: text("client_reference"),
            provider_ref: text("id"),
            secret: None,
            kind: e.kind,
        })
    }

    fn kept_headers(&self) -> &'static [&'static str] {
        &["wave-signature", "content-type", "user-agent"]
    }

    fn checkout_origin(&self) -> String {
        match self.config.base_url.trim_end_matches('/') == OFFICIAL_BASE_URL {
            true => "https://pay.wave.com".into(),
            // A sandbox serves its payment page itself.
            false => super::origin_of(&self.config.base_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(checkout: &str, payment: Option<&str>, error: Option<&str>) -> CheckoutSession {
        CheckoutSession {
            id: "cos-1".into(),
            amount: "1500".into(),
            currency: "XOF".into(),
            checkout_status: checkout.into(),
            payment_status: payment.map(Into::into),
            last_payment_error: error.map(|c| WaveError { code: c.into(), message: String::new() }),
            wave_launch_url: None,
            when_expires: None,
            when_refunded: None,
            client_reference: None,
        }
    }

    #[test]
    fn sessions_read_as_what_they_say() {
        assert_eq!(session("open", Some("processing"), None).observed(), Observed::Open);
        assert_eq!(session("complete", Some("succeeded"), None).observed(), Observed::Paid { amount: 1500, currency: "XOF".into() });
        assert_eq!(
            session("open", Some("processing"), Some("insufficient-funds")).observed(),
            Observed::Failed { reason: "insufficient-funds".into() }
        );
        assert_eq!(session("expired", Some("processing"), None).observed(), Observed::Expired);
        let mut odd = session("complete", Some("succeeded"), None);
        odd.amount = "1 500".into();
        assert_eq!(odd.observed(), Observed::Failed { reason: "amount-mismatch".into() }, "an unreadable amount proves nothing");
    }

    #[tokio::test]
    async fn webhooks_are_signed_over_the_timestamp_and_the_raw_body() {
        let wave = Wave::new(WaveConfig {
            base_url: OFFICIAL_BASE_URL.into(),
            api_key: "k".into(),
            webhook_secrets: vec!["wave_sn_WHS_test".into()],
            timeout: Duration::from_secs(1),
        });
        let body = br#"{"id":"AE_1","type":"checkout.session.completed","data":{"id":"cos-1","client_reference":"p1"}}"#;
        let sig = super::super::hmac_hex("wave_sn_WHS_test", &[b"1700000000".as_slice(), body].concat());
        let headers = vec![("wave-signature".to_owned(), format!("t=1700000000,v1={sig}"))];
        let hint = wave.verify_webhook(&headers, body, 1700000100).await.unwrap();
        assert_eq!(hint.client_reference.as_deref(), Some("p1"));
        assert_eq!(hint.provider_ref.as_deref(), Some("cos-1"));
        let dotted = super::super::hmac_hex("wave_sn_WHS_test", &[b"1700000000.".as_slice(), body].concat());
        let headers = vec![("Wave-Signature".to_owned(), format!("t=1700000000,v1={dotted}"))];
        assert_eq!(
            wave.verify_webhook(&headers, body, 1700000100).await,
            Err(WebhookRejected::BadSignature),
            "Stripe's scheme is not Wave's"
        );
    }
}
