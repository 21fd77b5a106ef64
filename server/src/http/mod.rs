//! The HTTP surface: pages, forms, REST, health, static files, and the middleware around them.

pub mod admin_books;
pub mod admin_entries;
pub mod admin_payments;
pub mod community;
pub mod errors;
pub mod files;
pub mod forms;
pub mod middleware;
pub mod notifications;
pub mod offline;
pub mod pages;
pub mod payment;
pub mod reader;
pub mod render;
pub mod upload;
pub mod visit;

use crate::sessions::DbSessionStore;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::account::AccountStore;
use serde_json::json;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The whole application.
pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore(state.store.clone()))
        .with_name("coko_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(crate::sessions::INACTIVITY));

    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/connexion", get(pages::login).post(forms::login))
        .route("/inscription", get(pages::register).post(forms::register))
        .route("/deconnexion", post(forms::logout))
        .route("/profil", get(pages::profile).post(forms::profile))
        .route("/profil/mot-de-passe", post(forms::change_password))
        .route("/verifier-email", get(pages::verify_email))
        .route("/verifier-email/renvoyer", post(forms::resend_verification))
        .route("/mot-de-passe/oublie", get(pages::forgot_password).post(forms::forgot_password))
        .route("/mot-de-passe/nouveau", get(pages::reset_password).post(forms::reset_password))
        .route("/admin/livres", get(admin_books::list))
        .route(
            "/admin/livres/importer",
            get(admin_books::upload_form)
                .post(admin_books::upload)
                .layer(axum::extract::DefaultBodyLimit::max(state.config.max_upload_bytes as usize + 1024 * 1024)),
        )
        .route("/admin/livres/lot", post(admin_books::bulk))
        .route("/admin/livres/{id}", get(admin_books::show).post(admin_books::save))
        .route("/admin/livres/{id}/metadonnees", post(admin_books::correct))
        .route("/admin/livres/{id}/acces", post(admin_books::grant))
        .route("/admin/livres/{id}/supprimer", post(admin_books::delete))
        .merge(admin_entries::routes())
        .route(
            "/admin/auteurs/{id}/photo",
            post(admin_entries::author_photo).layer(axum::extract::DefaultBodyLimit::max(domain::catalog::MAX_PHOTO_BYTES + 64 * 1024)),
        )
        .route("/admin/auteurs/{id}/photo/retirer", post(admin_entries::remove_author_photo))
        .route("/admin/utilisateurs", get(pages::admin_users))
        .route("/admin/journal", get(pages::audit))
        .route("/admin/taches", get(pages::dead_jobs))
        .route("/admin/taches/{id}/relancer", post(forms::retry_job))
        .route("/admin/paiements", get(admin_payments::list))
        .route("/admin/paiements/{id}", get(admin_payments::show))
        .route("/admin/paiements/{id}/verifier", post(admin_payments::recheck))
        .route("/admin/paiements/{id}/rembourser", post(admin_payments::refund))
        .route("/admin/formules", get(admin_payments::plans))
        .route("/admin/revenus", get(admin_payments::revenue))
        .route("/admin/formules/{id}", post(admin_payments::save_plan))
        .route("/admin/utilisateurs/{id}/role", post(forms::set_role))
        .route("/preferences/langue", post(forms::set_language))
        .route("/preferences/theme", post(forms::set_theme))
        .route("/catalogue", get(pages::catalog))
        .route("/livres/{id}", get(pages::book))
        .route("/livres/{id}/avis", post(community::save_review))
        .route("/avis/{id}/supprimer", post(community::delete_review))
        .route("/avis/{id}/utile", post(community::vote))
        .route("/moderation", get(community::moderation))
        .route("/moderation/avis/{id}", post(community::moderate))
        .route("/moderation/journal", get(community::modlog))
        .route("/moderation/mots", post(community::watch_word))
        .route("/signalements", post(community::report))
        .route("/moderation/signalements/{kind}/{id}", post(community::decide_flag))
        .route("/livres/{id}/acheter", get(payment::checkout_page).post(payment::checkout))
        .route("/achats", get(payment::purchases))
        .route("/notifications", get(notifications::inbox))
        .route("/notifications/lues", post(notifications::mark_read))
        .route("/notifications/archiver", post(notifications::archive))
        .route("/notifications/desabonnement", get(notifications::unsubscribe_page).post(notifications::unsubscribe))
        .route("/notifications/{id}", get(notifications::open))
        .route("/admin/notifications", get(notifications::admin))
        .route("/admin/notifications/essai", post(notifications::send_test))
        .route("/admin/notifications/annonce", post(notifications::broadcast))
        .route("/profil/notifications", get(notifications::preferences).post(notifications::save_preferences))
        .route("/profil/notifications/telephone", post(notifications::set_phone))
        .route("/profil/notifications/telephone/code", post(notifications::confirm_phone))
        .route("/profil/notifications/telephone/supprimer", post(notifications::remove_phone))
        .route("/profil/notifications/appareils/supprimer", post(notifications::remove_push_device))
        .route("/suivis", post(notifications::follow))
        .route("/premium", get(payment::premium))
        .route("/premium/renouvellement", post(payment::stop_renewal))
        .route("/premium/{plan}", get(payment::plan_checkout_page).post(payment::plan_checkout))
        .route("/achats/{id}", get(payment::payment))
        .route("/achats/{id}/facture", get(payment::invoice))
        .route("/auteurs/{id}", get(pages::author))
        .route("/editeurs/{id}", get(pages::publisher))
        .route("/recherche", get(pages::search))
        .route("/ma-bibliotheque", get(pages::library))
        .route("/statistiques", get(pages::stats))
        .route("/lire/{id}", get(reader::page))
        .route("/lire/{id}/contenu/{*path}", get(reader::content))
        .route("/lire/{id}/hors-ligne", get(offline::book_files))
        .route("/hors-ligne", get(offline::offline_page))
        .route("/telechargements", get(offline::downloads_page))
        .route("/manifest.webmanifest", get(offline::manifest))
        .route("/files/books/{id}/{name}", get(files::book))
        .layer(axum::middleware::from_fn(middleware::same_origin_forms))
        .layer(axum::middleware::from_fn_with_state(state.clone(), errors::error_pages))
        .layer(sessions.clone());

    let not_found = Router::new().fallback(pages::not_found).layer(sessions.clone()).with_state(state.clone());
    // Build assets come precompressed (scripts/precompress.mjs) when the build made them.
    let files = ServeDir::new(&*state.leptos.site_root).precompressed_br().precompressed_gzip().fallback(not_found.into_service());

    Router::new()
        .merge(pages)
        // Sessions load lazily: only the reading routes (the web reader's cookie) touch them.
        .nest("/api/v1", crate::rest::routes(state.config.max_upload_bytes).layer(sessions.clone()))
        .route("/files/covers/{hash}", get(files::cover))
        .route("/files/covers/{hash}/{width}", get(files::cover_at))
        .route("/sw.js", get(offline::worker))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .fallback_service(files)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(middleware::cache_control))
        .layer(axum::middleware::from_fn_with_state(state.config.secure_cookies, middleware::security_headers))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(PropagateRequestIdLayer::x_request_id())
        // Failures are logged once, with their cause, where the response is made (see crate::error).
        .layer(TraceLayer::new_for_http().make_span_with(middleware::request_span).on_failure(()))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// The process is up.
async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers. The search index is reported, not required:
/// while it is down, catalogue changes wait in the job queue and pages still render.
async fn ready(State(s): State<AppState>) -> impl IntoResponse {
    let db = tokio::time::timeout(Duration::from_secs(3), s.store.ping()).await;
    let index = tokio::time::timeout(Duration::from_secs(3), s.catalog.index_ready()).await.is_ok_and(|r| r.is_ok());
    let kind = if s.config.meilisearch.is_some() { "meilisearch" } else { "embedded" };
    match db {
        Ok(Ok(())) => {
            // Work waiting in the queue: an index that is down delays it, never loses it.
            let jobs = s.jobs.backlog().await.unwrap_or_default();
            let body = json!({
                "status": if index { "ready" } else { "degraded" }, "database": "ok",
                "index": if index { "ok" } else { "error" }, "indexKind": kind,
                "jobs": { "events": jobs.events, "ready": jobs.ready, "running": jobs.running, "dead": jobs.dead },
            });
            (StatusCode::OK, Json(body))
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database down");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "error" })))
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "database": "timeout" }))),
    }
}
