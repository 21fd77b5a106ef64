//! `/api/v1`: JSON for mobile clients and third parties, over the same domain services as the
//! web pages.

pub(crate) mod auth;
mod catalog;
mod community;
mod json;
mod notifications;
mod payment;
pub mod reading;

pub use json::ApiError;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// `max_upload`: the largest book file accepted (`COKO_MAX_UPLOAD_MB`).
pub fn routes(max_upload: u64) -> Router<AppState> {
    Router::new()
        .route("/auth/register/", post(auth::register))
        .route("/auth/login/", post(auth::login))
        .route("/auth/logout/", post(auth::logout))
        .route("/auth/refresh/", post(auth::refresh))
        .route("/auth/profile/", get(auth::profile).put(auth::update_profile))
        .route("/auth/forgot-password/", post(auth::forgot_password))
        .route("/auth/reset-password/", post(auth::reset_password))
        .route("/auth/verify-email/", post(auth::verify_email))
        .route(
            "/catalog/books/",
            get(catalog::list).post(catalog::create).layer(axum::extract::DefaultBodyLimit::max(max_upload as usize + 1024 * 1024)),
        )
        .route("/catalog/books/search/", get(catalog::search))
        .route("/catalog/suggest/", get(catalog::suggest))
        .route("/catalog/authors/", get(catalog::authors))
        .route("/catalog/publishers/", get(catalog::publishers))
        .route("/catalog/categories/", get(catalog::categories))
        .route("/catalog/books/{id}/", get(catalog::detail).put(catalog::update).delete(catalog::remove))
        .route("/reading/progress/{book_id}/", get(reading::progress).put(reading::save_progress))
        .route("/reading/annotations/", get(reading::annotations).post(reading::annotate))
        .route("/reading/sessions/", post(reading::record_session))
        .route("/reading/stats/", get(reading::stats))
        .route("/reading/settings/", get(reading::settings).put(reading::save_settings))
        .route("/reading/annotations/export/", get(reading::export))
        .route("/reading/annotations/{id}/", axum::routing::put(reading::edit_annotation).delete(reading::delete_annotation))
        .route("/notifications/", get(notifications::list))
        .route("/notifications/read/", post(notifications::read))
        .route("/notifications/archive/", post(notifications::archive))
        .route("/notifications/preferences/", get(notifications::preferences).put(notifications::save_preferences))
        .route("/notifications/deliveries/", get(notifications::deliveries))
        .route("/notifications/unsubscribe/", post(notifications::unsubscribe))
        .route("/notifications/test/", post(notifications::test))
        .route("/notifications/phone/", get(notifications::phone).put(notifications::set_phone).delete(notifications::remove_phone))
        .route("/notifications/phone/confirm/", post(notifications::confirm_phone))
        .route("/notifications/sms/reports/{token}/", post(notifications::sms_report))
        .route("/notifications/push/", get(notifications::push))
        .route("/notifications/push/devices/", post(notifications::add_push_device))
        .route("/notifications/push/devices/{id}/", axum::routing::delete(notifications::remove_push_device))
        .route("/notifications/push/unsubscribe/", post(notifications::unsubscribe_push))
        .route("/follows/", get(notifications::follows))
        .route("/follows/{kind}/{id}/", axum::routing::put(notifications::follow).delete(notifications::unfollow))
        .route("/community/books/{id}/reviews/", get(community::reviews).post(community::post_review))
        .route("/community/reviews/{id}/", get(community::review).put(community::edit_review).delete(community::delete_review))
        .route("/community/reviews/{id}/helpful/", axum::routing::put(community::vote).delete(community::unvote))
        .route("/community/moderation/queue/", get(community::queue))
        .route("/community/reports/", post(community::report))
        .route("/community/moderation/log/", get(community::modlog))
        .route("/community/moderation/words/", get(community::words))
        .route("/community/moderation/words/{language}/{word}/", axum::routing::put(community::watch).delete(community::watch))
        .route("/community/moderation/flags/{kind}/{id}/", post(community::decide_flag))
        .route("/community/moderation/reviews/{id}/", post(community::moderate))
        .route("/payment/checkout/", post(payment::checkout))
        .route("/payment/payments/", get(payment::payments))
        .route("/payment/plans/", get(payment::plans))
        .route("/payment/invoices/{id}/", get(payment::invoice))
        .route("/payment/subscription/", get(payment::subscription).delete(payment::stop_renewal))
        .route("/payment/payments/{id}/", get(payment::payment))
        .route("/payment/webhooks/{provider}/", post(payment::webhook).layer(axum::extract::DefaultBodyLimit::max(256 * 1024)))
        .fallback(json::not_found)
}
