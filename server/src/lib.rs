//! Coko's server: configuration, state, HTTP (pages, forms, REST), sessions and the CLI.

pub mod books;
pub mod cli;
pub mod config;
pub mod error;
pub mod guard;
pub mod http;
pub mod jwt;
pub mod rate_limit;
pub mod rest;
pub mod sandbox;
pub mod sessions;
pub mod state;

use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Serves `state` on `listener` until SIGTERM or Ctrl-C, finishing requests in flight. Builds
/// the embedded search index first (it lives in this process's memory), and runs the job queue.
pub async fn serve(listener: TcpListener, state: state::AppState) -> std::io::Result<()> {
    // Leptos renders on the tokio runtime; initialising twice is harmless.
    let _ = any_spawner::Executor::init_tokio();
    if state.config.meilisearch.is_none() {
        match state.catalog.reindex().await {
            Ok(n) => tracing::info!(books = n, "search: embedded index built"),
            Err(e) => return Err(std::io::Error::other(format!("building the search index: {e}"))),
        }
    }
    state.jobs.clone().spawn();
    spawn_housekeeping(state.clone());
    let app = http::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await
}

/// Removes expired sessions every hour.
fn spawn_housekeeping(state: state::AppState) {
    use domain::account::AccountStore;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match state.store.delete_expired_sessions(domain::clock::now_ms()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
            }
        }
    });
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
