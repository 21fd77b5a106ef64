//! The Web Push channel: a queued delivery becomes one encrypted message (RFC 8291, aes128gcm)
//! to one of the reader's browsers, through its push service (RFC 8030), signed with Coko's
//! VAPID key (RFC 8292) by the [`PushSender`] ([`super::webpush`]).
//!
//! - One delivery per browser (its key ends with the subscription's id): each is retried, logged
//!   and settled on its own, and a retry never reaches a browser that already has the message.
//! - The message is small JSON (`title`, `body`, `link`, `tag`) rendered in the reader's
//!   language; the service worker shows it and opens its link when clicked.
//! - `TTL`, `Urgency` and `Topic` are set per kind ([`options_for`]): a failed payment is urgent
//!   and worth little after an hour; a renewal reminder replaces an undelivered earlier one.
//! - A push service that answers 404 or 410 has forgotten the browser: the subscription is
//!   deleted and the delivery fails for good. 429 and 5xx are retried by the queue; any other
//!   refusal is final.
//! - Sent at most once per acknowledgement, as texts are: `sending` before the push service is
//!   asked, `sent` when it accepts. A crash between the two can repeat a message; its `Topic`
//!   (where the kind has one) and its `tag` make the browser replace rather than add it.

use super::templates::render;
use super::{Channel, DeliveryState, Kind, NotificationService, PushDevice};
use crate::account::AccountStore;
use crate::error::{FieldError, Reason};
use crate::jobs::{Handler, Job};
use crate::validation::Language;
use async_trait::async_trait;
use base64::Engine;
use std::sync::Arc;

pub const PUSH_QUEUE: &str = "notify.push";
/// Browsers a reader may register; the oldest is dropped for a new one beyond this.
pub const MAX_DEVICES: usize = 10;
/// Push services take records of 4 096 bytes; the text is cut well before.
const MAX_BODY_CHARS: usize = 600;

/// How a push service should treat a message (RFC 8030 §5.2–5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOptions {
    /// Seconds the push service keeps it for a browser that is offline (0: now or never).
    pub ttl_secs: u32,
    /// `very-low`, `low`, `normal` or `high`.
    pub urgency: &'static str,
    /// An undelivered message with the same topic is replaced by this one (≤ 32 base64url).
    pub topic: Option<&'static str>,
}

/// The options of a kind of message.
pub fn options_for(kind: Kind) -> PushOptions {
    let day = 86_400;
    match kind {
        Kind::PaymentFailed => PushOptions { ttl_secs: 3_600, urgency: "high", topic: None },
        Kind::PaymentReceipt | Kind::PaymentRefund => PushOptions { ttl_secs: day, urgency: "normal", topic: None },
        Kind::RenewalReminder => PushOptions { ttl_secs: day, urgency: "low", topic: Some("renewal") },
        Kind::Test => PushOptions { ttl_secs: 600, urgency: "normal", topic: Some("test") },
        _ => PushOptions { ttl_secs: day, urgency: "normal", topic: None },
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAck {
    /// The push service's status and the message's `Location`, when it gave one.
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushError {
    /// 404/410: the push service no longer knows this browser.
    Gone(String),
    /// Sending it again would fail the same way.
    Refused(String),
    /// Worth another try later (429, 5xx, no answer).
    Transient(String),
}

/// Sends one encrypted message to one browser.
#[async_trait]
pub trait PushSender: Send + Sync + 'static {
    /// The VAPID public key browsers subscribe with (base64url, 65 bytes uncompressed).
    fn public_key(&self) -> String;
    async fn push(&self, device: &PushDevice, payload: &[u8], options: &PushOptions) -> Result<PushAck, PushError>;
}

/// What the service worker shows: a notice in the reader's language.
pub fn payload(kind: Kind, params: &serde_json::Map<String, serde_json::Value>, lang: Language, link: Option<&str>, tag: &str) -> Vec<u8> {
    let r = render(kind, params, lang);
    let first = r.body.split("\n\n").next().unwrap_or("").trim();
    let body: String = first.chars().take(MAX_BODY_CHARS).collect();
    let json = serde_json::json!({
        "title": r.title,
        "body": body,
        "link": link.unwrap_or("/notifications"),
        "tag": tag,
        "lang": lang.as_str(),
        "dir": if lang == Language::Ar { "rtl" } else { "ltr" },
    });
    serde_json::to_vec(&json).unwrap_or_default()
}

/// What a browser's `PushSubscription.toJSON()` gives, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub device: String,
}

impl NewDevice {
    /// Checks a subscription: an `https` endpoint on a named host (no address literal, no
    /// credentials: Coko must not be made to post to its own network), unless `loopback_ok`
    /// (the sandbox, in development and tests); a P-256 point and a 16-byte secret.
    pub fn parse(endpoint: &str, p256dh: &str, auth: &str, device: &str, loopback_ok: bool) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let endpoint = endpoint.trim();
        if endpoint.is_empty() {
            errors.push(FieldError::new("endpoint", Reason::Required));
        } else if endpoint.len() > 1000 || !endpoint_allowed(endpoint, loopback_ok) {
            errors.push(FieldError::new("endpoint", Reason::InvalidFormat));
        }
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = b64.decode(p256dh.trim().trim_end_matches('='));
        if !key.is_ok_and(|k| k.len() == 65 && web_push_native::p256::PublicKey::from_sec1_bytes(&k).is_ok()) {
            errors.push(FieldError::new("p256dh", Reason::InvalidFormat));
        }
        if !b64.decode(auth.trim().trim_end_matches('=')).is_ok_and(|a| a.len() == 16) {
            errors.push(FieldError::new("auth", Reason::InvalidFormat));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let device: String = device.chars().filter(|c| !c.is_control()).take(80).collect();
        Ok(NewDevice {
            endpoint: endpoint.to_owned(),
            p256dh: p256dh.trim().trim_end_matches('=').to_owned(),
            auth: auth.trim().trim_end_matches('=').to_owned(),
            device: if device.trim().is_empty() { "?".into() } else { device.trim().to_owned() },
        })
    }
}

fn endpoint_allowed(endpoint: &str, loopback_ok: bool) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else { return false };
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return false;
    }
    let host = url.host_str().unwrap_or("");
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    // `domain()` is `None` for address literals.
    let named = url.domain().is_some_and(|d| d.contains('.') && d != "localhost");
    match url.scheme() {
        "https" if named => url.port().is_none(),
        "http" | "https" => loopback_ok && loopback,
        _ => false,
    }
}

