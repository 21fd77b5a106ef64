//! Wave's Checkout API as documented (docs.wave.com/checkout, docs.wave.com/webhook; see
//! `../shared/research/payments.md` §1): bearer API key, sessions whose `amount` is a string
//! of whole francs, a 30-minute lifetime, the hosted payment page (`wave_launch_url`), full
//! refunds that are idempotent, and webhooks `{id, type, data: session}` signed
//! `Wave-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, t ‖ body))`, delivered at least once
//! and retried on anything but 2xx.
//!
//! Where the documentation is silent the sandbox chooses, and says so: the answer to `refund`
//! and `expire` is the session (Wave documents no body); retries come after 1, 2, 4… seconds,
//! eight times at most (Wave retries for about three days); the hosted page offers the payer's
//! outcomes a test needs (pay, insufficient funds, cancel) instead of a phone's PIN prompt.

use super::hooks::{ApiFault, HookSettings, Hooks, Signer};
use super::{esc, random_id};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WaveSettings {
    pub api_key: String,
    pub hooks: HookSettings,
}

#[derive(Debug, Clone)]
struct CheckoutSession {
    id: String,
    amount: String,
    currency: String,
    checkout_status: &'static str,
    payment_status: &'static str,
    client_reference: Option<String>,
    last_payment_error: Option<(String, String)>,
    transaction_id: Option<String>,
    restrict_payer_mobile: Option<String>,
    success_url: String,
    error_url: String,
    when_created: DateTime<Utc>,
    when_expires: DateTime<Utc>,
    when_completed: Option<DateTime<Utc>>,
    when_refunded: Option<DateTime<Utc>>,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl CheckoutSession {
    fn to_json(&self, public: &str) -> Value {
        json!({
            "id": self.id,
            "amount": self.amount,
            "currency": self.currency,
            "business_name": "Coko (bac à sable)",
            "checkout_status": self.checkout_status,
            "payment_status": self.payment_status,
            "client_reference": self.client_reference,
            "last_payment_error": self.last_payment_error.as_ref().map(|(code, message)| json!({"code": code, "message": message})),
            "transaction_id": self.transaction_id,
            "aggregated_merchant_id": null,
            "restrict_payer_mobile": self.restrict_payer_mobile,
            "success_url": self.success_url,
            "error_url": self.error_url,
            "wave_launch_url": format!("{public}/c/{}", self.id),
            "when_created": iso(self.when_created),
            "when_expires": iso(self.when_expires),
            "when_completed": self.when_completed.map(iso),
            "when_refunded": self.when_refunded.map(iso),
        })
    }

    /// Sessions end on their own after 30 minutes (seen at the next read).
    fn age(&mut self, now: DateTime<Utc>) {
        if self.checkout_status == "open" && now >= self.when_expires {
            self.checkout_status = "expired";
        }
    }
}

struct Inner {
    sessions: HashMap<String, CheckoutSession>,
    api_key: String,
}

pub struct WaveSandbox {
    public: String,
    inner: Mutex<Inner>,
    hooks: Arc<Hooks>,
}

/// Wave's signature: `t=<unix>,v1=hex(HMAC-SHA256(secret, t ‖ body))`, no separator.
fn sign(secret: &str, t: i64, body: &str) -> String {
    let t = t.to_string();
    format!("t={t},v1={}", domain::payment::providers::hmac_hex(secret, &[t.as_bytes(), body.as_bytes()].concat()))
}

impl WaveSandbox {
    pub fn new(settings: WaveSettings, public: &str) -> Self {
        let signer = Signer::one("wave-signature", sign, "Wave-Webhooks (Coko sandbox)");
        WaveSandbox {
            public: public.trim_end_matches('/').to_owned(),
            inner: Mutex::new(Inner { sessions: HashMap::new(), api_key: settings.api_key }),
            hooks: Hooks::new(settings.hooks, signer),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type Shared = Arc<WaveSandbox>;

pub fn routes(wave: Shared) -> Router {
    let control = super::hooks::control_routes("wave", wave.hooks.clone());
    Router::new()
        .route("/v1/checkout/sessions", post(create).get(by_transaction))
        .route("/v1/checkout/sessions/search", get(search))
        .route("/v1/checkout/sessions/{id}", get(retrieve))
        .route("/v1/checkout/sessions/{id}/refund", post(refund))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .route("/c/{id}", get(hosted_page).post(pay))
        .route("/_sandbox/wave/sessions/{id}/age", post(age))
        .with_state(wave)
        .merge(control)
}

/// Wave's error body: `{code, message}`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "request-validation-error", message)
}

/// Every API call: the bearer key first (Wave's 401 codes), then any fault asked for (a lost
/// answer is a creation's: other calls leave it for the next `create`).
async fn guard(w: &WaveSandbox, headers: &HeaderMap) -> Result<ApiFault, Response> {
    guard_call(w, headers, false).await
}

async fn guard_call(w: &WaveSandbox, headers: &HeaderMap, creating: bool) -> Result<ApiFault, Response> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let key = w.lock().api_key.clone();
    match auth.and_then(|a| a.strip_prefix("Bearer ")) {
        None if auth.is_none() => return Err(error(StatusCode::UNAUTHORIZED, "missing-auth-header", "Missing Authorization header")),
        None => return Err(error(StatusCode::UNAUTHORIZED, "invalid-auth", "Authorization must be Bearer <api key>")),
        Some(k) if k != key => return Err(error(StatusCode::UNAUTHORIZED, "no-matching-api-key", "No API key matches")),
        Some(_) => {}
    }
    match w.hooks.take_fault(creating) {
        ApiFault::Error => Err(error(StatusCode::INTERNAL_SERVER_ERROR, "internal-server-error", "Sandbox: an error was asked for")),
        ApiFault::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(error(StatusCode::SERVICE_UNAVAILABLE, "service-unavailable", "Sandbox: a timeout was asked for"))
        }
        f => Ok(f),
    }
}

#[derive(Deserialize)]
struct NewSession {
    amount: Option<Value>,
    currency: Option<String>,
    success_url: Option<String>,
    error_url: Option<String>,
    client_reference: Option<String>,
    restrict_payer_mobile: Option<String>,
}

fn valid_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

async fn create(State(w): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let fault = match guard_call(&w, &headers, true).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(req) = serde_json::from_slice::<NewSession>(&body) else { return invalid("The body is not a JSON object") };
    // `amount` is a string of whole francs for XOF ("1500"): a number or "1500.00" is refused.
    let amount = match req.amount {
        Some(Value::String(a)) if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) && !a.starts_with('0') => a,
        Some(_) => return invalid("amount: a string of whole francs with no decimals for XOF"),
        None => return invalid("amount: required"),
    };
    if req.currency.as_deref() != Some("XOF") {
        return invalid("currency: this wallet takes XOF");
    }
    let (Some(success_url), Some(error_url)) = (req.success_url, req.error_url) else {
        return invalid("success_url and error_url: required");
    };
    if !valid_url(&success_url) || !valid_url(&error_url) {
        return invalid("success_url and error_url: must be URLs");
    }
    if req.client_reference.as_ref().is_some_and(|r| r.len() > 255) {
        return invalid("client_reference: at most 255 characters");
    }
    if let Some(m) = &req.restrict_payer_mobile {
        let digits = m.strip_prefix('+').unwrap_or("");
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("restrict_payer_mobile: a number in E.164 (+221…)");
        }
    }
    let now = Utc::now();
    let session = CheckoutSession {
        id: random_id("cos-", 16),
        amount,
        currency: "XOF".into(),
        checkout_status: "open",
        payment_status: "processing",
        client_reference: req.client_reference,
        last_payment_error: None,
        transaction_id: None,
        restrict_payer_mobile: req.restrict_payer_mobile,
        success_url,
        error_url,
        when_created: now,
        when_expires: now + Span::minutes(30),
        when_completed: None,
        when_refunded: None,
    };
    let body = session.to_json(&w.public);
    w.lock().sessions.insert(session.id.clone(), session);
    if fault == ApiFault::LoseAnswer {
        // Made, but the caller never hears of it: it must find it again by client_reference.
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    Json(body).into_response()
}

