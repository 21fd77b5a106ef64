//! What every provider sandbox shares: the webhooks it sends (signed as its provider signs,
//! retried until a 2xx, delivered late, twice, never or out of order on request), the faults
//! its API shows on request, and the `/_sandbox/{provider}/…` switches for both.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a sandbox delivers webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Once, at once (retried until a 2xx).
    Normal,
    /// Once, after `late_ms`.
    Late,
    /// The same event (same id) twice.
    Twice,
    /// Never: only a lookup tells what happened.
    Never,
    /// Each event after a random 0–3 s, so that a later event may arrive first.
    Shuffled,
}

impl Delivery {
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(Value::String(s.trim().to_owned())).ok()
    }
}

/// What the next API calls do instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ApiFault {
    #[default]
    None,
    /// A 500.
    Error,
    /// No answer for 30 s (longer than any client's timeout).
    Timeout,
    /// A creation is made, but its answer never comes (a lost response).
    LoseAnswer,
}

/// Where and how webhooks go at start-up.
#[derive(Debug, Clone)]
pub struct HookSettings {
    pub url: Option<String>,
    pub secret: String,
    pub delivery: Delivery,
    pub late_ms: u64,
}

/// The headers a delivery carries, for (secret, unix time, body).
pub type SignHeaders = Box<dyn Fn(&str, i64, &str) -> Vec<(String, String)> + Send + Sync>;

/// How a provider signs: the headers a delivery carries for (secret, unix time, body) — one
/// signature (Wave, Stripe), none (Orange: its notifications carry only their order's token),
/// or PayPal's five transmission headers.
pub struct Signer {
    pub headers: SignHeaders,
    pub user_agent: &'static str,
    /// How the body is sent: JSON for the payment providers, a form for Africa's Talking's reports.
    pub content_type: &'static str,
}

impl Signer {
    /// One header, `name`, whose value `sign` computes.
    pub fn one(name: &'static str, sign: fn(&str, i64, &str) -> String, user_agent: &'static str) -> Self {
        Signer {
            headers: Box::new(move |secret, t, body| vec![(name.to_owned(), sign(secret, t, body))]),
            user_agent,
            content_type: "application/json",
        }
    }
}

/// One webhook sent (or held back), for tests to read.
#[derive(Debug, Clone, serde::Serialize)]
struct DeliveryRecord {
    event_id: String,
    #[serde(rename = "type")]
    kind: String,
    session_id: String,
    attempts: u32,
    /// The last HTTP status Coko answered, if it answered.
    status: Option<u16>,
    delivered: bool,
    withheld: bool,
}

struct Inner {
    settings: HookSettings,
    deliveries: Vec<DeliveryRecord>,
    /// The last event about each session (id, kind, body, the order's own URL), for `resend`.
    last_event: HashMap<String, (String, String, String, Option<String>)>,
    fault: ApiFault,
    fault_calls: u32,
}

pub struct Hooks {
    inner: Mutex<Inner>,
    signer: Signer,
    http: reqwest::Client,
}

