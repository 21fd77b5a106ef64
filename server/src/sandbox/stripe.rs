//! Stripe Checkout as documented (docs.stripe.com/api/checkout/sessions, /api/refunds,
//! /webhooks; `../shared/research/payments.md` §3), served under `/stripe`: form-encoded
//! requests with bracket keys and a bearer secret key, `Idempotency-Key` replays, Stripe's
//! error body `{"error": {type, code, param, message}}`, sessions that expire (30 min to 24 h),
//! `expand[]=payment_intent.latest_charge`, refunds by payment intent, and webhooks
//! `{id, object: "event", type, data: {object}}` signed `Stripe-Signature: t=…,v1=HMAC(t.body)`.
//!
//! The hosted page (checkout.stripe.com's stand-in) takes Stripe's test cards: 4242 4242 4242
//! 4242 pays, 4000 0000 0000 0002 is declined (the session stays open, as Stripe's does).
//! Chosen here where Stripe is silent or too big to copy: the list endpoint filters only on
//! `created[gte]` and `limit`; no customer, tax or subscription objects.

use super::hooks::{ApiFault, HookSettings, Hooks, Signer};
use super::{esc, random_id};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    pub hooks: HookSettings,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    status: &'static str,
    payment_status: &'static str,
    amount: i64,
    currency: String,
    name: String,
    client_reference_id: Option<String>,
    metadata: serde_json::Map<String, Value>,
    success_url: String,
    cancel_url: String,
    created: i64,
    expires_at: i64,
    payment_intent: Option<String>,
    charge: Option<String>,
    refunded: bool,
}

impl Session {
    fn age(&mut self) {
        if self.status == "open" && Utc::now().timestamp() >= self.expires_at {
            self.status = "expired";
        }
    }

    fn charge_json(&self) -> Value {
        json!({
            "id": self.charge, "object": "charge", "amount": self.amount, "currency": self.currency,
            "paid": true, "refunded": self.refunded, "amount_refunded": if self.refunded { self.amount } else { 0 },
            "payment_intent": self.payment_intent,
        })
    }

    fn to_json(&self, public: &str, expand: &[String]) -> Value {
        let intent = match (&self.payment_intent, expand.iter().any(|e| e.starts_with("payment_intent"))) {
            (Some(id), true) => {
                let charge = match expand.iter().any(|e| e == "payment_intent.latest_charge") {
                    true => self.charge_json(),
                    false => json!(self.charge),
                };
                json!({"id": id, "object": "payment_intent", "amount": self.amount, "currency": self.currency, "status": "succeeded", "latest_charge": charge})
            }
            (Some(id), false) => json!(id),
            (None, _) => Value::Null,
        };
        json!({
            "id": self.id,
            "object": "checkout.session",
            "mode": "payment",
            "url": if self.status == "open" { json!(format!("{public}/stripe/pay/{}", self.id)) } else { Value::Null },
            "status": self.status,
            "payment_status": self.payment_status,
            "amount_total": self.amount,
            "amount_subtotal": self.amount,
            "currency": self.currency,
            "client_reference_id": self.client_reference_id,
            "metadata": self.metadata,
            "success_url": self.success_url,
            "cancel_url": self.cancel_url,
            "created": self.created,
            "expires_at": self.expires_at,
            "livemode": false,
            "payment_intent": intent,
        })
    }
}

struct Inner {
    sessions: HashMap<String, Session>,
    /// Idempotency keys seen, with the answer given (Stripe replays it).
    replays: HashMap<String, (StatusCode, Value)>,
    secret_key: String,
}

pub struct StripeSandbox {
    public: String,
    inner: Mutex<Inner>,
    hooks: Arc<Hooks>,
}

/// Stripe's signature: `t=<unix>,v1=hex(HMAC-SHA256(whsec, t + "." + body))`.
fn sign(secret: &str, t: i64, body: &str) -> String {
    let message = format!("{t}.{body}");
    format!("t={t},v1={}", domain::payment::providers::hmac_hex(secret, message.as_bytes()))
}

