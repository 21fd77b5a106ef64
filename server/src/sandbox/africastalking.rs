//! Africa's Talking's SMS API as its documentation describes it (docs.africastalking.com/sms/
//! sending and …/sms/notifications): `POST /version1/messaging`, form-encoded `username`, `to`
//! (comma-separated), `message` and `from`, the key in an `apiKey` header; 401 with a plain-text
//! body for a wrong key or username; 201 with `SMSMessageData.Recipients` (`statusCode`,
//! `number`, `status`, `cost`, `messageId`) otherwise. Each accepted message's delivery report is
//! then posted, form-encoded and unsigned (`id`, `status`, `phoneNumber`, `networkCode`,
//! `failureReason`, `retryCount`), to the callback URL a merchant registers in the dashboard
//! (`COKO_SANDBOX_AFRICASTALKING_WEBHOOK_URL`, or `PUT /_sandbox/africastalking/webhook`).
//!
//! Numbers that behave as real ones do: not E.164 → `403 InvalidPhoneNumber` (no message id);
//! ending in `98` → `406 UserInBlacklist`; ending in `99` → accepted, then reported `Failed`
//! (`UserIsInactive`); any other → `101 Success`, then reported `Success`. The price is counted
//! per part, as operators do ([`domain::notification::gsm`]): 25 XOF a part.
//!
//! What the provider has no need of: `GET /_sandbox/africastalking/messages` (every text, for
//! tests) and `GET /_sandbox/africastalking/phone` (the same as a page: a newcomer trying Coko
//! reads the codes there), and the faults of every sandbox (`/_sandbox/africastalking/faults`).

use super::hooks::{ApiFault, HookSettings, Hooks, Signer};
use super::{esc, random_id};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::notification::gsm::cost;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct AfricasTalkingSettings {
    pub username: String,
    pub api_key: String,
    pub hooks: HookSettings,
}

#[derive(Debug, Clone, serde::Serialize)]
struct Sent {
    id: String,
    to: String,
    from: Option<String>,
    message: String,
    encoding: &'static str,
    parts: usize,
    status_code: u16,
    at: String,
}

pub struct AfricasTalkingSandbox {
    settings: AfricasTalkingSettings,
    sent: Mutex<Vec<Sent>>,
    hooks: Arc<Hooks>,
}

impl AfricasTalkingSandbox {
    pub fn new(settings: AfricasTalkingSettings) -> Self {
        let signer = Signer {
            headers: Box::new(|_, _, _| Vec::new()),
            user_agent: "AfricasTalking-DLR (Coko sandbox)",
            content_type: "application/x-www-form-urlencoded",
        };
        let hooks = Hooks::new(settings.hooks.clone(), signer);
        AfricasTalkingSandbox { settings, sent: Mutex::new(Vec::new()), hooks }
    }

    fn sent(&self) -> std::sync::MutexGuard<'_, Vec<Sent>> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type Shared = Arc<AfricasTalkingSandbox>;

pub fn routes(at: Shared) -> Router {
    let control = super::hooks::control_routes("africastalking", at.hooks.clone());
    Router::new()
        .route("/version1/messaging", post(send))
        .route("/_sandbox/africastalking/messages", get(messages))
        .route("/_sandbox/africastalking/phone", get(phone))
        .with_state(at)
        .merge(control)
}

fn plain(status: StatusCode, text: &str) -> Response {
    (status, [("content-type", "text/plain; charset=utf-8")], text.to_owned()).into_response()
}

/// What a number does, as the module's notes say.
fn recipient_status(number: &str) -> (u16, &'static str) {
    let digits = number.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (403, "InvalidPhoneNumber");
    }
    if digits.ends_with("98") {
        return (406, "UserInBlacklist");
    }
    (101, "Success")
}

