//! Orange Money Web Payment as integrators document it (`../shared/research/payments.md` §2a):
//! `POST /oauth/v3/token` (Basic client id and secret, `grant_type=client_credentials`) →
//! `{token_type, access_token, expires_in}`; `POST /orange-money-webpay/{country}/v1/webpayment`
//! (bearer) → **201** `{status, message, pay_token, payment_url, notif_token}` with the limits
//! integrators found (order id ≤ 30 characters and never reused, URLs ≤ 120, reference ≤ 30,
//! currency `XOF` — `OUV` on the `dev` path); the payment page `payment_url`, where the payer
//! gives their number and a one-time code; `POST …/transactionstatus {order_id, amount,
//! pay_token}` → **201** `{status, order_id, txnid}` (INITIATED until the payer acts, SUCCESS
//! or FAILED, both final, EXPIRED after 10 minutes); and an unsigned notification
//! `{status, notif_token, txnid}` POSTed to the order's `notif_url`.
//!
//! Where the sources are silent the sandbox chooses, and says so: a status asked for another
//! amount than the order's is refused (400), since Orange answers for the order asked about;
//! notifications are retried like the other providers' (Orange's retry policy is unknown);
//! `http://127.0.0.1` URLs are taken (Orange refuses localhost); error bodies are
//! `{code, message, description}` as Orange's API gateway writes them.

use super::hooks::{ApiFault, HookSettings, Hooks, Signer};
use super::{esc, random_id};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration as Span, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct OrangeSettings {
    pub client_id: String,
    pub client_secret: String,
    pub merchant_key: String,
    pub hooks: HookSettings,
}

#[derive(Debug, Clone)]
struct WebPayment {
    order_id: String,
    amount: i64,
    pay_token: String,
    notif_token: String,
    return_url: String,
    cancel_url: String,
    notif_url: String,
    status: &'static str,
    txnid: Option<String>,
    created: DateTime<Utc>,
}

impl WebPayment {
    /// Ten minutes for the payer to confirm (seen at the next read).
    fn age(&mut self, now: DateTime<Utc>) {
        if matches!(self.status, "INITIATED" | "PENDING") && now - self.created >= Span::minutes(10) {
            self.status = "EXPIRED";
        }
    }
}

struct Inner {
    /// By pay token.
    payments: HashMap<String, WebPayment>,
    order_ids: HashSet<String>,
    tokens: HashSet<String>,
}

pub struct OrangeSandbox {
    public: String,
    settings: OrangeSettings,
    inner: Mutex<Inner>,
    hooks: Arc<Hooks>,
}

impl OrangeSandbox {
    pub fn new(settings: OrangeSettings, public: &str) -> Self {
        let signer = Signer {
            headers: Box::new(|_, _, _| Vec::new()),
            user_agent: "OrangeMoney-WebPay (Coko sandbox)",
            content_type: "application/json",
        };
        let hooks = Hooks::new(settings.hooks.clone(), signer);
        OrangeSandbox {
            public: public.trim_end_matches('/').to_owned(),
            settings,
            inner: Mutex::new(Inner { payments: HashMap::new(), order_ids: HashSet::new(), tokens: HashSet::new() }),
            hooks,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type Shared = Arc<OrangeSandbox>;

pub fn routes(orange: Shared) -> Router {
    let control = super::hooks::control_routes("orange", orange.hooks.clone());
    Router::new()
        .route("/oauth/v3/token", post(token))
        .route("/orange-money-webpay/{country}/v1/webpayment", post(create))
        .route("/orange-money-webpay/{country}/v1/transactionstatus", post(status))
        .route("/orange-webpay/payment/pay_token/{token}", get(payment_page).post(pay))
        .route("/_sandbox/orange/payments/{token}/age", post(age))
        .with_state(orange)
        .merge(control)
}

/// The API gateway's error body.
fn error(status: StatusCode, code: u32, message: &str, description: &str) -> Response {
    (status, Json(json!({"code": code, "message": message, "description": description}))).into_response()
}

fn invalid(description: &str) -> Response {
    error(StatusCode::BAD_REQUEST, 1, "Bad request", description)
}

/// `POST /oauth/v3/token`.
async fn token(State(o): State<Shared>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    use base64::Engine;
    let basic = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|a| a.strip_prefix("Basic "));
    let decoded = basic.and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok()).and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{}:{}", o.settings.client_id, o.settings.client_secret);
    if decoded.as_deref() != Some(expected.as_str()) {
        let body = json!({"error": "invalid_client", "error_description": "The requested service needs credentials, but the ones provided were invalid."});
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    if f.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "unsupported_grant_type"}))).into_response();
    }
    let token = random_id("", 32);
    o.lock().tokens.insert(token.clone());
    Json(json!({"token_type": "Bearer", "access_token": token, "expires_in": 7_776_000})).into_response()
}

