//! `/api/v1`: JSON for mobile clients and third parties, over the same domain services as the
//! web pages.

mod auth;
mod catalog;
mod json;
pub mod reading;

pub use json::ApiError;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/register/", post(auth::register))
        .route("/auth/login/", post(auth::login))
        .route("/auth/logout/", post(auth::logout))
        .route("/auth/refresh/", post(auth::refresh))
        .route("/auth/profile/", get(auth::profile).put(auth::update_profile))
        .route("/auth/forgot-password/", post(auth::forgot_password))
        .route("/auth/reset-password/", post(auth::reset_password))
        .route("/auth/verify-email/", post(auth::verify_email))
        .route("/catalog/books/", get(catalog::list))
        .route("/catalog/books/search/", get(catalog::search))
        .route("/catalog/books/{id}/", get(catalog::detail))
        .route("/reading/progress/{book_id}/", get(reading::progress).put(reading::save_progress))
        .route("/reading/annotations/", get(reading::annotations).post(reading::annotate))
        .route("/reading/sessions/", post(reading::record_session))
        .route("/reading/stats/", get(reading::stats))
        .route("/reading/settings/", get(reading::settings).put(reading::save_settings))
        .route("/reading/annotations/export/", get(reading::export))
        .route("/reading/annotations/{id}/", axum::routing::put(reading::edit_annotation).delete(reading::delete_annotation))
        .fallback(json::not_found)
}
