//! The providers' port, [`PaymentProvider`], and one adapter per provider speaking its
//! documented HTTP contract to a configurable base URL (the official one in production, the
//! project's sandbox in tests and the embedded default: `server/src/sandbox/`).

pub mod orange;
pub mod paypal;
pub mod stripe;
pub mod wave;

use super::state::Observed;
use super::Provider;
use async_trait::async_trait;
use std::time::Duration;

/// What a provider needs to open a session for a payment.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    /// Coko's payment id: the provider's client reference.
    pub payment_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub title: &'a str,
    pub payer_phone: Option<&'a str>,
    /// Where the payer comes back to (success and failure alike: the page asks Coko, which
    /// asks the provider; a redirect proves nothing).
    pub return_url: &'a str,
    /// Where the provider notifies Coko, for providers that take it per order (Orange); the
    /// others have it registered in their dashboard.
    pub notify_url: &'a str,
    /// How many sessions were asked for this payment before (an answer lost on the way): a
    /// provider that refuses a reused order id gets a fresh one.
    pub attempt: u32,
    pub language: crate::validation::Language,
}

/// A session to look up: the provider's id for it, and the order it was opened for (Orange's
/// status is asked by order id, amount and token together).
#[derive(Debug, Clone, Copy)]
pub struct SessionRef<'a> {
    pub provider_ref: &'a str,
    pub payment_id: &'a str,
    pub amount: i64,
    pub currency: &'a str,
}

/// A provider's session: where to send the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub provider_ref: String,
    pub redirect_url: String,
    /// A value the provider gave for this session only, to check its notifications by.
    pub secret: Option<String>,
    pub expires_at_ms: Option<i64>,
    /// The provider's answer, kept with the payment's history.
    pub raw: String,
}

/// A session as a lookup found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub provider_ref: String,
    pub observed: Observed,
    pub raw: String,
}

/// A verified webhook: which payment it is about (only a hint: the payment is looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookHint {
    pub event_id: Option<String>,
    /// Coko's payment id, when the event carries it.
    pub client_reference: Option<String>,
    pub provider_ref: Option<String>,
    /// A value the provider gave for this payment only, which the notification carries back
    /// (Orange's `notif_token`): the payment is found by it, and no payment, no trust.
    pub secret: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Down, slow or answering 5xx: try again later; nothing is known about the request's effect.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request (4xx) with its code.
    #[error("refused by the provider: {code}: {message}")]
    Refused { code: String, message: String },
    /// The provider does not know the session.
    #[error("unknown to the provider")]
    NotFound,
    /// An answer we cannot read.
    #[error("unreadable answer from the provider: {0}")]
    Protocol(String),
}

/// Why a webhook is refused (answered 401, nothing changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRejected {
    #[error("no signature")]
    Unsigned,
    #[error("bad signature")]
    BadSignature,
    #[error("timestamp outside the tolerance")]
    Stale,
    #[error("unreadable body: {0}")]
    Unreadable(String),
    /// The provider that verifies its own webhooks (PayPal) could not be asked: answered 503
    /// so that it sends the webhook again.
    #[error("could not be verified now: {0}")]
    Unverifiable(String),
}

/// A request's headers, as the adapters read them (names lower-case).
pub type Headers<'a> = &'a [(String, String)];

pub fn header<'a>(headers: Headers<'a>, name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// One payment provider, as Coko uses it.
#[async_trait]
pub trait PaymentProvider: Send + Sync + 'static {
    fn provider(&self) -> Provider;
    /// Opens a session for `order`.
    async fn create(&self, order: &Order<'_>) -> Result<Session, ProviderError>;
    /// Where a session stands.
    async fn lookup(&self, session: &SessionRef<'_>) -> Result<Lookup, ProviderError>;
    /// The session opened for a payment id, if any (after a create whose answer was lost).
    async fn find_by_reference(&self, payment_id: &str) -> Result<Option<Session>, ProviderError>;
    /// Gives the whole amount back.
    async fn refund(&self, provider_ref: &str) -> Result<String, ProviderError>;
    /// Checks a webhook's signature on its raw body at `now_secs`, and reads which payment it
    /// is about.
    async fn verify_webhook(&self, headers: Headers<'_>, body: &[u8], now_secs: i64) -> Result<WebhookHint, WebhookRejected>;
    /// The headers kept with a webhook in the payment's history.
    fn kept_headers(&self) -> &'static [&'static str];
    /// The origin of the provider's payment page (`https://pay.wave.com`): the checkout form's
    /// `form-action` must allow it, since the form's answer redirects there.
    fn checkout_origin(&self) -> String;
}

/// Reads a provider's JSON answer.
pub(crate) fn read<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ProviderError> {
    serde_json::from_str(body).map_err(|e| ProviderError::Protocol(e.to_string()))
}

/// A provider id safe to put in a URL path (letters, digits, `-`, `_`), or not found.
pub(crate) fn path_ref(provider_ref: &str) -> Result<&str, ProviderError> {
    match !provider_ref.is_empty() && provider_ref.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        true => Ok(provider_ref),
        false => Err(ProviderError::NotFound),
    }
}

/// `scheme://host[:port]` of `url`.
pub fn origin_of(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    url[..end].to_owned()
}

/// The HTTP client every adapter uses: a timeout on every call.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("Coko/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client with rustls")
}