/// Every API call: a token this sandbox issued, then any fault asked for.
async fn guard(o: &OrangeSandbox, headers: &HeaderMap, creating: bool) -> Result<ApiFault, Response> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|a| a.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| o.lock().tokens.contains(t)) {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            42,
            "Expired credentials",
            "The requested service needs credentials, and the ones provided were out-of-date.",
        ));
    }
    match o.hooks.take_fault(creating) {
        ApiFault::Error => Err(error(StatusCode::INTERNAL_SERVER_ERROR, 1000, "Internal error", "Sandbox: an error was asked for")),
        ApiFault::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Err(error(StatusCode::SERVICE_UNAVAILABLE, 1001, "Service unavailable", "Sandbox: a timeout was asked for"))
        }
        f => Ok(f),
    }
}

#[derive(Deserialize)]
struct NewPayment {
    merchant_key: Option<String>,
    currency: Option<String>,
    order_id: Option<String>,
    amount: Option<Value>,
    return_url: Option<String>,
    cancel_url: Option<String>,
    notif_url: Option<String>,
    lang: Option<String>,
    reference: Option<String>,
}

fn url_ok(u: &Option<String>) -> Option<String> {
    u.clone().filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= 120)
}

async fn create(State(o): State<Shared>, Path(country): Path<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let fault = match guard(&o, &headers, true).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(req) = serde_json::from_slice::<NewPayment>(&body) else { return invalid("The body is not a JSON object") };
    if req.merchant_key.as_deref() != Some(o.settings.merchant_key.as_str()) {
        return error(StatusCode::FORBIDDEN, 60, "Forbidden", "merchant_key: unknown for this merchant");
    }
    let currency = if country == "dev" { "OUV" } else { "XOF" };
    if req.currency.as_deref() != Some(currency) {
        return invalid(&format!("currency: {currency} on /{country}"));
    }
    let Some(Value::Number(amount)) = req.amount else { return invalid("amount: an integer") };
    let Some(amount) = amount.as_i64().filter(|a| *a > 0) else { return invalid("amount: a positive integer") };
    let Some(order_id) = req.order_id.filter(|i| !i.is_empty() && i.len() <= 30) else {
        return invalid("order_id: required, at most 30 characters");
    };
    let (Some(return_url), Some(cancel_url), Some(notif_url)) = (url_ok(&req.return_url), url_ok(&req.cancel_url), url_ok(&req.notif_url))
    else {
        return invalid("return_url, cancel_url, notif_url: URLs of at most 120 characters");
    };
    if !matches!(req.lang.as_deref(), Some("fr" | "en")) {
        return invalid("lang: fr or en");
    }
    if req.reference.as_ref().is_none_or(|r| r.is_empty() || r.chars().count() > 30) {
        return invalid("reference: the merchant's name, at most 30 characters");
    }
    let payment = WebPayment {
        order_id: order_id.clone(),
        amount,
        pay_token: random_id("v1", 30),
        notif_token: random_id("", 32),
        return_url,
        cancel_url,
        notif_url,
        status: "INITIATED",
        txnid: None,
        created: Utc::now(),
    };
    {
        let mut inner = o.lock();
        if !inner.order_ids.insert(order_id) {
            return invalid("order_id: already used by this merchant");
        }
        inner.payments.insert(payment.pay_token.clone(), payment.clone());
    }
    let body = json!({
        "status": 201,
        "message": "OK",
        "pay_token": payment.pay_token,
        "payment_url": format!("{}/orange-webpay/payment/pay_token/{}", o.public, payment.pay_token),
        "notif_token": payment.notif_token,
    });
    if fault == ApiFault::LoseAnswer {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    (StatusCode::CREATED, Json(body)).into_response()
}

#[derive(Deserialize)]
struct StatusQuery {
    order_id: Option<String>,
    amount: Option<Value>,
    pay_token: Option<String>,
}

async fn status(State(o): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = guard(&o, &headers, false).await {
        return r;
    }
    let Ok(q) = serde_json::from_slice::<StatusQuery>(&body) else { return invalid("The body is not a JSON object") };
    let mut inner = o.lock();
    let Some(p) = q.pay_token.as_ref().and_then(|t| inner.payments.get_mut(t)) else {
        return error(StatusCode::NOT_FOUND, 404, "Not found", "No payment with this pay_token");
    };
    if q.order_id.as_deref() != Some(p.order_id.as_str()) || q.amount.as_ref().and_then(Value::as_i64) != Some(p.amount) {
        return invalid("order_id and amount must be the payment's");
    }
    p.age(Utc::now());
    (StatusCode::CREATED, Json(json!({"status": p.status, "order_id": p.order_id, "txnid": p.txnid}))).into_response()
}

// --- The payment page ----------------------------------------------------------------------

const PAGE_STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#111}\
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}\
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 4px #0002}\
.brand{display:flex;align-items:center;gap:.5rem;font-weight:700;font-size:1.25rem}\
.note{background:#fff4d6;border-radius:.5rem;padding:.5rem .75rem;font-size:.9rem}\
.amount{font-size:2rem;font-weight:700;margin:.5rem 0}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}\
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #666;border-radius:.5rem;font-size:1rem}\
button{display:block;width:100%;margin-top:.75rem;padding:.75rem;border-radius:.5rem;border:0;font-size:1rem;font-weight:600;cursor:pointer}\
.pay{background:#ff7900;color:#000}.alt{background:#e6e6e6;color:#111}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{PAGE_STYLE}</style></head><body><main>\
         <p class=\"brand\"><svg width=\"28\" height=\"28\" viewBox=\"0 0 28 28\" aria-hidden=\"true\"><rect width=\"28\" height=\"28\" fill=\"#ff7900\"/>\
         <rect x=\"4\" y=\"19\" width=\"20\" height=\"4\" fill=\"#fff\"/></svg>Orange Money</p>\
         <p class=\"note\">Bac à sable de Coko : aucun argent réel ne circule.</p><div class=\"card\">{body}</div></main></body></html>"
    ))
}

