//! The HTTP surface: everything under `/api/`, and the frontend at `/`.

pub mod client_ip;
mod files;
mod frontend;
mod graphiql;
mod graphql;
mod health;
pub mod metrics;
mod rate_limit;
mod security_headers;
pub mod server;
pub mod websocket;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

use crate::graphql::AppSchema;
use crate::state::AppState;
use security_headers::SecurityHeaders;

/// What every handler can reach: the application state and the executable schema.
#[derive(Clone)]
pub struct HttpContext {
    pub state: AppState,
    pub schema: AppSchema,
    /// Open WebSockets, for the per-IP and per-user caps.
    sockets: websocket::OpenSockets,
}

impl FromRef<HttpContext> for AppState {
    fn from_ref(ctx: &HttpContext) -> AppState {
        ctx.state.clone()
    }
}

/// The public surface, without `/api/metrics`: what the Lambda function serves, and the main
/// port when metrics have a port of their own.
pub fn router(state: AppState, schema: AppSchema) -> Router {
    build(state, schema, false)
}

/// The public surface plus `/api/metrics`, for a server without a metrics port.
pub fn router_with_metrics(state: AppState, schema: AppSchema) -> Router {
    build(state, schema, true)
}

fn build(state: AppState, schema: AppSchema, with_metrics: bool) -> Router {
    let frontend_dir = state.config.frontend_dir.clone();
    let limits = state.config.limits.clone();
    let headers = Arc::new(SecurityHeaders::new(&state.config));
    let mut api = Router::new()
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
        .route("/files/{*key}", get(files::serve).put(files::upload));
    if with_metrics {
        api = api.route("/metrics", get(metrics::serve));
    }
    let app = Router::new()
        .nest("/api", api.fallback(health::api_not_found))
        .with_state(HttpContext {
            state,
            schema,
            sockets: websocket::OpenSockets::default(),
        })
        .fallback_service(frontend::service(&frontend_dir))
        .layer(axum::middleware::from_fn_with_state(
            headers,
            security_headers::apply,
        ));
    server::limit_requests(app, &limits).layer(tower_http::trace::TraceLayer::new_for_http())
}