/// The session as Wave shows it now, if there is one.
fn found(w: &WaveSandbox, id: &str) -> Option<Value> {
    let mut inner = w.lock();
    let s = inner.sessions.get_mut(id)?;
    s.age(Utc::now());
    Some(s.to_json(&w.public))
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "checkout-session-not-found", "No checkout session with this id")
}

/// The session's JSON, or Wave's 404.
fn session_response(w: &WaveSandbox, id: &str) -> Response {
    found(w, id).map_or_else(not_found, |v| Json(v).into_response())
}

async fn retrieve(State(w): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = guard(&w, &headers).await {
        return r;
    }
    session_response(&w, &id)
}

async fn by_transaction(State(w): State<Shared>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = guard(&w, &headers).await {
        return r;
    }
    let Some(tx) = q.get("transaction_id") else { return invalid("transaction_id: required") };
    let id = w.lock().sessions.values().find(|s| s.transaction_id.as_ref() == Some(tx)).map(|s| s.id.clone());
    match id {
        Some(id) => session_response(&w, &id),
        None => error(StatusCode::NOT_FOUND, "checkout-session-not-found", "No checkout session with this transaction"),
    }
}

async fn search(State(w): State<Shared>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Err(r) = guard(&w, &headers).await {
        return r;
    }
    let Some(reference) = q.get("client_reference") else { return invalid("client_reference: required") };
    let mut inner = w.lock();
    let now = Utc::now();
    let mut result: Vec<&mut CheckoutSession> =
        inner.sessions.values_mut().filter(|s| s.client_reference.as_ref() == Some(reference)).collect();
    result.sort_by_key(|s| s.when_created);
    let result: Vec<Value> = result
        .into_iter()
        .map(|s| {
            s.age(now);
            s.to_json(&w.public)
        })
        .collect();
    Json(json!({ "result": result })).into_response()
}

