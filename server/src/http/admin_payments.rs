//! `/admin/paiements…` (admins): every payment with filters, one payment with its provider
//! history, a re-check with the provider and a full refund — over `PaymentService`.

use super::errors::PageResult;
use super::pages::signed_in;
use super::render::{redirect_with, render};
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{Flash, FormState, Page};
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use domain::error::{FieldError, Reason};
use domain::payment::{PaymentError, PaymentFilter, PaymentRow, PaymentState, Provider};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct ListQuery {
    fournisseur: Option<String>,
    etat: Option<String>,
    lecteur: Option<String>,
    du: Option<String>,
    au: Option<String>,
    apres: Option<String>,
}

/// `GET /admin/paiements`: what the filter form asks (a value it cannot read is no filter).
pub async fn list(State(s): State<AppState>, v: Visit, Query(q): Query<ListQuery>) -> PageResult {
    let user = signed_in(&v)?;
    let day = |d: &Option<String>| d.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    let filter = PaymentFilter {
        provider: q.fournisseur.as_deref().and_then(Provider::parse),
        state: q.etat.as_deref().and_then(PaymentState::parse),
        reader: q.lecteur.map(|r| r.trim().chars().take(100).collect::<String>()).filter(|r| !r.is_empty()),
        from: day(&q.du),
        to: day(&q.au),
    };
    let list = s.payments.list(user, &filter, q.apres.as_deref()).await?;
    Ok(render(&s, v.ctx(Page::AdminPayments { list, filter }), StatusCode::OK).await)
}

async fn page(s: &AppState, v: &Visit, id: &str) -> Result<Page, super::errors::WebError> {
    let user = signed_in(v)?;
    let history = s.payments.history(user, id).await?;
    let payment = s.payments.payment_for(user, id).await?;
    let email = s.accounts.user(&payment.user_id).await.map(|u| u.email).unwrap_or_default();
    Ok(Page::AdminPayment { row: Box::new(PaymentRow { payment, email }), history })
}

/// `GET /admin/paiements/{id}`.
pub async fn show(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let page = page(&s, &v, &id).await?;
    Ok(render(&s, v.ctx(page), StatusCode::OK).await)
}

/// The payment's page again, with why the action was refused.
async fn refused(s: &AppState, v: &Visit, id: &str, e: PaymentError) -> PageResult {
    // The provider's own code, shown beside the general message (`refund-not-supported`…).
    let detail = match &e {
        PaymentError::Refused(code) => Some(code.clone()),
        _ => None,
    };
    let err = HttpError::from(e);
    err.log();
    let mut ctx = v.ctx(page(s, v, id).await?);
    ctx.form = Some(FormState {
        form: "refund",
        values: Vec::new(),
        fields: err.fields,
        error: Some(err.code),
        retry_after_secs: err.retry_after,
        detail,
    });
    Ok(render(s, ctx, err.status).await)
}

/// `POST /admin/paiements/{id}/verifier`: asks the provider now.
pub async fn recheck(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    signed_in(&v)?;
    match s.payments.recheck(&v.actor(), &id).await {
        Ok(_) => Ok(redirect_with(&v.session, &format!("/admin/paiements/{id}"), Some(Flash::PaymentChecked)).await),
        Err(e @ (PaymentError::Unavailable(_) | PaymentError::Refused(_))) => refused(&s, &v, &id, e).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/paiements/{id}/rembourser`: only with the box ticked.
pub async fn refund(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    signed_in(&v)?;
    if f.get("confirm").map(String::as_str) != Some("1") {
        return refused(&s, &v, &id, PaymentError::Invalid(vec![FieldError::new("confirm", Reason::Required)])).await;
    }
    match s.payments.refund(&v.actor(), &id).await {
        Ok(_) => Ok(redirect_with(&v.session, &format!("/admin/paiements/{id}"), Some(Flash::PaymentRefunded)).await),
        Err(e @ (PaymentError::Unavailable(_) | PaymentError::Refused(_) | PaymentError::NotRefundable)) => refused(&s, &v, &id, e).await,
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/formules`: Premium's plans and their prices.
pub async fn plans(State(s): State<AppState>, v: Visit) -> PageResult {
    if !signed_in(&v)?.role.can_manage_users() {
        return Err(HttpError::from(PaymentError::Forbidden).into());
    }
    let plans = s.payments.plans(true).await?;
    Ok(render(&s, v.ctx(Page::AdminPlans { plans }), StatusCode::OK).await)
}

/// `POST /admin/formules/{id}`: a plan's price (read as any price an editor types) and whether
/// it is sold; the form again with its field when the price does not read.
pub async fn save_plan(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    signed_in(&v)?;
    let typed = f.get("price").cloned().unwrap_or_default();
    let outcome = match domain::catalog::parse_price(&typed) {
        Ok(price) => s.payments.set_plan(&v.actor(), &id, price, f.contains_key("active")).await,
        Err(reason) => Err(PaymentError::Invalid(vec![FieldError::new("price", reason)])),
    };
    match outcome {
        Ok(_) => Ok(redirect_with(&v.session, "/admin/formules", Some(Flash::PlanSaved)).await),
        Err(e @ PaymentError::Invalid(_)) => {
            let err = HttpError::from(e);
            // Each plan's form names its price field after the plan (two forms, one page).
            let form: &'static str = if id == "yearly" { "plan-yearly" } else { "plan-monthly" };
            let field = if id == "yearly" { "price-yearly" } else { "price-monthly" };
            let mut ctx = v.ctx(Page::AdminPlans { plans: s.payments.plans(true).await? });
            ctx.form = Some(FormState {
                form,
                values: vec![("price".to_owned(), typed)],
                fields: err.fields.into_iter().map(|e| FieldError::new(field, e.reason)).collect(),
                error: Some(err.code),
                retry_after_secs: None,
                detail: None,
            });
            Ok(render(&s, ctx, err.status).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/revenus`: the last twelve months' revenue.
pub async fn revenue(State(s): State<AppState>, v: Visit) -> PageResult {
    let revenue = s.payments.revenue(signed_in(&v)?, 12).await?;
    Ok(render(&s, v.ctx(Page::AdminRevenue { revenue }), StatusCode::OK).await)
}