impl StripeSandbox {
    pub fn new(settings: StripeSettings, public: &str) -> Self {
        let signer = Signer::one("stripe-signature", sign, "Stripe/1.0 (+https://stripe.com/docs/webhooks; Coko sandbox)");
        StripeSandbox {
            public: public.trim_end_matches('/').to_owned(),
            inner: Mutex::new(Inner { sessions: HashMap::new(), replays: HashMap::new(), secret_key: settings.secret_key }),
            hooks: Hooks::new(settings.hooks, signer),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `/_sandbox/stripe/…` switches, served at the root.
    pub fn control(&self) -> Router {
        super::hooks::control_routes("stripe", self.hooks.clone())
    }
}

type Shared = Arc<StripeSandbox>;

/// Stripe's API and hosted page, to be nested under `/stripe`.
pub fn routes(stripe: Shared) -> Router {
    Router::new()
        .route("/v1/checkout/sessions", post(create).get(list))
        .route("/v1/checkout/sessions/{id}", get(retrieve))
        .route("/v1/refunds", post(refund))
        .route("/pay/{id}", get(hosted_page).post(pay))
        .with_state(stripe)
}

fn error(status: StatusCode, kind: &str, code: Option<&str>, param: Option<&str>, message: &str) -> Response {
    (status, Json(json!({"error": {"type": kind, "code": code, "param": param, "message": message}}))).into_response()
}

fn invalid(code: &str, param: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", Some(code), Some(param), message)
}

fn missing(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        Some("id"),
        &format!("No such checkout.session: '{id}'"),
    )
}

async fn guard(s: &StripeSandbox, headers: &HeaderMap, creating: bool) -> Result<ApiFault, Response> {
    let key = s.lock().secret_key.clone();
    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|a| a.strip_prefix("Bearer "));
    if given != Some(key.as_str()) {
        let message = "Invalid API Key provided. You did not provide an API key, or it is not this account's.";
        return Err(error(StatusCode::UNAUTHORIZED, "invalid_request_error", None, None, message));
    }
    match s.hooks.take_fault(creating) {
        ApiFault::Error => Err(error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", None, None, "Sandbox: an error was asked for")),
        ApiFault::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(error(StatusCode::SERVICE_UNAVAILABLE, "api_error", None, None, "Sandbox: a timeout was asked for"))
        }
        f => Ok(f),
    }
}

fn idempotency_key(headers: &HeaderMap) -> Option<String> {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn create(State(s): State<Shared>, headers: HeaderMap, Form(f): Form<Vec<(String, String)>>) -> Response {
    let fault = match guard(&s, &headers, true).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let key = idempotency_key(&headers);
    if let Some((status, body)) = key.as_ref().and_then(|k| s.lock().replays.get(k).cloned()) {
        return (status, Json(body)).into_response();
    }
    let field = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if field("mode").as_deref() != Some("payment") {
        return invalid("parameter_invalid_empty", "mode", "mode: only `payment` in this sandbox");
    }
    let Some(currency) = field("line_items[0][price_data][currency]").filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase()))
    else {
        return invalid("parameter_missing", "line_items[0][price_data][currency]", "A lowercase ISO currency is required");
    };
    let Some(amount) = field("line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok()).filter(|a| *a > 0) else {
        return invalid(
            "parameter_invalid_integer",
            "line_items[0][price_data][unit_amount]",
            "unit_amount: a positive integer in the currency's smallest unit",
        );
    };
    let Some(name) = field("line_items[0][price_data][product_data][name]").filter(|n| !n.is_empty()) else {
        return invalid("parameter_missing", "line_items[0][price_data][product_data][name]", "A product name is required");
    };
    if field("line_items[0][quantity]").as_deref() != Some("1") {
        return invalid("parameter_invalid_integer", "line_items[0][quantity]", "quantity: 1 in this sandbox");
    }
    let Some(success_url) = field("success_url").filter(|u| u.starts_with("http://") || u.starts_with("https://")) else {
        return invalid("url_invalid", "success_url", "success_url: a URL is required");
    };
    let now = Utc::now().timestamp();
    let expires_at = match field("expires_at") {
        None => now + 24 * 3600,
        Some(v) => match v.parse::<i64>() {
            Ok(t) if (now + 1800..=now + 24 * 3600).contains(&t) => t,
            _ => return invalid("parameter_invalid_integer", "expires_at", "expires_at must be between 30 minutes and 24 hours from now"),
        },
    };
    let metadata = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')).map(|k| (k.to_owned(), json!(v))))
        .collect();
    let session = Session {
        id: random_id("cs_test_", 24),
        status: "open",
        payment_status: "unpaid",
        amount,
        currency,
        name,
        client_reference_id: field("client_reference_id"),
        metadata,
        cancel_url: field("cancel_url").unwrap_or_else(|| success_url.clone()),
        success_url,
        created: now,
        expires_at,
        payment_intent: None,
        charge: None,
        refunded: false,
    };
    let body = session.to_json(&s.public, &[]);
    {
        let mut inner = s.lock();
        inner.sessions.insert(session.id.clone(), session);
        if let Some(k) = key {
            inner.replays.insert(k, (StatusCode::OK, body.clone()));
        }
    }
    if fault == ApiFault::LoseAnswer {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    Json(body).into_response()
}