/// A short name for a browser from its `User-Agent` ("Chrome · Android").
pub fn device_name(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("SamsungBrowser") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "Navigateur"
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    if system.is_empty() {
        browser.to_owned()
    } else {
        format!("{browser} · {system}")
    }
}

pub struct PushDeliveries {
    pub service: NotificationService,
    pub accounts: Arc<dyn AccountStore>,
    pub sender: Arc<dyn PushSender>,
}

#[async_trait]
impl Handler for PushDeliveries {
    fn queue(&self) -> &'static str {
        PUSH_QUEUE
    }

    fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(60)
    }

    async fn run(&self, job: &Job) -> Result<(), String> {
        let err = |e: crate::store::StoreError| e.to_string();
        let Some(open) = self.service.open_delivery(self.accounts.as_ref(), job).await? else { return Ok(()) };
        let (key, d, user) = (open.key.as_str(), &open.d, &open.user);
        let store = self.service.store();
        let now = crate::clock::now_ms;
        let skip = |why: &'static str| self.service.settle_delivery(key, DeliveryState::Skipped, why);
        let device_id = d.delivery.address.clone().unwrap_or_default();
        let Some(device) = store.push_device(&device_id).await.map_err(err)?.filter(|p| p.user_id == user.id) else {
            return skip("the browser was removed").await;
        };
        let prefs = self.service.preferences(user).await.map_err(err)?;
        if !prefs.allows(d.delivery.category, Channel::Push) {
            return skip("turned off by the reader").await;
        }
        let tag = key.rsplit_once(":push").map(|(source, _)| source).unwrap_or(key);
        let body = payload(d.delivery.kind, &d.params, user.language, d.link.as_deref(), &short_tag(tag));
        store.set_delivery(key, DeliveryState::Sending, None, true, now()).await.map_err(err)?;
        match self.sender.push(&device, &body, &options_for(d.delivery.kind)).await {
            Ok(ack) => {
                store.push_sent(&device.id, now()).await.map_err(err)?;
                self.service.settle_delivery(key, DeliveryState::Sent, &ack.answer).await
            }
            Err(PushError::Gone(why)) => {
                self.service.forget_push_device(&device.id).await.map_err(err)?;
                self.service.settle_delivery(key, DeliveryState::Failed, &why).await
            }
            Err(PushError::Refused(why)) => self.service.settle_delivery(key, DeliveryState::Failed, &why).await,
            Err(PushError::Transient(why)) => self.service.retry_later(key, job, why).await,
        }
    }
}

/// A notification tag the browser replaces by (the notice's source, hashed short).
fn short_tag(source: &str) -> String {
    crate::account::tokens::digest(source).chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
    const AUTH: &str = "tBHItJI5svbpez7KI4CCXg";

    #[test]
    fn subscriptions_must_be_https_on_a_named_host_with_real_keys() {
        let ok = NewDevice::parse("https://fcm.googleapis.com/fcm/send/abc:def", KEY, AUTH, "Chrome · Android", false);
        assert!(ok.is_ok(), "{ok:?}");
        for bad in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://127.0.0.1/push",
            "https://10.0.0.1/push",
            "https://[::1]/push",
            "https://localhost/push",
            "https://user:pw@push.example.com/x",
            "https://push.example.com:8443/x",
            "file:///etc/passwd",
            "https://intranet/push",
        ] {
            let e = NewDevice::parse(bad, KEY, AUTH, "", false).unwrap_err();
            assert_eq!(e[0].field, "endpoint", "{bad}");
        }
        assert!(NewDevice::parse("http://127.0.0.1:4010/push/x", KEY, AUTH, "", true).is_ok());
        assert!(NewDevice::parse("http://127.0.0.1:4010/push/x", KEY, AUTH, "", false).is_err());
        let e = NewDevice::parse("https://push.example.com/x", "AAAA", "short", "", false).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["p256dh", "auth"]);
    }

    #[test]
    fn browsers_get_short_names() {
        let android = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        assert_eq!(device_name(android), "Chrome · Android");
        assert_eq!(device_name("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"), "Firefox · Linux");
    }

    #[test]
    fn payloads_are_small_and_in_the_readers_language() {
        let p = serde_json::json!({"item": "book", "title": "La Route de Kankan", "amount": 1500, "currency": "XOF", "provider": "Wave"});
        let body = payload(Kind::PaymentReceipt, p.as_object().unwrap(), Language::Ar, Some("/achats"), "t");
        assert!(body.len() < 1500);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((v["link"].as_str(), v["dir"].as_str(), v["lang"].as_str()), (Some("/achats"), Some("rtl"), Some("ar")));
        assert_eq!(options_for(Kind::PaymentFailed).urgency, "high");
        assert_eq!(options_for(Kind::RenewalReminder).topic, Some("renewal"));
    }
}
