//! PayPal Orders v2 as documented (developer.paypal.com/api/orders/v2, /api/webhooks/v1; see
//! `../shared/research/payments.md` §4), under `/paypal` as `api-m.paypal.com`:
//! `POST /v1/oauth2/token` (Basic client id and secret); `POST /v2/checkout/orders` (intent
//! CAPTURE, an amount in a currency PayPal takes — XOF is refused, `CURRENCY_NOT_SUPPORTED` —
//! written with two decimals; `PayPal-Request-Id` replays the same order); the payer's page
//! `/paypal/checkoutnow?token=` (approve, or a card that will be declined, or cancel), back to
//! `return_url?token=…&PayerID=…`; `POST …/{id}/capture` (only an APPROVED order,
//! `ORDER_NOT_APPROVED` otherwise; idempotent by request id; `ORDER_ALREADY_CAPTURED` for a
//! second one); `POST /v2/payments/captures/{id}/refund` (the whole capture);
//! webhooks `CHECKOUT.ORDER.APPROVED`, `PAYMENT.CAPTURE.COMPLETED|DENIED|REFUNDED` with the five
//! `PAYPAL-*` transmission headers, and `POST /v1/notifications/verify-webhook-signature`,
//! which answers SUCCESS only for a transmission this sandbox sent, its signature, the webhook's
//! id and the event as it was sent.
//!
//! Where the sandbox chooses: signatures are random (only the sandbox's own verification can
//! check them, as only PayPal's can check PayPal's); the event is compared as JSON, not byte for
//! byte; the payer's page has no login.

use super::hooks::{ApiFault, HookSettings, Hooks, Signer};
use super::{esc, random_id};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct PayPalSettings {
    pub client_id: String,
    pub client_secret: String,
    pub webhook_id: String,
    pub hooks: HookSettings,
}

/// Currencies PayPal takes (developer.paypal.com/reference/currency-codes): no XOF.
const CURRENCIES: [&str; 25] = [
    "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD", "NOK", "PHP", "PLN", "GBP",
    "SGD", "SEK", "CHF", "THB", "USD", "INR",
];

