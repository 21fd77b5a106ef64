//! A push service (RFC 8030) and the browser behind it, on loopback: what FCM, Mozilla's
//! autopush or Apple's service are to a real browser, for tests and the run command.
//!
//! - `POST /_sandbox/push/subscriptions` makes a browser's subscription: a P-256 key pair and a
//!   16-byte auth secret, kept here, and answers what `PushSubscription.toJSON()` gives
//!   (`{endpoint, expirationTime, keys: {p256dh, auth}}`), ready to hand to Coko.
//! - `POST /push/{id}` takes a message as push services do: `TTL` required (400 without),
//!   `Urgency` one of `very-low|low|normal|high`, `Topic` at most 32 base64url characters,
//!   `Content-Encoding: aes128gcm` (415 otherwise), a body of at most 4 096 bytes (413), and
//!   `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): the ES256 signature checked with `k`,
//!   `aud` the endpoint's origin, `exp` in the future and within 24 hours, `sub` a `mailto:` or
//!   `https:` URL (401 otherwise; 403 when `k` is not the key the subscription was made for,
//!   when `applicationServerKey` was given). Then it **decrypts the payload with the
//!   subscription's private key** (RFC 8291) — a message that does not decrypt is refused (400)
//!   — and answers 201 with a `Location`. A message with a `Topic` replaces an undelivered one
//!   with the same topic for the same subscription.
//! - A subscription removed (`DELETE /_sandbox/push/subscriptions/{id}`, as a browser that
//!   unsubscribed or was reset) answers 410 Gone; an unknown one 404.
//! - Departure: `web-push-native` puts `scheme://host` without the port in `aud`; real push
//!   services listen on 443, where the two agree. Here (a port on loopback) `aud` is compared
//!   with and without the port.
//! - `GET /_sandbox/push/messages`: what each subscription received, decrypted (`payload`
//!   parsed as JSON when it is), with its headers; `PUT /_sandbox/push/faults {status, calls}`
//!   answers the next `calls` messages with `status` (429, 503…).

use super::random_id;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::NoCustomClaims;
use web_push_native::jwt_simple::common::VerificationOptions;
use web_push_native::p256;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const MAX_BODY: usize = 4096;

struct Subscription {
    secret: p256::SecretKey,
    auth: [u8; 16],
    /// The VAPID key it was made for, when the subscriber gave one.
    server_key: Option<Vec<u8>>,
    gone: bool,
}

#[derive(Clone, serde::Serialize)]
struct Received {
    id: String,
    subscription: String,
    ttl: u64,
    urgency: String,
    topic: Option<String>,
    payload: Value,
    /// Replaced by a later message with the same topic before it was shown.
    replaced: bool,
    at: String,
}

#[derive(Default)]
struct Inner {
    subscriptions: HashMap<String, Subscription>,
    received: Vec<Received>,
    /// The next `calls` messages are answered with `status`.
    fault: Option<(u16, u32)>,
}

pub struct PushSandbox {
    public: String,
    inner: Mutex<Inner>,
}

impl PushSandbox {
    pub fn new(public: &str) -> Self {
        PushSandbox { public: public.trim_end_matches('/').to_owned(), inner: Mutex::default() }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type Shared = Arc<PushSandbox>;

pub fn routes(push: Shared) -> Router {
    Router::new()
        .route("/push/{id}", post(receive))
        .route("/_sandbox/push/subscriptions", post(subscribe))
        .route("/_sandbox/push/subscriptions/{id}", delete(unsubscribe))
        .route("/_sandbox/push/messages", get(messages))
        .route("/_sandbox/push/faults", put(faults))
        .with_state(push)
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SubscribeBody {
    /// The VAPID public key (base64url), as `pushManager.subscribe` takes it.
    application_server_key: Option<String>,
}

async fn subscribe(State(push): State<Shared>, body: Option<Json<SubscribeBody>>) -> Response {
    use rand::RngCore;
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let server_key = match body.application_server_key.as_deref().map(|k| B64.decode(k.trim_end_matches('='))) {
        None => None,
        Some(Ok(k)) if p256::PublicKey::from_sec1_bytes(&k).is_ok() => Some(k),
        Some(_) => return (StatusCode::BAD_REQUEST, "applicationServerKey is not a P-256 public key").into_response(),
    };
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let mut auth = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut auth);
    let public = secret.public_key();
    let p256dh = B64.encode(p256::EncodedPoint::from(public).as_bytes());
    let id = random_id("sub", 22);
    let endpoint = format!("{}/push/{id}", push.public);
    push.inner().subscriptions.insert(id.clone(), Subscription { secret, auth, server_key, gone: false });
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "endpoint": endpoint, "expirationTime": null, "keys": { "p256dh": p256dh, "auth": B64.encode(auth) } })),
    )
        .into_response()
}

async fn unsubscribe(State(push): State<Shared>, Path(id): Path<String>) -> StatusCode {
    match push.inner().subscriptions.get_mut(&id) {
        Some(s) => {
            s.gone = true;
            StatusCode::NO_CONTENT
        }
        None => StatusCode::NOT_FOUND,
    }
}

async fn messages(State(push): State<Shared>) -> Json<Value> {
    Json(json!({ "messages": push.inner().received }))
}

#[derive(serde::Deserialize)]
struct FaultBody {
    status: u16,
    calls: u32,
}

