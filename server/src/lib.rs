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
pub mod sessions;
pub mod state;

use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Serves `state` on `listener` until SIGTERM or Ctrl-C, finishing requests in flight.
pub async fn serve(listener: TcpListener, state: state::AppState) -> std::io::Result<()> {
    // Leptos renders on the tokio runtime; initialising twice is harmless.
    let _ = any_spawner::Executor::init_tokio();
    spawn_housekeeping(state.clone());
    let app = http::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await
}

/// Removes expired sessions every hour; drains the search outbox every few seconds (what an
/// index outage held back reaches the index once it answers again).
fn spawn_housekeeping(state: state::AppState) {
    use domain::store::AccountStore;
    let catalog = state.catalog.clone();
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(if failing { 15 } else { 5 })).await;
            match catalog.drain_index().await {
                Ok(n) if n > 0 => tracing::info!(books = n, "search index caught up"),
                Ok(_) => {}
                Err(e) if !failing => tracing::warn!(error = %e, "search index unreachable; retrying"),
                Err(_) => {}
            }
            failing = catalog.index_ready().await.is_err();
        }
    });
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

async fn shutdown_signal() {
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
