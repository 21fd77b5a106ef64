//! Buying a book, as pages and forms (see `app::pages::payment`): choose a provider, be sent to
//! its page, come back to a page that asks the provider where the payment stands.

use super::errors::PageResult;
use super::pages::signed_in;
use super::render::render;
use super::visit::Visit;
use crate::error::HttpError;
use crate::state::AppState;
use app::context::{FormState, Page};
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::payment::Checkout;
use std::collections::HashMap;

/// `/livres/{id}/acheter`: the providers offered for a paid book.
pub async fn checkout_page(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    signed_in(&v)?;
    let book = s.catalog.book(&id, v.user.as_ref().map(|u| u.role)).await?;
    if book.is_free() {
        return Ok(Redirect::to(&format!("/livres/{}", book.id)).into_response());
    }
    let page = Page::Checkout { book: Box::new(book), providers: s.payments.providers(), pay_origins: s.payments.checkout_origins() };
    Ok(render(&s, v.ctx(page), StatusCode::OK).await)
}

/// The checkout form: to the provider's page, or the form again with what was wrong.
pub async fn checkout(State(s): State<AppState>, v: Visit, Path(id): Path<String>, Form(f): Form<HashMap<String, String>>) -> PageResult {
    let user = signed_in(&v)?;
    let field = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = Checkout { book_id: id.clone(), provider: field("provider"), phone: field("phone") };
    match s.payments.checkout(user, &input, &v.ip).await {
        Ok(p) => Ok(Redirect::to(p.redirect_url.as_deref().unwrap_or(&format!("/achats/{}", p.id))).into_response()),
        Err(domain::payment::PaymentError::AlreadyOwned) => Ok(Redirect::to(&format!("/lire/{id}")).into_response()),
        Err(e) => {
            let err = HttpError::from(e);
            err.log();
            let book = s.catalog.book(&id, Some(user.role)).await?;
            let page =
                Page::Checkout { book: Box::new(book), providers: s.payments.providers(), pay_origins: s.payments.checkout_origins() };
            let mut ctx = v.ctx(page);
            let values = vec![("provider".to_owned(), input.provider), ("phone".to_owned(), input.phone)];
            ctx.form = Some(FormState {
                form: "checkout",
                values,
                fields: err.fields,
                error: Some(err.code),
                retry_after_secs: err.retry_after,
                detail: None,
            });
            Ok(render(&s, ctx, err.status).await)
        }
    }
}

/// `/achats/{id}`: where a payment stands (asked of the provider while it is pending).
pub async fn payment(State(s): State<AppState>, v: Visit, Path(id): Path<String>) -> PageResult {
    let payment = s.payments.current(signed_in(&v)?, &id).await?;
    Ok(render(&s, v.ctx(Page::Payment { payment: Box::new(payment) }), StatusCode::OK).await)
}

/// `/achats`: the reader's payments.
pub async fn purchases(State(s): State<AppState>, v: Visit) -> PageResult {
    let payments = s.payments.payments(signed_in(&v)?).await?;
    Ok(render(&s, v.ctx(Page::Purchases { payments }), StatusCode::OK).await)
}
