//! `/api/v1/notifications/…`: the inbox, marking read, archiving, preferences, the delivery log
//! and the one-click unsubscribe of mails (RFC 8058) — the same service as the pages
//! (`crate::http::notifications`).

use super::auth::Ip;
use super::json::{ApiError, Body, Lang};
use super::reading::ReaderAuth;
use crate::error::HttpError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::Json;
use domain::error::{FieldError, Reason};
use domain::notification::{Category, Preferences, PreferencesForm, Shelf};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    /// `archived` for the archive; the inbox otherwise.
    shelf: Option<String>,
}

/// `GET /notifications/` → `{"notifications": […], "unread": N, "next"?}`: unread first, then
/// the newest; `next` is the `after` of the following page.
pub async fn list(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let shelf = match q.shelf.as_deref() {
        None | Some("") | Some("inbox") => Shelf::Inbox,
        Some("archived") => Shelf::Archived,
        Some(_) => return Err(ApiError::new(invalid("shelf", Reason::Unknown), lang)),
    };
    let page = s.notifications.page(&user, shelf, q.after.as_deref()).await.map_err(|e| ApiError::new(e, lang))?;
    let mut body = json!({ "notifications": page.items, "unread": page.unread });
    if let Some(next) = page.next {
        body["next"] = next.into();
    }
    Ok(Json(body))
}

fn invalid(field: &str, reason: Reason) -> HttpError {
    HttpError::from(domain::notification::NotificationError::Invalid(vec![FieldError::new(field, reason)]))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    #[serde(default)]
    ids: Option<Vec<String>>,
    #[serde(default)]
    all: bool,
}

/// `POST /notifications/read/` with `{"ids": […]}` or `{"all": true}` → `{"marked": n, "unread": N}`.
pub async fn read(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(b): Body<ReadBody>,
) -> Result<Json<Value>, ApiError> {
    let ids = match (b.ids, b.all) {
        (Some(_), true) => return Err(ApiError::new(invalid("all", Reason::Mismatch), lang)),
        (None, false) => return Err(ApiError::new(invalid("ids", Reason::Required), lang)),
        (ids, _) => ids,
    };
    let marked = s.notifications.mark_read(&user, ids.as_deref()).await.map_err(|e| ApiError::new(e, lang))?;
    let unread = s.notifications.unread(&user.id).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "marked": marked, "unread": unread })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveBody {
    ids: Vec<String>,
}

/// `POST /notifications/archive/` with `{"ids": […]}` → `{"archived": n}`.
pub async fn archive(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(b): Body<ArchiveBody>,
) -> Result<Json<Value>, ApiError> {
    let archived = s.notifications.archive(&user, &b.ids).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "archived": archived })))
}

fn prefs_json(s: &AppState, p: &Preferences) -> Value {
    let channels = s.notifications.channels();
    let cells: Vec<Value> = p
        .cells
        .iter()
        .filter(|c| channels.contains(&c.channel))
        .map(|c| {
            let fixed = c.category.is_critical()
                && matches!(c.channel, domain::notification::Channel::InApp | domain::notification::Channel::Email);
            json!({ "category": c.category, "channel": c.channel, "enabled": p.allows(c.category, c.channel), "locked": fixed })
        })
        .collect();
    json!({
        "preferences": {
            "cells": cells,
            "quiet_hours": p.quiet_hours.map(|(start, end)| json!({ "start": start, "end": end })),
            "time_zone": p.time_zone,
            "digest": p.digest,
        },
        "channels": channels,
        "categories": Category::ALL,
    })
}