#[derive(Debug, Clone)]
struct PayPalOrder {
    id: String,
    status: &'static str,
    unit: Value,
    return_url: String,
    cancel_url: String,
    /// The payer chose a card that will be declined at capture.
    decline: bool,
    capture: Option<(String, &'static str)>,
    capture_request: Option<String>,
}

/// What the sandbox sent as webhooks: transmission id → (signature, event).
type Transmissions = Arc<Mutex<HashMap<String, (String, Value)>>>;

struct Inner {
    orders: HashMap<String, PayPalOrder>,
    /// PayPal-Request-Id → order id.
    requests: HashMap<String, String>,
    tokens: std::collections::HashSet<String>,
}

pub struct PayPalSandbox {
    public: String,
    settings: PayPalSettings,
    inner: Mutex<Inner>,
    sent: Transmissions,
    hooks: Arc<Hooks>,
}

impl PayPalSandbox {
    pub fn new(settings: PayPalSettings, public: &str) -> Self {
        let sent: Transmissions = Arc::default();
        let record = sent.clone();
        let public = public.trim_end_matches('/').to_owned();
        let cert = format!("{public}/paypal/v1/notifications/certs/CERT-sandbox");
        let signer = Signer {
            headers: Box::new(move |_secret, t, body| {
                let id = random_id("", 32);
                let sig = random_id("", 64);
                let event = serde_json::from_str(body).unwrap_or(Value::Null);
                record.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), (sig.clone(), event));
                let time = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                vec![
                    ("paypal-auth-algo".into(), "SHA256withRSA".into()),
                    ("paypal-cert-url".into(), cert.clone()),
                    ("paypal-transmission-id".into(), id),
                    ("paypal-transmission-sig".into(), sig),
                    ("paypal-transmission-time".into(), time),
                ]
            }),
            user_agent: "PayPal/AUHD-214.0-58184924 (Coko sandbox)",
            content_type: "application/json",
        };
        PayPalSandbox {
            hooks: Hooks::new(settings.hooks.clone(), signer),
            public,
            settings,
            inner: Mutex::new(Inner { orders: HashMap::new(), requests: HashMap::new(), tokens: Default::default() }),
            sent,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn control(self: &Arc<Self>) -> Router {
        super::hooks::control_routes("paypal", self.hooks.clone())
    }

    fn order_json(&self, o: &PayPalOrder) -> Value {
        let mut unit = o.unit.clone();
        if let Some((cid, status)) = &o.capture {
            unit["payments"] = json!({"captures": [{
                "id": cid,
                "status": status,
                "amount": unit["amount"],
                "custom_id": unit["custom_id"],
                "supplementary_data": {"related_ids": {"order_id": o.id}},
            }]});
        }
        json!({
            "id": o.id,
            "intent": "CAPTURE",
            "status": o.status,
            "purchase_units": [unit],
            "links": [
                {"rel": "self", "href": format!("{}/paypal/v2/checkout/orders/{}", self.public, o.id), "method": "GET"},
                {"rel": "payer-action", "href": format!("{}/paypal/checkoutnow?token={}", self.public, o.id), "method": "GET"},
            ],
        })
    }

    fn event(&self, kind: &str, resource: Value, order: &str) {
        let id = format!("WH-{}", random_id("", 17).to_uppercase());
        let body = json!({
            "id": id,
            "event_version": "1.0",
            "create_time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "resource_type": if kind.starts_with("CHECKOUT") { "checkout-order" } else { "capture" },
            "event_type": kind,
            "summary": kind,
            "resource": resource,
        })
        .to_string();
        self.hooks.send(order, &id, kind, body);
    }
}

type Shared = Arc<PayPalSandbox>;

pub fn routes(p: Shared) -> Router {
    Router::new()
        .route("/v1/oauth2/token", post(token))
        .route("/v2/checkout/orders", post(create))
        .route("/v2/checkout/orders/{id}", get(show))
        .route("/v2/checkout/orders/{id}/capture", post(capture))
        .route("/v2/payments/captures/{id}/refund", post(refund))
        .route("/v1/notifications/verify-webhook-signature", post(verify))
        .route("/checkoutnow", get(page).post(approve))
        .with_state(p)
}

/// PayPal's error body: `{name, message, details: [{issue, description}]}`.
fn error(status: StatusCode, name: &str, issue: &str, description: &str) -> Response {
    let body = json!({"name": name, "message": description, "details": [{"issue": issue, "description": description}]});
    (status, Json(body)).into_response()
}

fn unprocessable(issue: &str, description: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE_ENTITY", issue, description)
}

async fn token(State(p): State<Shared>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    use base64::Engine;
    let basic = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|a| a.strip_prefix("Basic "));
    let decoded = basic.and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()).and_then(|b| String::from_utf8(b).ok());
    if decoded != Some(format!("{}:{}", p.settings.client_id, p.settings.client_secret)) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "Client Authentication failed"})))
            .into_response();
    }
    if f.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    let token = format!("A21AA{}", random_id("", 40));
    p.lock().tokens.insert(token.clone());
    Json(json!({"scope": "https://uri.paypal.com/services/payments/payment", "access_token": token, "token_type": "Bearer", "app_id": "APP-SANDBOX", "expires_in": 32400}))
        .into_response()
}