/// Full refund, idempotent: a second call refunds nothing more.
async fn refund(State(w): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = guard(&w, &headers).await {
        return r;
    }
    {
        let mut inner = w.lock();
        let Some(s) = inner.sessions.get_mut(&id) else {
            return not_found();
        };
        if s.payment_status != "succeeded" {
            return error(StatusCode::BAD_REQUEST, "checkout-refund-failed", "Only a paid session can be refunded");
        }
        s.when_refunded.get_or_insert_with(Utc::now);
    }
    session_response(&w, &id)
}

async fn expire(State(w): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = guard(&w, &headers).await {
        return r;
    }
    {
        let mut inner = w.lock();
        let Some(s) = inner.sessions.get_mut(&id) else {
            return not_found();
        };
        if s.checkout_status == "complete" {
            return invalid("A completed session cannot expire");
        }
        s.checkout_status = "expired";
    }
    session_response(&w, &id)
}

// --- The hosted page (pay.wave.com/c/{id}) -------------------------------------------------

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#eef9ff;color:#10233a}\
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}\
.card{background:#fff;border-radius:1rem;padding:1.25rem;box-shadow:0 1px 4px #0002}\
.brand{display:flex;align-items:center;gap:.5rem;font-weight:700;font-size:1.25rem;color:#0b5fa5}\
.note{background:#fff4d6;border-radius:.5rem;padding:.5rem .75rem;font-size:.9rem}\
.amount{font-size:2rem;font-weight:700;margin:.5rem 0}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}\
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #7a8ca0;border-radius:.5rem;font-size:1rem}\
button{display:block;width:100%;margin-top:.75rem;padding:.75rem;border-radius:.5rem;border:0;font-size:1rem;font-weight:600;cursor:pointer}\
.pay{background:#0b5fa5;color:#fff}.alt{background:#e3e8ef;color:#10233a}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{PAGE_STYLE}</style></head><body><main>\
         <p class=\"brand\"><svg width=\"28\" height=\"28\" viewBox=\"0 0 28 28\" aria-hidden=\"true\"><circle cx=\"14\" cy=\"14\" r=\"14\" fill=\"#1dc3ff\"/>\
         <path d=\"M6 10l3 9 3-7 3 7 3-9\" stroke=\"#fff\" stroke-width=\"2.4\" fill=\"none\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>Wave</p>\
         <p class=\"note\">Bac à sable de Coko : aucun argent réel ne circule.</p><div class=\"card\">{body}</div></main></body></html>"
    ))
}

fn francs(amount: &str) -> String {
    let digits: Vec<char> = amount.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(*c);
    }
    format!("{out} F")
}

