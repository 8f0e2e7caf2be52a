//! The HTTP surface: everything under `/api/`, and the frontend at `/`.

pub mod client_ip;
mod files;
mod frontend;
mod graphql;
mod health;
mod websocket;

use axum::Router;
use axum::routing::get;

use crate::graphql::AppSchema;
use crate::state::AppState;

/// What every handler can reach: the application state and the executable schema.
#[derive(Clone)]
pub struct HttpContext {
    pub state: AppState,
    pub schema: AppSchema,
    /// Open WebSockets, for the per-IP and per-user caps.
    sockets: websocket::OpenSockets,
}

pub fn router(state: AppState, schema: AppSchema) -> Router {
    let frontend_dir = state.config.frontend_dir.clone();
    let api = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/files/{*key}", get(files::serve))
        .fallback(health::api_not_found);
    Router::new()
        .nest("/api", api)
        .with_state(HttpContext {
            state,
            schema,
            sockets: websocket::OpenSockets::default(),
        })
        .fallback_service(frontend::service(&frontend_dir))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