/// `GET /notifications/preferences/` → `{"preferences": {cells, quiet_hours, time_zone},
/// "channels", "categories"}`.
pub async fn preferences(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let p = s.notifications.preferences(&user).await.map_err(|e| ApiError::new(HttpError::from(e), lang))?;
    Ok(Json(prefs_json(&s, &p)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellBody {
    category: String,
    channel: String,
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietBody {
    start: Value,
    end: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    #[serde(default)]
    cells: Vec<CellBody>,
    /// Absent: kept; `null`: none; `{"start", "end"}`: local hours 0–23.
    #[serde(default, deserialize_with = "present")]
    quiet_hours: Option<Option<QuietBody>>,
    #[serde(default)]
    time_zone: Option<String>,
    /// `immediate`, `daily` or `weekly`.
    #[serde(default)]
    digest: Option<String>,
}

/// Tells an absent field (`None`) from a `null` one (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<QuietBody>>, D::Error> {
    Ok(Some(Option::<QuietBody>::deserialize(d)?))
}

/// `PUT /notifications/preferences/`: the cells named change, the rest are kept.
pub async fn save_preferences(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(b): Body<PreferencesBody>,
) -> Result<Json<Value>, ApiError> {
    let hour = |v: &Value| match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => "x".to_owned(),
    };
    let form = PreferencesForm {
        cells: b.cells.into_iter().map(|c| (c.category, c.channel, c.enabled)).collect(),
        quiet_hours: b.quiet_hours.map(|q| q.map(|q| (hour(&q.start), hour(&q.end)))),
        time_zone: b.time_zone,
        digest: b.digest,
    };
    let p = s.notifications.set_preferences(&user, &form, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(prefs_json(&s, &p)))
}

#[derive(Deserialize)]
pub struct DeliveriesQuery {
    all: Option<String>,
}

/// `GET /notifications/deliveries/` → `{"deliveries": […]}`: the messages sent to the reader on
/// other channels than the app, with their state and the provider's answer; `?all=1` for an
/// admin: everyone's.
pub async fn deliveries(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Value>, ApiError> {
    let all = q.all.is_some_and(|a| a == "1" || a == "true");
    if all && !user.role.can_manage_users() {
        return Err(ApiError::new(HttpError::new(domain::ErrorCode::Forbidden), lang));
    }
    let list = s.notifications.deliveries(&user, all, 200).await.map_err(|e| ApiError::new(HttpError::from(e), lang))?;
    Ok(Json(json!({ "deliveries": list })))
}

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    t: Option<String>,
    c: Option<String>,
}

/// `POST /notifications/unsubscribe/?t=…&c=…`: the target of a mail's `List-Unsubscribe` with
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the mail client posts it
/// without anyone signed in; the token says whose. → `{"unsubscribed": true|false}` (false: it
/// was off already).
pub async fn unsubscribe(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ip: Ip,
    Query(q): Query<UnsubscribeQuery>,
) -> Result<Json<Value>, ApiError> {
    let category = match q.c.as_deref() {
        None | Some("all") => None,
        Some(c) => Some(Category::parse(c).ok_or_else(|| ApiError::new(invalid("c", Reason::Unknown), lang))?),
    };
    let (_, changed) =
        s.notifications.unsubscribe(q.t.as_deref().unwrap_or(""), category, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "unsubscribed": changed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    #[serde(default)]
    category: Option<String>,
}

/// `POST /notifications/test/` (admins) with `{"category"?}` → 202: a test notice to oneself on
/// every channel one allows for that category (`payments` by default).
pub async fn test(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Body(b): Body<TestBody>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let category = b.category.unwrap_or_else(|| "payments".into());
    s.notifications.send_test(&user, &category).await.map_err(|e| ApiError::new(e, lang))?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(json!({ "queued": true }))))
}

fn phone_json(p: Option<domain::notification::Phone>) -> Value {
    json!({ "phone": p })
}

/// `GET /notifications/phone/` → `{"phone": {"number", "verified"} | null, "sms": bool}` (`sms`:
/// whether this server sends texts at all).
pub async fn phone(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let p = s.notifications.phone(&user).await.map_err(|e| ApiError::new(HttpError::from(e), lang))?;
    let mut body = phone_json(p);
    body["sms"] = s.notifications.channels().contains(&domain::notification::Channel::Sms).into();
    Ok(Json(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneBody {
    number: String,
}

/// `PUT /notifications/phone/` with `{"number"}` → 202 `{"phone": {…, "verified": false}}`: a code
/// is on its way by SMS (200 and `verified: true` when it is the verified number already).
pub async fn set_phone(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(b): Body<PhoneBody>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let p = s.notifications.set_phone(&user, &b.number, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    let status = if p.verified { axum::http::StatusCode::OK } else { axum::http::StatusCode::ACCEPTED };
    Ok((status, Json(phone_json(Some(p)))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    code: String,
}

/// `POST /notifications/phone/confirm/` with `{"code"}` → `{"phone": {…, "verified": true}}`.
pub async fn confirm_phone(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(b): Body<CodeBody>,
) -> Result<Json<Value>, ApiError> {
    let p = s.notifications.confirm_phone(&user, &b.code, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(phone_json(Some(p))))
}

/// `DELETE /notifications/phone/` → `{"removed": bool}`: no more texts.
pub async fn remove_phone(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
) -> Result<Json<Value>, ApiError> {
    let removed = s.notifications.remove_phone(&user, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "removed": removed })))
}

/// `GET /notifications/push/` → `{"public_key": <VAPID key, base64url> | null, "devices": […]}`:
/// the key a browser subscribes with (`null`: this server sends no Web Push) and the reader's
/// browsers (`id`, `device`, `created_at`, `last_sent_at`).
pub async fn push(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let devices = s.notifications.push_devices(&user).await.map_err(|e| ApiError::new(HttpError::from(e), lang))?;
    Ok(Json(json!({ "public_key": s.push_key, "devices": devices })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    p256dh: String,
    auth: String,
}

/// What `PushSubscription.toJSON()` gives.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PushBody {
    endpoint: String,
    #[allow(dead_code)]
    expiration_time: Option<serde_json::Number>,
    keys: PushKeys,
}

/// `POST /notifications/push/devices/` with a browser's `PushSubscription.toJSON()` → 201
/// `{"device": {…}}` (200 when that browser was stored already). Endpoints must be `https` on a
/// named host; keys a P-256 point and a 16-byte secret (422 naming the field otherwise).
pub async fn add_push_device(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    headers: axum::http::HeaderMap,
    Body(b): Body<PushBody>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let ua = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let input = domain::notification::push::NewDevice {
        endpoint: b.endpoint,
        p256dh: b.keys.p256dh,
        auth: b.keys.auth,
        device: domain::notification::push::device_name(ua),
    };
    let (d, added) = s.notifications.add_push_device(&user, &input, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    let status = if added { axum::http::StatusCode::CREATED } else { axum::http::StatusCode::OK };
    Ok((status, Json(json!({ "device": d }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    endpoint: String,
}

/// `DELETE /notifications/push/devices/{id}/` → `{"removed": bool}`.
pub async fn remove_push_device(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let removed = s.notifications.remove_push_device(&user, &id, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "removed": removed })))
}

/// `POST /notifications/push/unsubscribe/` with `{"endpoint"}` → `{"removed": bool}`: what a
/// browser calls when it unsubscribes (it knows its endpoint, not Coko's id for it).
pub async fn unsubscribe_push(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(b): Body<EndpointBody>,
) -> Result<Json<Value>, ApiError> {
    let removed = s.notifications.remove_push_device(&user, &b.endpoint, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "removed": removed })))
}

/// `POST /notifications/sms/reports/{token}/`: Africa's Talking's delivery reports, form-encoded
/// (`id`, `status`, `phoneNumber`, `failureReason`…), to the URL registered in its dashboard with
/// `COKO_SMS_REPORT_TOKEN` as its last segment (the reports carry no signature). A wrong token
/// is 404; a report about no message of Coko's is still answered 200 (`accepted: false`), so that
/// the provider does not send it again and again.
pub async fn sms_report(
    State(s): State<AppState>,
    Lang(lang): Lang,
    axum::extract::Path(token): axum::extract::Path<String>,
    axum::extract::Form(f): axum::extract::Form<std::collections::HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let expected = s.config.sms_report_token.as_ref().map(|t| t.0.as_slice());
    let same = expected.is_some_and(|e| e.len() == token.len() && e.iter().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0);
    if !same {
        return Err(ApiError::new(HttpError::new(domain::ErrorCode::NotFound), lang));
    }
    let field = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let report = domain::notification::sms::DeliveryReport {
        message_id: field("id"),
        status: field("status"),
        phone: field("phoneNumber"),
        failure_reason: f.get("failureReason").cloned(),
    };
    if report.message_id.is_empty() || report.status.is_empty() {
        return Err(ApiError::new(invalid(if report.message_id.is_empty() { "id" } else { "status" }, Reason::Required), lang));
    }
    let accepted = s.notifications.sms_report(&report).await.map_err(|e| ApiError::new(HttpError::from(e), lang))?;
    if !accepted {
        tracing::warn!(id = %report.message_id, "an SMS delivery report about no message of Coko's (or another number) was dropped");
    }
    Ok(Json(json!({ "accepted": accepted })))
}

/// `GET /follows/` → `{"follows": [{"kind", "id", "name", "created_at"}]}`: the authors and
/// categories the reader follows, newest first.
pub async fn follows(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let follows = s.notifications.follows(&user).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "follows": follows })))
}

/// `PUT /follows/{kind}/{id}/` (`author` or `category`) → `{"following": true, "changed": bool}`.
pub async fn follow(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    axum::extract::Path((kind, id)): axum::extract::Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_follow(&s, lang, &user, &ip, &kind, &id, true).await
}

/// `DELETE /follows/{kind}/{id}/` → `{"following": false, "changed": bool}`.
pub async fn unfollow(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    axum::extract::Path((kind, id)): axum::extract::Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    set_follow(&s, lang, &user, &ip, &kind, &id, false).await
}

async fn set_follow(
    s: &AppState,
    lang: domain::validation::Language,
    user: &domain::account::User,
    ip: &Ip,
    kind: &str,
    id: &str,
    following: bool,
) -> Result<Json<Value>, ApiError> {
    let changed = s.notifications.set_follow(user, kind, id, following, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "following": following, "changed": changed })))
}