async fn hosted_page(State(w): State<Shared>, Path(id): Path<String>) -> Response {
    let Some(s) = found(&w, &id) else { return (StatusCode::NOT_FOUND, page("Wave", "<h1>Lien de paiement inconnu</h1>")).into_response() };
    let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
    let amount = francs(&text("amount"));
    if text("checkout_status") != "open" {
        let (what, back) = match text("checkout_status").as_str() {
            "complete" => ("Ce paiement est déjà fait.", text("success_url")),
            _ => ("Ce lien de paiement a expiré.", text("error_url")),
        };
        let body = format!("<h1>{what}</h1><p class=\"amount\">{amount}</p><p><a href=\"{}\">Retour au marchand</a></p>", esc(&back));
        return page("Wave", &body).into_response();
    }
    let error = s["last_payment_error"]["message"].as_str().map(|m| format!("<p role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let phone = text("restrict_payer_mobile");
    let body = format!(
        "<h1>Payer {}</h1><p class=\"amount\">{amount}</p>{error}\
         <form method=\"post\"><label for=\"phone\">Votre numéro Wave</label>\
         <input id=\"phone\" name=\"phone\" type=\"tel\" value=\"{}\" autocomplete=\"tel\">\
         <button class=\"pay\" name=\"outcome\" value=\"pay\">Payer {amount}</button>\
         <button class=\"alt\" name=\"outcome\" value=\"insufficient-funds\">Simuler : solde insuffisant</button>\
         <button class=\"alt\" name=\"outcome\" value=\"cancel\">Annuler et revenir</button></form>",
        esc(s["business_name"].as_str().unwrap_or("")),
        esc(&phone),
    );
    page("Wave — payer", &body).into_response()
}

#[derive(Deserialize)]
struct PayForm {
    outcome: String,
    #[serde(default)]
    phone: String,
}

/// The payer's answer on the hosted page; then back to the merchant, as Wave does.
async fn pay(State(w): State<Shared>, Path(id): Path<String>, Form(f): Form<PayForm>) -> Response {
    let (event, back) = {
        let mut inner = w.lock();
        let Some(s) = inner.sessions.get_mut(&id) else { return StatusCode::NOT_FOUND.into_response() };
        s.age(Utc::now());
        if s.checkout_status != "open" {
            return Redirect::to(&format!("/c/{id}")).into_response();
        }
        let mismatch = s.restrict_payer_mobile.as_ref().is_some_and(|m| {
            let typed: String = f.phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
            !typed.is_empty() && &typed != m
        });
        match f.outcome.as_str() {
            "pay" if mismatch => {
                s.last_payment_error = Some(("payer-mobile-mismatch".into(), "Ce paiement est réservé à un autre numéro Wave.".into()));
                ("checkout.session.payment_failed", s.error_url.clone())
            }
            "pay" => {
                s.checkout_status = "complete";
                s.payment_status = "succeeded";
                s.last_payment_error = None;
                s.transaction_id = Some(random_id("T_", 14).to_uppercase());
                s.when_completed = Some(Utc::now());
                ("checkout.session.completed", s.success_url.clone())
            }
            "insufficient-funds" => {
                // The session stays open: the payer may top up and try again.
                s.last_payment_error = Some(("insufficient-funds".into(), "Solde insuffisant.".into()));
                ("checkout.session.payment_failed", s.error_url.clone())
            }
            _ => return Redirect::to(&s.error_url.clone()).into_response(),
        }
    };
    send_event(&w, &id, event);
    Redirect::to(&back).into_response()
}

// --- Webhooks ------------------------------------------------------------------------------

/// Sends `kind` about session `id`: `{id, type, data: session}`.
fn send_event(w: &Shared, id: &str, kind: &str) {
    let Some(data) = found(w, id) else { return };
    let event_id = random_id("AE_", 16);
    let body = json!({"id": event_id, "type": kind, "data": data}).to_string();
    w.hooks.send(id, &event_id, kind, body);
}

// --- The sandbox's own switches (see also `hooks::control_routes`) -------------------------

#[derive(Deserialize)]
struct Age {
    minutes: i64,
}

/// Moves a session `minutes` into its past (its 30 minutes run out without waiting).
async fn age(State(w): State<Shared>, Path(id): Path<String>, Json(a): Json<Age>) -> StatusCode {
    let mut inner = w.lock();
    let Some(s) = inner.sessions.get_mut(&id) else { return StatusCode::NOT_FOUND };
    s.when_created -= Span::minutes(a.minutes);
    s.when_expires -= Span::minutes(a.minutes);
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_francs() {
        assert_eq!(francs("2500"), "2\u{202f}500 F");
        assert_eq!(francs("150"), "150 F");
        assert_eq!(francs("1000000"), "1\u{202f}000\u{202f}000 F");
        assert_eq!(super::super::Delivery::parse("twice"), Some(super::super::Delivery::Twice));
        assert_eq!(super::super::Delivery::parse("sometimes"), None);
    }
}