/// A client-credentials OAuth token (Orange, PayPal): asked with the client id and secret in
/// Basic auth, kept until a minute before it ends; a call answered 401 (a token revoked or
/// ended early) is tried once more with a new one.
pub(crate) struct OAuth {
    token_url: String,
    client_id: String,
    client_secret: String,
    cached: tokio::sync::Mutex<Option<(String, std::time::Instant)>>,
}

impl OAuth {
    pub(crate) fn new(token_url: String, client_id: &str, client_secret: &str) -> Self {
        OAuth { token_url, client_id: client_id.to_owned(), client_secret: client_secret.to_owned(), cached: Default::default() }
    }

    async fn token<A, F>(&self, http: &reqwest::Client, fresh: bool, answer: &A) -> Result<String, ProviderError>
    where
        A: Fn(reqwest::Response) -> F,
        F: std::future::Future<Output = Result<String, ProviderError>>,
    {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref() {
            if !fresh && std::time::Instant::now() < *until {
                return Ok(token.clone());
            }
        }
        #[derive(serde::Deserialize)]
        struct Token {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let req = http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .header("accept", "application/json")
            .form(&[("grant_type", "client_credentials")]);
        let t: Token = read(&answer(req.send().await.map_err(unavailable)?).await?)?;
        let life = Duration::from_secs(t.expires_in.unwrap_or(3600).saturating_sub(60).max(30));
        *cached = Some((t.access_token.clone(), std::time::Instant::now() + life));
        Ok(t.access_token)
    }

    /// The request `build` makes, with the bearer token; its body, or the provider's error as
    /// `answer` reads it.
    pub(crate) async fn call<A, F>(
        &self,
        http: &reqwest::Client,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        answer: A,
    ) -> Result<String, ProviderError>
    where
        A: Fn(reqwest::Response) -> F,
        F: std::future::Future<Output = Result<String, ProviderError>>,
    {
        for fresh in [false, true] {
            let token = self.token(http, fresh, &answer).await?;
            let res = build(http).bearer_auth(&token).send().await.map_err(unavailable)?;
            if res.status() == reqwest::StatusCode::UNAUTHORIZED && !fresh {
                continue;
            }
            return answer(res).await;
        }
        Err(ProviderError::Unavailable("the token was refused twice".into()))
    }
}

/// A transport failure, as [`ProviderError::Unavailable`].
fn unavailable(e: reqwest::Error) -> ProviderError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "unreachable"
    } else {
        "failed"
    };
    ProviderError::Unavailable(format!("{what}: {e}"))
}

/// Hex HMAC-SHA256 signatures (`t=…,v1=…[,v1=…]`), as Wave and Stripe sign: `message` is what
/// was signed for `t`; any `v1` matching any of `secrets` passes, compared in constant time;
/// `t` more than `tolerance` seconds from `now` is refused (a replay).
pub fn verify_hmac_header(
    header: &str,
    secrets: &[String],
    now_secs: i64,
    tolerance_secs: i64,
    message: impl Fn(&str) -> Vec<u8>,
) -> Result<(), WebhookRejected> {
    use hmac::{Hmac, Mac};
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v),
            Some(("v1", v)) => signatures.push(v),
            _ => {}
        }
    }
    let (Some(t), false) = (t, signatures.is_empty()) else { return Err(WebhookRejected::Unsigned) };
    let at: i64 = t.parse().map_err(|_| WebhookRejected::Unsigned)?;
    let signed = message(t);
    let matches = signatures.iter().filter_map(|s| hex::decode(s).ok()).any(|sig| {
        secrets.iter().any(|secret| {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
            mac.update(&signed);
            mac.verify_slice(&sig).is_ok()
        })
    });
    if !matches {
        return Err(WebhookRejected::BadSignature);
    }
    // Checked after the signature: an attacker learns nothing from the answer's timing.
    if (now_secs - at).abs() > tolerance_secs {
        return Err(WebhookRejected::Stale);
    }
    Ok(())
}

/// Signs `message` as [`verify_hmac_header`] checks it (the sandboxes and tests sign with it).
pub fn hmac_hex(secret: &str, message: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_headers_accept_any_current_secret_within_the_tolerance() {
        let body = br#"{"id":"AE_1"}"#;
        let message = |t: &str| [t.as_bytes(), body].concat();
        let sig = hmac_hex("old", &message("1000"));
        let rotated = format!("t=1000,v1={},v1={sig}", hmac_hex("new", &message("1000")));
        let secrets = ["old".to_owned()];
        assert_eq!(verify_hmac_header(&rotated, &secrets, 1100, 300, message), Ok(()), "one of several v1 is ours");
        assert_eq!(verify_hmac_header(&rotated, &secrets, 1301, 300, message), Err(WebhookRejected::Stale));
        assert_eq!(verify_hmac_header(&rotated, &["other".into()], 1000, 300, message), Err(WebhookRejected::BadSignature));
        assert_eq!(verify_hmac_header("t=1000", &secrets, 1000, 300, message), Err(WebhookRejected::Unsigned));
        let tampered = |t: &str| [t.as_bytes(), b"{\"id\":\"AE_2\"}"].concat();
        assert_eq!(verify_hmac_header(&rotated, &secrets, 1000, 300, tampered), Err(WebhookRejected::BadSignature));
    }
}