fn francs(amount: i64) -> String {
    let digits: Vec<char> = amount.to_string().chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(*c);
    }
    format!("{out} FCFA")
}

async fn payment_page(State(o): State<Shared>, Path(token): Path<String>) -> Response {
    let found = {
        let mut inner = o.lock();
        inner.payments.get_mut(&token).map(|p| {
            p.age(Utc::now());
            p.clone()
        })
    };
    let Some(p) = found else { return (StatusCode::NOT_FOUND, page("Orange Money", "<h1>Paiement inconnu</h1>")).into_response() };
    let amount = francs(p.amount);
    if p.status != "INITIATED" {
        let what = match p.status {
            "SUCCESS" => "Ce paiement est déjà fait.",
            "FAILED" => "Ce paiement a échoué.",
            _ => "Ce paiement a expiré.",
        };
        let back = if p.status == "SUCCESS" { &p.return_url } else { &p.cancel_url };
        let body = format!("<h1>{what}</h1><p class=\"amount\">{amount}</p><p><a href=\"{}\">Retour au marchand</a></p>", esc(back));
        return page("Orange Money", &body).into_response();
    }
    let body = format!(
        "<h1>Payer Coko</h1><p class=\"amount\">{amount}</p>\
         <form method=\"post\"><label for=\"msisdn\">Votre numéro Orange Money</label>\
         <input id=\"msisdn\" name=\"msisdn\" type=\"tel\" autocomplete=\"tel\" placeholder=\"07 00 00 00 00\">\
         <label for=\"otp\">Code de paiement (composez #144*82# pour l'obtenir)</label>\
         <input id=\"otp\" name=\"otp\" inputmode=\"numeric\" autocomplete=\"one-time-code\">\
         <button class=\"pay\" name=\"outcome\" value=\"pay\">Confirmer le paiement de {amount}</button>\
         <button class=\"alt\" name=\"outcome\" value=\"insufficient-funds\">Simuler : solde insuffisant</button>\
         <button class=\"alt\" name=\"outcome\" value=\"cancel\">Annuler et revenir</button></form>"
    );
    page("Orange Money — payer", &body).into_response()
}

