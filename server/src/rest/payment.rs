//! `/api/v1/payment/…`: buying a book or a Premium plan from the mobile apps, and the providers' webhooks — the
//! same payment service as the pages (`crate::http::payment`).

use super::auth::Ip;
use super::json::{ApiError, Body, Lang};
use super::reading::ReaderAuth;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use domain::payment::{Checkout, Payment, WebhookOutcome};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    /// A book on sale, or…
    #[serde(default)]
    book_id: String,
    /// …a Premium plan (`monthly`, `yearly`).
    #[serde(default)]
    plan: String,
    provider: String,
    #[serde(default)]
    phone: Option<String>,
}

/// `POST /payment/checkout/` → 201 `{payment_id, redirect_url, payment}`: send the payer to
/// `redirect_url` (the provider's page), then follow `payments/{id}/`.
pub async fn checkout(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
    Body(b): Body<CheckoutBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = Checkout { book_id: b.book_id, plan: b.plan, provider: b.provider, phone: b.phone.unwrap_or_default() };
    let p = s.payments.checkout(&user, &input, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok((StatusCode::CREATED, Json(json!({ "payment_id": p.id, "redirect_url": p.redirect_url, "payment": p }))))
}

/// `GET /payment/plans/`: the plans on sale, in their order (no sign-in needed).
pub async fn plans(State(s): State<AppState>, Lang(lang): Lang) -> Result<Json<Value>, ApiError> {
    let plans = s.payments.plans(false).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "plans": plans })))
}

/// The reader's Premium as the API shows it: `null` when never bought.
fn subscription_json(sub: Option<domain::payment::Subscription>) -> Value {
    let active = sub.as_ref().is_some_and(|s| s.is_active(chrono::Utc::now()));
    json!({ "subscription": sub, "active": active })
}

/// `GET /payment/subscription/` → `{"subscription": {plan_id, access_until, auto_renew} | null,
/// "active"}`.
pub async fn subscription(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let sub = s.payments.subscription(&user).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(subscription_json(sub)))
}

/// `DELETE /payment/subscription/`: stops automatic renewal (the period already paid runs to its
/// end); answers the subscription as it now is.
pub async fn stop_renewal(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    ip: Ip,
) -> Result<Json<Value>, ApiError> {
    let sub = s.payments.stop_renewal(&user, ip.as_str()).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(subscription_json(sub)))
}

/// `GET /payment/invoices/{payment_id}/`: the payment's invoice as PDF (404 until it succeeded).
pub async fn invoice(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let (number, pdf) = s.payments.invoice(&user, &id, &s.config.seller).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(crate::http::payment::invoice_response(&number, pdf))
}

/// `GET /payment/payments/`: the reader's payments, newest first.
pub async fn payments(State(s): State<AppState>, Lang(lang): Lang, ReaderAuth(user): ReaderAuth) -> Result<Json<Value>, ApiError> {
    let payments = s.payments.payments(&user).await.map_err(|e| ApiError::new(e, lang))?;
    Ok(Json(json!({ "payments": payments })))
}

/// `GET /payment/payments/{id}/`: where it stands — asked of the provider while pending.
pub async fn payment(
    State(s): State<AppState>,
    Lang(lang): Lang,
    ReaderAuth(user): ReaderAuth,
    Path(id): Path<String>,
) -> Result<Json<Payment>, ApiError> {
    s.payments.current(&user, &id).await.map(Json).map_err(|e| ApiError::new(e, lang))
}

/// `POST /payment/webhooks/{provider}/`: the raw body, verified before anything is read from
/// it. 200 once it is kept and the payment checked; 401 when its signature does not hold (kept
/// nowhere); 503 when the provider's lookup fails, so that the provider sends it again.
pub async fn webhook(
    State(s): State<AppState>,
    Lang(lang): Lang,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let headers: Vec<(String, String)> =
        headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned()))).collect();
    match s.payments.webhook(&provider, &headers, &body).await {
        Ok(WebhookOutcome::Checked(state)) => Ok(Json(json!({ "received": true, "state": state }))),
        Ok(WebhookOutcome::Unknown) => Ok(Json(json!({ "received": true }))),
        Err(e) => Err(ApiError::new(e, lang)),
    }
}
