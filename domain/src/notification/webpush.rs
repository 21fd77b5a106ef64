//! Web Push over HTTP (RFC 8030) with `web-push-native`: the payload encrypted to the browser's
//! keys (RFC 8291, `Content-Encoding: aes128gcm`), `Authorization: vapid t=<ES256 JWT>, k=<key>`
//! (RFC 8292; the JWT lives 12 hours, under the 24 hours push services accept), then `TTL`,
//! `Urgency` and `Topic` per message. Answers: 201 (or any 2xx) accepted; 404 and 410 the
//! subscription is gone; 429 and 5xx later; anything else (400, 401, 403, 413) refused.
//!
//! The VAPID key pair is Coko's identity towards every push service: a new one invalidates every
//! subscription, so it is made once ([`VapidKey::generate`]) and kept (the server keeps it in its
//! data directory).

use super::push::{PushAck, PushError, PushOptions, PushSender};
use super::PushDevice;
use async_trait::async_trait;
use base64::Engine;
use std::time::Duration;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};
use web_push_native::{p256, Auth, WebPushBuilder};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Coko's VAPID key pair (P-256).
pub struct VapidKey(ES256KeyPair);

impl VapidKey {
    pub fn generate() -> Self {
        VapidKey(ES256KeyPair::generate())
    }

    /// From the 32-byte private scalar, base64url (what [`Self::to_base64`] gives).
    pub fn from_base64(raw: &str) -> Result<Self, String> {
        let bytes = B64.decode(raw.trim().trim_end_matches('=')).map_err(|e| format!("not base64url: {e}"))?;
        ES256KeyPair::from_bytes(&bytes).map(VapidKey).map_err(|e| format!("not a P-256 private key: {e}"))
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0.to_bytes())
    }

    /// The public key browsers subscribe with (`applicationServerKey`), base64url.
    pub fn public_base64(&self) -> String {
        B64.encode(self.0.public_key().public_key().to_bytes_uncompressed())
    }
}

pub struct WebPush {
    key: VapidKey,
    /// `mailto:` or `https:` — how a push service reaches whoever runs this server.
    subject: String,
    http: reqwest::Client,
}

impl WebPush {
    pub fn new(key: VapidKey, subject: String, timeout: Duration) -> Self {
        let http = reqwest::Client::builder().timeout(timeout).redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default();
        WebPush { key, subject, http }
    }

    /// The request for one message (public for the tests that read its headers).
    pub fn request(&self, device: &PushDevice, payload: &[u8], options: &PushOptions) -> Result<http::Request<Vec<u8>>, PushError> {
        let refused = |what: &str| PushError::Refused(format!("subscription unusable: {what}"));
        let endpoint: http::Uri = device.endpoint.parse().map_err(|_| refused("endpoint"))?;
        let key =
            B64.decode(&device.p256dh).ok().and_then(|k| p256::PublicKey::from_sec1_bytes(&k).ok()).ok_or_else(|| refused("p256dh"))?;
        let auth = B64.decode(&device.auth).ok().filter(|a| a.len() == 16).ok_or_else(|| refused("auth"))?;
        let builder = WebPushBuilder::new(endpoint, key, *Auth::from_slice(&auth))
            .with_valid_duration(Duration::from_secs(12 * 3600))
            .with_vapid(&self.key.0, &self.subject);
        let mut req = builder.build(payload.to_vec()).map_err(|e| PushError::Refused(format!("encryption: {e}")))?;
        let headers = req.headers_mut();
        // The builder sets TTL to the JWT's lifetime; each kind has its own.
        headers.insert("ttl", http::HeaderValue::from(options.ttl_secs));
        headers.insert("urgency", http::HeaderValue::from_static(options.urgency));
        if let Some(topic) = options.topic {
            headers.insert("topic", http::HeaderValue::from_static(topic));
        }
        Ok(req)
    }
}

#[async_trait]
impl PushSender for WebPush {
    fn public_key(&self) -> String {
        self.key.public_base64()
    }

    async fn push(&self, device: &PushDevice, payload: &[u8], options: &PushOptions) -> Result<PushAck, PushError> {
        let req = self.request(device, payload, options)?;
        let (parts, body) = req.into_parts();
        let mut out = self.http.post(parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            out = out.header(name.as_str(), value.as_bytes());
        }
        let res = out.send().await.map_err(|e| PushError::Transient(format!("push service unreachable: {e}")))?;
        let status = res.status().as_u16();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text: String = res.text().await.unwrap_or_default().chars().take(200).collect();
        let answer = format!("push {status}{}", if text.trim().is_empty() { String::new() } else { format!(" {}", text.trim()) });
        match status {
            200..=299 => Ok(PushAck { answer: format!("push {status}{}", location.map(|l| format!(" {l}")).unwrap_or_default()) }),
            404 | 410 => Err(PushError::Gone(answer)),
            429 | 500..=599 => Err(PushError::Transient(answer)),
            _ => Err(PushError::Refused(answer)),
        }
    }
}