fn expands(q: &[(String, String)]) -> Vec<String> {
    q.iter().filter(|(k, _)| k == "expand[]").map(|(_, v)| v.clone()).collect()
}

async fn retrieve(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>) -> Response {
    if let Err(r) = guard(&s, &headers, false).await {
        return r;
    }
    let mut inner = s.lock();
    match inner.sessions.get_mut(&id) {
        Some(session) => {
            session.age();
            Json(session.to_json(&s.public, &expands(&q))).into_response()
        }
        None => missing(&id),
    }
}

async fn list(State(s): State<Shared>, headers: HeaderMap, Query(q): Query<Vec<(String, String)>>) -> Response {
    if let Err(r) = guard(&s, &headers, false).await {
        return r;
    }
    let param = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let since = param("created[gte]").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let limit = param("limit").and_then(|v| v.parse::<usize>().ok()).unwrap_or(10).clamp(1, 100);
    let mut inner = s.lock();
    let mut found: Vec<&mut Session> = inner.sessions.values_mut().filter(|x| x.created >= since).collect();
    found.sort_by_key(|x| std::cmp::Reverse(x.created));
    let data: Vec<Value> = found
        .into_iter()
        .take(limit)
        .map(|x| {
            x.age();
            x.to_json(&s.public, &[])
        })
        .collect();
    Json(json!({"object": "list", "url": "/v1/checkout/sessions", "has_more": false, "data": data})).into_response()
}

/// A full refund of a payment intent; the same Idempotency-Key replays the first answer, a
/// second refund without it is refused as Stripe refuses it.
async fn refund(State(s): State<Shared>, headers: HeaderMap, Form(f): Form<Vec<(String, String)>>) -> Response {
    if let Err(r) = guard(&s, &headers, false).await {
        return r;
    }
    let key = idempotency_key(&headers);
    if let Some((status, body)) = key.as_ref().and_then(|k| s.lock().replays.get(k).cloned()) {
        return (status, Json(body)).into_response();
    }
    let Some(intent) = f.iter().find(|(k, _)| k == "payment_intent").map(|(_, v)| v.clone()) else {
        return invalid("parameter_missing", "payment_intent", "payment_intent or charge is required");
    };
    let (body, session, charge) = {
        let mut inner = s.lock();
        let Some(session) = inner.sessions.values_mut().find(|x| x.payment_intent.as_deref() == Some(intent.as_str())) else {
            return error(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                Some("resource_missing"),
                Some("payment_intent"),
                &format!("No such payment_intent: '{intent}'"),
            );
        };
        if session.refunded {
            return invalid("charge_already_refunded", "payment_intent", "This charge has already been refunded.");
        }
        session.refunded = true;
        let body = json!({"id": random_id("re_", 24), "object": "refund", "amount": session.amount, "currency": session.currency,
            "payment_intent": intent, "charge": session.charge, "status": "succeeded"});
        let (id, charge) = (session.id.clone(), session.charge_json());
        if let Some(k) = key {
            inner.replays.insert(k, (StatusCode::OK, body.clone()));
        }
        (body, id, charge)
    };
    send_event(&s, &session, "charge.refunded", charge);
    Json(body).into_response()
}

