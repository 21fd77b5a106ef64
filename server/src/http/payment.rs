//! Buying a book or a Premium plan, as pages and forms (see `app::pages::payment`): choose a provider, be sent to
//! its page, come back to a page that asks the provider where the payment stands.

use super::errors::PageResult;
use super::pages::signed_in;
use super::render::render;
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{Buying, FormState, Page};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::payment::Checkout;
use std::collections::HashMap;

/// `/livres/{id}/acheter`: the providers offered for a book on sale.
pub async fn checkout_page(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    signed_in(&v)?;
    let book = s.catalog.book(&id, v.user.as_ref().map(|u| u.role)).await?;
    if !book.is_for_sale() {
        return Ok(Redirect::to(&format!("/livres/{}", book.id)).into_response());
    }
    Ok(render(&s, v.ctx(checkout_page_of(&s, Buying::Book(Box::new(book)))), StatusCode::OK).await)
}

fn checkout_page_of(s: &AppState, buying: Buying) -> Page {
    Page::Checkout { buying, providers: s.payments.providers(), pay_origins: s.payments.checkout_origins() }
}

/// The checkout form of a book or a plan: to the provider's page, or the form again with what
/// was wrong (`buying` names what the form was for).
async fn checkout_form(s: &AppState, v: &Visit, input: Checkout, buying: impl AsyncFnOnce() -> Result<Buying, HttpError>) -> PageResult {
    let user = signed_in(v)?;
    match s.payments.checkout(user, &input, &v.ip).await {
        Ok(p) => Ok(Redirect::to(p.redirect_url.as_deref().unwrap_or(&format!("/achats/{}", p.id))).into_response()),
        Err(domain::payment::PaymentError::AlreadyOwned) => Ok(Redirect::to(&format!("/lire/{}", input.book_id)).into_response()),
        Err(e) => {
            let err = HttpError::from(e);
            err.log();
            let mut ctx = v.ctx(checkout_page_of(s, buying().await?));
            let values = vec![("provider".to_owned(), input.provider), ("phone".to_owned(), input.phone)];
            ctx.form = Some(FormState {
                form: "checkout",
                values,
                fields: err.fields,
                error: Some(err.code),
                retry_after_secs: err.retry_after,
                detail: None,
            });
            Ok(render(s, ctx, err.status).await)
        }
    }
}

/// The checkout form of a book.
pub async fn checkout(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = Checkout { book_id: id.clone(), plan: String::new(), provider: field("provider"), phone: field("phone") };
    let role = v.user.as_ref().map(|u| u.role);
    checkout_form(&s, &v, input, async || Ok(Buying::Book(Box::new(s.catalog.book(&id, role).await?)))).await
}

/// `/premium`: the plans sold and the reader's Premium.
pub async fn premium(State(s): State<AppState>, v: Visit) -> PageResult {
    let plans = s.payments.plans(false).await?;
    let subscription = match &v.user {
        Some(u) => s.payments.subscription(u).await?,
        None => None,
    };
    Ok(render(&s, v.ctx(Page::Premium { plans, subscription }), StatusCode::OK).await)
}

async fn plan_on_sale(s: &AppState, id: &str) -> Result<domain::payment::Plan, HttpError> {
    let plan = s.payments.plan(id).await?.filter(|p| p.active);
    plan.ok_or_else(|| HttpError::from(domain::payment::PaymentError::NotFound))
}

/// `/premium/{plan}`: the providers offered for a plan.
pub async fn plan_checkout_page(State(s): State<AppState>, v: Visit, Path(plan): Path<String>) -> PageResult {
    signed_in(&v)?;
    let plan = plan_on_sale(&s, &plan).await?;
    Ok(render(&s, v.ctx(checkout_page_of(&s, Buying::Plan(plan))), StatusCode::OK).await)
}

/// The checkout form of a plan.
pub async fn plan_checkout(
    State(s): State<AppState>,
    v: Visit,
    Path(plan): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = Checkout { book_id: String::new(), plan: plan.clone(), provider: field("provider"), phone: field("phone") };
    checkout_form(&s, &v, input, async || Ok(Buying::Plan(plan_on_sale(&s, &plan).await?))).await
}

/// `POST /premium/renouvellement`: stops a card's automatic renewal.
pub async fn stop_renewal(State(s): State<AppState>, v: Visit) -> PageResult {
    s.payments.stop_renewal(signed_in(&v)?, &v.ip).await?;
    Ok(super::render::redirect_with(&v.session, "/achats", Some(app::context::Flash::RenewalStopped)).await)
}

/// `/achats/{id}`: where a payment stands (asked of the provider while it is pending).
pub async fn payment(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let payment = s.payments.current(signed_in(&v)?, &id).await?;
    Ok(render(&s, v.ctx(Page::Payment { payment: Box::new(payment) }), StatusCode::OK).await)
}

/// `/achats/{id}/facture`: the payment's invoice (PDF), for its reader or an admin.
pub async fn invoice(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let (number, pdf) = s.payments.invoice(signed_in(&v)?, &id, &s.config.seller).await?;
    Ok(invoice_response(&number, pdf))
}

/// A PDF invoice to download, never cached for another person.
pub fn invoice_response(number: &str, pdf: Vec<u8>) -> axum::response::Response {
    use axum::http::header::{HeaderValue, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    let mut res = pdf.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"facture-{number}.pdf\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    res
}

/// `/achats`: the reader's payments.
pub async fn purchases(State(s): State<AppState>, v: Visit) -> PageResult {
    let user = signed_in(&v)?;
    let payments = s.payments.payments(user).await?;
    let subscription = s.payments.subscription(user).await?;
    Ok(render(&s, v.ctx(Page::Purchases { payments, subscription }), StatusCode::OK).await)
}