/// `POST /version1/messaging`.
async fn send(State(at): State<Shared>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    let key = headers.get("apikey").and_then(|v| v.to_str().ok());
    if key != Some(at.settings.api_key.as_str()) || f.get("username") != Some(&at.settings.username) {
        return plain(StatusCode::UNAUTHORIZED, "The supplied authentication is invalid");
    }
    for field in ["to", "message"] {
        if f.get(field).is_none_or(|v| v.trim().is_empty()) {
            return plain(StatusCode::BAD_REQUEST, &format!("Request is missing required form field '{field}'"));
        }
    }
    let fault = at.hooks.take_fault(true);
    let lose = fault == ApiFault::LoseAnswer;
    match fault {
        ApiFault::None => {}
        ApiFault::Error => return plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        ApiFault::Timeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            return plain(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
        }
        // Sent below, but the answer is held past any client's patience.
        ApiFault::LoseAnswer => {}
    }
    let message = f.get("message").cloned().unwrap_or_default();
    let from = f.get("from").cloned();
    let c = cost(&message);
    let mut recipients = Vec::new();
    let mut total = 0usize;
    let mut accepted = 0usize;
    let count = f.get("to").map(|t| t.split(',').count()).unwrap_or(0);
    for number in f.get("to").map(String::as_str).unwrap_or("").split(',').map(str::trim) {
        let (code, status) = recipient_status(number);
        let id = if code == 101 { random_id("ATXid_", 32) } else { "None".to_owned() };
        let price = if code == 101 { 25 * c.parts } else { 0 };
        total += price;
        if code == 101 {
            accepted += 1;
            at.sent().push(Sent {
                id: id.clone(),
                to: number.to_owned(),
                from: from.clone(),
                message: message.clone(),
                encoding: c.encoding.as_str(),
                parts: c.parts,
                status_code: code,
                at: chrono::Utc::now().to_rfc3339(),
            });
            let failed = number.ends_with("99");
            let mut report = vec![
                ("id", id.clone()),
                ("status", if failed { "Failed" } else { "Success" }.to_owned()),
                ("phoneNumber", number.to_owned()),
                ("networkCode", "60802".to_owned()),
                ("retryCount", "0".to_owned()),
            ];
            if failed {
                report.push(("failureReason", "UserIsInactive".to_owned()));
            }
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(report.iter().map(|(k, v)| (*k, v.as_str()))).finish();
            at.hooks.send(&id, &random_id("dlr_", 16), report[1].1.as_str(), body);
        }
        recipients.push(json!({
            "statusCode": code,
            "number": number,
            "status": status,
            "cost": if code == 101 { format!("XOF {price}.0000") } else { "0".to_owned() },
            "messageId": id,
        }));
    }
    if lose {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    let summary = format!("Sent to {accepted}/{count} Total Cost: XOF {total}.0000");
    (StatusCode::CREATED, Json(json!({"SMSMessageData": {"Message": summary, "Recipients": recipients}}))).into_response()
}

async fn messages(State(at): State<Shared>) -> Json<Value> {
    Json(json!({ "messages": *at.sent() }))
}

/// The texts as a phone would show them, the newest first.
async fn phone(State(at): State<Shared>) -> Html<String> {
    let items: String = at
        .sent()
        .iter()
        .rev()
        .take(100)
        .map(|m| {
            format!(
                "<li><p class=\"to\">{} · {} · {} part(s), {}</p><p class=\"text\">{}</p></li>",
                esc(&m.to),
                esc(&m.at),
                m.parts,
                m.encoding,
                esc(&m.message)
            )
        })
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Africa's Talking sandbox — texts</title><style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}}\
         ul{{list-style:none;padding:0}}li{{border:1px solid #cbd5e1;border-radius:12px;padding:.75rem;margin:.5rem 0}}.to{{color:#334155;font-size:.85rem;margin:0}}\
         .text{{margin:.25rem 0 0;white-space:pre-wrap}}</style></head><body><h1>Texts sent (Africa's Talking sandbox)</h1>\
         <p>Every SMS Coko sent through this sandbox, the newest first. Reload to see new ones.</p><ul>{items}</ul></body></html>"
    ))
}