fn send_event(s: &Shared, session: &str, kind: &str, object: Value) {
    let event_id = random_id("evt_", 24);
    let body = json!({"id": event_id, "object": "event", "type": kind, "created": Utc::now().timestamp(), "livemode": false,
        "data": {"object": object}})
    .to_string();
    s.hooks.send(session, &event_id, kind, body);
}

// --- The hosted page (checkout.stripe.com) -------------------------------------------------

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Stripe Checkout</title><style>body{{font-family:system-ui,sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}}\
         main{{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}}.card{{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 4px #0002}}\
         .brand{{font-weight:800;font-size:1.4rem;color:#635bff}}.note{{background:#fff4d6;border-radius:.5rem;padding:.5rem .75rem;font-size:.9rem}}\
         .amount{{font-size:2rem;font-weight:700;margin:.5rem 0}}label{{display:block;font-weight:600;margin:.75rem 0 .25rem}}\
         input{{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #6b7385;border-radius:.5rem;font-size:1rem}}\
         button{{display:block;width:100%;margin-top:1rem;padding:.75rem;border-radius:.5rem;border:0;font-size:1rem;font-weight:600;background:#635bff;color:#fff;cursor:pointer}}\
         [role=alert]{{color:#b00020;font-weight:600}}a{{color:#4b45c6}}</style></head><body><main><p class=\"brand\">stripe</p>\
         <p class=\"note\">Bac à sable de Coko : aucun argent réel. Carte de test 4242 4242 4242 4242 (acceptée) ou 4000 0000 0000 0002 (refusée).</p>\
         <div class=\"card\">{body}</div></main></body></html>"
    ))
}

fn amount_text(amount: i64, currency: &str) -> String {
    format!("{amount} {}", currency.to_uppercase())
}

fn form_page(x: &Session, alert: Option<&str>) -> Html<String> {
    let alert = alert.map(|a| format!("<p role=\"alert\">{}</p>", esc(a))).unwrap_or_default();
    page(&format!(
        "<h1>{}</h1><p class=\"amount\">{}</p>{alert}<form method=\"post\"><label for=\"card\">Numéro de carte</label>\
         <input id=\"card\" name=\"card\" inputmode=\"numeric\" autocomplete=\"cc-number\" placeholder=\"4242 4242 4242 4242\">\
         <button type=\"submit\">Payer</button></form><p><a href=\"{}\">Annuler et revenir</a></p>",
        esc(&x.name),
        esc(&amount_text(x.amount, &x.currency)),
        esc(&x.cancel_url)
    ))
}

async fn hosted_page(State(s): State<Shared>, Path(id): Path<String>) -> Response {
    let mut inner = s.lock();
    let Some(x) = inner.sessions.get_mut(&id) else { return (StatusCode::NOT_FOUND, page("<h1>Session inconnue</h1>")).into_response() };
    x.age();
    if x.status != "open" {
        return page(&format!(
            "<h1>Cette session de paiement est terminée.</h1><p><a href=\"{}\">Retour au marchand</a></p>",
            esc(&x.cancel_url)
        ))
        .into_response();
    }
    form_page(x, None).into_response()
}

async fn pay(State(s): State<Shared>, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> Response {
    let card: String = f.get("card").map(|c| c.chars().filter(char::is_ascii_digit).collect()).unwrap_or_default();
    let done = {
        let mut inner = s.lock();
        let Some(x) = inner.sessions.get_mut(&id) else { return StatusCode::NOT_FOUND.into_response() };
        x.age();
        if x.status != "open" {
            return Redirect::to(&format!("/stripe/pay/{id}")).into_response();
        }
        match card.as_str() {
            "4242424242424242" => {
                x.status = "complete";
                x.payment_status = "paid";
                x.payment_intent = Some(random_id("pi_", 24));
                x.charge = Some(random_id("ch_", 24));
                (x.success_url.replace("{CHECKOUT_SESSION_ID}", &x.id), x.to_json(&s.public, &[]))
            }
            // A declined card: said on the page; the session stays open for another card.
            "4000000000000002" => return form_page(x, Some("Votre carte a été refusée.")).into_response(),
            _ => return form_page(x, Some("Ce numéro de carte n'est pas valide.")).into_response(),
        }
    };
    send_event(&s, &id, "checkout.session.completed", done.1);
    Redirect::to(&done.0).into_response()
}