async fn guard(p: &PayPalSandbox, headers: &HeaderMap, creating: bool) -> Result<ApiFault, Response> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|a| a.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| p.lock().tokens.contains(t)) {
        return Err((
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token", "error_description": "Token signature verification failed"})),
        )
            .into_response());
    }
    match p.hooks.take_fault(creating) {
        ApiFault::Error => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "INTERNAL_SERVICE_ERROR",
            "Sandbox: an error was asked for",
        )),
        ApiFault::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", "SERVICE_UNAVAILABLE", "Sandbox: a timeout was asked for"))
        }
        f => Ok(f),
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers.get("paypal-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn create(State(p): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let fault = match guard(&p, &headers, true).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let request = request_id(&headers);
    if let Some(existing) = request.as_ref().and_then(|r| p.lock().requests.get(r).cloned()) {
        // The same request again: the same order, not a second one.
        let o = p.lock().orders.get(&existing).cloned();
        if let Some(o) = o {
            return (StatusCode::OK, Json(p.order_json(&o))).into_response();
        }
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else { return unprocessable("MALFORMED_REQUEST_JSON", "The body is not JSON") };
    if req["intent"] != "CAPTURE" {
        return unprocessable("INTENT_INVALID", "intent: CAPTURE");
    }
    let unit = req["purchase_units"][0].clone();
    let currency = unit["amount"]["currency_code"].as_str().unwrap_or("");
    if !CURRENCIES.contains(&currency) {
        return unprocessable("CURRENCY_NOT_SUPPORTED", "Currency code is not currently supported");
    }
    if domain::payment::providers::paypal::cents_of(unit["amount"]["value"].as_str().unwrap_or("")).is_none_or(|c| c <= 0) {
        return unprocessable("DECIMAL_PRECISION", "amount.value: a positive amount with two decimals");
    }
    let context = &req["payment_source"]["paypal"]["experience_context"];
    let (Some(return_url), Some(cancel_url)) = (context["return_url"].as_str(), context["cancel_url"].as_str()) else {
        return unprocessable("MISSING_REQUIRED_PARAMETER", "experience_context.return_url and cancel_url");
    };
    let order = PayPalOrder {
        id: random_id("", 17).to_uppercase(),
        status: "PAYER_ACTION_REQUIRED",
        unit,
        return_url: return_url.to_owned(),
        cancel_url: cancel_url.to_owned(),
        decline: false,
        capture: None,
        capture_request: None,
    };
    let json = p.order_json(&order);
    {
        let mut inner = p.lock();
        if let Some(r) = request {
            inner.requests.insert(r, order.id.clone());
        }
        inner.orders.insert(order.id.clone(), order);
    }
    if fault == ApiFault::LoseAnswer {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    (StatusCode::CREATED, Json(json)).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
}

async fn show(State(p): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = guard(&p, &headers, false).await {
        return r;
    }
    let o = p.lock().orders.get(&id).cloned();
    match o {
        Some(o) => Json(p.order_json(&o)).into_response(),
        None => not_found(),
    }
}

async fn capture(State(p): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = guard(&p, &headers, false).await {
        return r;
    }
    let request = request_id(&headers);
    let (order, event) = {
        let mut inner = p.lock();
        let Some(o) = inner.orders.get_mut(&id) else { return not_found() };
        match (o.status, &o.capture_request) {
            // The same capture asked again: its result again.
            ("COMPLETED", Some(r)) if request.as_ref() == Some(r) => {
                return (StatusCode::CREATED, Json(p.order_json(&o.clone()))).into_response()
            }
            ("COMPLETED", _) => return unprocessable("ORDER_ALREADY_CAPTURED", "Order already captured."),
            ("APPROVED", _) => {}
            _ => return unprocessable("ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment."),
        }
        let status = if o.decline { "DECLINED" } else { "COMPLETED" };
        o.status = "COMPLETED";
        o.capture = Some((random_id("", 17).to_uppercase(), status));
        o.capture_request = request;
        let kind = if o.decline { "PAYMENT.CAPTURE.DENIED" } else { "PAYMENT.CAPTURE.COMPLETED" };
        (o.clone(), kind)
    };
    let json = p.order_json(&order);
    p.event(event, json["purchase_units"][0]["payments"]["captures"][0].clone(), &order.id);
    (StatusCode::CREATED, Json(json)).into_response()
}

async fn refund(State(p): State<Shared>, headers: HeaderMap, Path(capture): Path<String>) -> Response {
    if let Err(r) = guard(&p, &headers, false).await {
        return r;
    }
    let order = {
        let mut inner = p.lock();
        let Some(o) = inner.orders.values_mut().find(|o| o.capture.as_ref().is_some_and(|(c, _)| *c == capture)) else {
            return not_found();
        };
        match o.capture.as_mut() {
            Some((_, status)) if *status == "COMPLETED" => *status = "REFUNDED",
            Some((_, "REFUNDED")) => {}
            _ => return unprocessable("CAPTURE_NOT_REFUNDABLE", "The capture cannot be refunded."),
        }
        o.clone()
    };
    let json = p.order_json(&order);
    let refund = json!({"id": random_id("", 17).to_uppercase(), "status": "COMPLETED", "amount": json["purchase_units"][0]["amount"],
        "links": [{"rel": "up", "href": format!("{}/paypal/v2/payments/captures/{capture}", p.public)}]});
    p.event("PAYMENT.CAPTURE.REFUNDED", json["purchase_units"][0]["payments"]["captures"][0].clone(), &order.id);
    (StatusCode::CREATED, Json(refund)).into_response()
}

/// SUCCESS only for what this sandbox sent: its transmission, its signature, the webhook's id,
/// the event as sent.
async fn verify(State(p): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = guard(&p, &headers, false).await {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else { return unprocessable("MALFORMED_REQUEST_JSON", "The body is not JSON") };
    let text = |k: &str| req[k].as_str().unwrap_or("").to_owned();
    let sent = p.sent.lock().unwrap_or_else(|e| e.into_inner()).get(&text("transmission_id")).cloned();
    let ok = sent.is_some_and(|(sig, event)| {
        sig == text("transmission_sig")
            && event == req["webhook_event"]
            && text("webhook_id") == p.settings.webhook_id
            && text("auth_algo") == "SHA256withRSA"
    });
    Json(json!({"verification_status": if ok { "SUCCESS" } else { "FAILURE" }})).into_response()
}

// --- The payer's page ----------------------------------------------------------------------

fn html(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;margin:0;background:#f5f7fa;color:#001c64}}\
         main{{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}}.card{{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 4px #0002}}\
         .brand{{font-weight:800;font-size:1.5rem;color:#003087}}.note{{background:#fff4d6;border-radius:.5rem;padding:.5rem .75rem;font-size:.9rem}}\
         .amount{{font-size:2rem;font-weight:700;margin:.5rem 0}}button{{display:block;width:100%;margin-top:.75rem;padding:.75rem;border-radius:2rem;border:0;font-size:1rem;font-weight:600;cursor:pointer}}\
         .pay{{background:#ffc439;color:#001c64}}.alt{{background:#e6e9ef;color:#001c64}}</style></head><body><main>\
         <p class=\"brand\">PayPal</p><p class=\"note\">Bac à sable de Coko : aucun argent réel ne circule.</p><div class=\"card\">{body}</div></main></body></html>"
    ))
}

#[derive(Deserialize)]
struct TokenQuery {
    token: String,
}

async fn page(State(p): State<Shared>, Query(q): Query<TokenQuery>) -> Response {
    let o = p.lock().orders.get(&q.token).cloned();
    let Some(o) = o else { return (StatusCode::NOT_FOUND, html("PayPal", "<h1>Commande inconnue</h1>")).into_response() };
    let amount =
        format!("{} {}", o.unit["amount"]["value"].as_str().unwrap_or(""), o.unit["amount"]["currency_code"].as_str().unwrap_or(""));
    if o.status != "PAYER_ACTION_REQUIRED" {
        return html(
            "PayPal",
            &format!("<h1>Cette commande est déjà traitée.</h1><p><a href=\"{}\">Retour au marchand</a></p>", esc(&o.return_url)),
        )
        .into_response();
    }
    let body = format!(
        "<h1>Payer Coko</h1><p class=\"amount\">{}</p><p>{}</p><form method=\"post\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button class=\"pay\" name=\"outcome\" value=\"approve\">Payer avec PayPal</button>\
         <button class=\"alt\" name=\"outcome\" value=\"decline\">Simuler : carte refusée</button>\
         <button class=\"alt\" name=\"outcome\" value=\"cancel\">Annuler et revenir</button></form>",
        esc(&amount),
        esc(o.unit["description"].as_str().unwrap_or("")),
        esc(&o.id)
    );
    html("PayPal — payer", &body).into_response()
}

#[derive(Deserialize)]
struct Approval {
    token: String,
    outcome: String,
}

async fn approve(State(p): State<Shared>, Form(f): Form<Approval>) -> Response {
    let order = {
        let mut inner = p.lock();
        let Some(o) = inner.orders.get_mut(&f.token) else { return StatusCode::NOT_FOUND.into_response() };
        if o.status != "PAYER_ACTION_REQUIRED" || f.outcome == "cancel" {
            let back = format!("{}{}token={}", o.cancel_url, if o.cancel_url.contains('?') { '&' } else { '?' }, o.id);
            return Redirect::to(&back).into_response();
        }
        o.status = "APPROVED";
        o.decline = f.outcome == "decline";
        o.clone()
    };
    p.event("CHECKOUT.ORDER.APPROVED", p.order_json(&order), &order.id);
    let back =
        format!("{}{}token={}&PayerID=SANDBOXPAYER", order.return_url, if order.return_url.contains('?') { '&' } else { '?' }, order.id);
    Redirect::to(&back).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn xof_is_not_a_paypal_currency() {
        assert!(!super::CURRENCIES.contains(&"XOF") && super::CURRENCIES.contains(&"EUR"));
    }
}