#[derive(Deserialize)]
struct PayForm {
    outcome: String,
    #[serde(default)]
    msisdn: String,
    #[serde(default)]
    otp: String,
}

/// The payer's answer: a number and a code pay; a shortfall fails (final); then back to the
/// merchant and the notification to the order's `notif_url`.
async fn pay(State(o): State<Shared>, Path(token): Path<String>, Form(f): Form<PayForm>) -> Response {
    let (notification, back) = {
        let mut inner = o.lock();
        let Some(p) = inner.payments.get_mut(&token) else { return StatusCode::NOT_FOUND.into_response() };
        p.age(Utc::now());
        if p.status != "INITIATED" {
            return Redirect::to(&format!("/orange-webpay/payment/pay_token/{token}")).into_response();
        }
        match f.outcome.as_str() {
            "pay" if f.msisdn.trim().is_empty() || f.otp.trim().is_empty() => {
                let body = "<h1>Numéro et code requis</h1><p role=\"alert\">Saisissez votre numéro et le code reçu.</p>\
                            <p><a href=\"\">Recommencer</a></p>";
                return (StatusCode::UNPROCESSABLE_ENTITY, page("Orange Money", body)).into_response();
            }
            "pay" => p.status = "SUCCESS",
            "insufficient-funds" => p.status = "FAILED",
            _ => return Redirect::to(&p.cancel_url.clone()).into_response(),
        }
        let txnid = format!("MP{}.{}", Utc::now().format("%y%m%d.%H%M"), random_id("", 6).to_uppercase());
        p.txnid = Some(txnid.clone());
        let body = json!({"status": p.status, "notif_token": p.notif_token, "txnid": txnid}).to_string();
        let back = if p.status == "SUCCESS" { p.return_url.clone() } else { p.cancel_url.clone() };
        ((p.pay_token.clone(), txnid, p.status, body, p.notif_url.clone()), back)
    };
    let (session, txnid, kind, body, url) = notification;
    o.hooks.send_to(&session, &txnid, kind, body, Some(url));
    Redirect::to(&back).into_response()
}

#[derive(Deserialize)]
struct Age {
    minutes: i64,
}

/// Moves a payment `minutes` into its past (its 10 minutes run out without waiting).
async fn age(State(o): State<Shared>, Path(token): Path<String>, Json(a): Json<Age>) -> StatusCode {
    let mut inner = o.lock();
    let Some(p) = inner.payments.get_mut(&token) else { return StatusCode::NOT_FOUND };
    p.created -= Span::minutes(a.minutes);
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payments_expire_after_ten_minutes_unless_settled() {
        let mut p = WebPayment {
            order_id: "o1".into(),
            amount: 2000,
            pay_token: "t".into(),
            notif_token: "n".into(),
            return_url: String::new(),
            cancel_url: String::new(),
            notif_url: String::new(),
            status: "INITIATED",
            txnid: None,
            created: Utc::now() - Span::minutes(11),
        };
        p.age(Utc::now());
        assert_eq!(p.status, "EXPIRED");
        p.status = "SUCCESS";
        p.age(Utc::now());
        assert_eq!(p.status, "SUCCESS");
        assert_eq!(francs(20000), "20\u{202f}000 FCFA");
    }
}