async fn faults(State(push): State<Shared>, Json(f): Json<FaultBody>) -> StatusCode {
    push.inner().fault = (f.calls > 0).then_some((f.status, f.calls));
    StatusCode::NO_CONTENT
}

fn refuse(status: StatusCode, why: &str) -> Response {
    (status, Json(json!({ "code": status.as_u16(), "error": why }))).into_response()
}

/// Checks `Authorization: vapid t=…, k=…` for a message to `endpoint`; the key it was signed with.
fn check_vapid(headers: &HeaderMap, endpoint: &str) -> Result<Vec<u8>, String> {
    let unauthorized = |why: &str| why.to_owned();
    let value = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(|| unauthorized("no Authorization"))?;
    let rest = value.strip_prefix("vapid ").ok_or_else(|| unauthorized("Authorization is not the vapid scheme"))?;
    let mut t = None;
    let mut k = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("t=") {
            t = Some(v);
        } else if let Some(v) = part.strip_prefix("k=") {
            k = Some(v);
        }
    }
    let (Some(token), Some(key)) = (t, k) else { return Err(unauthorized("vapid needs t= and k=")) };
    let key = B64.decode(key.trim_end_matches('=')).map_err(|_| unauthorized("k is not base64url"))?;
    let public = ES256PublicKey::from_bytes(&key).map_err(|_| unauthorized("k is not a P-256 public key"))?;
    let url = reqwest::Url::parse(endpoint).map_err(|_| unauthorized("endpoint"))?;
    let host = url.host_str().unwrap_or("");
    let origins: HashSet<String> = [format!("{}://{host}", url.scheme()), url.origin().ascii_serialization()].into_iter().collect();
    let options = VerificationOptions {
        allowed_audiences: Some(origins),
        time_tolerance: Some(web_push_native::jwt_simple::prelude::Duration::from_secs(60)),
        ..Default::default()
    };
    let claims = public.verify_token::<NoCustomClaims>(token, Some(options)).map_err(|e| unauthorized(&format!("JWT: {e}")))?;
    let now = web_push_native::jwt_simple::prelude::Clock::now_since_epoch();
    let exp = claims.expires_at.ok_or_else(|| unauthorized("JWT without exp"))?;
    if exp.as_secs() > now.as_secs() + 24 * 3600 {
        return Err(unauthorized("JWT exp more than 24 hours away"));
    }
    if !claims.subject.as_deref().is_some_and(|s| s.starts_with("mailto:") || s.starts_with("https://")) {
        return Err(unauthorized("JWT sub must be a mailto: or https: URL"));
    }
    Ok(key)
}

async fn receive(State(push): State<Shared>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let endpoint = format!("{}/push/{id}", push.public);
    let (secret, auth, server_key) = {
        let mut inner = push.inner();
        let Some(sub) = inner.subscriptions.get(&id) else { return refuse(StatusCode::NOT_FOUND, "no such subscription") };
        if sub.gone {
            return refuse(StatusCode::GONE, "the subscription has expired or was removed");
        }
        let found = (sub.secret.clone(), sub.auth, sub.server_key.clone());
        if let Some((status, calls)) = inner.fault {
            inner.fault = (calls > 1).then_some((status, calls - 1));
            return refuse(StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE), "fault asked for");
        }
        found
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let Some(ttl) = header("ttl").and_then(|t| t.parse::<u64>().ok()) else {
        return refuse(StatusCode::BAD_REQUEST, "TTL header required (RFC 8030 §5.2)");
    };
    let urgency = header("urgency").unwrap_or("normal").to_owned();
    if !matches!(urgency.as_str(), "very-low" | "low" | "normal" | "high") {
        return refuse(StatusCode::BAD_REQUEST, "Urgency must be very-low, low, normal or high");
    }
    let topic = header("topic").map(str::to_owned);
    if topic
        .as_deref()
        .is_some_and(|t| t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return refuse(StatusCode::BAD_REQUEST, "Topic must be at most 32 base64url characters");
    }
    if header("content-encoding") != Some("aes128gcm") {
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Content-Encoding must be aes128gcm (RFC 8291)");
    }
    if body.len() > MAX_BODY {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "a message is at most 4096 bytes");
    }
    let key = match check_vapid(&headers, &endpoint) {
        Ok(k) => k,
        Err(why) => return refuse(StatusCode::UNAUTHORIZED, &why),
    };
    if server_key.is_some_and(|k| k != key) {
        return refuse(StatusCode::FORBIDDEN, "signed with another key than the subscription's applicationServerKey");
    }
    let auth = *web_push_native::Auth::from_slice(&auth);
    let plain = match web_push_native::decrypt(body.to_vec(), &secret, &auth) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("the payload does not decrypt: {e}")),
    };
    let payload = serde_json::from_slice::<Value>(&plain).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&plain).into_owned()));
    let message = random_id("msg", 16);
    let mut inner = push.inner();
    if let Some(t) = &topic {
        for earlier in inner.received.iter_mut().filter(|m| m.subscription == id && m.topic.as_ref() == Some(t)) {
            earlier.replaced = true;
        }
    }
    inner.received.push(Received {
        id: message.clone(),
        subscription: id,
        ttl,
        urgency,
        topic,
        payload,
        replaced: false,
        at: chrono::Utc::now().to_rfc3339(),
    });
    (StatusCode::CREATED, [("location", format!("{}/m/{message}", push.public))]).into_response()
}
