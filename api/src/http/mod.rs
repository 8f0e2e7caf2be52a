//! The HTTP surface: everything under `/api/`, and the frontend at `/`.

pub mod client_ip;
mod files;
mod frontend;
mod graphql;
mod health;
mod rate_limit;
mod websocket;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

use crate::graphql::AppSchema;
use crate::state::AppState;

/// What every handler can reach: the application state and the executable schema.
#[derive(Clone)]
pub struct HttpContext {
    pub state: AppState,
    pub schema: AppSchema,
}

pub fn router(state: AppState, schema: AppSchema) -> Router {
    let frontend_dir = state.config.frontend_dir.clone();
    let api = Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .layer(from_fn_with_state(
                    state.clone(),
                    rate_limit::requests_per_ip,
                )),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/files/{*key}", get(files::serve))
        .fallback(health::api_not_found);
    Router::new()
        .nest("/api", api)
        .with_state(HttpContext { state, schema })
        .fallback_service(frontend::service(&frontend_dir))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