impl Hooks {
    pub fn new(settings: HookSettings, signer: Signer) -> Arc<Self> {
        let inner = Inner { settings, deliveries: Vec::new(), last_event: HashMap::new(), fault: ApiFault::None, fault_calls: 0 };
        let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().expect("an HTTP client");
        Arc::new(Hooks { inner: Mutex::new(inner), signer, http })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fault this API call shows (one call of it used up). A lost answer belongs to a
    /// creation: other calls leave it for the next one.
    pub fn take_fault(&self, creating: bool) -> ApiFault {
        let mut inner = self.lock();
        let fault = match inner.fault {
            ApiFault::LoseAnswer if !creating => ApiFault::None,
            f => f,
        };
        if fault != ApiFault::None && inner.fault_calls > 0 {
            inner.fault_calls -= 1;
            if inner.fault_calls == 0 {
                inner.fault = ApiFault::None;
            }
        }
        fault
    }

    /// Sends event `event_id` of `kind` about `session` (its JSON `body`), as the settings say,
    /// to the registered webhook URL.
    pub fn send(self: &Arc<Self>, session: &str, event_id: &str, kind: &str, body: String) {
        self.send_to(session, event_id, kind, body, None)
    }

    /// [`Self::send`], to `url` when the order named its own (Orange's `notif_url`).
    pub fn send_to(self: &Arc<Self>, session: &str, event_id: &str, kind: &str, body: String, url: Option<String>) {
        let mut inner = self.lock();
        inner.last_event.insert(session.to_owned(), (event_id.to_owned(), kind.to_owned(), body.clone(), url.clone()));
        let settings = inner.settings.clone();
        let record = |withheld| DeliveryRecord {
            event_id: event_id.to_owned(),
            kind: kind.to_owned(),
            session_id: session.to_owned(),
            attempts: 0,
            status: None,
            delivered: false,
            withheld,
        };
        if settings.delivery == Delivery::Never || (url.is_none() && settings.url.is_none()) {
            inner.deliveries.push(record(true));
            return;
        }
        let copies = if settings.delivery == Delivery::Twice { 2 } else { 1 };
        for _ in 0..copies {
            let index = inner.deliveries.len();
            inner.deliveries.push(record(false));
            let delay = match settings.delivery {
                Delivery::Late => Duration::from_millis(settings.late_ms),
                Delivery::Shuffled => Duration::from_millis(rand::Rng::gen_range(&mut rand::thread_rng(), 0..3000)),
                _ => Duration::ZERO,
            };
            tokio::spawn(self.clone().deliver(index, body.clone(), delay, url.clone()));
        }
    }

    /// POSTs one event until Coko answers 2xx: after 1, 2, 4… s, eight attempts at most (the
    /// providers retry for days), each signed afresh with the time of sending.
    async fn deliver(self: Arc<Self>, index: usize, body: String, delay: Duration, to: Option<String>) {
        tokio::time::sleep(delay).await;
        for attempt in 1..=8u32 {
            let (url, secret) = {
                let inner = self.lock();
                (to.clone().or_else(|| inner.settings.url.clone()), inner.settings.secret.clone())
            };
            let Some(url) = url else { return };
            let mut req = self
                .http
                .post(&url)
                .header("content-type", self.signer.content_type)
                .header("user-agent", self.signer.user_agent)
                .body(body.clone());
            for (name, value) in (self.signer.headers)(&secret, chrono::Utc::now().timestamp(), &body) {
                req = req.header(name, value);
            }
            let res = req.send().await;
            let status = res.as_ref().ok().map(|r| r.status().as_u16());
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            if let Some(r) = self.lock().deliveries.get_mut(index) {
                r.attempts = attempt;
                r.status = status;
                r.delivered = ok;
            }
            if ok {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1 << (attempt - 1).min(5))).await;
        }
    }
}

#[derive(Deserialize)]
struct WebhookSettings {
    url: Option<String>,
    secret: Option<String>,
}

#[derive(Deserialize)]
struct Faults {
    /// What the next API calls do: `none`, `error`, `timeout`, `lose_answer`.
    #[serde(default)]
    api: ApiFault,
    /// How many calls it lasts (default 1).
    #[serde(default)]
    calls: Option<u32>,
    delivery: Option<Delivery>,
    late_ms: Option<u64>,
}

/// `/_sandbox/{name}/webhook` (what a merchant registers in the provider's dashboard),
/// `/faults`, `/deliveries`, `/sessions/{id}/resend` (the same event again, same id).
pub fn control_routes(name: &str, hooks: Arc<Hooks>) -> Router {
    let base = format!("/_sandbox/{name}");
    Router::new()
        .route(&format!("{base}/webhook"), put(register))
        .route(&format!("{base}/faults"), put(set_faults))
        .route(&format!("{base}/deliveries"), get(deliveries))
        .route(&format!("{base}/sessions/{{id}}/resend"), post(resend))
        .with_state(hooks)
}

async fn register(State(h): State<Arc<Hooks>>, Json(s): Json<WebhookSettings>) -> StatusCode {
    let mut inner = h.lock();
    inner.settings.url = s.url;
    if let Some(secret) = s.secret {
        inner.settings.secret = secret;
    }
    StatusCode::NO_CONTENT
}

async fn set_faults(State(h): State<Arc<Hooks>>, Json(f): Json<Faults>) -> StatusCode {
    let mut inner = h.lock();
    inner.fault = f.api;
    inner.fault_calls = if f.api == ApiFault::None { 0 } else { f.calls.unwrap_or(1).max(1) };
    if let Some(d) = f.delivery {
        inner.settings.delivery = d;
    }
    if let Some(ms) = f.late_ms {
        inner.settings.late_ms = ms;
    }
    StatusCode::NO_CONTENT
}

async fn deliveries(State(h): State<Arc<Hooks>>) -> Json<Value> {
    Json(json!({ "deliveries": h.lock().deliveries }))
}

async fn resend(State(h): State<Arc<Hooks>>, Path(id): Path<String>) -> StatusCode {
    let mut inner = h.lock();
    let Some((event_id, kind, body, url)) = inner.last_event.get(&id).cloned() else { return StatusCode::NOT_FOUND };
    let index = inner.deliveries.len();
    inner.deliveries.push(DeliveryRecord { event_id, kind, session_id: id, attempts: 0, status: None, delivered: false, withheld: false });
    drop(inner);
    tokio::spawn(h.clone().deliver(index, body, Duration::ZERO, url));
    StatusCode::ACCEPTED
}
